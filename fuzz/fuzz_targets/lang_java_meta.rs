//! pom.properties, MANIFEST.MF and file-name parsing: no panic, bounded.
#![no_main]

use bosun_catalog::lang::java::meta::{
    MAX_KEYS, is_archive_name, name_from_file, parse_manifest, parse_properties,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assert!(parse_properties(data).len() <= MAX_KEYS);
    assert!(parse_manifest(data).len() <= MAX_KEYS);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = is_archive_name(s);
        if let Some((name, version)) = name_from_file(s) {
            assert!(!name.is_empty());
            if let Some(v) = version {
                assert!(v.starts_with(|c: char| c.is_ascii_digit()));
            }
        }
    }
});
