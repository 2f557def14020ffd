//! The `bosun` binary end to end on the real test images
//! (scripts/build-test-images.sh) with a vulnerability database built by
//! `bosun db import` from real advisories (tests/fixtures/advisories): what
//! CI sees — output formats, exit codes, the gate, ignore files, VEX, the
//! policy, rescans from an SBOM, and errors on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn bosun() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bosun"));
    // Never touch the user's cache or database; never draw progress bars.
    c.env("BOSUN_CACHE_DIR", work().join("cache"))
        .env("BOSUN_QUIET", "0")
        .env_remove("BOSUN_DB")
        .env_remove("BOSUN_POLICY")
        .env_remove("BOSUN_SCANNERS")
        .env_remove("BOSUN_DB_MAX_AGE_DAYS")
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .current_dir(work());
    c
}

/// A scratch directory shared by the tests of this run.
fn work() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"))
        .path()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The database, imported once per run with the real command.
fn db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let path = work().join("db/bosun.db");
        let out = bosun()
            .args(["db", "--db"])
            .arg(&path)
            .arg("import")
            .arg(fixtures().join("advisories"))
            .output()
            .expect("run bosun db import");
        assert!(out.status.success(), "db import: {}", text(&out.stderr));
        path
    })
}

fn image(name: &str) -> String {
    bosun_test::images::docker_archive(name)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(args: &[&str]) -> Output {
    bosun().args(args).output().expect("run bosun")
}

fn scan(extra: &[&str], img: &str) -> Output {
    let db = db().display().to_string();
    let mut args = vec!["scan", "--db", db.as_str()];
    args.extend_from_slice(extra);
    args.push(img);
    run(&args)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}\nstdout: {}",
            text(&out.stderr),
            text(&out.stdout)
        )
    })
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// (advisory ID or alias, package, path) of every finding, suppressed or not.
fn ids(r: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = r["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_owned(),
                f["package"]["name"].as_str().unwrap_or("").to_owned(),
                f["package"]["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn has_alias(f: &Value, id: &str) -> bool {
    f["id"] == id
        || f["aliases"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == id))
}

#[test]
fn scan_json_has_vulnerabilities_secrets_checks_and_exit_0() {
    let out = scan(&["-f", "json"], &image("bookworm-app"));
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let r = json(&out);
    assert_eq!(r["schema"], "bosun.scan/v1");
    let findings = r["findings"].as_array().expect("findings");
    // urllib3 1.24.1 once; smallvec 1.6.0 in the lockfile and in the binary.
    let urllib3: Vec<_> = findings
        .iter()
        .filter(|f| has_alias(f, "PYSEC-2023-192"))
        .collect();
    assert_eq!(urllib3.len(), 1, "{findings:#?}");
    assert_eq!(urllib3[0]["package"]["version"], "1.24.1");
    assert!(has_alias(urllib3[0], "CVE-2023-43804"));
    assert_eq!(urllib3[0]["fixed_versions"][0], "1.26.17");
    let mut smallvec: Vec<&str> = findings
        .iter()
        .filter(|f| has_alias(f, "RUSTSEC-2021-0003"))
        .filter_map(|f| f["package"]["path"].as_str())
        .collect();
    smallvec.sort_unstable();
    assert_eq!(
        smallvec,
        [
            "/opt/rustapp/Cargo.lock",
            "/usr/local/bin/bosun-audit-fixture"
        ]
    );
    // Every finding names the layer that brought the package.
    assert!(findings.iter().all(|f| f["package"]["layer"].is_u64()));
    assert!(r["db"]["updated"].is_string());

    let secrets = r["secrets"].as_array().expect("secret scanner ran");
    assert!(secrets.iter().any(|s| s["deleted"] == true), "{secrets:#?}");
    let checks: Vec<&str> = r["checks"]
        .as_array()
        .expect("checks ran")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in [
        "BOSUN-IMG-001",
        "BOSUN-IMG-005",
        "BOSUN-IMG-006",
        "BOSUN-IMG-014",
    ] {
        assert!(checks.contains(&id), "{id} not in {checks:?}");
    }
    assert!(r.get("policy").is_none());
}

#[test]
fn the_gate_trips_on_severity_and_uses_the_exit_code() {
    let img = image("bookworm-app");
    let out = scan(&["-f", "json", "--fail-on", "CRITICAL"], &img);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("CVE-2021-25900") || err.contains("RUSTSEC-2021-0003"),
        "{err}"
    );
    assert!(err.contains("/opt/rustapp/Cargo.lock"), "{err}");

    let out = scan(
        &["-f", "json", "--fail-on", "CRITICAL", "--exit-code", "7"],
        &img,
    );
    assert_eq!(code(&out), 7);

    // --severity hides what the gate would trip on.
    let out = scan(
        &["-f", "json", "--severity", "LOW", "--fail-on", "LOW"],
        &img,
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(json(&out)["findings"].as_array().is_some_and(Vec::is_empty));

    // The image without those packages passes the same gate.
    let out = scan(
        &["-f", "json", "--fail-on", "LOW"],
        &image("bookworm-nonroot"),
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
}

#[test]
fn an_ignore_file_suppresses_with_its_reason_and_an_expired_entry_warns() {
    let img = image("bookworm-app");
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("live.yaml");
    std::fs::write(
        &live,
        "ignore:\n  - id: CVE-2021-25900\n    reason: smallvec is not reachable\n    expires: 2999-01-01\n",
    )
    .expect("write");
    let out = scan(
        &[
            "-f",
            "json",
            "--fail-on",
            "CRITICAL",
            "--ignore-file",
            live.to_str().expect("utf-8"),
        ],
        &img,
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let r = json(&out);
    let sv: Vec<&Value> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| has_alias(f, "RUSTSEC-2021-0003"))
        .collect();
    assert_eq!(sv.len(), 2);
    for f in sv {
        assert_eq!(f["suppressed"]["reason"], "smallvec is not reachable");
    }

    let expired = dir.path().join("expired.yaml");
    std::fs::write(
        &expired,
        "ignore:\n  - id: CVE-2021-25900\n    reason: accepted last year\n    expires: 2020-01-01\n",
    )
    .expect("write");
    let out = scan(
        &[
            "-f",
            "json",
            "--fail-on",
            "CRITICAL",
            "--ignore-file",
            expired.to_str().expect("utf-8"),
        ],
        &img,
    );
    assert_eq!(code(&out), 1, "an expired entry stops suppressing");
    assert!(
        text(&out.stderr).contains("expired"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn vex_not_affected_suppresses_the_named_package() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vex = dir.path().join("app.vex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "statements": [{
              "vulnerability": {"name": "CVE-2023-43804"},
              "products": [{"@id": "pkg:pypi/urllib3@1.24.1"}],
              "status": "not_affected",
              "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .expect("write");
    let out = scan(
        &["-f", "json", "--vex", vex.to_str().expect("utf-8")],
        &image("bookworm-app"),
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let r = json(&out);
    let f = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| has_alias(f, "CVE-2023-43804"))
        .expect("urllib3 finding");
    assert_eq!(
        f["suppressed"]["reason"], "vulnerable_code_not_in_execute_path",
        "{f:#}"
    );
    // Others are untouched.
    assert!(
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| has_alias(f, "RUSTSEC-2021-0003"))
            .all(|f| f.get("suppressed").is_none())
    );
}

#[test]
fn a_policy_denial_exits_1_with_every_reason_in_json_and_on_stderr() {
    let policy = bosun_test::repo_root().join("policies/example/bosun.yaml");
    let out = scan(
        &["-f", "json", "--policy", policy.to_str().expect("utf-8")],
        &image("bookworm-app"),
    );
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let r = json(&out);
    assert_eq!(r["policy"]["allowed"], false);
    let rules: Vec<&str> = r["policy"]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v["rule"].as_str())
        .collect();
    for want in ["vulnerabilities.threshold", "image.non-root"] {
        assert!(rules.contains(&want), "{want} not in {rules:?}");
    }
    assert!(rules.iter().any(|r| r.starts_with("rego:")), "{rules:?}");
    let err = text(&out.stderr);
    assert!(
        err.contains("DENIED") && err.contains("image.non-root"),
        "{err}"
    );
}

#[test]
fn an_approved_base_from_policy_base_passes_its_own_app_and_fails_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&[
        "-q",
        "policy",
        "base",
        "--name",
        "bookworm-minbase",
        &image("bookworm-base"),
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let policy = dir.path().join("bosun.yaml");
    std::fs::write(&policy, format!("version: 1\n{}", text(&out.stdout))).expect("write");
    let p = policy.to_str().expect("utf-8");
    let ok = scan(
        &["-f", "json", "--scanners", "vuln", "--policy", p],
        &image("bookworm-nonroot"),
    );
    assert_eq!(code(&ok), 0, "{}", text(&ok.stderr));
    assert_eq!(json(&ok)["policy"]["allowed"], true);
    let denied = scan(
        &["-f", "json", "--scanners", "vuln", "--policy", p],
        &image("trixie-app"),
    );
    assert_eq!(code(&denied), 1, "{}", text(&denied.stderr));
    let r = json(&denied);
    let msg = r["policy"]["violations"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(msg.contains("bookworm-minbase"), "{msg}");
}

#[test]
fn policy_init_writes_a_starter_that_loads_and_policy_test_runs_rego_tests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bosun.yaml");
    let p = path.to_str().expect("utf-8");
    assert_eq!(code(&run(&["policy", "init", p])), 0);
    let again = run(&["policy", "init", p]);
    assert_eq!(code(&again), 2, "no overwrite without --force");
    assert!(text(&again.stderr).contains("--force"));
    // The starter is a valid policy: scanning with it runs (it denies the
    // root app image).
    let out = scan(&["-f", "json", "--policy", p], &image("bookworm-app"));
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let rules: Vec<String> = json(&out)["policy"]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v["rule"].as_str().map(str::to_owned))
        .collect();
    assert!(rules.iter().any(|r| r == "image.non-root"), "{rules:?}");
    assert!(rules.iter().any(|r| r == "registry.trusted"), "{rules:?}");

    let example = bosun_test::repo_root().join("policies/example/bosun.yaml");
    let t = run(&["policy", "test", example.to_str().expect("utf-8")]);
    assert_eq!(code(&t), 0, "{}", text(&t.stderr));
    assert!(text(&t.stdout).contains("0 failed"));
}

#[test]
fn a_rescan_from_the_sbom_finds_the_same_vulnerabilities() {
    let img = image("bookworm-app");
    let direct = json(&scan(&["-f", "json", "--scanners", "vuln"], &img));
    for format in ["cyclonedx", "spdx", "json"] {
        let sbom = work().join(format!("app.{format}.json"));
        let out = run(&[
            "sbom",
            "-f",
            format,
            "-o",
            sbom.to_str().expect("utf-8"),
            &img,
        ]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let again = scan(
            &["-f", "json", "--scanners", "vuln"],
            &format!("sbom:{}", sbom.display()),
        );
        assert_eq!(code(&again), 0, "{}", text(&again.stderr));
        assert_eq!(ids(&json(&again)), ids(&direct), "rescan from {format}");
    }
}

#[test]
fn every_format_is_written_and_parses() {
    let img = image("bookworm-app");
    let sarif: Value = serde_json::from_slice(&scan(&["-f", "sarif"], &img).stdout).expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    let cdx: Value =
        serde_json::from_slice(&scan(&["-f", "cyclonedx"], &img).stdout).expect("cyclonedx");
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    assert!(
        cdx["vulnerabilities"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );
    let junit = text(&scan(&["-f", "junit"], &img).stdout);
    assert!(
        junit.starts_with("<?xml") && junit.contains("<testsuites"),
        "{junit}"
    );
    assert!(junit.contains("CVE-2021-25900") || junit.contains("RUSTSEC-2021-0003"));
    let table = text(&scan(&[], &img).stdout);
    assert!(table.contains("/opt/rustapp/Cargo.lock"), "{table}");
    let tpl = work().join("count.jinja");
    std::fs::write(
        &tpl,
        "{{ findings | length }} findings in {{ result.inventory.source.reference }}\n",
    )
    .expect("write");
    let out = scan(&["--template", tpl.to_str().expect("utf-8")], &img);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let n = json(&scan(&["-f", "json"], &img))["findings"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(text(&out.stdout).starts_with(&format!("{n} findings in ")));
}

#[test]
fn without_a_database_the_scan_warns_unless_the_gate_needs_one() {
    let img = image("bookworm-nonroot");
    let missing = work().join("no/such.db");
    let m = missing.to_str().expect("utf-8");
    let out = run(&["scan", "--db", m, "-f", "json", &img]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("vulnerabilities not scanned"));
    let r = json(&out);
    assert!(r.get("db").is_none());
    assert!(
        r["inventory"]["packages"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );

    let out = run(&["scan", "--db", m, "--fail-on", "HIGH", "-f", "json", &img]);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty(), "no report on error");
    assert!(text(&out.stderr).contains("no vulnerability database"));
    assert!(!missing.exists(), "nothing created");
}

#[test]
fn stale_vulnerability_data_is_named_with_its_age() {
    let img = image("bookworm-nonroot");
    let stale = work().join("stale/bosun.db");
    std::fs::create_dir_all(stale.parent().expect("parent")).expect("mkdir");
    std::fs::copy(db(), &stale).expect("copy db");
    let conn = rusqlite::Connection::open(&stale).expect("open copy");
    let n = conn
        .execute(
            "UPDATE sources SET imported_at = '2026-01-01T00:00:00Z' WHERE name = (SELECT min(name) FROM sources)",
            [],
        )
        .expect("age one source");
    assert_eq!(n, 1);
    let name: String = conn
        .query_row(
            "SELECT name FROM sources WHERE imported_at = '2026-01-01T00:00:00Z'",
            [],
            |r| r.get(0),
        )
        .expect("its name");
    drop(conn);
    let s = stale.to_str().expect("utf-8");

    let out = run(&["scan", "--db", s, "-f", "json", &img]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let warned: Vec<&str> = err.lines().filter(|l| l.contains("days old")).collect();
    assert_eq!(warned.len(), 1, "only the aged source warns: {err}");
    assert!(warned[0].contains(&format!("from {name} is ")), "{err}");

    // A limit above its age silences it.
    let out = run(&[
        "scan",
        "--db",
        s,
        "--db-max-age-days",
        "100000",
        "-f",
        "json",
        &img,
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("days old"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_input_is_exit_2_naming_the_file_and_writes_no_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let r = report.to_str().expect("utf-8");

    let out = scan(
        &["-f", "json", "-o", r],
        "docker-archive:/no/such/image.tar",
    );
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("/no/such/image.tar"),
        "{}",
        text(&out.stderr)
    );
    assert!(!report.exists());

    let bad_policy = dir.path().join("bad.yaml");
    std::fs::write(&bad_policy, "version: 1\nimage:\n  non_rot: true\n").expect("write");
    let out = scan(
        &[
            "-f",
            "json",
            "-o",
            r,
            "--policy",
            bad_policy.to_str().expect("utf-8"),
        ],
        &image("bookworm-nonroot"),
    );
    assert_eq!(code(&out), 2);
    let err = text(&out.stderr);
    assert!(err.contains("bad.yaml") && err.contains("non_rot"), "{err}");
    assert!(!report.exists());

    let bad_ignore = dir.path().join(".bosunignore");
    std::fs::write(&bad_ignore, "ignore:\n  - reason: no selector\n").expect("write");
    let out = scan(
        &[
            "-f",
            "json",
            "--ignore-file",
            bad_ignore.to_str().expect("utf-8"),
        ],
        &image("bookworm-nonroot"),
    );
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains(".bosunignore"),
        "{}",
        text(&out.stderr)
    );

    let out = scan(&["--severity", "SEVERE"], &image("bookworm-nonroot"));
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("SEVERE"));

    let truncated = dir.path().join("truncated.tar");
    let whole = std::fs::read(
        image("bookworm-nonroot")
            .strip_prefix("docker-archive:")
            .expect("prefix"),
    )
    .expect("read image");
    std::fs::write(&truncated, &whole[..whole.len() / 2]).expect("write");
    let out = scan(
        &["-f", "json", "-o", r, "--no-cache"],
        &format!("docker-archive:{}", truncated.display()),
    );
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    assert!(!report.exists());
}

#[test]
fn db_status_reports_the_imported_sources() {
    let db = db().display().to_string();
    let out = run(&["db", "--db", &db, "status", "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let st = json(&out);
    let names: Vec<&str> = st["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["meta"]["name"].as_str().or(s["name"].as_str()))
        .collect();
    assert!(names.iter().any(|n| n.contains("PyPI")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("crates.io")), "{names:?}");
}
