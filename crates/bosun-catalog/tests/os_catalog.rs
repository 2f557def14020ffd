//! The OS analyzers through the catalog: file selection, distro detection
//! first, and packages from several databases in one image.

use bosun_catalog::Catalog;
use bosun_catalog::os::rpm::header::build::string;
use bosun_catalog::os::rpm::header::{build_blob, tag};
use bosun_catalog::os::rpm::ndb;
use bosun_model::Ecosystem;
use bosun_tree::TreeBuilder;

#[test]
fn the_catalog_keeps_exactly_the_files_the_os_analyzers_read() {
    let c = Catalog::all();
    for path in [
        "/etc/os-release",
        "/usr/lib/os-release",
        "/etc/debian_version",
        "/etc/alpine-release",
        "/etc/redhat-release",
        "/etc/lsb-release",
        "/var/lib/dpkg/status",
        "/var/lib/dpkg/status.d/libssl3",
        "/var/lib/dpkg/status.d/libssl3.md5sums",
        "/var/lib/dpkg/info/libc6:amd64.list",
        "/var/lib/dpkg/info/bash.list",
        "/usr/share/doc/bash/copyright",
        "/lib/apk/db/installed",
        "/var/lib/rpm/Packages",
        "/var/lib/rpm/Packages.db",
        "/var/lib/rpm/rpmdb.sqlite",
        "/var/lib/rpm/rpmdb.sqlite-wal",
        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
        "/usr/lib/sysimage/rpm/Packages.db",
    ] {
        assert!(c.selects(path), "{path} should be kept");
    }
    for path in [
        "/var/lib/dpkg/status-old",
        "/var/lib/dpkg/info/bash.md5sums",
        "/var/lib/dpkg/info/bash.postinst",
        "/usr/share/doc/bash/changelog.Debian.gz",
        "/var/lib/rpm/Basenames",
        "/var/lib/rpm/rpmdb.sqlite-shm",
        "/usr/bin/bash",
    ] {
        assert!(!c.selects(path), "{path} should not be kept");
    }
}

#[test]
fn one_image_with_every_database() {
    let rpm = build_blob(&[
        string(tag::NAME, "zlib"),
        string(tag::VERSION, "1.2.13"),
        string(tag::RELEASE, "1"),
        string(tag::ARCH, "x86_64"),
    ]);
    let tree = TreeBuilder::new()
        .file("/usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n")
        .symlink("/etc/os-release", "../usr/lib/os-release")
        .file(
            "/var/lib/dpkg/status",
            "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n",
        )
        .layer()
        .file("/lib/apk/db/installed", "P:busybox\nV:1.36.1-r2\nA:x86_64\n\n")
        .file("/var/lib/rpm/Packages.db", ndb::build(&[&rpm]))
        .build();
    let c = Catalog::all();
    let r = c.run(&tree).expect("catalog runs");
    let d = r.distro.expect("distro");
    assert_eq!(d.codename.as_deref(), Some("bookworm"));
    assert_eq!(
        d.found_in.map(|l| (l.path, l.layer)),
        Some(("/usr/lib/os-release".to_owned(), Some(0)))
    );
    let got: Vec<(Ecosystem, &str, &str, Option<usize>)> = r
        .packages
        .iter()
        .map(|p| {
            (
                p.ecosystem,
                p.name.as_str(),
                p.purl.as_str(),
                p.introduced_in,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Ecosystem::Deb,
                "bash",
                "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
                Some(0)
            ),
            (
                Ecosystem::Apk,
                "busybox",
                "pkg:apk/alpine/busybox@1.36.1-r2?arch=x86_64",
                Some(1)
            ),
            (
                Ecosystem::Rpm,
                "zlib",
                "pkg:rpm/zlib@1.2.13-1?arch=x86_64",
                Some(1)
            ),
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}
