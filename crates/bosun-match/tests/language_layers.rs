//! bookworm-app's language packages (Python, npm, Go, Rust, Java, Ruby)
//! against the real advisories for exactly those packages.
//!
//! `tests/fixtures/bookworm-app-advisories/` holds, unchanged, every advisory
//! of the shared advisory corpus for the image's PyPI packages, its Go
//! modules, its crates and its npm packages, a few Go standard-library
//! records chosen around the two Go toolchains, three Maven records and part
//! of the rubysec records (see its SOURCE.md). bosun imports them, reads the
//! image (`scripts/build-test-images.sh`) and matches: the findings must be
//! exactly the list below, each checked by reading the advisory's ranges
//! (and, for the whole list, by independent evaluators: Python's
//! `packaging` for PyPI, plain SemVer for Go and crates.io, RubyGems
//! requirements for rubysec; see docs/ACCURACY.md, "Vulnerabilities").
//!
//! The optional corpus test imports the whole shared corpus
//! (`../shared/data/advisories`) and checks the same image against
//! `tests/oracle/lang_oracle.py`, an independent evaluator; it skips with a
//! message when the corpus is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_model::{Ecosystem, Finding, FixState, Inventory};
use bosun_vulndb::{Db, ImportOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bookworm-app-advisories")
}

fn inventory() -> Inventory {
    let reference = bosun_test::images::docker_archive("bookworm-app");
    bosun_scan::inventory(&reference, &bosun_scan::ScanOptions::default())
        .unwrap_or_else(|e| panic!("inventory {reference}: {e}"))
}

