//! `bosun db import` of a Debian DSA/DLA list (text).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("DSA-list", data);
});
