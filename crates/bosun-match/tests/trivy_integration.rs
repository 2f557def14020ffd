//! Trivy's own integration answers for lockfiles, asked of bosun.
//!
//! Trivy's repository tests (`integration/repo_test.go`) scan small project
//! directories against a fixture vulnerability database written as YAML and
//! compare with `*.json.golden`. This test loads the same advisories into a
//! bosun database, scans the same directories with bosun's own reader and
//! analyzers (`bosun_scan::inventory("rootfs:DIR")`, what `bosun scan
//! rootfs:DIR` does), matches, and compares the `(directory, vulnerability
//! id, package, version)` rows with the golden file. The files are copies:
//! see `tests/fixtures/trivy-integration/SOURCE.md`.
//!
//! The advisories go in twice, and both must give the same answers:
//! - as Trivy stores them (`VulnerableVersions` / `PatchedVersions`
//!   constraint lists), read with bosun's constraint parser into
//!   `Rule::Constraints` rows (the rule bosun uses for npm and rubysec
//!   advisories), through `bosun_vulndb::import_records`;
//! - converted to OSV records (ECOSYSTEM/SEMVER ranges, as GHSA and the Go
//!   and RustSec databases publish them) written as JSON files and read by
//!   `bosun_vulndb::import`, the path the real feeds take.
//!
//! Every difference from Trivy is listed below with its reason (and in
//! docs/ACCURACY.md, "Vulnerabilities"); a listed difference that goes away,
//! or a new one, fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bosun_match::{MatchOptions, Matcher};
use bosun_model::{Ecosystem, FixState, Inventory, Location, Package};
use bosun_vulndb::constraints::parse_plain;
use bosun_vulndb::namespace::normalize_name;
use bosun_vulndb::{Advisory, AffectedRow, Constraint, Db, ImportOptions, Op, Rule};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trivy-integration")
}

/// One golden file of Trivy's repository tests that scans a lockfile.
struct Case {
    /// `golden/<golden>.json.golden`.
    golden: &'static str,
    /// `repo/<repo>`: the directory scanned.
    repo: &'static str,
    /// Trivy ran with `--include-dev-deps`.
    dev: bool,
    /// Trivy ran with `--skip-files` (paths relative to the directory).
    skip: &'static [&'static str],
    /// Trivy ran with `--vex` on Trivy's OpenVEX fixture.
    vex: bool,
    /// Rows (`dir|id|package|version`) only Trivy reports, each explained in `why`.
    only_trivy: &'static [&'static str],
    /// Rows only bosun reports.
    only_bosun: &'static [&'static str],
    why: &'static str,
}

const fn case(golden: &'static str, repo: &'static str) -> Case {
    Case {
        golden,
        repo,
        dev: false,
        skip: &[],
        vex: false,
        only_trivy: &[],
        only_bosun: &[],
        why: "",
    }
}

const NO_ANALYZER: &str = "bosun has no analyzer for this lockfile format (see the \
    matcher-only test: given Trivy's package list, bosun's matcher agrees)";

