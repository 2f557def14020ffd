//! Parse and compare arbitrary strings as Pep440 versions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::version::check_scheme(bosun_version::Scheme::Pep440, data);
});
