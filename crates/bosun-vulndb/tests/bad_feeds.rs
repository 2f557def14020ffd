//! Bad feeds and a full disk: every failure names the file (and the field
//! for a skipped record), and the database that was there before still opens
//! and answers exactly as before.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_vulndb::{Db, ImportOptions, VulnDbError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Builds the "previous" database from the good fixtures.
fn good_db(dir: &Path) -> PathBuf {
    let path = dir.join("bosun.db");
    bosun_vulndb::import(
        &path,
        &[fixtures().join("osv"), fixtures().join("npm")],
        &ImportOptions::default(),
    )
    .expect("import the good fixtures");
    path
}

/// What the database answers: sources, and every affected row (with its
/// advisory id) of the packages the fixtures hold.
fn answers(path: &Path) -> Vec<String> {
    let db = Db::open(path).unwrap_or_else(|e| panic!("the previous database must open: {e}"));
    let mut out: Vec<String> = db
        .sources()
        .expect("sources")
        .into_iter()
        .map(|s| {
            format!(
                "source {} records {} affected {}",
                s.name, s.records, s.affected
            )
        })
        .collect();
    for (ns, pkg) in [
        ("golang", "stdlib"),
        ("pypi", "requests"),
        ("cargo", "smallvec"),
        ("npm", "lodash"),
    ] {
        for h in db.affected(ns, pkg).expect("lookup") {
            let id = db
                .advisory(h.adv)
                .expect("advisory")
                .map(|a| a.id)
                .unwrap_or_default();
            out.push(format!("{ns} {pkg} {id} {:?} {:?}", h.state, h.rule));
        }
    }
    assert!(out.len() > 6, "the fixtures give answers: {out:?}");
    out
}

/// No temporary database file is left next to the target.
fn no_leftovers(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

/// Imports `inputs` over a good database, expects an error, and checks the
/// old database. Returns the error's message.
fn fails_and_keeps(inputs: &[PathBuf], opts: &ImportOptions) -> (VulnDbError, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = good_db(tmp.path());
    let before = answers(&db);
    let err = bosun_vulndb::import(&db, inputs, opts).expect_err("the import must fail");
    let msg = err.to_string();
    println!("error: {msg}");
    assert_eq!(answers(&db), before, "the previous database changed");
    no_leftovers(tmp.path());
    (err, msg)
}

fn osv_zip(path: &Path) {
    let f = std::fs::File::create(path).expect("create zip");
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for name in [
        "GO-2023-1568.json",
        "GO-2023-1569.json",
        "RUSTSEC-2021-0003.json",
    ] {
        z.start_file(name, opts).expect("start entry");
        z.write_all(&std::fs::read(fixtures().join("osv").join(name)).expect("read"))
            .expect("write entry");
    }
    z.finish().expect("finish zip");
}

#[test]
fn a_good_zip_imports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip = tmp.path().join("all.zip");
    osv_zip(&zip);
    let r = bosun_vulndb::import(&tmp.path().join("z.db"), &[zip], &ImportOptions::default())
        .expect("import zip");
    let records: u64 = r.sources.iter().map(|s| s.records).sum();
    assert_eq!(records, 3, "{r:#?}");
}

#[test]
fn truncated_zip_fails_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip = tmp.path().join("all.zip");
    osv_zip(&zip);
    let bytes = std::fs::read(&zip).expect("read");
    std::fs::write(&zip, bytes.get(..bytes.len() / 2).expect("half")).expect("truncate");
    let (err, msg) = fails_and_keeps(std::slice::from_ref(&zip), &ImportOptions::default());
    assert!(matches!(err, VulnDbError::Feed { .. }), "{err:?}");
    assert!(msg.contains(&zip.display().to_string()), "{msg}");
    assert!(msg.contains("not a readable zip archive"), "{msg}");
}

