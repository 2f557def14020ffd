//! package.json and package-lock.json / npm-shrinkwrap.json: no panics on
//! any input; lockfile packages have valid npm names and registry versions.
#![no_main]

use bosun_catalog::lang::npm::{package_json, package_lock};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = package_json::parse(data);
    if let Ok(p) = package_lock::parse(data) {
        for d in &p.packages {
            assert!(package_lock::valid_name(&d.name), "{}", d.name);
            assert!(package_lock::registry_version(&d.version), "{}", d.version);
        }
    }
});
