//! Policy rules on the sample scan, the example policy's Rego tests, and
//! the proofs on the real test images: an app on the approved base
//! passes, an app on another base fails naming it, an old image fails with
//! its age.

use std::path::Path;

use bosun_model::{SCAN_RESULT_SCHEMA, ScanResult};
use bosun_policy::{Policy, run_tests};

fn now() -> jiff::Timestamp {
    "2026-11-23T12:00:00Z".parse().expect("time")
}

fn policy(text: &str) -> Policy {
    Policy::parse(text, "bosun.yaml", Path::new(".")).expect("policy")
}

fn sample() -> ScanResult {
    ScanResult {
        schema: SCAN_RESULT_SCHEMA.into(),
        inventory: bosun_test::sample::inventory(),
        findings: bosun_test::sample::findings(),
        db: None,
        secrets: None,
        checks: None,
        policy: None,
    }
}

fn rules(v: &bosun_policy::Verdict) -> Vec<&str> {
    v.violations.iter().map(|x| x.rule.as_str()).collect()
}

#[test]
fn every_built_in_rule_reports_its_reason() {
    let p = policy(
        "version: 1
registries:
  trusted: [registry.example.com]
packages:
  minimum:
    - {name: libc6, ecosystem: deb, version: 2.36-9+deb12u8}
    - {name: requests, version: 2.19.1}
  banned:
    - {name: tzdata, reason: not needed}
vulnerabilities:
  max_cvss: 7.6
  max_count: 1
image:
  non_root: true
  user: '1000'
  require_entrypoint: true
  required_labels: [org.opencontainers.image.source]
  require_healthcheck: true
  max_age_days: 30
",
    );
    let v = p.evaluate(&sample(), now()).expect("evaluate");
    assert!(!v.allowed);
    let msgs: Vec<String> = v
        .violations
        .iter()
        .map(|x| format!("{}: {}", x.rule, x.message))
        .collect();
    let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
    assert!(
        has("registry.trusted: image `docker.io/bosun-test/app:1` is not from a trusted registry"),
        "{msgs:#?}"
    );
    assert!(
        has("libc6 2.36-9+deb12u7 is older than the minimum 2.36-9+deb12u8"),
        "{msgs:#?}"
    );
    assert!(
        !has("requests 2.19.1 is older"),
        "equal is not older: {msgs:#?}"
    );
    assert!(has("banned package deb tzdata"), "{msgs:#?}");
    assert!(
        has(
            "CVE-2023-4911 in libc6 2.36-9+deb12u7 (/var/lib/dpkg/status), fixed in 2.36-9+deb12u8: CVSS 7.8 >= 7.6"
        ),
        "{msgs:#?}"
    );
    assert!(
        has("vulnerabilities.max-count: 4 vulnerabilities count, more than the 1 allowed"),
        "{msgs:#?}"
    );
    assert!(
        has("image.labels: image lacks the required label `org.opencontainers.image.source`"),
        "{msgs:#?}"
    );
    assert!(has("image.healthcheck"), "{msgs:#?}");
    assert!(
        has("image.max-age: image config has no `created` time"),
        "{msgs:#?}"
    );
    // USER 1000 is not root and matches.
    assert!(!rules(&v).contains(&"image.non-root") && !rules(&v).contains(&"image.user"));
}

#[test]
fn an_empty_policy_allows() {
    let v = policy("version: 1\n")
        .evaluate(&sample(), now())
        .expect("evaluate");
    assert!(v.allowed && v.violations.is_empty());
}

#[test]
fn policy_errors_point_at_the_line() {
    for (text, needle) in [
        ("version: 1\nimage:\n  non_rot: true\n", "line 3"),
        ("version: 1\nimage:\n  max_age_days: thirty\n", "line 3"),
        ("version: 2\n", "`version: 2` is not supported"),
        (
            "version: 1\nvulnerabilities:\n  fail_on_severity: SEVERE\n",
            "unknown severity `SEVERE`",
        ),
        (
            "version: 1\npackages:\n  banned:\n    - {name: x, ecosystem: cobol}\n",
            "packages.banned[0].ecosystem",
        ),
        (
            "version: 1\nregistries:\n  trusted: []\n",
            "every image would be denied",
        ),
        ("version: 1\nrego: [does-not-exist/]\n", "does-not-exist"),
    ] {
        let err = Policy::parse(text, "bosun.yaml", Path::new("."))
            .expect_err(text)
            .to_string();
        assert!(err.contains(needle), "{text:?}: {err}");
    }
}

#[test]
fn rego_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.rego"),
        "package bosun.x\n\ndeny contains msg if {\n  input.a >\n}\n",
    )
    .expect("write");
    let err = Policy::parse("version: 1\nrego: [.]\n", "bosun.yaml", dir.path())
        .expect_err("bad rego")
        .to_string();
    assert!(err.contains("bad.rego") && err.contains(":5:"), "{err}");
}

