//! Parse and compare arbitrary strings as RubyGems versions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::version::check_scheme(bosun_version::Scheme::RubyGems, data);
});
