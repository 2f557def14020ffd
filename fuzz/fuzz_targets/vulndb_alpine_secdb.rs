//! `bosun db import` of an Alpine/Wolfi secdb JSON file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("main.json", data);
});