fn example_dir() -> std::path::PathBuf {
    bosun_test::repo_root().join("policies/example")
}

#[test]
fn the_example_policys_rego_tests_pass() {
    let results = run_tests(&[example_dir().join("rego")]).expect("load");
    assert!(results.len() >= 5, "{results:?}");
    let failed: Vec<_> = results.iter().filter(|t| !t.passed).collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn a_rego_test_that_should_fail_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("p_test.rego"),
        "package bosun.t\nimport rego.v1\ntest_true if { true }\ntest_false if { 1 == 2 }\n",
    )
    .expect("write");
    let results = run_tests(&[dir.path().to_path_buf()]).expect("load");
    let summary: Vec<(&str, bool)> = results
        .iter()
        .map(|t| (t.name.as_str(), t.passed))
        .collect();
    assert_eq!(summary, vec![("test_true", true), ("test_false", false)]);
}

#[test]
fn the_example_policy_runs_its_rego_over_the_scan() {
    let p = Policy::load(&example_dir().join("bosun.yaml")).expect("policy");
    let v = p.evaluate(&sample(), now()).expect("evaluate");
    let msgs: Vec<&str> = v.violations.iter().map(|x| x.message.as_str()).collect();
    assert!(
        v.violations.iter().any(|x| x.rule == "rego:bosun.images"
            && x.message.contains("org.opencontainers.image.source")),
        "{msgs:#?}"
    );
    // 7.5 and 7.8 CVSS fixable findings >= 4.0; the unfixed LOW does not count (fixable_only).
    assert_eq!(
        v.violations
            .iter()
            .filter(|x| x.rule == "vulnerabilities.threshold")
            .count(),
        2,
        "{msgs:#?}"
    );
}

// --- the real test images ---

fn scan(image: &str) -> ScanResult {
    let m = bosun_test::images::manifest();
    let path = m["images"][image]["exports"]["oci"]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no oci export of {image}"));
    let reference = format!("oci-dir:{}", bosun_test::repo_root().join(path).display());
    let mut opts = bosun_scan::ScanOptions::default();
    opts.open.limits.max_layer_bytes = 1 << 32;
    ScanResult {
        schema: SCAN_RESULT_SCHEMA.into(),
        inventory: bosun_scan::inventory(&reference, &opts).expect("scan"),
        findings: Vec::new(),
        db: None,
        secrets: None,
        checks: None,
        policy: None,
    }
}

fn approved_base_policy() -> Policy {
    let base = scan("bookworm-base");
    let diff_ids: Vec<String> = base
        .inventory
        .layers
        .iter()
        .filter_map(|l| l.diff_id.clone())
        .collect();
    let text = format!(
        "version: 1\nbase_images:\n  approved:\n    - name: debian-12-minbase\n      diff_ids: [{}]\nimage:\n  max_age_days: 30\n",
        diff_ids.join(", ")
    );
    policy(&text)
}

#[test]
fn an_app_on_the_approved_base_passes_and_one_on_another_base_fails_naming_it() {
    let p = approved_base_policy();
    let now = jiff::Timestamp::now();
    for good in ["bookworm-app", "bookworm-nonroot"] {
        let v = p.evaluate(&scan(good), now).expect("evaluate");
        assert!(
            !rules(&v).contains(&"base.approved"),
            "{good}: {:#?}",
            v.violations
        );
    }
    let v = p.evaluate(&scan("trixie-app"), now).expect("evaluate");
    let base = v
        .violations
        .iter()
        .find(|x| x.rule == "base.approved")
        .expect("trixie-app must fail the approved-base rule");
    assert!(
        base.message.contains("approved: debian-12-minbase"),
        "{}",
        base.message
    );
    assert!(
        base.message.contains("Debian GNU/Linux 13 (trixie)") || base.message.contains("trixie"),
        "{}",
        base.message
    );
    assert!(
        base.message.contains("base layer sha256:"),
        "{}",
        base.message
    );
}

#[test]
fn an_old_image_fails_with_its_age() {
    let p = approved_base_policy();
    let old = scan("old-image");
    let created = old
        .inventory
        .config
        .as_ref()
        .and_then(|c| c.created.clone())
        .expect("created");
    let now: jiff::Timestamp = "2026-11-23T00:00:00Z".parse().expect("now");
    let expected_days =
        (now.as_second() - created.parse::<jiff::Timestamp>().expect("ts").as_second()) / 86_400;
    let v = p.evaluate(&old, now).expect("evaluate");
    let age = v
        .violations
        .iter()
        .find(|x| x.rule == "image.max-age")
        .expect("old-image must fail the age rule");
    assert!(
        age.message
            .contains(&format!("image is {expected_days} days old")),
        "{}",
        age.message
    );
}
