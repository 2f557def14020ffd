//! bosun's Debian matcher against an independent check on the real test
//! images: `scripts/check/debian-dsa.py` reads the DSA/DLA list text and the
//! image's dpkg status and asks `dpkg --compare-versions`; bosun imports the
//! same lists, inventories the same image and matches. They must agree on
//! every (package, vulnerability, fixed version).
//!
//! Needs the test images (`scripts/build-test-images.sh`), python3 and dpkg.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use bosun_model::FixState;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/debian")
}

fn lists() -> Vec<PathBuf> {
    ["DSA-list.txt", "DLA-list.txt", "DSA-DLA-2025-2026-list.txt"]
        .iter()
        .map(|f| fixtures().join(f))
        .collect()
}

type Row = (String, String, String, String);

fn independent(image_tar: &str, release: &str) -> BTreeSet<Row> {
    let root = bosun_test::repo_root();
    let out = Command::new("python3")
        .arg(root.join("scripts/check/debian-dsa.py"))
        .arg("--image")
        .arg(root.join(image_tar))
        .arg("--release")
        .arg(release)
        .args(lists())
        .output()
        .expect("run python3 scripts/check/debian-dsa.py (apt-get install python3 dpkg)");
    assert!(
        out.status.success(),
        "debian-dsa.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (s("package"), s("version"), s("id"), s("fixed"))
        })
        .collect()
}

fn bosun(image_tar: &str, db: &bosun_vulndb::Db) -> (BTreeSet<Row>, String) {
    let root = bosun_test::repo_root();
    let reference = format!("docker-archive:{}", root.join(image_tar).display());
    let inv = bosun_scan::inventory(&reference, &bosun_scan::ScanOptions::default())
        .unwrap_or_else(|e| panic!("inventory {reference}: {e}"));
    let release = inv
        .distro
        .as_ref()
        .and_then(|d| d.codename.clone())
        .expect("codename from os-release");
    let findings = bosun_match::match_inventory(&inv, db).expect("match");
    let mut rows = BTreeSet::new();
    for f in findings {
        assert_eq!(f.package.ecosystem, bosun_model::Ecosystem::Deb);
        assert!(f.matched.matcher == "debian", "{:?}", f.matched);
        if f.status == FixState::Fixed {
            assert!(!f.fixed_versions.is_empty());
        }
        let fixed: Vec<String> = if f.fixed_versions.is_empty() {
            vec![match f.status {
                FixState::WontFix => "<end-of-life>".to_owned(),
                _ => "<unfixed>".to_owned(),
            }]
        } else {
            f.fixed_versions.clone()
        };
        for fx in fixed {
            rows.insert((
                f.package.name.clone(),
                f.package.version.clone(),
                f.id.clone(),
                fx,
            ));
        }
    }
    (rows, release)
}

fn build_db(dir: &tempfile::TempDir) -> bosun_vulndb::Db {
    let path = dir.path().join("debian.db");
    let report = bosun_vulndb::import(&path, &lists(), &bosun_vulndb::ImportOptions::default())
        .expect("import the lists");
    assert!(
        report
            .sources
            .iter()
            .any(|s| s.name == "debian-dsa" && s.records > 10_000)
    );
    bosun_vulndb::Db::open(&path).expect("open")
}

fn compare(image: &str, expect_findings: bool) {
    let manifest = bosun_test::images::manifest();
    let tar = manifest["images"][image]["exports"]["docker-archive"]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("{image} docker-archive export missing from the manifest"))
        .to_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build_db(&dir);
    let (ours, release) = bosun(&tar, &db);
    let theirs = independent(&tar, &release);
    let only_ours: Vec<_> = ours.difference(&theirs).collect();
    let only_theirs: Vec<_> = theirs.difference(&ours).collect();
    println!(
        "{image} ({release}): bosun {} findings, independent check {}",
        ours.len(),
        theirs.len()
    );
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "{image}: only bosun: {only_ours:#?}\nonly the independent check: {only_theirs:#?}"
    );
    if expect_findings {
        assert!(
            ours.len() >= 24,
            "{image}: expected dozens of findings, got {}",
            ours.len()
        );
    } else {
        assert!(ours.is_empty(), "{image}: expected no finding: {ours:#?}");
    }
}

#[test]
fn bullseye_vuln_agrees_with_plain_dpkg_compare_versions() {
    compare("bullseye-vuln", true);
}

#[test]
fn bookworm_app_agrees_and_has_no_fixed_findings() {
    compare("bookworm-app", false);
}
