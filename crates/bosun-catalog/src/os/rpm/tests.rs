use std::io::Read;

use super::header::build::*;
use super::header::{build_blob, tag};
use super::*;
use bosun_tree::TreeBuilder;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os/rpm");

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

fn blob(name: &str, version: &str, arch: Option<&str>) -> Vec<u8> {
    let mut e = vec![
        string(tag::NAME, name),
        string(tag::VERSION, version),
        string(tag::RELEASE, "1.el9"),
        string(tag::SOURCERPM, &format!("{name}-{version}-1.el9.src.rpm")),
        string(tag::LICENSE, "MIT"),
        string(tag::VENDOR, "Example"),
        strings(tag::BASENAMES, &["bin", name]),
        strings(tag::DIRNAMES, &["/usr/", "/usr/bin/"]),
        u32s(tag::DIRINDEXES, &[0, 1]),
        u16s(tag::FILEMODES, &[0o040755, 0o100755]),
    ];
    if let Some(a) = arch {
        e.push(string(tag::ARCH, a));
    }
    build_blob(&e)
}

fn run(tree: &FileTree) -> Result<Output, AnalyzeError> {
    let distro = crate::os::osrelease::detect(tree);
    let cx = Context {
        tree,
        distro: distro.as_ref(),
    };
    let mut out = Output::default();
    RpmAnalyzer.analyze(&cx, &mut out).map(|()| out)
}

const OS_RELEASE: &str = "ID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.3\"\n";

#[test]
fn ndb_packages_with_purls_and_layers() {
    let v1 = ndb::build(&[&blob("bash", "5.1", Some("x86_64"))]);
    let v2 = ndb::build(&[
        &blob("bash", "5.2", Some("x86_64")),
        &blob("curl", "8.0", Some("x86_64")),
        &blob("gpg-pubkey", "fd431d51", None),
    ]);
    let tree = TreeBuilder::new()
        .file("/etc/os-release", OS_RELEASE)
        .file("/var/lib/rpm/Packages.db", v1)
        .layer()
        .file("/var/lib/rpm/Packages.db", v2)
        .build();
    let out = run(&tree).expect("analyze");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let names: Vec<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["bash", "curl"], "gpg-pubkey is left out");
    let bash = &out.packages[0];
    assert_eq!(bash.version, "5.2-1.el9");
    assert_eq!(
        bash.purl,
        "pkg:rpm/rhel/bash@5.2-1.el9?arch=x86_64&distro=rhel-9.3&upstream=bash-5.2-1.el9.src.rpm"
    );
    assert_eq!(
        bash.source,
        Some(SourceRef {
            name: "bash".into(),
            version: None
        })
    );
    assert_eq!(bash.files, vec!["/usr/bin/bash"]);
    assert_eq!(bash.licenses, vec!["MIT"]);
    assert_eq!(bash.properties["rpm-db"], "ndb");
    assert_eq!(bash.properties["vendor"], "Example");
    assert_eq!((bash.introduced_in, bash.changed_in), (Some(0), Some(1)));
    assert_eq!(
        (out.packages[1].introduced_in, out.packages[1].changed_in),
        (Some(1), Some(1))
    );
}

