//! The Python analyzer on real metadata and lockfiles, against independent
//! expectations: Python's own header parser and pip's requirement parser
//! (`tests/fixtures/lang/python/oracle.py`), Trivy's golden outputs for its
//! lockfile fixtures, and what uv, Poetry and Pipenv themselves say about
//! lockfiles they wrote (see `tests/fixtures/lang/python/SOURCE.md`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bosun_catalog::lang::common::Parsed;
use bosun_catalog::lang::python::{PythonAnalyzer, locks, metadata, requirements};
use bosun_catalog::{Catalog, CatalogOptions};
use bosun_model::{Ecosystem, Package};
use bosun_tree::TreeBuilder;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/python")
}

fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn pep503(name: &str) -> String {
    metadata::normalize(name)
}

#[test]
fn installed_metadata_matches_pythons_header_parser() {
    let expected = json("expected-installed.json");
    let list = expected.as_array().expect("array");
    assert!(list.len() >= 40, "{} entries", list.len());
    for e in list {
        let rel = e["path"].as_str().expect("path");
        let got = metadata::parse(&read(rel));
        if e["error"].as_bool() == Some(true) {
            assert!(got.is_err(), "{rel}: expected no package, got {got:?}");
            continue;
        }
        let md = got.unwrap_or_else(|err| panic!("{rel}: {err}"));
        let d = metadata::declared(md);
        assert_eq!(d.name, e["name"].as_str().expect("name"), "{rel}");
        assert_eq!(d.version, e["version"].as_str().expect("version"), "{rel}");
        let licenses: Vec<String> = e["licenses"]
            .as_array()
            .expect("licenses")
            .iter()
            .map(|l| l.as_str().expect("str").to_owned())
            .collect();
        assert_eq!(d.licenses, licenses, "{rel}");
    }
}

#[test]
fn pinned_requirements_match_pips_parser() {
    let expected = json("expected-requirements.json");
    let map = expected.as_object().expect("object");
    assert!(map.len() >= 4);
    for (rel, want) in map {
        let got: Vec<(String, String)> = requirements::parse(&read(rel))
            .packages
            .into_iter()
            .map(|d| (d.name, d.version))
            .collect();
        let want: Vec<(String, String)> = want
            .as_array()
            .expect("array")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().expect("name").to_owned(),
                    p[1].as_str().expect("version").to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want, "{rel}");
    }
}

/// Trivy's expected packages for one of its lockfile fixtures: normalized
/// name, version, dev.
fn trivy_golden(rel: &str) -> BTreeSet<(String, String, bool)> {
    common::trivy_packages(&json(rel), rel, pep503)
}

fn triples(p: &Parsed) -> BTreeSet<(String, String, bool)> {
    p.packages
        .iter()
        .map(|d| (d.name.clone(), d.version.clone(), d.dev))
        .collect()
}

#[test]
fn trivy_lockfile_fixtures_give_trivys_packages() {
    let req = requirements::parse(&read("locks/trivy/pip/requirements.txt"));
    assert_eq!(
        triples(&req),
        trivy_golden("locks/trivy/pip/pip.json.golden")
    );

    let pipenv =
        locks::parse_pipfile_lock(&read("locks/trivy/pipenv/Pipfile.lock")).expect("pipenv");
    assert_eq!(
        triples(&pipenv),
        trivy_golden("locks/trivy/pipenv/pipenv.json.golden")
    );

    let pyproject = read("locks/trivy/poetry/pyproject.toml");
    let poetry =
        locks::parse_poetry_lock(&read("locks/trivy/poetry/poetry.lock"), Some(&pyproject))
            .expect("poetry");
    assert_eq!(
        triples(&poetry),
        trivy_golden("locks/trivy/poetry/poetry.json.golden")
    );

    let uv = locks::parse_uv_lock(&read("locks/trivy/uv/uv.lock")).expect("uv");
    assert_eq!(triples(&uv), trivy_golden("locks/trivy/uv/uv.json.golden"));
}

