//! Python core metadata (METADATA, PKG-INFO) and pip requirement files: no
//! panics on any input; what parses is a usable name and version.
#![no_main]

use bosun_catalog::lang::python::{metadata, requirements};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(md) = metadata::parse(data) {
        assert!(!md.name.is_empty() && !md.version.is_empty());
        let d = metadata::declared(md);
        assert_eq!(metadata::normalize(&d.name), d.name);
    }
    let req = requirements::parse(data);
    for d in &req.packages {
        assert!(!d.name.is_empty() && !d.version.is_empty());
        assert_eq!(metadata::normalize(&d.name), d.name);
    }
});