/// Every lockfile case of Trivy's repository tests (the golden files whose
/// artifact is a repository directory and whose results have a package type;
/// Dockerfile, Helm, Terraform and secret cases are not about packages).
fn cases() -> Vec<Case> {
    vec![
        case("npm", "npm"),
        Case {
            dev: true,
            ..case("npm-with-dev", "npm")
        },
        // Same scan as `npm` with `--vuln-severity-source ubuntu`: only the
        // severity differs, which this comparison does not look at.
        case("npm-ubuntu-severity", "npm"),
        case("yarn", "yarn"),
        case("pnpm", "pnpm"),
        case("pip", "pip"),
        case("pipenv", "pipenv"),
        case("poetry", "poetry"),
        case("uv", "uv"),
        case("cargo.lock", "cargo"),
        case("test-repo", "trivy-ci-test"),
        Case {
            only_trivy: &["submod2|GMS-2022-20|github.com/docker/distribution|v2.7.1+incompatible"],
            why: "submod2/go.mod (go 1.15) requires only go-spew; Trivy adds every module of \
                  go.sum for go.mod files older than 1.17, bosun reads go.mod only",
            ..case("gomod", "gomod")
        },
        Case {
            skip: &["submod2/go.mod"],
            ..case("gomod-skip", "gomod")
        },
        Case {
            vex: true,
            only_trivy: &["submod2|GMS-2022-20|github.com/docker/distribution|v2.7.1+incompatible"],
            why: "as gomod: go.sum modules of a go 1.15 go.mod",
            ..case("gomod-vex", "gomod")
        },
        Case {
            only_trivy: &["|CVE-2019-11358|jquery|3.3.1"],
            why: NO_ANALYZER,
            ..case("bun", "bun")
        },
        Case {
            only_trivy: &["|CVE-2022-24775|guzzlehttp/psr7|1.8.3"],
            why: NO_ANALYZER,
            ..case("composer.lock", "composer")
        },
        Case {
            only_trivy: &["|CVE-2022-24775|guzzlehttp/psr7|1.8.3"],
            why: NO_ANALYZER,
            ..case("composer.vendor", "composer-vendor")
        },
        Case {
            only_trivy: &["|GHSA-5crp-9r3c-p9vr|newtonsoft.json|9.0.1"],
            why: NO_ANALYZER,
            ..case("dotnet", "dotnet")
        },
        Case {
            only_trivy: &["|GHSA-5crp-9r3c-p9vr|newtonsoft.json|12.0.3"],
            why: NO_ANALYZER,
            ..case("nuget", "nuget")
        },
        Case {
            only_trivy: &["|GHSA-5crp-9r3c-p9vr|newtonsoft.json|9.0.1"],
            why: NO_ANALYZER,
            ..case("packagesprops", "packagesprops")
        },
        Case {
            only_trivy: &[
                "|CVE-2019-14806|werkzeug|0.11.1",
                "|CVE-2020-28724|werkzeug|0.11.1",
            ],
            why: NO_ANALYZER,
            ..case("pylock", "pylock")
        },
        Case {
            only_trivy: &[
                "|CVE-2020-9548|com.fasterxml.jackson.core:jackson-databind|2.9.1",
                "|CVE-2021-20190|com.fasterxml.jackson.core:jackson-databind|2.9.1",
            ],
            why: "bosun reads Java packages from jars (pom.properties, manifests), not from \
                  pom.xml: a pom names what a build would download, not what an image ships",
            ..case("pom", "pom")
        },
        Case {
            only_trivy: &[
                "|CVE-2020-9548|com.fasterxml.jackson.core:jackson-databind|2.9.1",
                "|CVE-2021-20190|com.fasterxml.jackson.core:jackson-databind|2.9.1",
            ],
            why: NO_ANALYZER,
            ..case("gradle", "gradle")
        },
        Case {
            only_trivy: &[
                "|CVE-2020-9548|com.fasterxml.jackson.core:jackson-databind|2.9.1",
                "|CVE-2021-20190|com.fasterxml.jackson.core:jackson-databind|2.9.1",
            ],
            why: NO_ANALYZER,
            ..case("sbt", "sbt")
        },
        Case {
            only_trivy: &["|CVE-2022-3215|_NIODataStructures|2.41.0"],
            why: "CocoaPods is not an ecosystem bosun inventories or matches",
            ..case("cocoapods", "cocoapods")
        },
        Case {
            only_trivy: &["|CVE-2020-14155|pcre|8.43"],
            why: "Conan (C/C++) is not an ecosystem bosun inventories or matches",
            ..case("conan", "conan")
        },
        Case {
            only_trivy: &["|CVE-2022-42975|phoenix|1.6.13"],
            why: "Hex (Erlang/Elixir) is not an ecosystem bosun inventories or matches",
            ..case("mix.lock", "mixlock")
        },
        Case {
            only_trivy: &["|CVE-2020-35669|http|0.13.2"],
            why: "Pub (Dart) is not an ecosystem bosun inventories or matches",
            ..case("pubspec.lock", "pubspec")
        },
        Case {
            only_trivy: &["|CVE-2022-3215|github.com/apple/swift-nio|2.41.0"],
            why: "SwiftPM is not an ecosystem bosun inventories or matches",
            ..case("swift", "swift")
        },
    ]
}

