//! The npm analyzer on real manifests and lockfiles, against independent
//! expectations: what npm, Yarn and pnpm themselves installed for one
//! project in each of their lockfile formats (`real/`), npm's own view of an
//! installed global tree (`npm query`), other parsers of Syft's and Trivy's
//! fixtures (`tests/fixtures/lang/npm/oracle.py`) and Trivy's golden
//! outputs. See `tests/fixtures/lang/npm/SOURCE.md`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bosun_catalog::lang::common::Parsed;
use bosun_catalog::lang::npm::{NpmAnalyzer, package_json, package_lock, pnpm, yarn};
use bosun_catalog::{Catalog, CatalogOptions};
use bosun_model::Package;
use bosun_tree::{FileTree, TreeBuilder};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/npm")
}

fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Parses a lockfile the way the analyzer does (with the package.json
/// beside it for yarn).
fn parse_lock(rel: &str) -> Parsed {
    let bytes = read(rel);
    let name = rel.rsplit('/').next().unwrap_or_default();
    match name {
        "yarn.lock" => {
            let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
            let manifest = std::fs::read(fixtures().join(dir).join("package.json"))
                .ok()
                .and_then(|b| package_json::parse(&b).ok());
            yarn::declared(yarn::parse(&bytes).expect(rel), manifest.as_ref())
        }
        "pnpm-lock.yaml" => pnpm::parse(&bytes).expect(rel),
        _ => package_lock::parse(&bytes).expect(rel),
    }
}

fn triples(p: &Parsed) -> BTreeSet<(String, String, bool)> {
    p.packages
        .iter()
        .map(|d| (d.name.clone(), d.version.clone(), d.dev))
        .collect()
}

#[test]
fn one_project_in_every_lockfile_format_gives_what_the_tools_installed() {
    let expected = json("real/expected.json");
    let mut want = BTreeSet::new();
    for (key, dev) in [("prod", false), ("dev", true)] {
        for p in expected[key].as_array().expect(key) {
            want.insert((
                p[0].as_str().expect("name").to_owned(),
                p[1].as_str().expect("version").to_owned(),
                dev,
            ));
        }
    }
    assert_eq!(want.len(), 10);
    for rel in [
        "real/npm-v1/package-lock.json",
        "real/npm-v2/package-lock.json",
        "real/npm-v3/package-lock.json",
        "real/yarn-v1/yarn.lock",
        "real/yarn-berry/yarn.lock",
        "real/pnpm-v5/pnpm-lock.yaml",
        "real/pnpm-v6/pnpm-lock.yaml",
        "real/pnpm-v9/pnpm-lock.yaml",
    ] {
        let p = parse_lock(rel);
        assert_eq!(triples(&p), want, "{rel}");
        assert!(p.warnings.is_empty(), "{rel}: {:?}", p.warnings);
    }
}

#[test]
fn lockfile_fixtures_match_other_parsers() {
    let expected = json("expected-locks.json");
    let map = expected.as_object().expect("object");
    assert!(map.len() > 25);
    for (rel, want) in map {
        if want.get("error").is_some() {
            let bytes = read(rel);
            let failed = if rel.ends_with(".yaml") {
                pnpm::parse(&bytes).is_err()
            } else {
                package_lock::parse(&bytes).is_err()
            };
            assert!(failed, "{rel}: other parsers reject it, bosun read it");
            continue;
        }
        let want: BTreeSet<(String, String)> = want
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
        let got: BTreeSet<(String, String)> = parse_lock(rel)
            .packages
            .into_iter()
            .map(|d| (d.name, d.version))
            .collect();
        assert_eq!(got, want, "{rel}");
    }
}

/// Trivy's expected packages for one of its fixtures (name, version, dev).
/// Trivy leaves development-only packages of yarn and pnpm projects out
/// unless asked, so a golden output has them only when Trivy ran with
/// `--include-dev-deps`.
fn trivy_golden(rel: &str) -> BTreeSet<(String, String, bool)> {
    common::trivy_packages(&json(rel), rel, str::to_owned)
}

#[test]
fn trivy_fixtures_give_trivys_packages() {
    // Run with --include-dev-deps: every package, dev flags included.
    let npm = parse_lock("trivy/npm/package-lock.json");
    assert_eq!(
        triples(&npm),
        trivy_golden("trivy/npm/npm-with-dev.json.golden")
    );
    // Run without: the golden lists the production packages only.
    for (lock, golden) in [
        ("trivy/yarn/yarn.lock", "trivy/yarn/yarn.json.golden"),
        ("trivy/pnpm/pnpm-lock.yaml", "trivy/pnpm/pnpm.json.golden"),
    ] {
        let p = parse_lock(lock);
        let prod: BTreeSet<_> = triples(&p).into_iter().filter(|t| !t.2).collect();
        assert_eq!(prod, trivy_golden(golden), "{lock}");
    }
    // The yarn project's devDependencies (promise, and asap under it).
    let yarn = parse_lock("trivy/yarn/yarn.lock");
    let dev: BTreeSet<&str> = yarn
        .packages
        .iter()
        .filter(|d| d.dev)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(dev, BTreeSet::from(["asap", "promise"]));
}

#[test]
fn syft_dev_dependency_fixtures() {
    for rel in [
        "syft/yarn-dev-deps/yarn.lock",
        "syft/yarn-berry-dev-deps/yarn.lock",
    ] {
        let p = parse_lock(rel);
        let dev: BTreeMap<&str, bool> = p
            .packages
            .iter()
            .map(|d| (d.name.as_str(), d.dev))
            .collect();
        assert_eq!(
            dev,
            BTreeMap::from([
                ("dev-only-transitive", true),
                ("dev-pkg", true),
                ("prod-pkg", false),
                ("shared-pkg", false),
            ]),
            "{rel}"
        );
    }
}

#[test]
fn package_json_licences_and_flags() {
    let lic = |rel: &str| package_json::parse(&read(rel)).expect(rel).licenses;
    assert_eq!(
        lic("syft/pkg-json/package-license-object.json"),
        vec!["ISC"]
    );
    assert_eq!(
        lic("syft/pkg-json/package-license-objects.json"),
        vec!["MIT", "Apache-2.0"]
    );
    assert_eq!(lic("syft/pkg-json/package.json"), vec!["Artistic-2.0"]);
    assert!(lic("syft/pkg-json/package-no-license.json").is_empty());
    assert!(
        package_json::parse(&read("syft/pkg-json/package-private.json"))
            .expect("private")
            .private
    );
    assert!(package_json::parse(&read("syft/corrupt/package.json")).is_err());
}

fn tree_of(dir: &str, at: &str) -> FileTree {
    let root = fixtures().join(dir);
    let mut b = TreeBuilder::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned();
                b = b.file(&format!("{at}/{rel}"), std::fs::read(&p).expect("read"));
            }
        }
    }
    b.build()
}

