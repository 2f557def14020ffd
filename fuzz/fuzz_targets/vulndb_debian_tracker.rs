//! `bosun db import` of a Debian security tracker JSON file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("tracker.json", data);
});