#[test]
fn zip_with_a_corrupt_entry_fails_naming_the_entry() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip = tmp.path().join("all.zip");
    osv_zip(&zip);
    let mut bytes = std::fs::read(&zip).expect("read");
    // Overwrite compressed bytes of the first entry (after its 30-byte local
    // header and name): the central directory still lists it.
    let start = 30 + "GO-2023-1568.json".len() + 8;
    for b in bytes.iter_mut().skip(start).take(64) {
        *b ^= 0x5a;
    }
    std::fs::write(&zip, &bytes).expect("write");
    let (err, msg) = fails_and_keeps(std::slice::from_ref(&zip), &ImportOptions::default());
    assert!(matches!(err, VulnDbError::Feed { .. }), "{err:?}");
    assert!(msg.contains(&zip.display().to_string()), "{msg}");
    assert!(msg.contains("GO-2023-1568.json"), "{msg}");
}

#[test]
fn invalid_json_named_on_the_command_line_fails_with_its_position() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("GHSA-bad.json");
    std::fs::write(&bad, b"{\"id\": \"GHSA-x\", \"affected\": [").expect("write");
    let (err, msg) = fails_and_keeps(std::slice::from_ref(&bad), &ImportOptions::default());
    assert!(matches!(err, VulnDbError::Feed { .. }), "{err:?}");
    assert!(msg.contains(&bad.display().to_string()), "{msg}");
    assert!(
        msg.contains("invalid JSON") && msg.contains("line 1"),
        "{msg}"
    );
}

#[test]
fn invalid_json_in_a_directory_of_records_is_skipped_and_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let feed = tmp.path().join("feed");
    std::fs::create_dir(&feed).expect("mkdir");
    std::fs::copy(
        fixtures().join("osv/GO-2023-1568.json"),
        feed.join("GO-2023-1568.json"),
    )
    .expect("copy");
    std::fs::write(feed.join("GO-broken.json"), b"{\"id\": ").expect("write");
    let path = tmp.path().join("bosun.db");
    let r = bosun_vulndb::import(
        &path,
        std::slice::from_ref(&feed),
        &ImportOptions::default(),
    )
    .expect("a directory with one bad record still imports");
    let skipped: Vec<_> = r.sources.iter().flat_map(|s| s.skips.iter()).collect();
    assert_eq!(skipped.len(), 1, "{r:#?}");
    let s = skipped.first().expect("one skip");
    assert!(s.file.ends_with("GO-broken.json"), "{s:?}");
    assert_eq!(s.field, "(file)");
    assert!(s.reason.contains("invalid JSON"), "{s:?}");
    let total: u64 = r.sources.iter().map(|s| s.skipped).sum();
    assert_eq!(total, 1);
    let records: u64 = r.sources.iter().map(|s| s.records).sum();
    assert_eq!(records, 1, "the good record is imported");
    let db = Db::open(&path).expect("open");
    let stored: Vec<_> = db
        .sources()
        .expect("sources")
        .into_iter()
        .flat_map(|s| db.skips(&s.name, 10).expect("skips"))
        .collect();
    assert_eq!(stored.len(), 1, "skips are stored in the file: {stored:?}");
}

