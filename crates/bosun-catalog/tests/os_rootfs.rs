//! The dpkg inventory of the real test image against Debian's own tools.
//!
//! Reads the final root filesystem of `bookworm-app` that
//! `scripts/build-test-images.sh` keeps in `.test-images/rootfs/`, builds a
//! one-layer tree from it (keeping the bytes of the files the catalog
//! selects, metadata for the rest), runs the catalog, and compares the deb
//! packages with `dpkg-query -W --admindir=ROOTFS/var/lib/dpkg` run live,
//! package for package, and each package's files with `dpkg-query -L`.
//! When the peer tools are installed (`scripts/install-peers.sh`), the list
//! is also compared with Syft's and Trivy's, run live on the same directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_catalog::Catalog;
use bosun_model::{Ecosystem, Package};
use bosun_tree::{FileMeta, FileTree, TreeBuilder};

/// The kept root filesystem of an image, checked to hold a dpkg database.
fn rootfs(image: &str) -> PathBuf {
    let dir = bosun_test::images::rootfs(image);
    assert!(
        dir.join("var/lib/dpkg/status").is_file(),
        "{}: no dpkg status; rebuild with scripts/build-test-images.sh",
        dir.display()
    );
    dir
}

/// A one-layer tree of a directory: every entry's metadata, and the bytes of
/// the regular files the catalog selects.
fn tree_of(dir: &Path, catalog: &Catalog) -> FileTree {
    let mut b = TreeBuilder::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .map(|e| e.expect("dir entry"))
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let rel = path.strip_prefix(dir).expect("below root");
            let image_path = format!("/{}", rel.to_string_lossy());
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let ft = meta.file_type();
            if ft.is_symlink() {
                let target = std::fs::read_link(&path).expect("readlink");
                b = b.symlink(&image_path, &target.to_string_lossy());
            } else if ft.is_dir() {
                b = b.dir(&image_path);
                stack.push(path);
            } else if ft.is_file() {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o7777;
                if catalog.selects(&image_path) {
                    let bytes = std::fs::read(&path).expect("read");
                    b = b.file_with_mode(&image_path, bytes, mode);
                } else {
                    b = b.entry(&image_path, FileMeta::file(meta.len(), mode));
                }
            }
        }
    }
    b.build()
}

