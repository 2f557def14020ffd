//! `bosun db import` of an NVD CVE API 2.0 JSON page.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("nvd.json", data);
});
