//! `checks.must_pass`: named checks (or `*`) that failed deny the image with
//! their first evidence; checks that did not run deny it too; unknown IDs
//! are refused when the policy is read.

use std::path::Path;

use bosun_model::{CheckEvidence, CheckFinding, ScanResult, Severity};
use bosun_policy::Policy;

fn policy(text: &str) -> Result<Policy, bosun_policy::PolicyError> {
    Policy::parse(text, "bosun.yaml", Path::new("."))
}

fn failed(id: &str) -> CheckFinding {
    CheckFinding {
        id: id.into(),
        title: "Image runs as root".into(),
        severity: Severity::High,
        cis: vec!["4.1".into()],
        nist: Vec::new(),
        description: String::new(),
        remediation: String::new(),
        evidence: vec![CheckEvidence {
            location: "config:User".into(),
            layer: None,
            detail: "USER is not set".into(),
        }],
        evidence_omitted: 0,
    }
}

fn result(checks: Option<Vec<CheckFinding>>) -> ScanResult {
    let mut r = ScanResult::new(bosun_test::sample::inventory());
    r.checks = checks;
    r
}

fn now() -> jiff::Timestamp {
    "2026-11-23T12:00:00Z".parse().expect("time")
}

#[test]
fn a_named_failed_check_denies_with_its_evidence() {
    let p = policy("version: 1\nchecks:\n  must_pass: [BOSUN-IMG-001]\n").expect("policy");
    let v = p
        .evaluate(
            &result(Some(vec![failed("BOSUN-IMG-001"), failed("BOSUN-IMG-002")])),
            now(),
        )
        .expect("evaluate");
    assert!(!v.allowed);
    assert_eq!(v.violations.len(), 1, "{v:#?}");
    assert_eq!(v.violations[0].rule, "checks.must-pass");
    assert!(v.violations[0].message.contains("BOSUN-IMG-001"));
    assert!(v.violations[0].message.contains("USER is not set"));

    let ok = p
        .evaluate(&result(Some(vec![failed("BOSUN-IMG-002")])), now())
        .expect("evaluate");
    assert!(ok.allowed, "{ok:#?}");
}

#[test]
fn star_means_every_check() {
    let p = policy("version: 1\nchecks:\n  must_pass: ['*']\n").expect("policy");
    let v = p
        .evaluate(
            &result(Some(vec![failed("BOSUN-IMG-001"), failed("BOSUN-IMG-002")])),
            now(),
        )
        .expect("evaluate");
    assert_eq!(v.violations.len(), 2);
    assert!(
        p.evaluate(&result(Some(Vec::new())), now())
            .expect("evaluate")
            .allowed
    );
}

#[test]
fn checks_that_did_not_run_deny() {
    let p = policy("version: 1\nchecks:\n  must_pass: [BOSUN-IMG-005]\n").expect("policy");
    assert!(p.needs_checks());
    let v = p.evaluate(&result(None), now()).expect("evaluate");
    assert!(!v.allowed);
    assert!(v.violations[0].message.contains("did not run"));
}

#[test]
fn unknown_check_ids_are_refused() {
    let err =
        policy("version: 1\nchecks:\n  must_pass: [BOSUN-IMG-999]\n").expect_err("unknown id");
    let msg = err.to_string();
    assert!(
        msg.contains("checks.must_pass[0]") && msg.contains("BOSUN-IMG-999"),
        "{msg}"
    );
}
