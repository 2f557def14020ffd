//! apk `installed` database parsing: no panics on any input.
#![no_main]

use bosun_catalog::os::apk::parse_installed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = parse_installed(data);
    for e in &f.entries {
        assert!(!e.name.is_empty() && !e.version.is_empty());
        assert!(e.files.iter().all(|p| p.starts_with('/')));
    }
});