fn dpkg_query(admindir: &Path, args: &[&str]) -> String {
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", admindir.display()))
        .args(args)
        .output()
        .expect("dpkg-query runs (Debian's dpkg)");
    assert!(
        out.status.success(),
        "dpkg-query {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn line(p: &Package) -> String {
    format!(
        "{}\t{}\t{}",
        p.name,
        p.version,
        p.arch.as_deref().unwrap_or("")
    )
}

fn assert_same(what: &str, ours: &BTreeSet<String>, theirs: &BTreeSet<String>) {
    let missing: Vec<_> = theirs.difference(ours).collect();
    let extra: Vec<_> = ours.difference(theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: missing in bosun {missing:#?}\nonly in bosun {extra:#?}"
    );
}

/// Runs the catalog over an image's kept rootfs and checks the deb packages
/// against dpkg-query; returns the `name\tversion\tarch` lines.
fn check_dpkg_rootfs(image: &str, codename: &str) -> (PathBuf, BTreeSet<String>) {
    let dir = rootfs(image);
    let catalog = Catalog::all();
    let tree = tree_of(&dir, &catalog);
    let result = catalog.run(&tree).expect("catalog runs");
    let distro = result.distro.as_ref().expect("distro");
    assert_eq!(
        (
            distro.id.as_str(),
            distro.version_id.as_deref(),
            distro.codename.as_deref()
        ),
        ("debian", distro.version_id.as_deref(), Some(codename))
    );
    let debs: Vec<&Package> = result
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb)
        .collect();
    let dpkg_warnings: Vec<&String> = result
        .warnings
        .iter()
        .filter(|w| w.starts_with("dpkg"))
        .collect();
    assert!(dpkg_warnings.is_empty(), "{dpkg_warnings:?}");

    // Package for package.
    let admindir = dir.join("var/lib/dpkg");
    let listed = dpkg_query(
        &admindir,
        &["-W", "-f", "${Package}\t${Version}\t${Architecture}\n"],
    );
    let theirs: BTreeSet<String> = listed.lines().map(str::to_owned).collect();
    let ours: BTreeSet<String> = debs.iter().map(|p| line(p)).collect();
    assert_eq!(ours.len(), debs.len(), "duplicate packages");
    assert!(
        theirs.len() > 50,
        "{image}: {} packages listed",
        theirs.len()
    );
    assert_same("dpkg-query -W", &ours, &theirs);

    // Each package's files: dpkg-query -L without the directories.
    let mut mismatches: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    let mut total_files = 0;
    for p in &debs {
        let spec = match p.properties.get("multi-arch").map(String::as_str) {
            Some("same") => format!("{}:{}", p.name, p.arch.as_deref().unwrap_or("")),
            _ => p.name.clone(),
        };
        let listed = dpkg_query(&admindir, &["-L", &spec]);
        let all: BTreeSet<&str> = listed
            .lines()
            .filter(|l| l.starts_with('/') && *l != "/.")
            .collect();
        // A directory: one on disk (not following symlinks: a symlink the
        // package installed is one of its files), or one that other paths
        // of the package live under (merged /usr made /bin a symlink, and a
        // later layer may have deleted a directory).
        let is_dir = |l: &str| {
            let prefix = format!("{l}/");
            std::fs::symlink_metadata(dir.join(l.trim_start_matches('/'))).is_ok_and(|m| m.is_dir())
                || all.iter().any(|o| o.starts_with(&prefix))
        };
        let want: BTreeSet<String> = all
            .iter()
            .filter(|l| !is_dir(l))
            .map(|l| (*l).to_owned())
            .collect();
        let got: BTreeSet<String> = p.files.iter().cloned().collect();
        total_files += got.len();
        if got != want {
            mismatches.insert(
                spec,
                (
                    want.difference(&got).cloned().collect(),
                    got.difference(&want).cloned().collect(),
                ),
            );
        }
    }
    assert!(
        mismatches.is_empty(),
        "file lists differ from dpkg-query -L (missing, extra): {mismatches:#?}"
    );
    assert!(total_files > 3000, "{image}: {total_files} files");

    // Every package has a source, a purl with the distro, and most have
    // licences from their copyright file (prose files that name no licence
    // file, like bullseye's libssl1.1 or tzdata, give none).
    for p in &debs {
        assert!(p.source.is_some(), "{}", p.name);
        assert!(
            p.purl.starts_with("pkg:deb/debian/") && p.purl.contains("distro=debian-"),
            "{}",
            p.purl
        );
        assert_eq!(p.introduced_in, Some(0));
    }
    let without: Vec<&str> = debs
        .iter()
        .filter(|p| p.licenses.is_empty())
        .map(|p| p.name.as_str())
        .collect();
    assert!(
        without.len() * 100 <= debs.len() * 15,
        "{image}: {} of {} packages have no licences: {without:?}",
        without.len(),
        debs.len()
    );

    (dir, ours)
}

#[test]
fn bookworm_app_dpkg_inventory_equals_dpkg_query() {
    let (dir, ours) = check_dpkg_rootfs("bookworm-app", "bookworm");
    peers_agree(&dir, &ours);
}

#[test]
fn other_debian_images_equal_dpkg_query() {
    for (image, codename) in [
        ("bookworm-base", "bookworm"),
        ("bookworm-nonroot", "bookworm"),
        ("bullseye-vuln", "bullseye"),
        ("trixie-app", "trixie"),
    ] {
        let (dir, ours) = check_dpkg_rootfs(image, codename);
        eprintln!("{image}: {} deb packages equal dpkg-query's", ours.len());
        peers_agree(&dir, &ours);
    }
}

/// Syft's and Trivy's deb lists, when the peer tools are installed.
fn peers_agree(dir: &Path, ours: &BTreeSet<String>) {
    let bin = std::env::var_os("BOSUN_PEERS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| bosun_test::repo_root().join(".peers/bin"));
    let syft = bin.join("syft");
    if syft.is_file() {
        let out = Command::new(&syft)
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            .args([
                "scan",
                "-q",
                "--select-catalogers",
                "dpkg",
                "-o",
                "syft-json",
            ])
            .arg(format!("dir:{}", dir.display()))
            .output()
            .expect("syft runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("syft json");
        let theirs: BTreeSet<String> = json["artifacts"]
            .as_array()
            .expect("artifacts")
            .iter()
            .filter(|a| a["type"] == "deb")
            .map(|a| {
                format!(
                    "{}\t{}\t{}",
                    a["name"].as_str().unwrap_or_default(),
                    a["version"].as_str().unwrap_or_default(),
                    a["metadata"]["architecture"].as_str().unwrap_or_default()
                )
            })
            .collect();
        assert_same("syft", ours, &theirs);
        eprintln!("syft: {} deb packages, equal", theirs.len());
    } else {
        eprintln!(
            "syft comparison skipped: {} missing (scripts/install-peers.sh)",
            syft.display()
        );
    }
    let trivy = bin.join("trivy");
    if trivy.is_file() {
        let skip_opt = format!("{}/opt", dir.display());
        let skip_java = format!("{}/usr/share/java", dir.display());
        let out = Command::new(&trivy)
            .args([
                "rootfs",
                "--offline-scan",
                "--skip-db-update",
                "--skip-java-db-update",
                "--skip-check-update",
                "--cache-backend",
                "memory",
                "--quiet",
                "--skip-dirs",
                &skip_opt,
                "--skip-dirs",
                &skip_java,
                "--format",
                "cyclonedx",
            ])
            .arg(dir)
            .output()
            .expect("trivy runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("trivy json");
        let theirs: BTreeSet<String> = json["components"]
            .as_array()
            .expect("components")
            .iter()
            .filter_map(|c| c["purl"].as_str())
            .filter_map(|p| p.parse::<packageurl::PackageUrl>().ok())
            .filter(|p| p.ty() == "deb")
            .map(|p| {
                let q = p.qualifiers();
                let arch = q.get("arch").map(|a| a.to_string()).unwrap_or_default();
                // Trivy moves the epoch into a qualifier.
                let epoch = q.get("epoch").map(|e| format!("{e}:")).unwrap_or_default();
                format!(
                    "{}\t{epoch}{}\t{arch}",
                    p.name(),
                    p.version().unwrap_or_default()
                )
            })
            .collect();
        assert_same("trivy", ours, &theirs);
        eprintln!("trivy: {} deb packages, equal", theirs.len());
    } else {
        eprintln!(
            "trivy comparison skipped: {} missing (scripts/install-peers.sh)",
            trivy.display()
        );
    }
}
