//! rpm header blob parsing: no panics, no unbounded allocation.
#![no_main]

use bosun_catalog::os::rpm::header::{parse_package, split_source_rpm};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = parse_package(data) {
        let _ = p.evr();
        let _ = p.key();
        if let Some(s) = &p.source_rpm {
            let _ = split_source_rpm(s);
        }
    }
});
