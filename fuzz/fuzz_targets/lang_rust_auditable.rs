//! cargo-auditable JSON: no panic; packages made from it are well formed.
#![no_main]

use bosun_catalog::lang::rust::auditable::{looks_like_audit_json, packages, parse};
use bosun_model::Location;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = looks_like_audit_json(data);
    if parse(data).is_ok() {
        let (pkgs, _) = packages(data, &Location::new("/bin/x", Some(0))).expect("parsed once");
        for p in &pkgs {
            assert!(!p.name.is_empty() && !p.version.is_empty());
            assert!(p.purl.starts_with("pkg:cargo/"));
        }
    }
});
