//! Java archives read as a stream: no panic, no unbounded work (small
//! limits here), artifacts well formed. Input is used as is, and wrapped as
//! the data of a stored entry of an outer jar (to reach the nested path).
#![no_main]

use bosun_catalog::lang::java::{Limits, read_archive_with};
use libfuzzer_sys::fuzz_target;

fn stored_entry(name: &str, data: &[u8]) -> Vec<u8> {
    let mut o = Vec::new();
    o.extend_from_slice(b"PK\x03\x04");
    o.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    o.extend_from_slice(&[0; 4]);
    o.extend_from_slice(&(data.len() as u32).to_le_bytes());
    o.extend_from_slice(&(data.len() as u32).to_le_bytes());
    o.extend_from_slice(&(name.len() as u16).to_le_bytes());
    o.extend_from_slice(&0u16.to_le_bytes());
    o.extend_from_slice(name.as_bytes());
    o.extend_from_slice(data);
    o
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed: 4 << 20,
        max_entries: 2_000,
        max_depth: 3,
    };
    for input in [data.to_vec(), stored_entry("WEB-INF/lib/x-1.0.jar", data)] {
        let f = read_archive_with(&mut input.as_slice(), "/opt/app.war", &limits);
        for a in &f.artifacts {
            assert!(!a.artifact.is_empty() && !a.version.is_empty());
            assert!(a.archive_path.starts_with("/opt/app.war"));
            if let Some(s) = &a.sha1 {
                assert_eq!(s.len(), 40);
            }
        }
    }
});