fn analyze(tree: &FileTree) -> (Vec<Package>, Vec<String>) {
    let c = Catalog::new(vec![Box::new(NpmAnalyzer)], CatalogOptions::default()).expect("catalog");
    let r = c.run(tree).expect("run");
    (r.packages, r.warnings)
}

#[test]
fn installed_global_tree_is_what_npm_query_lists() {
    let tree = tree_of("global", "/usr/lib");
    let (pkgs, warnings) = analyze(&tree);
    assert!(warnings.is_empty(), "{warnings:?}");
    let got: BTreeSet<(String, String, String)> = pkgs
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.found_in.path.clone()))
        .collect();
    let want: BTreeSet<(String, String, String)> = json("global/npm-query.json")
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().expect("name").to_owned(),
                e["version"].as_str().expect("version").to_owned(),
                format!(
                    "/usr/lib/{}/package.json",
                    e["location"].as_str().expect("loc")
                ),
            )
        })
        .collect();
    assert_eq!(want.len(), 145);
    assert_eq!(got, want);
}

#[test]
fn lockfile_entries_fold_into_the_installed_copies() {
    for (dir, installed_under) in [
        ("real/npm-v3", "/app/node_modules/"),
        ("real/pnpm-v9", "/app/node_modules/.pnpm/"),
    ] {
        let tree = tree_of(dir, "/app");
        let (pkgs, warnings) = analyze(&tree);
        assert!(warnings.is_empty(), "{dir}: {warnings:?}");
        let expected = json("real/expected.json");
        let dev_of: BTreeMap<(String, String), bool> = [("prod", false), ("dev", true)]
            .into_iter()
            .flat_map(|(k, dev)| {
                expected[k]
                    .as_array()
                    .expect(k)
                    .iter()
                    .map(move |p| {
                        (
                            (
                                p[0].as_str().expect("n").to_owned(),
                                p[1].as_str().expect("v").to_owned(),
                            ),
                            dev,
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // Ten installed copies and the project: nothing reported twice.
        assert_eq!(pkgs.len(), 11, "{dir}: {pkgs:#?}");
        for p in &pkgs {
            if p.properties.contains_key("project") {
                assert_eq!(p.found_in.path, "/app/package.json");
                assert_eq!(p.properties["private"], "true");
                continue;
            }
            assert!(
                p.found_in.path.starts_with(installed_under),
                "{}",
                p.found_in.path
            );
            let lock = p.properties.get("lockfile").expect("folded");
            assert!(lock.starts_with("/app/"), "{lock}");
            assert_eq!(
                p.dev,
                dev_of[&(p.name.clone(), p.version.clone())],
                "{dir}: {} {}",
                p.name,
                p.version
            );
        }
    }
    // npm records which copy is a dev dependency by location, too.
    let query = json("real/npm-v3/npm-query.json");
    let (pkgs, _) = analyze(&tree_of("real/npm-v3", "/app"));
    for e in query.as_array().expect("array") {
        let path = format!("/app/{}/package.json", e["location"].as_str().expect("loc"));
        let p = pkgs
            .iter()
            .find(|p| p.found_in.path == path)
            .expect("installed");
        assert_eq!(p.dev, e["dev"].as_bool().expect("dev"), "{path}");
    }
}

#[test]
fn a_lockfile_without_node_modules_is_reported_from_the_lockfile() {
    let tree = tree_of("real/yarn-berry", "/srv/app");
    let (pkgs, _) = analyze(&tree);
    let from_lock: Vec<&Package> = pkgs
        .iter()
        .filter(|p| p.found_in.path == "/srv/app/yarn.lock")
        .collect();
    assert_eq!(from_lock.len(), 10);
    assert_eq!(from_lock.iter().filter(|p| p.dev).count(), 7);
    let hoek = from_lock
        .iter()
        .find(|p| p.name == "@hapi/hoek")
        .expect("scoped");
    assert_eq!(hoek.purl, "pkg:npm/%40hapi/hoek@9.3.0");
}

/// Every (name, version) of a `pnpm list -r --json --depth Infinity` tree,
/// under the real name (`from`) for aliases; workspace links left out.
fn pnpm_listed(rel: &str) -> BTreeSet<(String, String)> {
    fn walk(node: &serde_json::Value, out: &mut BTreeSet<(String, String)>) {
        for section in ["dependencies", "devDependencies", "optionalDependencies"] {
            let Some(deps) = node[section].as_object() else {
                continue;
            };
            for (alias, d) in deps {
                let version = d["version"].as_str().expect("version");
                if version.starts_with("link:") {
                    continue;
                }
                let name = d["from"].as_str().unwrap_or(alias);
                out.insert((name.to_owned(), version.to_owned()));
                walk(d, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    for project in json(rel).as_array().expect("projects") {
        walk(project, &mut out);
    }
    out
}

#[test]
fn pnpm_workspace_with_aliases_and_peers_gives_what_pnpm_lists() {
    // A two-project workspace with npm aliases (`my-strip` is strip-ansi,
    // the development-only `old-ms` is ms 2.0.0 beside debug's ms 2.1.2), a
    // peer-suffixed package (react-dom with react), an optional dependency
    // and a development-only dependency of the second project, locked by
    // pnpm 7 (lockfile 5.4), 8 (6.0) and 9 (9.0). pnpm 7, 8 and 9 list the
    // same installed trees; the expectation is pnpm 9's `pnpm list -r`.
    let prod = pnpm_listed("real/pnpm-workspace/pnpm-list-prod.json");
    let all = pnpm_listed("real/pnpm-workspace/pnpm-list-dev.json");
    let mut want: BTreeSet<(String, String, bool)> = prod
        .iter()
        .map(|(n, v)| (n.clone(), v.clone(), false))
        .collect();
    want.extend(
        all.difference(&prod)
            .map(|(n, v)| (n.clone(), v.clone(), true)),
    );
    assert_eq!(want.len(), 21);
    assert!(want.contains(&("ms".into(), "2.0.0".into(), true)));
    assert!(want.contains(&("ms".into(), "2.1.2".into(), false)));
    assert!(want.contains(&("strip-ansi".into(), "6.0.1".into(), false)));
    for v in ["pnpm7", "pnpm8", "pnpm9"] {
        let rel = format!("real/pnpm-workspace/{v}/pnpm-lock.yaml");
        let p = parse_lock(&rel);
        assert_eq!(triples(&p), want, "{rel}");
        assert!(p.warnings.is_empty(), "{rel}: {:?}", p.warnings);
    }
}

#[test]
fn a_cut_pnpm_lockfile_reports_the_importers_dependencies_with_a_warning() {
    // Syft's fixture keeps one `packages` entry ("# removed other
    // packages"): the importer's other dependencies are still resolved
    // versions. Syft reports them; so does bosun, with a warning.
    let p = parse_lock("syft/pnpm/pnpm-lock.yaml");
    let lock = String::from_utf8(read("syft/pnpm/pnpm-lock.yaml")).expect("utf-8");
    let section = |name: &str| -> BTreeSet<String> {
        lock.split(&format!("\n{name}:\n"))
            .nth(1)
            .expect(name)
            .lines()
            .take_while(|l| l.starts_with("  "))
            .map(|l| {
                l.trim()
                    .split_once(": ")
                    .expect("name: version")
                    .0
                    .trim_matches('\'')
                    .to_owned()
            })
            .collect()
    };
    let (main, dev) = (section("dependencies"), section("devDependencies"));
    assert_eq!(main.len(), 3);
    for d in &p.packages {
        if d.name == "@bcoe/v8-coverage" {
            assert!(d.dev, "`dev: true` in packages");
            continue;
        }
        assert_eq!(d.dev, dev.contains(&d.name), "{}", d.name);
        assert!(
            main.contains(&d.name) || dev.contains(&d.name),
            "{}",
            d.name
        );
        assert!(!d.version.contains('_'), "{}: peer suffix", d.version);
    }
    assert_eq!(p.packages.len(), 1 + main.len() + dev.len());
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("no `packages` entry"));
}
