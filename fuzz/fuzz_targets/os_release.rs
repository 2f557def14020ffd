//! os-release parsing and distribution detection with the input as each
//! release file in turn.
#![no_main]

use bosun_catalog::os::osrelease::{detect, from_os_release, parse_os_release};
use bosun_tree::TreeBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fields = parse_os_release(data);
    let text = String::from_utf8_lossy(data);
    let _ = from_os_release(&fields, Some(&text));
    for path in [
        "/etc/os-release",
        "/etc/lsb-release",
        "/etc/alpine-release",
        "/etc/redhat-release",
        "/etc/debian_version",
    ] {
        let tree = TreeBuilder::new().file(path, data).build();
        if let Some(d) = detect(&tree) {
            assert!(!d.id.is_empty());
        }
    }
});
