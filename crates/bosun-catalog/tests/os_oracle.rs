//! bosun's package lists against the distributions' own tools.
//!
//! The `*.expected.tsv` files were printed by `dpkg-query -W` and `rpm -qa`
//! (see `fixtures/os/regen-*-expected.sh`); these tests compare package for
//! package, and for rpm also the number of files each package owns.

use std::collections::BTreeSet;
use std::io::Read;

use bosun_catalog::os::dpkg::{Flavor, parse_status};
use bosun_catalog::os::rpm::header::RpmPackage;
use bosun_catalog::os::rpm::{Backend, read_packages};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os");

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{FIX}/{name}");
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        out
    } else {
        raw
    }
}

fn expected_lines(name: &str) -> BTreeSet<String> {
    String::from_utf8(fixture(name))
        .expect("utf-8")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Lines in one set and not the other, for a readable failure.
fn assert_same(what: &str, ours: &BTreeSet<String>, oracle: &BTreeSet<String>) {
    let missing: Vec<_> = oracle.difference(ours).collect();
    let extra: Vec<_> = ours.difference(oracle).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: {} from the oracle missing in bosun: {missing:#?}\n{} only in bosun: {extra:#?}",
        missing.len(),
        extra.len()
    );
}

#[test]
fn dpkg_lists_equal_dpkg_query() {
    for (status, expected, count) in [
        (
            "dpkg/bookworm/status",
            "dpkg/bookworm/status.expected.tsv",
            753,
        ),
        ("dpkg/scalibr/valid", "dpkg/scalibr/valid.expected.tsv", 7),
        (
            "dpkg/scalibr/statusfield",
            "dpkg/scalibr/statusfield.expected.tsv",
            6,
        ),
        ("dpkg/scalibr/single", "dpkg/scalibr/single.expected.tsv", 1),
        (
            "dpkg/scalibr/transitional",
            "dpkg/scalibr/transitional.expected.tsv",
            1,
        ),
        (
            "dpkg/scalibr/trailingnewlines",
            "dpkg/scalibr/trailingnewlines.expected.tsv",
            1,
        ),
    ] {
        let file = parse_status(&fixture(status), Flavor::Status);
        let ours: BTreeSet<String> = file
            .entries
            .iter()
            .map(|e| format!("{}\t{}\t{}", e.name, e.version, e.arch))
            .collect();
        assert_eq!(ours.len(), file.entries.len(), "{status}: duplicates");
        let oracle = expected_lines(expected);
        assert_eq!(oracle.len(), count, "{expected}");
        assert_same(status, &ours, &oracle);
    }
}

fn rpm_line(p: &RpmPackage) -> String {
    format!(
        "{}\t{}:{}-{}\t{}\t{}",
        p.name,
        p.epoch.unwrap_or(0),
        p.version,
        p.release,
        p.arch.as_deref().unwrap_or("(none)"),
        p.files.len()
    )
}

fn rpm_list(backend: Backend, db: &[u8], wal: Option<&[u8]>) -> BTreeSet<String> {
    let (packages, warnings) = read_packages(backend, db, wal).expect("database reads");
    let only_wal_note = warnings.iter().all(|w| w.contains("from the WAL"));
    assert!(only_wal_note, "{warnings:?}");
    let lines: BTreeSet<String> = packages
        .iter()
        .filter(|p| p.name != "gpg-pubkey")
        .map(rpm_line)
        .collect();
    assert_eq!(lines.len(), packages.len(), "duplicate packages");
    lines
}

#[test]
fn rpm_sqlite_equals_rpm_qa() {
    let ours = rpm_list(
        Backend::Sqlite,
        &fixture("rpm/mariner2-rpmdb.sqlite.gz"),
        None,
    );
    let oracle = expected_lines("rpm/mariner2-rpmdb.sqlite.expected.tsv");
    assert_eq!(oracle.len(), 129);
    assert_same("mariner2 rpmdb.sqlite", &ours, &oracle);
}

#[test]
fn rpm_sqlite_with_wal_equals_rpm_qa() {
    let ours = rpm_list(
        Backend::Sqlite,
        &fixture("rpm/small-wal/rpmdb.sqlite.gz"),
        Some(&fixture("rpm/small-wal/rpmdb.sqlite-wal.gz")),
    );
    let oracle = expected_lines("rpm/small-wal/expected.tsv");
    assert_eq!(oracle.len(), 11);
    assert_same("small-wal", &ours, &oracle);
}

#[test]
fn rpm_berkeley_db_equals_rpm_qa() {
    for (db, count) in [
        ("rpm/mariner2-bdb-le4096-Packages.gz", 129),
        ("rpm/mariner2-bdb-be512-Packages.gz", 40),
        ("rpm/mariner2-bdb-le64k-Packages.gz", 40),
        ("rpm/libuuid-Packages", 1),
        ("rpm/syft-dive-Packages", 1),
        ("rpm/scalibr-epoch-Packages", 1),
    ] {
        let ours = rpm_list(Backend::Bdb, &fixture(db), None);
        let expected = format!("{}.expected.tsv", db.trim_end_matches(".gz"));
        let oracle = expected_lines(&expected);
        assert_eq!(oracle.len(), count, "{expected}");
        assert_same(db, &ours, &oracle);
    }
}

#[test]
fn rpm_ndb_equals_the_images_rpm_qa() {
    let (packages, warnings) =
        read_packages(Backend::Ndb, &fixture("rpm/sle15-Packages.db.gz"), None).expect("reads");
    assert!(warnings.is_empty(), "{warnings:?}");
    let ours: BTreeSet<String> = packages
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                p.name,
                p.epoch.map(|e| e.to_string()).unwrap_or_default(),
                p.version,
                p.release,
                p.arch.as_deref().unwrap_or_default(),
                p.source_rpm.as_deref().unwrap_or_default()
            )
        })
        .collect();
    let oracle = expected_lines("rpm/sle15-Packages.db.expected.tsv");
    assert_eq!(oracle.len(), 35);
    assert_same("sle15 Packages.db", &ours, &oracle);
}