#[test]
fn unknown_range_types_are_skipped_and_counted_with_file_and_field() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let feed = tmp.path().join("feed");
    std::fs::create_dir(&feed).expect("mkdir");
    // One record with a good range and an unknown one, one with only an
    // unknown one.
    let rec = |id: &str, ranges: serde_json::Value| {
        serde_json::json!({
            "id": id, "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"}, "ranges": ranges}]
        })
    };
    let both = rec(
        "PYSEC-TEST-1",
        serde_json::json!([
            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]},
            {"type": "SEMVER-ISH", "events": [{"introduced": "0"}, {"fixed": "3"}]}
        ]),
    );
    let only = rec(
        "PYSEC-TEST-2",
        serde_json::json!([{"type": "CALVER", "events": [{"introduced": "0"}]}]),
    );
    std::fs::write(feed.join("PYSEC-TEST-1.json"), both.to_string()).expect("write");
    std::fs::write(feed.join("PYSEC-TEST-2.json"), only.to_string()).expect("write");
    let path = tmp.path().join("bosun.db");
    let r = bosun_vulndb::import(
        &path,
        std::slice::from_ref(&feed),
        &ImportOptions::default(),
    )
    .expect("import");
    let src = r
        .sources
        .iter()
        .find(|s| s.name == "osv:PyPI")
        .expect("osv:PyPI source");
    assert_eq!(src.records, 2, "{src:#?}");
    assert_eq!(
        src.affected, 1,
        "only the evaluable row is stored: {src:#?}"
    );
    assert_eq!(src.skipped, 3, "{src:#?}");
    let fields: Vec<(String, String)> = src
        .skips
        .iter()
        .map(|s| {
            (
                Path::new(&s.file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                s.field.clone(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "PYSEC-TEST-1.json".to_owned(),
                "affected[0].ranges[1].type".to_owned()
            ),
            (
                "PYSEC-TEST-2.json".to_owned(),
                "affected[0].ranges[0].type".to_owned()
            ),
            ("PYSEC-TEST-2.json".to_owned(), "affected[0]".to_owned()),
        ]
    );
    assert!(
        src.skips
            .first()
            .is_some_and(|s| s.reason.contains("unknown range type `SEMVER-ISH`")),
        "{:?}",
        src.skips
    );
    // The good range still answers.
    let db = Db::open(&path).expect("open");
    let hits = db.affected("pypi", "requests").expect("lookup");
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn a_1_gib_sparse_file_is_refused_before_it_is_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["huge.json", "all.zip"] {
        let huge = tmp.path().join(name);
        let f = std::fs::File::create(&huge).expect("create");
        f.set_len(1 << 30).expect("sparse 1 GiB");
        drop(f);
        let (err, msg) = fails_and_keeps(std::slice::from_ref(&huge), &ImportOptions::default());
        match err {
            VulnDbError::TooLarge { size, limit, .. } => {
                assert_eq!(size, 1 << 30);
                assert_eq!(limit, ImportOptions::default().max_file_bytes);
            }
            other => panic!("{other:?}"),
        }
        assert!(msg.contains(&huge.display().to_string()), "{msg}");
        assert!(
            msg.contains("1073741824 bytes, over the 536870912 byte bound"),
            "{msg}"
        );
    }
    // Also when it sits in a directory of records: a file that size is not
    // a record, and skipping it would silently drop a feed.
    let dir = tmp.path().join("feed");
    std::fs::create_dir(&dir).expect("mkdir");
    let f = std::fs::File::create(dir.join("huge.json")).expect("create");
    f.set_len(1 << 30).expect("sparse");
    drop(f);
    let (err, _) = fails_and_keeps(&[dir], &ImportOptions::default());
    assert!(matches!(err, VulnDbError::TooLarge { .. }), "{err:?}");
}

#[test]
fn zip_entries_over_the_entry_bound_are_skipped_and_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip = tmp.path().join("all.zip");
    osv_zip(&zip);
    let opts = ImportOptions {
        max_entry_bytes: 2048,
        ..ImportOptions::default()
    };
    let r = bosun_vulndb::import(&tmp.path().join("z.db"), &[zip], &opts).expect("import");
    let skips: Vec<_> = r.sources.iter().flat_map(|s| s.skips.iter()).collect();
    assert!(!skips.is_empty(), "{r:#?}");
    for s in skips {
        assert!(s.file.contains("all.zip!"), "{s:?}");
        assert_eq!(s.field, "(entry)");
        assert!(s.reason.contains("over the 2048 byte bound"), "{s:?}");
    }
}

