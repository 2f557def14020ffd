//! The `secrets:` settings on arbitrary YAML: parse, compile the user's rules and globs, scan a sample.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::checks::config(data);
});
