//! Berkeley DB hash `Packages` reading, then every record's header.
#![no_main]

use bosun_catalog::os::rpm::{Backend, read_packages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_packages(Backend::Bdb, data, None);
});