/// Every finding, as `(package, version, id)`: hand-checked against the
/// advisory files (range, then whether the installed version is inside).
const EXPECTED: &[(&str, &str, &str)] = &[
    // PyPI (pypa advisory-database, OSV YAML).
    // urllib3 1.24.1: PYSEC-2019-132 <1.24.3, PYSEC-2019-133 <1.24.2,
    // PYSEC-2020-148 <1.25.9, PYSEC-2021-108 <1.26.5, PYSEC-2023-192
    // <1.26.17, PYSEC-2023-207 <1.24.2, PYSEC-2023-212 <1.26.18. Not:
    // PYSEC-2017-98 [1.17,1.18.1), PYSEC-2018-32 <1.23, PYSEC-2020-149
    // [1.25.2,1.25.8), PYSEC-2021-59 [1.26.0,1.26.4).
    ("urllib3", "1.24.1", "CVE-2019-11236"),
    ("urllib3", "1.24.1", "CVE-2019-11324"),
    ("urllib3", "1.24.1", "CVE-2020-26137"),
    ("urllib3", "1.24.1", "CVE-2021-33503"),
    ("urllib3", "1.24.1", "CVE-2023-43804"),
    ("urllib3", "1.24.1", "CVE-2018-25091"),
    ("urllib3", "1.24.1", "CVE-2023-45803"),
    // requests 2.19.1: PYSEC-2018-28 <2.20.0, PYSEC-2023-74 [2.3.0,2.31.0).
    // Not: PYSEC-2014-13/14 <2.3.0, PYSEC-2015-17 [2.1.0,2.6.0).
    ("requests", "2.19.1", "CVE-2018-18074"),
    ("requests", "2.19.1", "CVE-2023-32681"),
    // PyYAML 5.3: PYSEC-2020-96 [5.1,5.3.1), PYSEC-2021-142 <5.4. Not:
    // PYSEC-2018-49 <5.1, PYSEC-2020-176 [5.1,5.2b1).
    ("pyyaml", "5.3", "CVE-2020-1747"),
    ("pyyaml", "5.3", "CVE-2020-14343"),
    // Jinja2 2.10, named by /opt/pyapp/requirements.txt (the installed copy
    // is deleted by a later layer): PYSEC-2019-217 <2.10.1, PYSEC-2021-66
    // <2.11.3. Not: PYSEC-2014-8 <2.7.2, PYSEC-2014-82 <2.7.3,
    // PYSEC-2019-220 <2.8.1.
    ("jinja2", "2.10", "CVE-2019-10906"),
    ("jinja2", "2.10", "CVE-2020-28493"),
    // idna 2.7: PYSEC-2024-60 [0.1,3.7).
    ("idna", "2.7", "CVE-2024-3651"),
    // certifi 2018.8.24: PYSEC-2022-42986 [2017.11.5,2022.12.7),
    // PYSEC-2023-135 [2015.4.28,2023.7.22).
    ("certifi", "2018.8.24", "CVE-2022-23491"),
    ("certifi", "2018.8.24", "CVE-2023-37920"),
    // crates.io (RustSec OSV), in the cargo-auditable binary and Cargo.lock.
    // smallvec 1.6.0: RUSTSEC-2021-0003 [0.6.3,0.6.14) and [1.0.0,1.6.1).
    // Not: RUSTSEC-2018-0003 (ranges below 0.6.3), RUSTSEC-2018-0018
    // <0.6.13, RUSTSEC-2019-0009 [0.6.5,0.6.10), RUSTSEC-2019-0012
    // [0.6.3,0.6.10).
    ("smallvec", "1.6.0", "CVE-2021-25900"),
    // time 0.1.44: RUSTSEC-2020-0071 [0.0.0-0,0.2.0) (and pre-release
    // windows up to 0.2.23). Not:
    // RUSTSEC-2026-0009 [0.3.6,0.3.47).
    ("time", "0.1.44", "CVE-2020-26235"),
    // Go standard library (records chosen around the two toolchains):
    // hello-go is Go 1.19.8, dive Go 1.24.1.
    // GO-2023-1751 <1.19.9: 1.19.8 only. GO-2025-3447 <1.22.12 and
    // [1.24.0-0,1.24.0-rc.3): 1.19.8 only (1.24.1 is after rc.3).
    // GO-2025-3563 <1.23.8 and [1.24.0-0,1.24.2): both. GO-2025-3749
    // [1.24.0-0,1.24.4): 1.24.1 only. Not: GO-2023-1704 <1.19.8 (fixed in
    // exactly hello-go's version), GO-2022-0969 <1.18.6, [1.19.0-0,1.19.1).
    ("stdlib", "v1.19.8", "CVE-2023-24539"),
    ("stdlib", "v1.19.8", "CVE-2025-22866"),
    ("stdlib", "v1.19.8", "CVE-2025-22871"),
    ("stdlib", "v1.24.1", "CVE-2025-22871"),
    ("stdlib", "v1.24.1", "CVE-2025-22874"),
    // Records of the module list that name the standard library too:
    // GO-2023-2102 <1.20.10, GO-2024-2687 <1.21.9: 1.19.8 only.
    // GO-2025-3503 <1.23.7 and [1.24.0-0,1.24.1): 1.19.8 only (1.24.1 is
    // its fixed version). GO-2026-4918 <1.25.10, GO-2026-5026 <1.25.13: both.
    ("stdlib", "v1.19.8", "CVE-2023-39325"),
    ("stdlib", "v1.19.8", "CVE-2023-45288"),
    ("stdlib", "v1.19.8", "CVE-2025-22870"),
    ("stdlib", "v1.19.8", "CVE-2026-33814"),
    ("stdlib", "v1.19.8", "CVE-2026-39821"),
    ("stdlib", "v1.24.1", "CVE-2026-33814"),
    ("stdlib", "v1.24.1", "CVE-2026-39821"),
    // Go modules of dive (its build info and /opt/dive-src/go.mod): the
    // fixtures hold every record that names one of them (79); these are the
    // ones whose range holds the version. The finding id is the CVE, else
    // the GHSA alias (GO-2025-3787 and GO-2025-3900: mapstructure/v2 <2.3.0
    // and <2.4.0; GO-2026-5841: klauspost/compress [1.16.0,1.18.7)).
    (
        "github.com/docker/cli",
        "v28.0.2+incompatible",
        "CVE-2025-15558",
    ),
    (
        "github.com/docker/docker",
        "v28.0.4+incompatible",
        "CVE-2026-33997",
    ),
    (
        "github.com/docker/docker",
        "v28.0.4+incompatible",
        "CVE-2026-34040",
    ),
    (
        "github.com/docker/docker",
        "v28.0.4+incompatible",
        "CVE-2026-42306",
    ),
    (
        "github.com/docker/docker",
        "v28.0.4+incompatible",
        "CVE-2026-41568",
    ),
    (
        "github.com/docker/docker",
        "v28.0.4+incompatible",
        "CVE-2026-41567",
    ),
    (
        "github.com/go-viper/mapstructure/v2",
        "v2.2.1",
        "GHSA-fv92-fjc5-jj9h",
    ),
    (
        "github.com/go-viper/mapstructure/v2",
        "v2.2.1",
        "GHSA-2464-8j7c-4cjm",
    ),
    (
        "github.com/klauspost/compress",
        "v1.18.0",
        "GHSA-259r-337f-4rfw",
    ),
    ("golang.org/x/net", "v0.37.0", "CVE-2025-22872"),
    ("golang.org/x/net", "v0.37.0", "CVE-2025-47911"),
    ("golang.org/x/net", "v0.37.0", "CVE-2025-58190"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-33814"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-42506"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-39821"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-42502"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-25680"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-25681"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-27136"),
    ("golang.org/x/net", "v0.37.0", "CVE-2026-46600"),
    ("golang.org/x/sys", "v0.31.0", "CVE-2026-39824"),
    ("golang.org/x/text", "v0.23.0", "CVE-2026-56852"),
    // rubysec (Gemfile.lock): crass 1.0.6, loofah 2.2.3,
    // rails-html-sanitizer 1.0.3 with all their records; rack 2.0.8 and
    // nokogiri 1.10.4 with a few. Affected when no patched_versions /
    // unaffected_versions requirement holds.
    ("crass", "1.0.6", "GHSA-6jxj-px6v-747w"),
    ("crass", "1.0.6", "GHSA-6wmf-3r64-vcwv"),
    ("crass", "1.0.6", "GHSA-8vfg-2r28-hvhj"),
    ("crass", "1.0.6", "GHSA-wwpr-jff3-395c"),
    ("loofah", "2.2.3", "CVE-2019-15587"),
    ("loofah", "2.2.3", "CVE-2022-23514"),
    ("loofah", "2.2.3", "CVE-2022-23515"),
    ("loofah", "2.2.3", "CVE-2022-23516"),
    ("loofah", "2.2.3", "CVE-2026-73490"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2018-3741"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2022-23517"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2022-23518"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2022-23519"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2022-23520"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2022-32209"),
    ("rails-html-sanitizer", "1.0.3", "CVE-2026-73648"),
    // rack: CVE-2020-8161 patched `~> 2.1.3`, `>= 2.2.0`; CVE-2022-30122
    // patched `~> 2.0.9, >= 2.0.9.1`...: 2.0.8 is in none; CVE-2026-26961
    // patched `~> 2.2.23`, `~> 3.1.21`, `>= 3.2.6`. Not: CVE-2019-16782
    // patched `>= 2.0.8` (exactly 2.0.8), CVE-2018-16470 patched `>= 2.0.6`,
    // CVE-2024-39316 unaffected `< 3.1.0`.
    ("rack", "2.0.8", "CVE-2020-8161"),
    ("rack", "2.0.8", "CVE-2022-30122"),
    ("rack", "2.0.8", "CVE-2026-26961"),
    // nokogiri: CVE-2019-13117 patched `>= 1.10.5`; CVE-2020-26247 patched
    // `>= 1.11.0.rc4`; GHSA-xc9x-jj77-9p9j patched `~> 1.15.6`, `>= 1.16.2`.
    // Not: CVE-2019-5477 patched `>= 1.10.4` (exactly 1.10.4),
    // CVE-2022-23476 unaffected `<= 1.13.7`.
    ("nokogiri", "1.10.4", "CVE-2019-13117"),
    ("nokogiri", "1.10.4", "CVE-2020-26247"),
    ("nokogiri", "1.10.4", "GHSA-xc9x-jj77-9p9j"),
];

/// Packages that have advisories in the fixtures, none of which covers the
/// installed version: no finding may name them.
const NONE_FOR: &[(&str, &str)] = &[
    // NSWG-ECO-493 `<4.17.11` (4.17.11 is its patched version), NSWG-ECO-368
    // `<4.17.5`, NSWG-ECO-516 `>=4.17.15 <4.17.19`.
    ("lodash", "4.17.11"),
    // NSWG-ECO-367 is for `hoek`, not the scoped `@hapi/hoek`.
    ("@hapi/hoek", "8.2.0"),
    // The corpus (Node security-wg, to 2020) has no minimist advisory.
    ("minimist", "1.2.0"),
    // GHSA-jjjh-jjxp-wpff [2.13.0,2.13.4.2), GHSA-rgv9-q543-rqg4
    // [2.13.0,2.13.4), GHSA-57j2-w4cx-62h2 [2.13.0,2.13.2.1): all below 2.14.0.
    ("com.fasterxml.jackson.core:jackson-databind", "2.14.0"),
    ("libc", "0.2.191"),
];

fn import_fixtures(dir: &Path) -> Db {
    let path = dir.join("lang.db");
    let report = bosun_vulndb::import(&path, &[fixtures()], &ImportOptions::default())
        .expect("import the fixture advisories");
    let skipped: u64 = report.sources.iter().map(|s| s.skipped).sum();
    assert_eq!(skipped, 0, "{report:#?}");
    let names: BTreeSet<&str> = report.sources.iter().map(|s| s.name.as_str()).collect();
    for s in [
        "osv:PyPI",
        "osv:Go",
        "osv:crates.io",
        "osv:Maven",
        "npm-security-wg",
        "rubysec",
    ] {
        assert!(names.contains(s), "source {s} missing: {names:?}");
    }
    Db::open(&path).expect("open")
}

fn key(f: &Finding) -> (String, String, String) {
    (
        f.package.name.clone(),
        f.package.version.clone(),
        f.id.clone(),
    )
}

fn paths_of<'a>(findings: &'a [Finding], name: &str, id: &str) -> BTreeSet<&'a str> {
    findings
        .iter()
        .filter(|f| f.package.name == name && f.id == id)
        .map(|f| f.package.path.as_str())
        .collect()
}

