use super::*;
use bosun_tree::{FileMeta, TreeBuilder};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os/dpkg");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIX}/{name}")).unwrap_or_else(|e| panic!("{FIX}/{name}: {e}"))
}

fn run(tree: &FileTree) -> Result<Output, AnalyzeError> {
    let distro = crate::os::osrelease::detect(tree);
    let cx = Context {
        tree,
        distro: distro.as_ref(),
    };
    let mut out = Output::default();
    DpkgAnalyzer.analyze(&cx, &mut out).map(|()| out)
}

fn find<'a>(out: &'a Output, name: &str) -> &'a Package {
    out.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

const OS_RELEASE: &str = "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";

#[test]
fn bookworm_status_parses_cleanly() {
    let f = parse_status(&fixture("bookworm/status"), Flavor::Status);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(f.entries.len(), 753);
    let libc = f.entries.iter().find(|e| e.name == "libc6").expect("libc6");
    assert_eq!(libc.source.as_deref(), Some("glibc"));
    assert_eq!(libc.arch, "amd64");
    assert!(libc.properties.contains_key("maintainer"));
    assert!(libc.properties.contains_key("installed-size"));
    // binNMU-style `Source: name (version)` fields exist in real databases.
    assert!(
        f.entries.iter().any(|e| e.source_version.is_some()),
        "expected at least one Source with a version"
    );
}

#[test]
fn status_states_follow_dpkg_query() {
    let f = parse_status(&fixture("scalibr/statusfield"), Flavor::Status);
    let mut names: Vec<&str> = f.entries.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "wantdeinstall_configfiles",
            "wantdeinstall_installed",
            "wantinstall_halfinstalled",
            "wantinstall_installed",
            "wantinstall_unpacked",
            "wantpurge_installed",
        ]
    );
    assert!(f.not_installed >= 1, "the stanza without Status");
    let rc = f
        .entries
        .iter()
        .find(|e| e.name == "wantdeinstall_configfiles")
        .expect("rc");
    assert!(!rc.fully_installed());
    // In status.d a missing Status means installed.
    let d = parse_status(b"Package: x\nVersion: 1\n", Flavor::StatusD);
    assert_eq!(d.entries.len(), 1);
    assert!(d.entries[0].fully_installed());
    let s = parse_status(b"Package: x\nVersion: 1\n", Flavor::Status);
    assert_eq!((s.entries.len(), s.not_installed), (0, 1));
}

#[test]
fn stanzas_missing_fields_are_skipped_with_warnings() {
    let f = parse_status(&fixture("scalibr/noversion"), Flavor::Status);
    assert_eq!(f.entries.len(), 2);
    assert_eq!(f.malformed, 1);
    assert!(f.warnings[0].contains("`acl`"), "{:?}", f.warnings);
    let f = parse_status(&fixture("scalibr/nopackage"), Flavor::Status);
    assert_eq!(f.entries.len(), 2);
    assert!(f.warnings[0].contains("no Package"), "{:?}", f.warnings);
    let f = parse_status(
        b"Package: a\nStatus: install ok\nVersion: 1\n",
        Flavor::Status,
    );
    assert_eq!(f.malformed, 1);
}

#[test]
fn source_field_forms() {
    assert_eq!(split_source("glibc"), ("glibc", None));
    assert_eq!(split_source("glibc (2.36-9)"), ("glibc", Some("2.36-9")));
    assert_eq!(split_source(" x ( ) "), ("x", None));
    assert_eq!(split_source("x (1"), ("x", Some("1")));
}