/// bosun's namespace for a Trivy package type (`None`: not an ecosystem bosun matches).
fn namespace_of_type(t: &str) -> Option<&'static str> {
    Some(match t {
        "npm" | "yarn" | "pnpm" | "bun" => "npm",
        "pip" | "pipenv" | "poetry" | "uv" | "pylock" => "pypi",
        "gomod" | "gobinary" => "golang",
        "cargo" | "rustbinary" => "cargo",
        "pom" | "gradle" | "sbt" | "jar" => "maven",
        "composer" | "composer-vendor" => "composer",
        "nuget" | "dotnet-core" | "packages-props" => "nuget",
        "bundler" | "gemspec" => "gem",
        _ => return None,
    })
}

fn ecosystem_of_namespace(ns: &str) -> Option<Ecosystem> {
    Some(match ns {
        "npm" => Ecosystem::Npm,
        "pypi" => Ecosystem::Pypi,
        "golang" => Ecosystem::Golang,
        "cargo" => Ecosystem::Cargo,
        "maven" => Ecosystem::Maven,
        "composer" => Ecosystem::Composer,
        "nuget" => Ecosystem::Nuget,
        "gem" => Ecosystem::Gem,
        _ => return None,
    })
}

fn namespace_of_ecosystem(e: Ecosystem) -> &'static str {
    bosun_vulndb::namespace::for_ecosystem(e).unwrap_or("os")
}

/// The directory part of a path relative to the scanned directory, cut
/// before `node_modules` (an installed copy belongs to the lockfile beside
/// its `node_modules`).
fn dir_of(path: &str) -> String {
    let p = path.trim_start_matches('/');
    let p = match p.find("node_modules/") {
        Some(i) => p.get(..i).unwrap_or(""),
        None => p.rsplit_once('/').map(|(d, _)| d).unwrap_or(""),
    };
    p.trim_end_matches('/').to_owned()
}

fn row(dir: &str, id: &str, ns: &str, name: &str, version: &str) -> String {
    format!("{dir}|{id}|{}|{version}", normalize_name(ns, name))
}

