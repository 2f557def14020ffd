//! The ignore file, VEX and the gate on the sample findings.

use bosun_gate::{GateOptions, IgnoreFile, Vex};
use bosun_model::{FixState, Severity};
use bosun_test::sample;

fn date(s: &str) -> jiff::civil::Date {
    s.parse().expect("date")
}

fn ids(findings: &[bosun_model::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.id.as_str()).collect()
}

#[test]
fn no_gate_options_means_no_gate() {
    let v = GateOptions::default().verdict(&sample::findings());
    assert!(!v.active);
    assert!(!v.tripped);
    assert_eq!(v.counted, 4);
}

#[test]
fn fail_on_severity_names_each_finding_that_tripped() {
    let g = GateOptions {
        fail_on: Some(Severity::High),
        ..GateOptions::default()
    };
    let v = g.verdict(&sample::findings());
    assert!(v.tripped);
    assert_eq!(v.exit_code, 1);
    assert_eq!(v.reasons.len(), 1, "{:?}", v.reasons);
    assert!(
        v.reasons[0].starts_with("CVE-2023-4911 in libc6"),
        "{}",
        v.reasons[0]
    );
    assert!(v.reasons[0].contains("fixed in 2.36-9+deb12u8"));
}

#[test]
fn min_cvss_uses_scores_and_falls_back_to_the_rating_without_a_vector() {
    let g = GateOptions {
        min_cvss: Some(7.6),
        exit_code: Some(3),
        ..GateOptions::default()
    };
    let v = g.verdict(&sample::findings());
    assert_eq!(v.exit_code, 3);
    assert_eq!(v.reasons.len(), 1, "{:?}", v.reasons); // 7.8 trips, 7.5 does not
    // 0.1 rates LOW: the unfixed LOW without a vector counts, NEGLIGIBLE does not.
    let g = GateOptions {
        min_cvss: Some(0.1),
        ..GateOptions::default()
    };
    let v = g.verdict(&sample::findings());
    assert_eq!(v.reasons.len(), 3, "{:?}", v.reasons);
    assert!(
        v.reasons
            .iter()
            .any(|r| r.contains("no CVSS vector, severity LOW >= LOW"))
    );
}

#[test]
fn filters_hide_findings_from_report_and_gate() {
    let g = GateOptions {
        ignore_unfixed: true,
        severities: vec![Severity::Medium, Severity::Low],
        exit_code: Some(1),
        ..GateOptions::default()
    };
    let shown = g.filter(sample::findings());
    assert_eq!(ids(&shown), vec!["CVE-2018-18074"]);
    assert!(shown.iter().all(|f| f.status == FixState::Fixed));
    let v = g.verdict(&sample::findings());
    assert_eq!(v.counted, 1);
    assert!(v.tripped);
}

#[test]
fn ignore_entries_match_ids_aliases_packages_and_paths_and_expire() {
    let text = "
ignore:
  - id: DSA-5514-1
    reason: ld.so tunables are disabled in our runtime
    expires: 2027-01-01
  - package: tzdata
    ecosystem: deb
  - path: /app/lib/**
    reason: vendored, replaced next sprint
    expires: 2026-01-01
";
    let file = IgnoreFile::parse(text, ".bosunignore").expect("parse");
    let mut findings = sample::findings();
    let warnings = file.apply(&mut findings, date("2026-11-23"));
    let suppressed: Vec<&str> = findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(suppressed, vec!["CVE-2023-4911", "CVE-2022-0002"]);
    let s = findings[0].suppressed.as_ref().expect("suppressed");
    assert_eq!(s.kind, "ignore-file");
    assert!(s.by.contains(".bosunignore entry 1"), "{}", s.by);
    assert_eq!(
        s.reason.as_deref(),
        Some("ld.so tunables are disabled in our runtime")
    );
    assert_eq!(s.expires.as_deref(), Some("2027-01-01"));
    // The path entry expired: it warns and the requests finding counts again.
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("entry 3") && warnings[0].contains("expired on 2026-01-01"));
    let v = GateOptions {
        exit_code: Some(1),
        ..GateOptions::default()
    }
    .verdict(&findings);
    assert_eq!((v.counted, v.suppressed), (2, 2));
}

#[test]
fn bad_ignore_files_are_errors_naming_the_entry() {
    for (text, needle) in [
        (
            "ignore:\n  - reason: nothing to match\n",
            "entry 1: needs at least one",
        ),
        (
            "ignore:\n  - id: CVE-1\n    expires: next week\n",
            "entry 1: `expires: next week`",
        ),
        ("ignore:\n  - id: CVE-1\n    reasn: typo\n", "reasn"),
        (
            "ignore:\n  - id: CVE-1\n    version: \"1.0\"\n",
            "need `package`",
        ),
        ("ignore: [", ".bosunignore"),
    ] {
        let err = IgnoreFile::parse(text, ".bosunignore")
            .expect_err(text)
            .to_string();
        assert!(err.contains(needle), "{text:?}: {err}");
    }
}

#[test]
fn vex_not_affected_and_fixed_statements_suppress_with_their_justification() {
    let inv = sample::inventory();
    let doc = r#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/app-1",
      "statements": [
        {"vulnerability": {"name": "CVE-2023-4911"},
         "products": [{"@id": "pkg:oci/app@sha256:aa",
                       "subcomponents": [{"@id": "pkg:deb/debian/libc6"}]}],
         "status": "not_affected",
         "justification": "vulnerable_code_not_in_execute_path"},
        {"vulnerability": {"name": "GHSA-x84v-xcm2-53pg"},
         "products": [{"@id": "pkg:pypi/requests@2.19.1"}],
         "status": "fixed"},
        {"vulnerability": {"name": "CVE-2024-0001"},
         "products": [{"@id": "pkg:deb/debian/libc6@9.9"}],
         "status": "not_affected"},
        {"vulnerability": "CVE-2022-0002",
         "products": ["pkg:deb/debian/tzdata"],
         "status": "affected"}
      ]
    }"#;
    let vex = Vex::parse(doc, "app.vex.json").expect("parse");
    assert_eq!(vex.len(), 4);
    let mut findings = sample::findings();
    vex.apply(&mut findings, &inv.source);
    let suppressed: Vec<(&str, &str)> = findings
        .iter()
        .filter_map(|f| {
            f.suppressed
                .as_ref()
                .map(|s| (f.id.as_str(), s.by.as_str()))
        })
        .collect();
    assert_eq!(suppressed.len(), 2, "{suppressed:?}");
    assert_eq!(suppressed[0].0, "CVE-2023-4911");
    assert!(suppressed[0].1.contains("statement 1 (not_affected)"));
    assert_eq!(
        findings[0]
            .suppressed
            .as_ref()
            .and_then(|s| s.reason.as_deref()),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert_eq!(suppressed[1].0, "CVE-2018-18074"); // matched through its alias
    // A statement for another image digest does not apply.
    let other = doc.replace("sha256:aa", "sha256:ff");
    let mut findings = sample::findings();
    Vex::parse(&other, "x")
        .expect("parse")
        .apply(&mut findings, &inv.source);
    assert!(findings[0].suppressed.is_none());
}

#[test]
fn bad_vex_documents_name_the_field() {
    let err = Vex::parse(
        r#"{"statements":[{"vulnerability":{"name":"X"},"status":"maybe"}]}"#,
        "v.json",
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("statement 1: unknown status `maybe`"), "{err}");
    let err = Vex::parse(r#"{"statements":[{"status":"fixed"}]}"#, "v.json")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("statements[0]"), "{err}");
}