/// Names listed one per line (first word), as `poetry show` and `uv export`
/// print them.
fn names_in(rel: &str) -> BTreeSet<String> {
    String::from_utf8_lossy(&read(rel))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.trim().is_empty())
        .filter_map(|l| {
            l.split(|c: char| c.is_whitespace() || c == '=' || c == ';')
                .next()
        })
        .map(pep503)
        .collect()
}

/// Counts `[[package]]` headers: an independent count of a TOML lock's entries.
fn package_headers(rel: &str) -> usize {
    String::from_utf8_lossy(&read(rel))
        .lines()
        .filter(|l| l.trim() == "[[package]]")
        .count()
}

#[test]
fn real_uv_lock_dev_groups_match_uv_export() {
    let p = locks::parse_uv_lock(&read("real/uv/uv.lock")).expect("uv.lock");
    let main = names_in("real/uv/uv-export-main.txt");
    let all = names_in("real/uv/uv-export-all.txt");
    let got: BTreeSet<String> = p.packages.iter().map(|d| d.name.clone()).collect();
    assert_eq!(got, all, "every locked package but the project itself");
    // The project is the one `[[package]]` bosun leaves out.
    assert_eq!(p.packages.len() + 1, package_headers("real/uv/uv.lock"));
    for d in &p.packages {
        assert_eq!(d.dev, !main.contains(&d.name), "{} {}", d.name, d.version);
    }
    assert!(p.packages.iter().any(|d| d.dev) && p.packages.iter().any(|d| !d.dev));
}

#[test]
fn real_poetry_locks_dev_groups_match_poetry_show() {
    for dir in ["real/poetry-2.1", "real/poetry-2.0"] {
        let lock = format!("{dir}/poetry.lock");
        let pyproject = read(&format!("{dir}/pyproject.toml"));
        let p = locks::parse_poetry_lock(&read(&lock), Some(&pyproject)).expect("poetry.lock");
        assert_eq!(p.packages.len(), package_headers(&lock), "{dir}");
        let main = names_in(&format!("{dir}/poetry-show-main.txt"));
        assert_eq!(main.len(), 5, "{dir}");
        for d in &p.packages {
            assert_eq!(d.dev, !main.contains(&d.name), "{dir}: {}", d.name);
        }
    }
    // Without the pyproject.toml a 2.0 lock says nothing about groups.
    let bare = locks::parse_poetry_lock(&read("real/poetry-2.0/poetry.lock"), None).expect("lock");
    assert!(bare.packages.iter().all(|d| !d.dev));
    // Syft's 1.x lock marks every package `category = "dev"`.
    let cat = locks::parse_poetry_lock(&read("locks/syft/poetry/dev-deps/poetry.lock"), None)
        .expect("lock");
    assert_eq!(
        cat.packages.len(),
        package_headers("locks/syft/poetry/dev-deps/poetry.lock")
    );
    assert!(cat.packages.iter().all(|d| d.dev));
}

#[test]
fn real_pipfile_lock_sections() {
    let raw = json("real/pipenv/Pipfile.lock");
    let p = locks::parse_pipfile_lock(&read("real/pipenv/Pipfile.lock")).expect("Pipfile.lock");
    let mut want = BTreeSet::new();
    for (section, dev) in [("default", false), ("develop", true)] {
        for (name, e) in raw[section].as_object().expect(section) {
            let v = e["version"].as_str().expect("version");
            want.insert((pep503(name), v.trim_start_matches('=').to_owned(), dev));
        }
    }
    assert_eq!(triples(&p), want);
    assert_eq!(p.packages.iter().filter(|d| d.dev).count(), 4);
}

