//! bosun.yaml on arbitrary text (no Rego files), applied to a sample scan result.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::policy::policy_file(data);
});