fn golden(case: &Case) -> Value {
    let p = fixtures()
        .join("golden")
        .join(format!("{}.json.golden", case.golden));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Trivy's rows for a case, and its package lists per result.
fn trivy_rows(g: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in g["Results"].as_array().into_iter().flatten() {
        let target = r["Target"].as_str().unwrap_or_default();
        let ns = namespace_of_type(r["Type"].as_str().unwrap_or_default()).unwrap_or("other");
        for v in r["Vulnerabilities"].as_array().into_iter().flatten() {
            out.insert(row(
                &dir_of(target),
                v["VulnerabilityID"].as_str().unwrap_or_default(),
                ns,
                v["PkgName"].as_str().unwrap_or_default(),
                v["InstalledVersion"].as_str().unwrap_or_default(),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Trivy's fixture database -> bosun advisories.

/// One advisory of Trivy's fixture database.
struct TrivyAdvisory {
    /// bosun namespace (`None` for ecosystems bosun does not match).
    ns: Option<&'static str>,
    /// Trivy's data source prefix (`npm`, `pip`, `go`, ...).
    eco: String,
    package: String,
    id: String,
    vulnerable: Vec<String>,
    patched: Vec<String>,
    unaffected: Vec<String>,
}

fn trivy_db() -> Vec<TrivyAdvisory> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("db"))
        .expect("db dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let strings = |v: &Value, k: &str| -> Vec<String> {
        v[k].as_array()
            .into_iter()
            .flatten()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    };
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let doc: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{f:?}: {e}"));
        for source in doc.as_array().expect("list of buckets") {
            let bucket = source["bucket"].as_str().expect("bucket");
            let eco = bucket.split("::").next().unwrap_or(bucket).to_owned();
            let ns = match eco.as_str() {
                "npm" => Some("npm"),
                "pip" => Some("pypi"),
                "go" => Some("golang"),
                "cargo" => Some("cargo"),
                "maven" => Some("maven"),
                "rubygems" => Some("gem"),
                "composer" => Some("composer"),
                "nuget" => Some("nuget"),
                _ => None,
            };
            for pkg in source["pairs"].as_array().expect("packages") {
                let name = pkg["bucket"].as_str().expect("package bucket");
                for adv in pkg["pairs"].as_array().expect("advisories") {
                    let v = &adv["value"];
                    out.push(TrivyAdvisory {
                        ns,
                        eco: eco.clone(),
                        package: name.to_owned(),
                        id: adv["key"].as_str().expect("key").to_owned(),
                        vulnerable: strings(v, "VulnerableVersions"),
                        patched: strings(v, "PatchedVersions"),
                        unaffected: strings(v, "UnaffectedVersions"),
                    });
                }
            }
        }
    }
    out
}

fn sets(list: &[String], what: &str) -> Vec<Vec<Constraint>> {
    list.iter()
        .map(|s| parse_plain(s).unwrap_or_else(|e| panic!("{what} `{s}`: {e}")))
        .collect()
}

/// As Trivy stores them: constraint lists, into `Rule::Constraints`.
fn as_constraint_records(db: &[TrivyAdvisory]) -> Vec<Advisory> {
    db.iter()
        .filter_map(|t| {
            let ns = t.ns?;
            let patched = sets(&t.patched, &t.id);
            Some(Advisory {
                id: t.id.clone(),
                source: format!("trivy-fixture:{}", t.eco),
                affected: vec![AffectedRow {
                    namespace: ns.to_owned(),
                    package: normalize_name(ns, &t.package),
                    state: if patched.is_empty() {
                        FixState::NotFixed
                    } else {
                        FixState::Fixed
                    },
                    rule: Rule::Constraints {
                        vulnerable: sets(&t.vulnerable, &t.id),
                        patched,
                        unaffected: sets(&t.unaffected, &t.id),
                    },
                    severity: None,
                }],
                ..Advisory::default()
            })
        })
        .collect()
}

/// The OSV ecosystem name of a bosun namespace.
fn osv_ecosystem(ns: &str) -> &'static str {
    match ns {
        "npm" => "npm",
        "pypi" => "PyPI",
        "golang" => "Go",
        "cargo" => "crates.io",
        "maven" => "Maven",
        "gem" => "RubyGems",
        "composer" => "Packagist",
        "nuget" => "NuGet",
        other => panic!("no OSV ecosystem for {other}"),
    }
}

/// OSV range events for one AND-set `>= a, < b` (or `<= b`).
fn events_of(set: &[Constraint], go: bool, what: &str) -> Vec<Value> {
    let v = |s: &str| {
        if go {
            s.trim_start_matches('v').to_owned()
        } else {
            s.to_owned()
        }
    };
    let mut introduced = "0".to_owned();
    let mut end = None;
    for c in set {
        match c.op {
            Op::Ge => introduced = v(&c.version),
            Op::Lt => end = Some(json!({"fixed": v(&c.version)})),
            Op::Le => end = Some(json!({"last_affected": v(&c.version)})),
            _ => panic!("{what}: `{}` has no OSV event", c.op.as_str()),
        }
    }
    let mut out =
        vec![json!({"introduced": if introduced == "0" { "0".to_owned() } else { introduced }})];
    out.extend(end);
    out
}

/// OSV events for "every version outside these patched sets" (each `>= a`
/// or `>= a, < b`), sorted with the ecosystem's own order.
fn complement_events(
    patched: &[Vec<Constraint>],
    scheme: bosun_version::Scheme,
    what: &str,
) -> Vec<Value> {
    let mut intervals: Vec<(String, Option<String>)> = patched
        .iter()
        .map(|set| {
            let mut lo = None;
            let mut hi = None;
            for c in set {
                match c.op {
                    Op::Ge => lo = Some(c.version.clone()),
                    Op::Lt => hi = Some(c.version.clone()),
                    _ => panic!("{what}: patched `{}` not convertible", c.op.as_str()),
                }
            }
            (
                lo.unwrap_or_else(|| panic!("{what}: patched set without a lower bound")),
                hi,
            )
        })
        .collect();
    let parse = |s: &str| {
        scheme
            .parse(s)
            .unwrap_or_else(|e| panic!("{what}: {s}: {e}"))
    };
    intervals.sort_by_key(|a| parse(&a.0));
    let mut out = Vec::new();
    let mut cursor = Some("0".to_owned());
    for (lo, hi) in intervals {
        let Some(c) = cursor.take() else { break };
        out.push(json!({"introduced": c}));
        out.push(json!({"fixed": lo}));
        cursor = hi;
    }
    if let Some(c) = cursor {
        out.push(json!({"introduced": c}));
    }
    out
}

/// Converted to OSV records, one JSON file each, in `dir`.
fn write_osv_records(db: &[TrivyAdvisory], dir: &Path) -> usize {
    let mut n = 0;
    for t in db {
        let Some(ns) = t.ns else { continue };
        let go = ns == "golang";
        let scheme = bosun_vulndb::model::scheme_of(ns).expect("scheme");
        let what = format!("{} {}", t.id, t.package);
        assert!(
            t.unaffected.is_empty(),
            "{what}: UnaffectedVersions not converted"
        );
        let vulnerable = sets(&t.vulnerable, &what);
        let ranges: Vec<Value> = if vulnerable.is_empty() {
            vec![
                json!({"type": "ECOSYSTEM", "events": complement_events(&sets(&t.patched, &what), scheme, &what)}),
            ]
        } else {
            vulnerable
                .iter()
                .map(|set| {
                    json!({"type": if go { "SEMVER" } else { "ECOSYSTEM" }, "events": events_of(set, go, &what)})
                })
                .collect()
        };
        let rec = json!({
            "schema_version": "1.6.0",
            "id": t.id,
            "modified": "2024-01-01T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": osv_ecosystem(ns), "name": t.package},
                "ranges": ranges,
            }],
        });
        // Two ecosystems may hold the same id (CVE-2022-3215): one file per pair.
        let file = dir.join(format!("{}-{}-{n}.json", t.eco, t.id));
        std::fs::write(&file, serde_json::to_vec_pretty(&rec).expect("json")).expect("write");
        n += 1;
    }
    n
}