#[test]
fn list_files_drops_directories() {
    // Directories may come after unrelated paths (real libc6.list: /lib64
    // first, /lib64/ld-linux-x86-64.so.2 near the end).
    let list = b"/.\n/lib64\n/usr\n/usr/bin\n/usr/bin/ls\n/usr/share/empty\n/etc/x.conf\n/bin\n/usr/bin-x\n/lib64/ld.so\n/bin/sh\n";
    let files = list_files(list, false, |p| p == "/usr/share/empty");
    assert_eq!(
        files,
        vec![
            "/usr/bin/ls",
            "/etc/x.conf",
            "/usr/bin-x",
            "/lib64/ld.so",
            "/bin/sh"
        ]
    );
    let md5 = b"0123  usr/lib/libx.so.1\nabcd  usr/share/doc/x/copyright\nbad\n";
    assert_eq!(
        list_files(md5, true, |_| false),
        vec!["/usr/lib/libx.so.1", "/usr/share/doc/x/copyright"]
    );
}

fn status(pkgs: &[(&str, &str, &str)]) -> String {
    let mut s = String::new();
    for (name, version, arch) in pkgs {
        s.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nMaintainer: M <m@x>\n\
             Architecture: {arch}\nVersion: {version}\nDescription: d\n long\n\n"
        ));
    }
    s
}

#[test]
fn analyzer_fills_purl_source_files_licences_and_properties() {
    let st = "Package: libc6\nStatus: install ok installed\nPriority: optional\nSection: libs\n\
Installed-Size: 12912\nMaintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n\
Architecture: amd64\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u7\n\
Description: GNU C Library\n shared libraries\n\n\
Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\nSource: foo (1.2-3)\n\
Version: 1.2-3+b1\n\n\
Package: old\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 0.1\n\n\
Package: gone\nStatus: purge ok not-installed\nArchitecture: all\n\n";
    let tree = TreeBuilder::new()
        .file("/etc/os-release", OS_RELEASE)
        .file(STATUS, st)
        .file(
            "/var/lib/dpkg/info/libc6:amd64.list",
            "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n/usr/share/doc/libc6\n/usr/share/doc/libc6/copyright\n",
        )
        .file("/var/lib/dpkg/info/libfoo1.list", "/.\n/usr/lib/libfoo.so.1\n")
        .file("/usr/share/doc/libc6/copyright", fixture("copyright/libc6"))
        .symlink("/usr/share/doc/libfoo1", "libc6")
        .build();
    let out = run(&tree).expect("analyze");
    assert_eq!(out.packages.len(), 3, "{:?}", out.warnings);
    let libc = find(&out, "libc6");
    assert_eq!(
        libc.purl,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc"
    );
    assert_eq!(
        libc.source,
        Some(SourceRef {
            name: "glibc".into(),
            version: None
        })
    );
    assert_eq!(
        libc.files,
        vec![
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/share/doc/libc6/copyright"
        ]
    );
    assert_eq!(libc.properties["installed-files"], "2");
    assert_eq!(libc.properties["multi-arch"], "same");
    assert_eq!(libc.properties["installed-size"], "12912");
    assert!(!libc.properties.contains_key("dpkg-status"));
    // A prose copyright file: its references to common-licenses.
    assert_eq!(libc.licenses, vec!["LGPL-2.1-only", "GPL-2.0-only"]);
    assert_eq!(libc.found_in, Location::new(STATUS, Some(0)));
    let foo = find(&out, "libfoo1");
    assert_eq!(
        foo.source,
        Some(SourceRef {
            name: "foo".into(),
            version: Some("1.2-3".into())
        })
    );
    assert!(foo.purl.contains("upstream=foo%401.2-3"), "{}", foo.purl);
    assert_eq!(foo.files, vec!["/usr/lib/libfoo.so.1"]);
    assert_eq!(foo.licenses, libc.licenses, "doc dir symlinked to libc6's");
    let old = find(&out, "old");
    assert_eq!(old.properties["dpkg-status"], "deinstall ok config-files");
    assert!(old.files.is_empty());
}