#[test]
fn syft_toml_lock_fixtures_read_every_entry() {
    for rel in [
        "locks/syft/poetry/simple-deps/poetry.lock",
        "locks/syft/poetry/multiple-extras/poetry.lock",
        "locks/syft/poetry/nested-extras/poetry.lock",
        "locks/syft/poetry/conflicting-with-extras/poetry.lock",
        "locks/syft/poetry/case-sensitivity/poetry.lock",
    ] {
        let p = locks::parse_poetry_lock(&read(rel), None).expect(rel);
        assert_eq!(p.packages.len(), package_headers(rel), "{rel}");
        assert!(p.warnings.is_empty(), "{rel}: {:?}", p.warnings);
    }
    for rel in [
        "locks/syft/uv/simple-deps/uv.lock",
        "locks/syft/uv/multiple-extras/uv.lock",
        "locks/syft/uv/nested-extras/uv.lock",
        "locks/syft/uv/conflicting-with-extras/uv.lock",
    ] {
        let text = String::from_utf8_lossy(&read(rel)).into_owned();
        let projects = text
            .lines()
            .filter(|l| l.starts_with("source = { virtual") || l.starts_with("source = { editable"))
            .count();
        let p = locks::parse_uv_lock(text.as_bytes()).expect(rel);
        assert_eq!(p.packages.len() + projects, package_headers(rel), "{rel}");
    }
    let pip =
        locks::parse_pipfile_lock(&read("locks/syft/pipfile-lock/Pipfile.lock")).expect("pipfile");
    let raw = json("locks/syft/pipfile-lock/Pipfile.lock");
    let with_version = |s: &str| {
        raw[s]
            .as_object()
            .map(|m| m.values().filter(|e| e["version"].is_string()).count())
            .unwrap_or(0)
    };
    assert_eq!(
        pip.packages.len(),
        with_version("default") + with_version("develop")
    );
}

fn analyze(tree: &bosun_tree::FileTree) -> (Vec<Package>, Vec<String>) {
    let c =
        Catalog::new(vec![Box::new(PythonAnalyzer)], CatalogOptions::default()).expect("catalog");
    let r = c.run(tree).expect("run");
    (r.packages, r.warnings)
}

#[test]
fn lockfile_packages_fold_into_installed_distributions() {
    let md = read("installed/image/requests-2.19.1.dist-info/METADATA");
    let urllib3 = read("installed/image/urllib3-1.24.1.dist-info/METADATA");
    let tree = TreeBuilder::new()
        .file(
            "/usr/local/lib/python3.11/site-packages/requests-2.19.1.dist-info/METADATA",
            &md,
        )
        .file(
            "/opt/app/vendor/urllib3-1.24.1.dist-info/METADATA",
            &urllib3,
        )
        .file(
            "/opt/app/requirements.txt",
            "requests==2.19.1\nurllib3==1.24.1\nJinja2==2.10\nflask>=1\n",
        )
        .file(
            "/opt/app/Pipfile.lock",
            r#"{"default": {}, "develop": {"requests": {"version": "==2.19.1"}}}"#,
        )
        // A package's own requirement file is not the application's.
        .file(
            "/usr/local/lib/python3.11/site-packages/requests/requirements.txt",
            "pytest==1.0\n",
        )
        .layer()
        .file("/opt/app/broken.egg-info", "Name: x\n")
        .build();
    let (pkgs, warnings) = analyze(&tree);
    let by: BTreeMap<(&str, &str), &Package> = pkgs
        .iter()
        .map(|p| ((p.name.as_str(), p.version.as_str()), p))
        .collect();
    assert_eq!(by.len(), 3, "{pkgs:#?}");
    let requests = by[&("requests", "2.19.1")];
    assert_eq!(
        requests.found_in.path,
        "/usr/local/lib/python3.11/site-packages/requests-2.19.1.dist-info/METADATA"
    );
    assert_eq!(
        requests.properties["lockfile"],
        "/opt/app/Pipfile.lock, /opt/app/requirements.txt"
    );
    // Development-only only when every lockfile says so.
    assert!(!requests.dev);
    assert_eq!(requests.purl, "pkg:pypi/requests@2.19.1");
    assert_eq!(requests.licenses, vec!["Apache 2.0".to_owned()]);
    let jinja = by[&("jinja2", "2.10")];
    assert_eq!(jinja.found_in.path, "/opt/app/requirements.txt");
    assert_eq!(jinja.properties["declared-name"], "Jinja2");
    assert_eq!(jinja.found_in.layer, Some(0));
    assert!(by.contains_key(&("urllib3", "1.24.1")));
    assert!(pkgs.iter().all(|p| p.ecosystem == Ecosystem::Pypi));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("/opt/app/broken.egg-info") && warnings[0].contains("Version"));
}
