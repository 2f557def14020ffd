//! rpm sqlite database reading (in memory, hardened connection) and WAL
//! replay. The first byte picks how much of the rest is the WAL.
#![no_main]

use bosun_catalog::os::rpm::sqlite::apply_wal;
use bosun_catalog::os::rpm::{Backend, read_packages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    if split == 0 {
        let _ = read_packages(Backend::Sqlite, rest, None);
        return;
    }
    let at = rest.len() * usize::from(split) / 256;
    let (db, wal) = rest.split_at(at);
    let mut image = db.to_vec();
    let before = image.len();
    if apply_wal(&mut image, wal).is_ok() {
        assert!(image.len() <= before + wal.len());
    }
    let _ = read_packages(Backend::Sqlite, db, Some(wal));
});
