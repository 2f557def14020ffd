//! `bosun db import` of one OSV JSON file (a record, a list, or {"vulns": [...]}).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::vulndb::import_file("osv.json", data);
});
