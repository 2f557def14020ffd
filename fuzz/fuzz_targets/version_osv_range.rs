//! Read arbitrary OSV range JSON and evaluate a version against it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::version::check_osv_range(data);
});
