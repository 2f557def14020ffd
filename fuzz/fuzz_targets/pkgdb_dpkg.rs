//! dpkg status / status.d parsing, `.list`/`.md5sums` file lists and Debian
//! copyright licence extraction: no panics on any input.
#![no_main]

use bosun_catalog::os::dpkg::{Flavor, list_files, parse_status};
use bosun_catalog::os::license::from_debian_copyright;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let status = parse_status(data, Flavor::Status);
    let status_d = parse_status(data, Flavor::StatusD);
    assert!(status.entries.len() <= status_d.entries.len());
    for e in &status.entries {
        assert!(!e.name.is_empty() && !e.version.is_empty());
    }
    let _ = list_files(data, false, |p| p.len() % 7 == 0);
    let _ = list_files(data, true, |_| false);
    let _ = from_debian_copyright(data);
});
