//! Cargo.lock parsing against every lockfile format cargo has written,
//! checked against Python's `tomllib` reading of the same files (see
//! tests/fixtures/lang/rust/SOURCE.md), and the analyzer over a tree.

use std::path::Path;

use bosun_catalog::lang::rust::CargoLockAnalyzer;
use bosun_catalog::lang::rust::cargolock::parse;
use bosun_catalog::{Analyzer, Context, Output};
use bosun_model::Ecosystem;
use bosun_tree::TreeBuilder;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/rust")
}

#[test]
fn every_fixture_matches_tomllib() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let Some(stem) = name.strip_suffix(".Cargo.lock") else {
            continue;
        };
        let bytes = std::fs::read(&path).expect("read");
        let lock = parse(&bytes);
        let expected = fixtures().join(format!("{stem}.expected.json"));
        if stem == "bogus" {
            assert!(lock.packages.is_empty() && !expected.exists());
            continue;
        }
        let want: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected).expect("expected"))
                .expect("json");
        assert_eq!(
            lock.version.map(u64::from),
            want["version"].as_u64(),
            "{name}: version"
        );
        let want_pkgs = want["packages"].as_array().expect("packages");
        assert_eq!(lock.packages.len(), want_pkgs.len(), "{name}");
        for (got, w) in lock.packages.iter().zip(want_pkgs) {
            assert_eq!(Some(got.name.as_str()), w["name"].as_str(), "{name}");
            assert_eq!(Some(got.version.as_str()), w["version"].as_str(), "{name}");
            assert_eq!(
                got.source.as_deref(),
                w["source"].as_str(),
                "{name} {}",
                got.name
            );
            assert_eq!(
                got.checksum.as_deref(),
                w["checksum"].as_str(),
                "{name} {}",
                got.name
            );
        }
        assert!(lock.warnings.is_empty(), "{name}: {:?}", lock.warnings);
        seen += 1;
    }
    assert_eq!(seen, 9);
}

#[test]
fn analyzer_reports_every_package_with_its_layer_and_skips_crate_sources() {
    let lock = std::fs::read(fixtures().join("git-deps.Cargo.lock")).expect("read");
    let tree = TreeBuilder::new()
        .file(
            "/root/.cargo/registry/src/index.crates.io-x/foo-1.0.0/Cargo.lock",
            &lock,
        )
        .layer()
        .file("/srv/app/Cargo.lock", &lock)
        .build();
    let cx = Context {
        tree: &tree,
        distro: None,
    };
    let mut out = Output::default();
    CargoLockAnalyzer.analyze(&cx, &mut out).expect("analyze");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packages.len(), 12);
    for p in &out.packages {
        assert_eq!(p.ecosystem, Ecosystem::Cargo);
        assert_eq!(p.found_in.path, "/srv/app/Cargo.lock");
        assert_eq!((p.found_in.layer, p.introduced_in), (Some(1), Some(1)));
        assert_eq!(p.purl, format!("pkg:cargo/{}@{}", p.name, p.version));
        assert!(!p.dev);
    }
    let local: Vec<&str> = out
        .packages
        .iter()
        .filter(|p| p.properties.get("cargo-source").map(String::as_str) == Some("local"))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(local, ["hello_world"]);
    let git = out
        .packages
        .iter()
        .find(|p| {
            p.properties
                .get("cargo-source")
                .is_some_and(|s| s.starts_with("git+"))
        })
        .expect("a git source");
    assert_eq!(git.name, "regex");
}

#[test]
fn hostile_lockfiles_are_bounded() {
    // A million tiny tables: cut at the limit with one warning.
    let mut big = String::new();
    for i in 0..(bosun_catalog::lang::rust::cargolock::MAX_PACKAGES + 10) {
        big.push_str(&format!(
            "[[package]]\nname = \"p{i}\"\nversion = \"1.0.{i}\"\n"
        ));
    }
    let lock = parse(big.as_bytes());
    assert_eq!(
        lock.packages.len(),
        bosun_catalog::lang::rust::cargolock::MAX_PACKAGES
    );
    assert_eq!(lock.warnings.len(), 1);
    // Binary junk and an unterminated array.
    let lock = parse(b"\xff\xfe[[package]]\nname = \"a\nversion = [\n");
    assert!(lock.packages.is_empty());
}
