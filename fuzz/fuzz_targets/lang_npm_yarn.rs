//! yarn.lock (Yarn 1 and berry), with development-only marking from a
//! package.json: no panics on any input. The input is split at the first
//! NUL byte: yarn.lock, then package.json.
#![no_main]

use bosun_catalog::lang::npm::{package_json, package_lock, yarn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (lock, manifest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], package_json::parse(&data[i + 1..]).ok()),
        None => (data, None),
    };
    if let Ok(l) = yarn::parse(lock) {
        let p = yarn::declared(l, manifest.as_ref());
        for d in &p.packages {
            assert!(package_lock::valid_name(&d.name), "{}", d.name);
            assert!(package_lock::registry_version(&d.version), "{}", d.version);
        }
    }
});
