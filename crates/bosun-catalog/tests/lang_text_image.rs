//! The Python, npm and Ruby analyzers on the real `bookworm-app` image
//! (built by `scripts/build-test-images.sh`), read layer by layer through
//! bosun-image. `.test-images/manifest.json` records what the build
//! installed (`language_packages`, with the layer and whether a later layer
//! deleted it) and which lockfiles it wrote (`lockfiles`): every one of them
//! must be found where and when the build put it, deleted ones must not be,
//! and nothing else may be reported (no phantom packages).

mod common;

use std::collections::BTreeSet;

use bosun_catalog::lang::npm::NpmAnalyzer;
use bosun_catalog::lang::python::{PythonAnalyzer, metadata::normalize};
use bosun_catalog::lang::ruby::RubyAnalyzer;
use bosun_catalog::{Catalog, CatalogOptions};
use bosun_model::{Ecosystem, Package};

fn eco(name: &str) -> Option<Ecosystem> {
    match name {
        "pypi" | "pip" => Some(Ecosystem::Pypi),
        "npm" => Some(Ecosystem::Npm),
        "gem" => Some(Ecosystem::Gem),
        _ => None,
    }
}

/// The name bosun reports for a manifest name.
fn canonical(e: Ecosystem, name: &str) -> String {
    if e == Ecosystem::Pypi {
        normalize(name)
    } else {
        name.to_owned()
    }
}

#[test]
fn bookworm_app_python_npm_and_ruby_packages() {
    let image = bosun_test::images::image("bookworm-app");
    let catalog = Catalog::new(
        vec![
            Box::new(PythonAnalyzer),
            Box::new(NpmAnalyzer),
            Box::new(RubyAnalyzer),
        ],
        CatalogOptions::default(),
    )
    .expect("catalog");
    let result = common::catalog_image("bookworm-app", &catalog);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let pkgs: Vec<&Package> = result.packages.iter().collect();

    let mut accounted: BTreeSet<usize> = BTreeSet::new();
    let find = |e: Ecosystem, name: &str, version: &str| -> Vec<usize> {
        pkgs.iter()
            .enumerate()
            .filter(|(_, p)| {
                p.ecosystem == e && p.name == canonical(e, name) && p.version == version
            })
            .map(|(i, _)| i)
            .collect()
    };

    // Installed packages: present where and when the build put them, or gone.
    let mut installed = 0;
    for entry in image["language_packages"]
        .as_array()
        .expect("language_packages")
    {
        let Some(e) = eco(entry["ecosystem"].as_str().expect("ecosystem")) else {
            continue;
        };
        let (name, version) = (
            entry["name"].as_str().expect("name"),
            entry["version"].as_str().expect("version"),
        );
        let path = entry["path"].as_str().expect("path");
        let file = if e == Ecosystem::Pypi {
            format!("{path}/METADATA")
        } else {
            path.to_owned()
        };
        let layer = entry["layer"].as_u64().expect("layer") as usize;
        let at: Vec<usize> = find(e, name, version)
            .into_iter()
            .filter(|&i| pkgs[i].found_in.path == file)
            .collect();
        if entry["present_in_final_rootfs"].as_bool() == Some(true) {
            installed += 1;
            assert_eq!(at.len(), 1, "{name} {version} at {file}: {pkgs:#?}");
            let p = pkgs[at[0]];
            assert_eq!(p.found_in.layer, Some(layer), "{name}");
            assert_eq!(
                (p.introduced_in, p.changed_in),
                (Some(layer), Some(layer)),
                "{name}"
            );
            accounted.extend(at);
        } else {
            assert!(
                at.is_empty(),
                "{name} {version} was deleted but reported at {file}"
            );
        }
    }
    assert_eq!(
        installed, 8,
        "5 Python distributions and 3 npm packages are installed"
    );

    // Lockfile entries: reported from the lockfile, or folded into the
    // installed copy that names the lockfile.
    let mut locked = 0;
    for lock in image["lockfiles"].as_array().expect("lockfiles") {
        let Some(e) = eco(lock["kind"].as_str().expect("kind")) else {
            continue;
        };
        let path = lock["path"].as_str().expect("path");
        let layer = lock["layer"].as_u64().expect("layer") as usize;
        for entry in lock["entries"].as_array().expect("entries") {
            locked += 1;
            let (name, version) = (
                entry["name"].as_str().expect("name"),
                entry["version"].as_str().expect("version"),
            );
            let hits = find(e, name, version);
            let from_lock: Vec<usize> = hits
                .iter()
                .copied()
                .filter(|&i| pkgs[i].found_in.path == path)
                .collect();
            let folded: Vec<usize> = hits
                .iter()
                .copied()
                .filter(|&i| pkgs[i].properties.get("lockfile").map(String::as_str) == Some(path))
                .collect();
            assert_eq!(
                from_lock.len() + folded.len(),
                1,
                "{name} {version} of {path}: {pkgs:#?}"
            );
            for &i in &from_lock {
                assert_eq!(pkgs[i].found_in.layer, Some(layer), "{name}");
                assert!(!pkgs[i].dev, "{name}");
            }
            accounted.extend(from_lock);
            accounted.extend(folded);
        }
    }
    assert_eq!(locked, 4 + 3 + 6);

    // Jinja2's installation was deleted in layer 9; the requirement file
    // that pins it still ships.
    let jinja = find(Ecosystem::Pypi, "Jinja2", "2.10");
    assert_eq!(jinja.len(), 1);
    assert_eq!(pkgs[jinja[0]].found_in.path, "/opt/pyapp/requirements.txt");

    // The one package no manifest entry names: the Node project itself.
    let rest: Vec<&Package> = pkgs
        .iter()
        .enumerate()
        .filter(|(i, _)| !accounted.contains(i))
        .map(|(_, p)| *p)
        .collect();
    assert_eq!(rest.len(), 1, "{rest:#?}");
    assert_eq!(rest[0].found_in.path, "/opt/nodeapp/package.json");
    assert_eq!(rest[0].name, "bosun-node-fixture");
    assert_eq!(rest[0].properties["project"], "true");
}
