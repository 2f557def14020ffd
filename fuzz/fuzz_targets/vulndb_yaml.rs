//! `bosun db import` of a YAML feed file (OSV YAML, secdb YAML, rubysec).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("feed.yaml", data);
});
