//! Golden outputs of every findings format, on the sample scan (one finding
//! suppressed), and validation against the published schemas.

use bosun_model::{SCAN_RESULT_SCHEMA, ScanResult, Suppression};
use bosun_report::{
    TableOptions, cyclonedx_with_vulnerabilities, findings_table, junit, sarif, scan_json,
};
use bosun_sbom::DocumentOptions;

fn sample() -> ScanResult {
    let mut findings = bosun_test::sample::findings();
    bosun_report::sort_findings(&mut findings);
    findings[3].suppressed = Some(Suppression {
        kind: "ignore-file".into(),
        by: ".bosunignore entry 2 (package tzdata)".into(),
        reason: Some("data only, no code".into()),
        expires: Some("2027-01-01".into()),
    });
    ScanResult {
        schema: SCAN_RESULT_SCHEMA.into(),
        inventory: bosun_test::sample::inventory(),
        findings,
        db: None,
        secrets: None,
        checks: None,
        policy: None,
    }
}

#[test]
fn table_golden() {
    insta::assert_snapshot!(findings_table(&sample(), &TableOptions::default()));
}

#[test]
fn json_golden_and_round_trip() {
    let r = sample();
    let text = scan_json(&r);
    let back: ScanResult = serde_json::from_str(&text).expect("parse back");
    assert_eq!(back, r);
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_validates_and_marks_suppressions() {
    let text = sarif(&sample());
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    if let Err(e) = bosun_test::schema::validate_sarif_2_1_0(&doc) {
        panic!("invalid SARIF:\n{}", e.join("\n"));
    }
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert!(
        suppressed[0]["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|j| j.contains("data only, no code"))
    );
    // One rule per vulnerability; security-severity only where a score exists.
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), 4);
    assert_eq!(rules[0]["properties"]["security-severity"], "7.8");
    insta::assert_snapshot!(text);
}

#[test]
fn cyclonedx_with_vulnerabilities_validates() {
    let opts = DocumentOptions {
        timestamp: Some("2026-11-23T00:00:00Z".into()),
        uuid: Some(uuid::Uuid::nil()),
    };
    let text = cyclonedx_with_vulnerabilities(&sample(), &opts);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    if let Err(e) = bosun_test::schema::validate_cyclonedx_1_6(&doc) {
        panic!("invalid CycloneDX:\n{}", e.join("\n"));
    }
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns.len(), 4);
    // Every vulnerability points at a component that exists.
    let refs: Vec<&str> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    for v in vulns {
        let r = v["affects"][0]["ref"].as_str().expect("affects");
        assert!(refs.contains(&r), "{r} not a component");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn junit_counts_failures_and_skips() {
    let text = junit(&sample());
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("3"));
    assert_eq!(root.attribute("skipped"), Some("1"));
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, 4);
    insta::assert_snapshot!(text);
}

#[test]
fn the_markdown_template_renders() {
    let path = bosun_test::repo_root().join("docs/templates/markdown.md.jinja");
    let src = std::fs::read_to_string(&path).expect("template");
    let out = bosun_report::render_template("markdown.md.jinja", &src, &sample()).expect("render");
    assert!(out.contains("| HIGH | CVE-2023-4911 | libc6 |"), "{out}");
    assert!(out.contains("1 suppressed:"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn template_errors_name_the_line() {
    let err = bosun_report::render_template("t.jinja", "ok\n{{ nope.missing }}", &sample())
        .expect_err("undefined");
    assert_eq!(err.line, Some(2), "{err}");
    let err = bosun_report::render_template("t.jinja", "{% for %}", &sample()).expect_err("syntax");
    assert!(
        err.to_string().starts_with("template t.jinja line 1"),
        "{err}"
    );
    let err = bosun_report::render_template(
        "t.jinja",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        &sample(),
    )
    .expect_err("fuel");
    assert!(err.to_string().contains("fuel"), "{err}");
}