/// The two databases: constraint rows and OSV records.
fn databases(dir: &Path) -> (Db, Db) {
    let db = trivy_db();
    assert!(
        db.len() >= 20,
        "fixture database read: {} advisories",
        db.len()
    );
    let a = dir.join("constraints.db");
    bosun_vulndb::import_records(&a, as_constraint_records(&db), &ImportOptions::default())
        .expect("import constraint records");
    let osv_dir = dir.join("osv");
    std::fs::create_dir_all(&osv_dir).expect("mkdir");
    let n = write_osv_records(&db, &osv_dir);
    let b = dir.join("osv.db");
    let report = bosun_vulndb::import(&b, &[osv_dir], &ImportOptions::default())
        .expect("import OSV records");
    let records: u64 = report.sources.iter().map(|s| s.records).sum();
    let skipped: u64 = report.sources.iter().map(|s| s.skipped).sum();
    assert_eq!(records as usize, n, "{report:#?}");
    assert_eq!(skipped, 0, "{report:#?}");
    (
        Db::open(&a).expect("open constraints db"),
        Db::open(&b).expect("open OSV db"),
    )
}

// ---------------------------------------------------------------------------

/// Copies a case's directory without Trivy's `--skip-files`.
fn scan_dir(case: &Case, tmp: &Path) -> PathBuf {
    let src = fixtures().join("repo").join(case.repo);
    if case.skip.is_empty() {
        return src;
    }
    let dst = tmp.join(format!("scan-{}", case.golden));
    let mut stack = vec![src.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            let rel = p.strip_prefix(&src).expect("below").to_path_buf();
            if p.is_dir() {
                stack.push(p);
            } else if !case.skip.iter().any(|s| Path::new(s) == rel) {
                let to = dst.join(&rel);
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                std::fs::copy(&p, &to).expect("copy");
            }
        }
    }
    dst
}

