//! `bosun db import` of an OSV all.zip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("all.zip", data);
});