#[test]
fn ubuntu_namespace_and_multiarch_instances() {
    let tree = TreeBuilder::new()
        .file(
            "/etc/os-release",
            "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n",
        )
        .file(
            STATUS,
            status(&[
                ("libc6", "2.35-0ubuntu3", "amd64"),
                ("libc6", "2.35-0ubuntu3", "i386"),
            ]),
        )
        .file(
            "/var/lib/dpkg/info/libc6:amd64.list",
            "/lib/x86_64-linux-gnu/libc.so.6\n",
        )
        .file(
            "/var/lib/dpkg/info/libc6:i386.list",
            "/lib/i386-linux-gnu/libc.so.6\n",
        )
        .build();
    let out = run(&tree).expect("analyze");
    assert_eq!(out.packages.len(), 2);
    for p in &out.packages {
        let arch = p.arch.as_deref().expect("arch");
        assert_eq!(
            p.purl,
            format!("pkg:deb/ubuntu/libc6@2.35-0ubuntu3?arch={arch}&distro=ubuntu-22.04")
        );
        let dir = if arch == "amd64" { "x86_64" } else { "i386" };
        assert_eq!(p.files, vec![format!("/lib/{dir}-linux-gnu/libc.so.6")]);
    }
}

#[test]
fn origin_layers_follow_the_status_history() {
    // layer 0: base; 1: curl added; 2: unrelated change; 3: curl upgraded;
    // 4: tool removed; 5: tool re-added.
    let tree = TreeBuilder::new()
        .file(
            STATUS,
            status(&[("base", "1", "all"), ("tool", "1", "all")]),
        )
        .layer()
        .file(
            STATUS,
            status(&[
                ("base", "1", "all"),
                ("curl", "7", "amd64"),
                ("tool", "1", "all"),
            ]),
        )
        .layer()
        .file("/etc/unrelated", "x")
        .layer()
        .file(
            STATUS,
            status(&[
                ("base", "1", "all"),
                ("curl", "8", "amd64"),
                ("tool", "1", "all"),
            ]),
        )
        .layer()
        .file(
            STATUS,
            status(&[("base", "1", "all"), ("curl", "8", "amd64")]),
        )
        .layer()
        .file(
            STATUS,
            status(&[
                ("base", "1", "all"),
                ("curl", "8", "amd64"),
                ("tool", "1", "all"),
            ]),
        )
        .build();
    let out = run(&tree).expect("analyze");
    let layers = |n: &str| {
        let p = find(&out, n);
        (p.introduced_in, p.changed_in, p.found_in.layer)
    };
    assert_eq!(layers("base"), (Some(0), Some(0), Some(5)));
    assert_eq!(layers("curl"), (Some(1), Some(3), Some(5)));
    assert_eq!(layers("tool"), (Some(5), Some(5), Some(5)));
}

#[test]
fn origin_survives_a_deleted_then_restored_database_and_unkept_copies() {
    let tree = TreeBuilder::new()
        .file(STATUS, status(&[("a", "1", "all")]))
        .layer()
        .whiteout("/var/lib/dpkg")
        .layer()
        .file(STATUS, status(&[("a", "1", "all")]))
        .layer()
        .entry(STATUS, FileMeta::file(10, 0o644))
        .layer()
        .file(STATUS, status(&[("a", "1", "all")]))
        .build();
    let out = run(&tree).expect("analyze");
    let a = find(&out, "a");
    assert_eq!((a.introduced_in, a.changed_in), (Some(4), Some(4)));
}