fn bosun_rows(inv: &Inventory, db: &Db, case: &Case) -> BTreeSet<String> {
    let mut m = Matcher::with_options(
        db,
        MatchOptions {
            include_dev: case.dev,
        },
    );
    let mut findings = m.match_inventory(inv).expect("match").findings;
    if case.vex {
        let vex = bosun_gate::Vex::load(&fixtures().join("vex/openvex.json")).expect("vex");
        vex.apply(&mut findings, &inv.source);
        findings.retain(|f| f.suppressed.is_none());
    }
    findings
        .iter()
        .map(|f| {
            row(
                &dir_of(&f.package.path),
                &f.id,
                namespace_of_ecosystem(f.package.ecosystem),
                &f.package.name,
                &f.package.version,
            )
        })
        .collect()
}

#[test]
fn lockfile_cases_agree_with_trivy_goldens() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (constraints_db, osv_db) = databases(tmp.path());
    let cases = cases();
    let mut agree = 0;
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut trivy_total = 0;
    let mut bosun_total = 0;
    for case in &cases {
        let g = golden(case);
        let theirs = trivy_rows(&g);
        let dir = scan_dir(case, tmp.path());
        let inv = bosun_scan::inventory(
            &format!("rootfs:{}", dir.display()),
            &bosun_scan::ScanOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{}: inventory: {e}", case.golden));
        let ours = bosun_rows(&inv, &constraints_db, case);
        let ours_osv = bosun_rows(&inv, &osv_db, case);
        if ours != ours_osv {
            failures.push(format!(
                "{}: Trivy's constraint lists and their OSV conversion disagree:\n  constraints {ours:?}\n  osv         {ours_osv:?}",
                case.golden
            ));
        }
        trivy_total += theirs.len();
        bosun_total += ours.len();
        let only_trivy: BTreeSet<&str> = theirs.difference(&ours).map(String::as_str).collect();
        let only_bosun: BTreeSet<&str> = ours.difference(&theirs).map(String::as_str).collect();
        let want_trivy: BTreeSet<&str> = case.only_trivy.iter().copied().collect();
        let want_bosun: BTreeSet<&str> = case.only_bosun.iter().copied().collect();
        if only_trivy != want_trivy || only_bosun != want_bosun {
            failures.push(format!(
                "{}: only Trivy {only_trivy:?} (documented {want_trivy:?}); only bosun {only_bosun:?} (documented {want_bosun:?})",
                case.golden
            ));
        }
        if only_trivy.is_empty() && only_bosun.is_empty() {
            agree += 1;
        }
        report.push(format!(
            "{:<20} Trivy {} bosun {} same {}{}",
            case.golden,
            theirs.len(),
            ours.len(),
            theirs.intersection(&ours).count(),
            if case.why.is_empty() {
                String::new()
            } else {
                format!("  [{}]", case.why)
            }
        ));
    }
    println!("{}", report.join("\n"));
    println!(
        "{} cases, {agree} agree exactly; rows: Trivy {trivy_total}, bosun {bosun_total}",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every golden file of a lockfile scan is a case.
    let mut listed: BTreeSet<String> = cases.iter().map(|c| c.golden.to_owned()).collect();
    for e in std::fs::read_dir(fixtures().join("golden")).expect("golden dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(".json.golden").to_owned();
        assert!(listed.remove(&stem), "golden {name} has no case");
    }
    assert!(listed.is_empty(), "cases without a golden file: {listed:?}");
}

/// The matcher alone on Trivy's own package lists: for the formats bosun has
/// no analyzer for (and all the others), Trivy's packages (the golden's
/// `Packages`, or its vulnerable packages when the golden does not list
/// packages) are matched by bosun against the same advisories.
#[test]
fn matcher_agrees_on_trivys_package_lists() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (db, osv_db) = databases(tmp.path());
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in cases() {
        let g = golden(&case);
        for r in g["Results"].as_array().into_iter().flatten() {
            let ty = r["Type"].as_str().unwrap_or_default();
            let Some(ns) = namespace_of_type(ty) else {
                continue;
            };
            let eco = ecosystem_of_namespace(ns).expect("ecosystem");
            let target = r["Target"].as_str().unwrap_or_default();
            let mut pkgs: BTreeMap<(String, String), bool> = BTreeMap::new();
            let listed = r["Packages"].as_array().is_some_and(|a| !a.is_empty());
            for p in r["Packages"].as_array().into_iter().flatten() {
                pkgs.insert(
                    (
                        p["Name"].as_str().unwrap_or_default().to_owned(),
                        p["Version"].as_str().unwrap_or_default().to_owned(),
                    ),
                    p["Dev"].as_bool().unwrap_or(false),
                );
            }
            let mut theirs = BTreeSet::new();
            for v in r["Vulnerabilities"].as_array().into_iter().flatten() {
                let name = v["PkgName"].as_str().unwrap_or_default();
                let version = v["InstalledVersion"].as_str().unwrap_or_default();
                pkgs.entry((name.to_owned(), version.to_owned()))
                    .or_insert(false);
                theirs.insert(row(
                    "",
                    v["VulnerabilityID"].as_str().unwrap_or_default(),
                    ns,
                    name,
                    version,
                ));
            }
            let packages: Vec<Package> = pkgs
                .iter()
                .map(|((name, version), dev)| {
                    let mut p = Package::new(
                        eco,
                        name.clone(),
                        version.clone(),
                        format!("pkg:{ns}/{name}@{version}"),
                        Location::new(format!("/{target}"), None),
                    );
                    p.dev = *dev;
                    p
                })
                .collect();
            let inv = Inventory {
                packages,
                ..empty_inventory()
            };
            for (label, d) in [("constraints", &db), ("osv", &osv_db)] {
                let mut m = Matcher::with_options(
                    d,
                    MatchOptions {
                        include_dev: case.dev,
                    },
                );
                let mut findings = m.match_inventory(&inv).expect("match").findings;
                if case.vex {
                    let vex =
                        bosun_gate::Vex::load(&fixtures().join("vex/openvex.json")).expect("vex");
                    vex.apply(&mut findings, &inv.source);
                    findings.retain(|f| f.suppressed.is_none());
                }
                let ours: BTreeSet<String> = findings
                    .iter()
                    .map(|f| row("", &f.id, ns, &f.package.name, &f.package.version))
                    .collect();
                if ours != theirs {
                    failures.push(format!(
                        "{} {target} ({label}, {}): Trivy {theirs:?} bosun {ours:?}",
                        case.golden,
                        if listed {
                            "all packages"
                        } else {
                            "vulnerable packages only"
                        }
                    ));
                }
            }
            checked += 1;
        }
    }
    println!("{checked} results checked");
    assert_eq!(checked, 30, "results in ecosystems bosun matches");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn empty_inventory() -> Inventory {
    Inventory {
        schema: bosun_model::INVENTORY_SCHEMA.to_owned(),
        generator: "test".to_owned(),
        created: "2024-01-01T00:00:00Z".to_owned(),
        source: bosun_model::SourceInfo {
            kind: bosun_model::SourceKind::Rootfs,
            reference: "trivy-integration".to_owned(),
            name: None,
            manifest_digest: None,
            config_digest: None,
            repo_tags: Vec::new(),
            platform: None,
        },
        config: None,
        distro: None,
        layers: Vec::new(),
        packages: Vec::new(),
        warnings: Vec::new(),
    }
}
