//! Cargo.lock parsing: no panic; every package has a name and a version;
//! the count is bounded.
#![no_main]

use bosun_catalog::lang::rust::cargolock::{MAX_PACKAGES, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let l = parse(data);
    assert!(l.packages.len() <= MAX_PACKAGES);
    for p in &l.packages {
        assert!(!p.name.is_empty() && !p.version.is_empty() && p.line >= 1);
    }
});