#[test]
fn distroless_status_d_with_md5sums_and_layers() {
    let base = format!("{FIX}/distroless");
    let read = |p: &str| std::fs::read(format!("{base}{p}")).expect(p);
    let tree = TreeBuilder::new()
        .file("/etc/os-release", "ID=debian\nVERSION_ID=\"11\"\n")
        .file(
            "/var/lib/dpkg/status.d/base",
            "Package: base-files\nVersion: 11.1\nArchitecture: amd64\n",
        )
        .layer()
        .file(
            "/var/lib/dpkg/status.d/libsqlite3-0",
            read("/var/lib/dpkg/status.d/libsqlite3-0"),
        )
        .file(
            "/var/lib/dpkg/status.d/libsqlite3-0.md5sums",
            read("/var/lib/dpkg/status.d/libsqlite3-0.md5sums"),
        )
        .file(
            "/var/lib/dpkg/status.d/libsqlite3-0.preinst",
            read("/var/lib/dpkg/status.d/libsqlite3-0.preinst"),
        )
        .file(
            "/usr/share/doc/libsqlite3-0/copyright",
            read("/usr/share/doc/libsqlite3-0/copyright"),
        )
        .build();
    let out = run(&tree).expect("analyze");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packages.len(), 2);
    let sq = find(&out, "libsqlite3-0");
    assert_eq!(sq.version, "3.34.1-3");
    assert_eq!(sq.arch.as_deref(), Some("arm64"));
    assert_eq!(
        sq.purl,
        "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&distro=debian-11&upstream=sqlite3"
    );
    assert_eq!(
        sq.found_in,
        Location::new("/var/lib/dpkg/status.d/libsqlite3-0", Some(1))
    );
    assert_eq!((sq.introduced_in, sq.changed_in), (Some(1), Some(1)));
    assert!(
        sq.files.iter().any(|f| f.starts_with("/usr/lib/")),
        "{:?}",
        sq.files
    );
    assert!(sq.files.iter().all(|f| f.starts_with('/')));
    assert_eq!(sq.licenses, vec!["public-domain", "GPL-2.0-or-later"]);
    let base = find(&out, "base-files");
    assert_eq!(
        (base.introduced_in, base.found_in.layer),
        (Some(0), Some(0))
    );
}

#[test]
fn syft_status_d_samples() {
    let dir = format!("{FIX}/syft-status.d");
    let mut b = TreeBuilder::new();
    for name in ["single", "multiple", "deinstall", "corrupt", "empty"] {
        b = b.file(
            &format!("/var/lib/dpkg/status.d/{name}"),
            std::fs::read(format!("{dir}/{name}")).expect(name),
        );
    }
    let out = run(&b.build()).expect("analyze");
    let names: HashSet<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
    // `multiple` holds three stanzas; `deinstall` one installed kernel and one
    // in config-files state (listed, with its status); `corrupt` is skipped.
    assert!(names.contains("apt"), "{names:?}");
    assert!(names.contains("linux-image-6.8.0-1029-aws"), "{names:?}");
    let rc = find(&out, "linux-image-6.8.0-1029-aws");
    assert_eq!(rc.properties["dpkg-status"], "deinstall ok config-files");
    assert!(
        out.warnings.iter().any(|w| w.contains("status.d/corrupt")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn unreadable_databases_are_errors() {
    let tree = TreeBuilder::new()
        .file(STATUS, "\u{0}\u{1}binary garbage\nmore: x\n no\n")
        .build();
    let err = run(&tree).expect_err("error");
    assert!(err.to_string().contains(STATUS), "{err}");
    let tree = TreeBuilder::new()
        .entry(STATUS, FileMeta::file(100 << 20, 0o644))
        .build();
    let err = run(&tree).expect_err("error");
    assert!(err.to_string().contains("not kept"), "{err}");
    // Empty or absent is simply nothing.
    assert!(run(&TreeBuilder::new().file(STATUS, "").build()).is_ok());
    assert!(run(&TreeBuilder::new().build()).is_ok());
}

#[test]
fn status_symlinked_elsewhere_is_followed() {
    let tree = TreeBuilder::new()
        .symlink("/var/lib/dpkg", "/usr/lib/dpkg")
        .file("/usr/lib/dpkg/status", status(&[("a", "1", "all")]))
        .build();
    let out = run(&tree).expect("analyze");
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.packages[0].found_in.path, "/usr/lib/dpkg/status");
    assert_eq!(out.packages[0].introduced_in, Some(0));
}
