//! pnpm-lock.yaml (v5, v6, v9, several documents): no panics on any input;
//! packages have valid npm names and registry versions.
#![no_main]

use bosun_catalog::lang::npm::{package_lock, pnpm};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = pnpm::parse(data) {
        for d in &p.packages {
            assert!(package_lock::valid_name(&d.name), "{}", d.name);
            assert!(package_lock::registry_version(&d.version), "{}", d.version);
        }
    }
});
