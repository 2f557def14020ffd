//! Go, Rust and Java packages of the real `bookworm-app` image (built by
//! `scripts/build-test-images.sh`), read through bosun-image's layer reader
//! with the full catalog as the sink: what the build script recorded it
//! installed (`.test-images/manifest.json`: `language_packages`, the go.mod
//! and Cargo.lock entries of `lockfiles`, the toolchains of `binaries`) is
//! found, in the file and layer it was installed in, and nothing else is.

mod common;

use std::collections::BTreeSet;

use bosun_catalog::Catalog;
use bosun_model::{Ecosystem, Package};

/// (ecosystem, name, version, outer file, nested archive path or "", layer)
type Key = (String, String, String, String, String, usize);

fn eco(e: Ecosystem) -> Option<&'static str> {
    match e {
        Ecosystem::Golang => Some("golang"),
        Ecosystem::Cargo => Some("cargo"),
        Ecosystem::Maven => Some("maven"),
        _ => None,
    }
}

fn key_of(p: &Package) -> Option<Key> {
    let e = eco(p.ecosystem)?;
    let nested = p
        .properties
        .get("archive-path")
        .filter(|a| a.contains("!/"))
        .cloned()
        .unwrap_or_default();
    Some((
        e.to_owned(),
        p.name.clone(),
        p.version.clone(),
        p.found_in.path.clone(),
        nested,
        p.found_in.layer.expect("layer"),
    ))
}

#[test]
fn bookworm_app_go_rust_java_packages() {
    let image = bosun_test::images::image("bookworm-app");

    // What the build installed.
    let mut want: BTreeSet<Key> = BTreeSet::new();
    for p in image["language_packages"]
        .as_array()
        .expect("language_packages")
    {
        let e = p["ecosystem"].as_str().expect("ecosystem");
        if !matches!(e, "golang" | "cargo" | "maven") {
            continue;
        }
        assert_eq!(p["present_in_final_rootfs"], true, "{p}");
        let path = p["path"].as_str().expect("path");
        let (outer, nested) = match path.split_once("!/") {
            Some((outer, _)) => (outer.to_owned(), path.to_owned()),
            None => (path.to_owned(), String::new()),
        };
        want.insert((
            e.to_owned(),
            p["name"].as_str().expect("name").to_owned(),
            p["version"].as_str().expect("version").to_owned(),
            outer,
            nested,
            p["layer"].as_u64().expect("layer") as usize,
        ));
    }
    for b in image["binaries"].as_array().expect("binaries") {
        if let Some(go) = b["go_version"].as_str() {
            want.insert((
                "golang".into(),
                "stdlib".into(),
                format!("v{}", go.trim_start_matches("go")),
                b["path"].as_str().expect("path").into(),
                String::new(),
                b["layer"].as_u64().expect("layer") as usize,
            ));
        }
    }
    for l in image["lockfiles"].as_array().expect("lockfiles") {
        let e = match l["kind"].as_str() {
            Some("gomod") => "golang",
            Some("cargo") => "cargo",
            _ => continue,
        };
        for entry in l["entries"].as_array().expect("entries") {
            want.insert((
                e.into(),
                entry["name"].as_str().expect("name").into(),
                entry["version"].as_str().expect("version").into(),
                l["path"].as_str().expect("path").into(),
                String::new(),
                l["layer"].as_u64().expect("layer") as usize,
            ));
        }
    }
    assert!(want.len() > 100, "{}", want.len());

    let result = common::catalog_image("bookworm-app", &Catalog::all());

    let mine: Vec<&str> = ["executable", "go-mod", "cargo-lock", "java-archive"].to_vec();
    let warnings: Vec<&String> = result
        .warnings
        .iter()
        .filter(|w| mine.iter().any(|m| w.starts_with(&format!("{m}:"))))
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");

    let got: BTreeSet<Key> = result.packages.iter().filter_map(key_of).collect();
    // Packages are keyed by where they were found; one file may list the
    // same module twice only if the build did.
    let missing: Vec<&Key> = want.difference(&got).collect();
    let phantom: Vec<&Key> = got.difference(&want).collect();
    assert!(missing.is_empty(), "not found: {missing:#?}");
    assert!(phantom.is_empty(), "not installed: {phantom:#?}");

    // Every jar package carries the SHA-1 of the archive it was read from.
    for p in result
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Maven)
    {
        let sha = p.properties.get("sha1").expect("sha1");
        assert_eq!(sha.len(), 40, "{}", p.name);
    }
    let jar =
        bosun_test::images::rootfs("bookworm-app").join("opt/javaapp/lib/log4j-core-2.19.0.jar");
    let log4j = result
        .packages
        .iter()
        .find(|p| p.name == "org.apache.logging.log4j:log4j-core")
        .expect("log4j-core");
    let sha = std::process::Command::new("sha1sum")
        .arg(&jar)
        .output()
        .expect("sha1sum");
    let sha = String::from_utf8_lossy(&sha.stdout);
    assert_eq!(
        log4j.properties.get("sha1").map(String::as_str),
        sha.split_whitespace().next()
    );
    // go.mod requirements marked `// indirect` say so (dive's reconstructed
    // go.mod marks none): and the lockfile packages are not dev ones.
    assert!(
        result
            .packages
            .iter()
            .filter(|p| matches!(p.ecosystem, Ecosystem::Golang | Ecosystem::Cargo))
            .all(|p| !p.dev)
    );
}