#[test]
fn bookworm_app_language_packages_get_exactly_their_advisories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = import_fixtures(tmp.path());
    let inv = inventory();
    let outcome = bosun_match::Matcher::new(&db)
        .match_inventory(&inv)
        .expect("match");
    assert!(outcome.warnings.is_empty(), "{:#?}", outcome.warnings);
    let got: BTreeSet<(String, String, String)> = outcome.findings.iter().map(key).collect();
    let want: BTreeSet<(String, String, String)> = EXPECTED
        .iter()
        .map(|(n, v, i)| (n.to_string(), v.to_string(), i.to_string()))
        .collect();
    assert_eq!(want.len(), EXPECTED.len(), "duplicate expectation");
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nunexpected {extra:#?}"
    );
    for (name, version) in NONE_FOR {
        assert!(
            inv.packages
                .iter()
                .any(|p| p.name == *name && p.version == *version),
            "{name} {version} is no longer in the image: this check would pass for nothing"
        );
        assert!(
            !outcome
                .findings
                .iter()
                .any(|f| f.package.name == *name && f.package.version == *version),
            "{name} {version} has a finding"
        );
    }
    // Every finding is an application package (only language data was
    // imported), found by the OSV/constraint matcher, `fixed` exactly when
    // the data has a fixed version. github.com/docker/docker has none (its
    // records are fixed only in the renamed github.com/moby/moby/v2).
    for f in &outcome.findings {
        assert!(!f.package.ecosystem.is_os(), "{f:?}");
        assert_eq!(f.matched.matcher, "osv");
        let no_fix = f.package.name == "github.com/docker/docker";
        assert_eq!(
            f.fixed_versions.is_empty(),
            no_fix,
            "{} {}",
            f.id,
            f.package.name
        );
        assert_eq!(
            f.status,
            if no_fix {
                FixState::NotFixed
            } else {
                FixState::Fixed
            },
            "{} {}",
            f.id,
            f.package.name
        );
    }
    // Where the evidence is: the crate is both in the cargo-auditable binary
    // and in Cargo.lock; Jinja2 only in requirements.txt (its dist-info is
    // deleted by layer 9); dive's modules in the binary and its go.mod.
    assert_eq!(
        paths_of(&outcome.findings, "smallvec", "CVE-2021-25900"),
        BTreeSet::from([
            "/opt/rustapp/Cargo.lock",
            "/usr/local/bin/bosun-audit-fixture"
        ])
    );
    assert_eq!(
        paths_of(&outcome.findings, "jinja2", "CVE-2019-10906"),
        BTreeSet::from(["/opt/pyapp/requirements.txt"])
    );
    assert_eq!(
        paths_of(&outcome.findings, "golang.org/x/net", "CVE-2025-22872"),
        BTreeSet::from(["/opt/dive-src/go.mod", "/usr/local/bin/dive"])
    );
    // Aliases are kept: the PyPI record's own id, the Go record's GO id.
    let f = outcome
        .findings
        .iter()
        .find(|f| f.id == "CVE-2018-18074")
        .expect("requests finding");
    assert!(f.aliases.iter().any(|a| a == "PYSEC-2018-28"), "{f:?}");
    assert_eq!(f.fixed_versions, ["2.20.0"]);
    let f = outcome
        .findings
        .iter()
        .find(|f| f.id == "CVE-2025-22866")
        .expect("stdlib finding");
    assert!(f.aliases.iter().any(|a| a == "GO-2025-3447"), "{f:?}");
    assert_eq!(f.package.ecosystem, Ecosystem::Golang);
}

