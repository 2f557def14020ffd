//! Hostile inputs for the Python, npm and Ruby analyzers: each ends in a
//! bounded result with a warning naming the file, never a panic, an error
//! that fails the scan, or unbounded work.

use std::time::Instant;

use bosun_catalog::lang::common::MAX_ENTRIES;
use bosun_catalog::lang::npm::{NpmAnalyzer, package_json, package_lock, pnpm, yarn};
use bosun_catalog::lang::python::{PythonAnalyzer, locks, metadata, requirements};
use bosun_catalog::lang::ruby::{RubyAnalyzer, gemfile_lock, gemspec};
use bosun_catalog::{Analyzer, Catalog, CatalogOptions};
use bosun_tree::{EntrySink, FileMeta, FileTree, TreeBuilder};

fn catalog() -> Catalog {
    let all: Vec<Box<dyn Analyzer>> = vec![
        Box::new(PythonAnalyzer),
        Box::new(NpmAnalyzer),
        Box::new(RubyAnalyzer),
    ];
    Catalog::new(all, CatalogOptions::default()).expect("catalog")
}

#[test]
fn a_2_gib_metadata_file_is_not_kept_and_a_warning_names_it() {
    let c = catalog();
    let path = "/usr/lib/python3/dist-packages/huge-1.0.dist-info/METADATA";
    let want = c.want(path, &FileMeta::file(2 << 30, 0o644));
    assert!(!want.keep && !want.inspect);
    let tree = TreeBuilder::new()
        .entry(path, FileMeta::file(2 << 30, 0o644))
        .build();
    let r = c.run(&tree).expect("run");
    assert!(r.packages.is_empty());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains(path) && w.contains("2147483648 bytes")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn huge_headers_are_read_once_and_the_body_not_at_all() {
    // 32 MiB of description continuation lines, then the body.
    let mut md = b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\nDescription: x\n".to_vec();
    while md.len() < 32 << 20 {
        md.extend_from_slice(b"        line of a long description\n");
    }
    md.extend_from_slice(b"\nName: not-a-header\n");
    let start = Instant::now();
    let m = metadata::parse(&md).expect("parse");
    assert_eq!((m.name.as_str(), m.version.as_str()), ("big", "1.0"));
    // Linear: a generous bound even for a debug build on a busy machine.
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

fn assert_cut(what: &str, packages: usize, warnings: &[String]) {
    assert!(packages <= MAX_ENTRIES, "{what}: {packages} packages");
    assert!(packages > 0, "{what}: nothing read");
    assert!(
        warnings.iter().any(|w| w.contains("limit")),
        "{what}: {warnings:?}"
    );
}

#[test]
fn lockfiles_with_a_million_entries_stop_at_the_limit_with_a_warning() {
    const N: usize = 1_000_000;
    // package-lock.json v3.
    let mut s = String::from(r#"{"lockfileVersion": 3, "packages": {"": {}"#);
    for i in 0..N {
        s.push_str(&format!(r#","node_modules/p{i}":{{"version":"1.0.0"}}"#));
    }
    s.push_str("}}");
    let p = package_lock::parse(s.as_bytes()).expect("package-lock");
    assert_cut("package-lock v3", p.packages.len(), &p.warnings);

    // package-lock.json v1, nested: the limit holds across levels.
    let mut s = String::from(r#"{"lockfileVersion": 1, "dependencies": {"#);
    for i in 0..N / 10 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(r#""p{i}":{{"version":"1.0.0","dependencies":{{"#));
        for j in 0..9 {
            if j > 0 {
                s.push(',');
            }
            s.push_str(&format!(r#""q{j}":{{"version":"1.0.{j}"}}"#));
        }
        s.push_str("}}");
    }
    s.push_str("}}");
    let p = package_lock::parse(s.as_bytes()).expect("package-lock v1");
    assert_cut("package-lock v1", p.packages.len(), &p.warnings);

    // yarn.lock v1.
    let mut s = String::from("# yarn lockfile v1\n\n");
    for i in 0..N {
        s.push_str(&format!("p{i}@^1:\n  version \"1.0.0\"\n\n"));
    }
    let p = yarn::declared(yarn::parse(s.as_bytes()).expect("yarn"), None);
    assert_cut("yarn v1", p.packages.len(), &p.warnings);

    // Pipfile.lock.
    let mut s = String::from(r#"{"default": {"#);
    for i in 0..N {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(r#""p{i}":{{"version":"==1.0"}}"#));
    }
    s.push_str("}}");
    let p = locks::parse_pipfile_lock(s.as_bytes()).expect("Pipfile.lock");
    assert_cut("Pipfile.lock", p.packages.len(), &p.warnings);

    // poetry.lock and uv.lock: cut before the TOML reader sees the rest.
    let mut s = String::new();
    for i in 0..N {
        s.push_str(&format!("[[package]]\nname = \"p{i}\"\nversion = \"1\"\n"));
    }
    let p = locks::parse_poetry_lock(s.as_bytes(), None).expect("poetry.lock");
    assert_cut("poetry.lock", p.packages.len(), &p.warnings);
    let p = locks::parse_uv_lock(s.as_bytes()).expect("uv.lock");
    assert_cut("uv.lock", p.packages.len(), &p.warnings);

    // requirements.txt and Gemfile.lock.
    let mut s = String::new();
    for i in 0..N {
        s.push_str(&format!("p{i}==1.0\n"));
    }
    let p = requirements::parse(s.as_bytes());
    assert_cut("requirements.txt", p.packages.len(), &p.warnings);
    let mut s = String::from("GEM\n  remote: https://rubygems.org/\n  specs:\n");
    for i in 0..N {
        s.push_str(&format!("    g{i} (1.0.0)\n"));
    }
    let p = gemfile_lock::parse(s.as_bytes());
    assert_cut("Gemfile.lock", p.packages.len(), &p.warnings);
}

#[test]
fn a_pnpm_lock_past_the_entry_limit_is_cut() {
    // YAML is slower to read than the other formats in a debug build: twice
    // the limit shows the cut.
    let mut s = String::from("lockfileVersion: '9.0'\npackages:\n");
    for i in 0..2 * MAX_ENTRIES {
        s.push_str(&format!(
            "  p{i}@1.0.0:\n    resolution: {{integrity: x}}\n"
        ));
    }
    let p = pnpm::parse(s.as_bytes()).expect("pnpm");
    assert_cut("pnpm-lock.yaml", p.packages.len(), &p.warnings);
}

#[test]
fn a_pnpm_importer_with_more_dependencies_than_the_limit_is_cut() {
    // No `packages` at all: every dependency is reported from the importer,
    // up to the entry limit, with warnings.
    let mut s = String::from("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n");
    for i in 0..MAX_ENTRIES + 10_000 {
        s.push_str(&format!(
            "      p{i}:\n        specifier: 1.0.0\n        version: 1.0.0\n"
        ));
    }
    let p = pnpm::parse(s.as_bytes()).expect("pnpm");
    assert_cut("pnpm importers", p.packages.len(), &p.warnings);
    assert_eq!(p.packages.len(), MAX_ENTRIES);
}

#[test]
fn yaml_alias_bombs_and_deep_nesting_are_refused() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
                g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n\
                packages: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    let start = Instant::now();
    assert!(pnpm::parse(bomb.as_bytes()).is_err());
    assert!(yarn::parse(format!("__metadata:\n  version: 6\n{bomb}").as_bytes()).is_err());
    assert!(start.elapsed().as_secs() < 30);
    let deep = format!("packages:\n{}", "- ".repeat(10_000) + "x");
    assert!(pnpm::parse(deep.as_bytes()).is_err());
}

#[test]
fn deep_json_and_toml_nesting_are_errors_not_stack_overflows() {
    let deep_json = format!(
        r#"{{"lockfileVersion": 1, "dependencies": {}"#,
        r#"{"a": {"version": "1", "dependencies": "#.repeat(50_000)
    );
    assert!(package_lock::parse(deep_json.as_bytes()).is_err());
    assert!(
        package_json::parse(format!(r#"{{"license": {}"#, "[".repeat(100_000)).as_bytes()).is_err()
    );
    let deep_toml = format!("x = {}", "[".repeat(100_000));
    assert!(locks::parse_uv_lock(deep_toml.as_bytes()).is_err());
    assert!(locks::parse_poetry_lock(deep_toml.as_bytes(), Some(deep_toml.as_bytes())).is_err());
}

#[test]
fn deeply_nested_node_modules_are_read_without_recursion() {
    let mut path = String::from("/app");
    for _ in 0..3_000 {
        path.push_str("/node_modules/x");
    }
    let tree = TreeBuilder::new()
        .file(
            &format!("{path}/package.json"),
            r#"{"name": "x", "version": "1.0.0"}"#,
        )
        .file(
            "/app/package-lock.json",
            r#"{"lockfileVersion": 3, "packages": {"node_modules/x": {"version": "1.0.0"}}}"#,
        )
        .build();
    let r = catalog().run(&tree).expect("run");
    assert_eq!(r.packages.len(), 1, "{:?}", r.packages);
    assert!(
        r.packages[0]
            .found_in
            .path
            .ends_with("/node_modules/x/package.json")
    );
    assert_eq!(
        r.packages[0].properties["lockfile"],
        "/app/package-lock.json"
    );
}

#[test]
fn broken_files_become_warnings_and_the_rest_is_still_reported() {
    let garbage: &[u8] = b"\xff\xfe\x00{[\"\x80\x81 :: ]] = \n\t- &\x00";
    let tree = TreeBuilder::new()
        .file(
            "/app/node_modules/ok/package.json",
            r#"{"name": "ok", "version": "1.0.0"}"#,
        )
        .file("/app/node_modules/bad/package.json", garbage)
        .file("/app/package-lock.json", garbage)
        .file("/app/yarn.lock", garbage)
        .file("/b/yarn.lock", b"__metadata:\n  version: [\n")
        .file("/app/pnpm-lock.yaml", garbage)
        .file("/py/poetry.lock", garbage)
        .file("/py/pyproject.toml", garbage)
        .file("/py/uv.lock", garbage)
        .file("/py/Pipfile.lock", garbage)
        .file("/py/requirements.txt", garbage)
        .file("/py/site-packages/bad.dist-info/METADATA", garbage)
        .file(
            "/py/site-packages/ok-1.dist-info/METADATA",
            "Name: ok\nVersion: 1\n",
        )
        .file("/gems/specifications/bad.gemspec", garbage)
        .file("/app/Gemfile.lock", garbage)
        .build();
    let r = catalog()
        .run(&tree)
        .expect("a bad file never fails the scan");
    let names: Vec<(&str, &str)> = r
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.found_in.path.as_str()))
        .collect();
    assert_eq!(
        names,
        // Sorted by ecosystem (pypi before npm), then name.
        vec![
            ("ok", "/py/site-packages/ok-1.dist-info/METADATA"),
            ("ok", "/app/node_modules/ok/package.json"),
        ]
    );
    for bad in [
        "/app/node_modules/bad/package.json",
        "/app/package-lock.json",
        "/app/pnpm-lock.yaml",
        "/b/yarn.lock",
        "/py/poetry.lock",
        "/py/uv.lock",
        "/py/Pipfile.lock",
        "/py/site-packages/bad.dist-info/METADATA",
        "/gems/specifications/bad.gemspec",
    ] {
        assert!(
            r.warnings.iter().any(|w| w.contains(bad)),
            "no warning for {bad}: {:?}",
            r.warnings
        );
    }
    // Every parser on the same bytes: no panic.
    let _ = gemspec::parse(garbage);
    let _ = gemfile_lock::parse(garbage);
    let _ = requirements::parse(garbage);
}

#[test]
fn one_tree_of_everything_is_deterministic() {
    let tree: FileTree = TreeBuilder::new()
        .file(
            "/a/node_modules/x/package.json",
            r#"{"name": "x", "version": "1.0.0"}"#,
        )
        .file("/a/requirements.txt", "x==1\n")
        .file("/a/Gemfile.lock", "GEM\n  specs:\n    x (1)\n")
        .build();
    let first = catalog().run(&tree).expect("run");
    for _ in 0..3 {
        assert_eq!(catalog().run(&tree).expect("run"), first);
    }
}
