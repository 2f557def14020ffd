//! .bosunignore on arbitrary text, applied to sample findings.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::gate::ignore_file(data);
});