fn corpus() -> Option<PathBuf> {
    let p = bosun_test::repo_root().join("../shared/data/advisories");
    p.is_dir().then_some(p)
}

/// Optional: the whole shared corpus, and an independent evaluator.
#[test]
fn bookworm_app_against_the_whole_corpus_agrees_with_an_independent_evaluator() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/data/advisories is not present");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("all.db");
    let inputs: Vec<PathBuf> = ["pypi", "go", "crates.io", "npm", "rubygems", "maven"]
        .iter()
        .map(|d| corpus.join(d))
        .collect();
    bosun_vulndb::import(&path, &inputs, &ImportOptions::default()).expect("import the corpus");
    let db = Db::open(&path).expect("open");
    let inv = inventory();
    let outcome = bosun_match::Matcher::new(&db)
        .match_inventory(&inv)
        .expect("match");
    let inv_path = tmp.path().join("inventory.json");
    std::fs::write(&inv_path, serde_json::to_vec(&inv).expect("json")).expect("write");
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/lang_oracle.py");
    let out = Command::new("python3")
        .arg(&oracle)
        .arg(&inv_path)
        .arg(&corpus)
        .output()
        .expect("run python3 (apt-get install python3 python3-packaging python3-yaml)");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Oracle rows: one per (path, package, version, record id).
    let mut theirs: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle line");
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        theirs.insert((s("path"), s("name"), s("version"), s("id")));
    }
    // A bosun finding groups the records of one vulnerability: it must name
    // (as its id or an alias) at least one record the oracle found for the
    // same package at the same path, and every oracle row must be named by
    // some finding.
    let mut named: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    let mut false_positives = Vec::new();
    for f in outcome
        .findings
        .iter()
        .filter(|f| !f.package.ecosystem.is_os())
    {
        let rows: Vec<_> = std::iter::once(&f.id)
            .chain(f.aliases.iter())
            .map(|id| {
                (
                    f.package.path.clone(),
                    f.package.name.clone(),
                    f.package.version.clone(),
                    id.clone(),
                )
            })
            .filter(|r| theirs.contains(r))
            .collect();
        if rows.is_empty() {
            false_positives.push(format!(
                "{} {} {} {}",
                f.id, f.package.name, f.package.version, f.package.path
            ));
        }
        named.extend(rows);
    }
    let missing: Vec<_> = theirs.difference(&named).collect();
    assert!(
        false_positives.is_empty() && missing.is_empty(),
        "only bosun: {false_positives:#?}\nonly the oracle: {missing:#?}"
    );
    let app = outcome
        .findings
        .iter()
        .filter(|f| !f.package.ecosystem.is_os())
        .count();
    println!(
        "corpus: {app} application findings; oracle rows {} (records per location), all found",
        theirs.len()
    );
    // Everything the fixture test expects is also found with the full corpus.
    let got: BTreeSet<(String, String, String)> = outcome.findings.iter().map(key).collect();
    for (n, v, i) in EXPECTED {
        assert!(
            got.contains(&(n.to_string(), v.to_string(), i.to_string())),
            "{n} {v} {i} not found with the whole corpus"
        );
    }
}
