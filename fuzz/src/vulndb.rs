//! bosun-vulndb: `bosun db import` on one arbitrary feed file. The import
//! API reads paths, so the bytes are written to a file whose name selects
//! the format (`.json`, `.yaml`, a plain name for DSA/DLA lists, `.zip`),
//! and the database is written to a scratch directory (in /dev/shm when
//! there is one: the import syncs its file before renaming it, which on a
//! disk costs more than the parsing). Errors, never panics; an import that
//! succeeds leaves a database that opens.

use std::path::PathBuf;
use std::sync::LazyLock;

use bosun_vulndb::{Db, ImportOptions, import};

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("bosun-fuzz-vulndb-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
});

/// Imports `data` as a feed file named `name`.
pub fn import_file(name: &str, data: &[u8]) {
    let feed = DIR.join(name);
    if std::fs::write(&feed, data).is_err() {
        return;
    }
    let db = DIR.join("fuzz.db");
    let opts = ImportOptions {
        now: Some("2026-11-23T00:00:00Z".into()),
        max_file_bytes: 1 << 20,
        max_entry_bytes: 1 << 20,
        max_files: 1000,
        ..ImportOptions::default()
    };
    if import(&db, &[feed], &opts).is_ok() {
        let db = Db::open(&db).expect("an imported database opens");
        let _ = db.sources().expect("sources of an imported database");
    }
}