#[test]
fn epoch_in_version_and_purl() {
    let mut e = vec![
        string(tag::NAME, "perl-libs"),
        string(tag::VERSION, "5.32.1"),
        string(tag::RELEASE, "480.el9"),
        string(tag::ARCH, "x86_64"),
        u32s(tag::EPOCH, &[4]),
        string(tag::SOURCERPM, "perl-5.32.1-479.el9.src.rpm"),
    ];
    let with_epoch = build_blob(&e);
    e[4] = u32s(tag::EPOCH, &[0]);
    e[0] = string(tag::NAME, "zero");
    let zero_epoch = build_blob(&e);
    let tree = TreeBuilder::new()
        .file("/etc/os-release", OS_RELEASE)
        .file(
            "/usr/lib/sysimage/rpm/Packages.db",
            ndb::build(&[&with_epoch, &zero_epoch]),
        )
        .symlink("/var/lib/rpm", "../../usr/lib/sysimage/rpm")
        .build();
    let out = run(&tree).expect("analyze");
    assert_eq!(out.packages.len(), 2, "one directory, read once");
    let p = &out.packages[0];
    assert_eq!(p.version, "4:5.32.1-480.el9");
    assert!(
        p.purl
            .contains("@5.32.1-480.el9?arch=x86_64&distro=rhel-9.3&epoch=4&"),
        "{}",
        p.purl
    );
    assert_eq!(
        p.source,
        Some(SourceRef {
            name: "perl".into(),
            version: Some("5.32.1-479.el9".into())
        })
    );
    assert_eq!(p.properties["epoch"], "4");
    let z = &out.packages[1];
    assert_eq!(z.version, "5.32.1-480.el9");
    assert!(!z.purl.contains("epoch"), "{}", z.purl);
    assert_eq!(z.properties["epoch"], "0");
}

#[test]
fn sqlite_is_preferred_over_older_formats_in_one_directory() {
    let tree = TreeBuilder::new()
        .file(
            "/var/lib/rpm/rpmdb.sqlite",
            fixture("mariner2-rpmdb.sqlite.gz"),
        )
        .file("/var/lib/rpm/Packages", fixture("libuuid-Packages"))
        .build();
    let out = run(&tree).expect("analyze");
    assert_eq!(out.packages.len(), 129);
    assert!(
        out.packages
            .iter()
            .all(|p| p.properties["rpm-db"] == "sqlite")
    );
    assert!(!out.packages.iter().any(|p| p.name == "libuuid"));
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("/var/lib/rpm/Packages`: ignored")),
        "{:?}",
        out.warnings
    );
    // No distro: no namespace and no distro qualifier.
    let glibc = out
        .packages
        .iter()
        .find(|p| p.name == "glibc")
        .expect("glibc");
    assert_eq!(
        glibc.purl,
        "pkg:rpm/glibc@2.34-2.cm2?arch=x86_64&upstream=glibc-2.34-2.cm2.src.rpm"
    );
}

#[test]
fn sqlite_wal_is_applied() {
    let main = fixture("small-wal/rpmdb.sqlite.gz");
    let wal = fixture("small-wal/rpmdb.sqlite-wal.gz");
    let (without, _) = read_packages(Backend::Sqlite, &main, None).expect("main only");
    let (with, warnings) = read_packages(Backend::Sqlite, &main, Some(&wal)).expect("with wal");
    assert_eq!(without.len(), 12);
    assert_eq!(with.len(), 11);
    assert!(
        warnings.iter().any(|w| w.contains("applied")),
        "{warnings:?}"
    );
    let tree = TreeBuilder::new()
        .file("/var/lib/rpm/rpmdb.sqlite", main)
        .file("/var/lib/rpm/rpmdb.sqlite-wal", wal)
        .build();
    assert_eq!(run(&tree).expect("analyze").packages.len(), 11);
}

#[test]
fn unreadable_databases_are_errors_naming_the_file() {
    for (path, bytes) in [
        ("/var/lib/rpm/Packages", b"not berkeley db".to_vec()),
        ("/var/lib/rpm/Packages.db", b"RpmP garbage".to_vec()),
        (
            "/var/lib/rpm/rpmdb.sqlite",
            b"SQLite format 3\0garbage".to_vec(),
        ),
        ("/var/lib/rpm/Packages.db", ndb::build(&[b"not a header"])),
    ] {
        let tree = TreeBuilder::new().file(path, bytes).build();
        let err = run(&tree).expect_err(path);
        assert!(err.to_string().contains(path), "{err}");
    }
}

#[test]
fn one_bad_record_is_skipped_with_a_warning() {
    let db = ndb::build(&[&blob("ok", "1", Some("noarch")), b"\0\0\0\x01\0\0\0\0"]);
    let (pkgs, warnings) = read_packages(Backend::Ndb, &db, None).expect("read");
    assert_eq!(pkgs.len(), 1);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].starts_with("record 2:"), "{warnings:?}");
}