/// Many OSV records with incompressible text: several MB of database.
fn big_feed(dir: &Path, records: usize) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut noise = |n: usize| -> String {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect()
    };
    let list: Vec<serde_json::Value> = (0..records)
        .map(|i| {
            serde_json::json!({
                "id": format!("PYSEC-FILL-{i}"),
                "modified": "2024-01-01T00:00:00Z",
                "details": noise(600),
                "affected": [{"package": {"ecosystem": "PyPI", "name": format!("pkg-{i}")},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": format!("{}.0", i % 50 + 1)}]}]}]
            })
        })
        .collect();
    std::fs::write(
        dir.join("fill.json"),
        serde_json::to_vec(&list).expect("json"),
    )
    .expect("write");
}

#[test]
fn a_full_database_page_limit_fails_cleanly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let feed = tmp.path().join("feed");
    big_feed(&feed, 3000);
    let opts = ImportOptions {
        max_pages: Some(64),
        ..ImportOptions::default()
    };
    let (err, msg) = fails_and_keeps(&[feed], &opts);
    assert!(err.is_disk_full(), "{err:?}");
    assert!(
        msg.contains("the current database is unchanged (the disk is full)"),
        "{msg}"
    );
}

/// Unmounts on drop.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A real full disk: a 2 MiB tmpfs holding the database (needs root and
/// `mount`; skipped with a message otherwise).
#[test]
fn a_full_tmpfs_fails_cleanly_and_keeps_the_old_database() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).expect("mkdir");
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: cannot mount a tmpfs here (needs root); see the RLIMIT_FSIZE test");
        return;
    }
    let _guard = Mount(mnt.clone());
    let db = good_db(&mnt);
    let before = answers(&db);
    let feed = tmp.path().join("feed");
    big_feed(&feed, 8000);
    let err = bosun_vulndb::import(&db, &[feed], &ImportOptions::default())
        .expect_err("2 MiB cannot hold the new database");
    let msg = err.to_string();
    println!("full tmpfs: {msg}");
    assert!(err.is_disk_full(), "{err:?}");
    assert!(
        msg.contains(&format!(
            "cannot write the new database for {}; the current database is unchanged (the disk is full)",
            db.display()
        )),
        "{msg}"
    );
    assert_eq!(answers(&db), before);
    no_leftovers(&mnt);
    // The space is given back: a small import fits again.
    bosun_vulndb::import(&db, &[fixtures().join("npm")], &ImportOptions::default())
        .expect("a small import after the failure");
}

/// Child half of the RLIMIT_FSIZE test: runs only when the parent sets
/// `BOSUN_FSIZE_CHILD` (the import runs under `ulimit -f`).
#[test]
fn fsize_child() {
    let Ok(dir) = std::env::var("BOSUN_FSIZE_CHILD") else {
        return;
    };
    let dir = PathBuf::from(dir);
    match bosun_vulndb::import(
        &dir.join("bosun.db"),
        &[dir.join("feed")],
        &ImportOptions::default(),
    ) {
        Ok(_) => println!("CHILD-RESULT ok"),
        Err(e) => println!("CHILD-RESULT error {e}"),
    }
}

/// A file size limit (`ulimit -f`, SIGXFSZ ignored, so writes fail with
/// EFBIG) stands in for a full disk anywhere.
#[test]
fn a_file_size_limit_fails_cleanly_and_keeps_the_old_database() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = good_db(tmp.path());
    let before = answers(&db);
    big_feed(&tmp.path().join("feed"), 8000);
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 2048; exec \"$0\" --exact fsize_child --nocapture --test-threads=1")
        .arg(&exe)
        .env("BOSUN_FSIZE_CHILD", tmp.path())
        .output()
        .expect("run sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.find("CHILD-RESULT").and_then(|i| l.get(i..)))
        .unwrap_or_else(|| {
            panic!(
                "child said nothing: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    println!("{line}");
    assert!(line.starts_with("CHILD-RESULT error"), "{line}");
    let target = tmp.path().join("bosun.db").display().to_string();
    assert!(
        line.contains(&format!(
            "cannot write the new database for {target}; the current database is unchanged"
        )),
        "{line}"
    );
    assert!(
        line.contains("check free space and file size limits"),
        "{line}"
    );
    assert_eq!(answers(&db), before);
    no_leftovers(tmp.path());
}
