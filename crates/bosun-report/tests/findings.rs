//! Golden outputs of every findings format, on the sample scan (one finding
//! suppressed; secrets, one of them in a deleted file; failed checks; a
//! denied policy verdict), and validation against the published schemas.

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
        secrets: Some(bosun_test::sample::secrets()),
        checks: Some(bosun_test::sample::checks()),
        policy: Some(bosun_test::sample::verdict_denied()),
    }
}

#[test]
fn table_golden() {
    let r = sample();
    let text = findings_table(&r, &TableOptions::default());
    // Secrets: the deleted one says so, config and history ones show their location.
    assert!(
        text.contains("deleted in layer 2 — still in the image"),
        "{text}"
    );
    assert!(text.contains("/root/.aws/credentials:2"), "{text}");
    assert!(text.contains("config:Env[2]"), "{text}");
    assert!(text.contains("history[3]"), "{text}");
    // Checks: 4 evidence items + 2 omitted, 3 listed.
    assert!(text.contains("BOSUN-IMG-005"), "{text}");
    assert!(text.contains("3 more"), "{text}");
    assert!(!text.contains("/usr/bin/su (layer 1)"), "{text}");
    // Policy last, with every violation as `rule: message`.
    let policy = text.find("Policy bosun.yaml: DENIED").expect("policy line");
    for v in &r.policy.as_ref().expect("verdict").violations {
        let line = format!("  {}: {}", v.rule, v.message);
        assert!(text[policy..].contains(&line), "{line} missing:\n{text}");
    }
    assert!(text[policy..].contains("warning: base image is older than 90 days"));
    insta::assert_snapshot!(text);
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
    // 4 vulnerabilities, 4 secrets, 8 evidence items of 4 checks, 3 violations.
    assert_eq!(results.len(), 4 + 4 + 8 + 3);
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
    assert_eq!(rules.len(), 4 + 4 + 4 + 3);
    assert_eq!(rules[0]["properties"]["security-severity"], "7.8");
    // Every result points at its rule.
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"], "{r}");
    }
    // Secret and check rules carry a security-severity from their severity.
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        if id.starts_with("secret/") || id.starts_with("BOSUN-IMG-") {
            let score: f64 = rule["properties"]["security-severity"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{id} has no security-severity"));
            assert!((0.1..=10.0).contains(&score), "{id}: {score}");
        }
    }
    let by_rule = |id: &str| -> Vec<&serde_json::Value> {
        results.iter().filter(|r| r["ruleId"] == id).collect()
    };
    // A secret in a file: at its file, line and column, layer and deletion in properties.
    let aws = by_rule("secret/aws-access-key-id");
    assert_eq!(aws.len(), 1);
    let loc = &aws[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "root/.aws/credentials");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 21);
    assert_eq!(aws[0]["properties"]["layer"], 1);
    assert_eq!(aws[0]["properties"]["deleted"], true);
    assert_eq!(aws[0]["properties"]["deletedIn"], 2);
    assert!(
        aws[0]["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("still in the image"))
    );
    // A secret in the config: at the image, with the entry as logical location.
    let env = by_rule("secret/generic-password-assignment");
    assert_eq!(
        env[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "config:Env[2]"
    );
    assert_eq!(
        env[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app.tar"
    );
    // One result per evidence item of a check.
    let setuid = by_rule("BOSUN-IMG-005");
    assert_eq!(setuid.len(), 4);
    assert_eq!(setuid[0]["properties"]["evidenceOmitted"], 2);
    assert_eq!(
        setuid[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/bin/su"
    );
    // Policy violations are errors at the image.
    let policy: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| {
            r["ruleId"]
                .as_str()
                .is_some_and(|id| id.starts_with("policy/"))
        })
        .collect();
    assert_eq!(policy.len(), 3);
    for r in &policy {
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "app.tar"
        );
    }
    assert_eq!(doc["runs"][0]["properties"]["policy"]["allowed"], false);
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
    // 4 vulnerabilities (1 suppressed), 4 secrets, 4 checks, 3 violations.
    assert_eq!(root.attribute("tests"), Some("15"));
    assert_eq!(root.attribute("failures"), Some("14"));
    assert_eq!(root.attribute("skipped"), Some("1"));
    assert_junit_counts_add_up(&doc);
    let suite = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("no suite {name}"))
    };
    assert_eq!(suite("secrets").attribute("failures"), Some("4"));
    assert_eq!(suite("compliance checks").attribute("failures"), Some("4"));
    assert_eq!(suite("policy").attribute("failures"), Some("3"));
    assert!(text.contains("deleted in layer 2 — still in the image"));
    insta::assert_snapshot!(text);
}

#[test]
fn the_markdown_template_renders() {
    let path = bosun_test::repo_root().join("docs/templates/markdown.md.jinja");
    let src = std::fs::read_to_string(&path).expect("template");
    let out = bosun_report::render_template("markdown.md.jinja", &src, &sample()).expect("render");
    assert!(out.contains("| HIGH | CVE-2023-4911 | libc6 |"), "{out}");
    assert!(out.contains("1 suppressed:"), "{out}");
    assert!(out.contains("### Secrets (4)"), "{out}");
    assert!(
        out.contains("deleted in layer 2, still in the image"),
        "{out}"
    );
    assert!(out.contains("### Compliance checks: 4 failed"), "{out}");
    assert!(out.contains("<br>3 more |"), "{out}");
    assert!(out.contains("### Policy `bosun.yaml`: **denied**"), "{out}");
    assert!(out.contains("- `registry.trusted`: image"), "{out}");
    // A `|` in a history line does not split the Markdown table row.
    assert!(out.contains("`\\|1 GH_TOKEN=ghp_"), "{out}");
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

/// Every `<testsuite>`'s counts match its test cases, and `<testsuites>`
/// holds the sums.
fn assert_junit_counts_add_up(doc: &roxmltree::Document) {
    let count = |n: roxmltree::Node, a: &str| -> usize {
        n.attribute(a)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{a} missing"))
    };
    let mut sums = [0usize; 3];
    for s in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<roxmltree::Node> = s
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let with = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
                .count()
        };
        let got = [cases.len(), with("failure"), with("skipped")];
        let said = [count(s, "tests"), count(s, "failures"), count(s, "skipped")];
        assert_eq!(got, said, "suite {:?}", s.attribute("name"));
        for (sum, n) in sums.iter_mut().zip(got) {
            *sum += n;
        }
    }
    let root = doc.root_element();
    assert_eq!(
        sums,
        [
            count(root, "tests"),
            count(root, "failures"),
            count(root, "skipped")
        ]
    );
}

/// What did not run says so in one line; what ran and found nothing says
/// that; without a policy nothing is said about one.
#[test]
fn not_run_and_none_found_are_one_line_each() {
    let mut r = ScanResult::new(bosun_test::sample::inventory());
    let table = findings_table(&r, &TableOptions::default());
    assert!(table.contains(
        "\nVulnerabilities: not scanned (no vulnerability database; see `bosun db import` / `bosun db update`)\n"
    ));
    assert!(!table.contains("No vulnerabilities found."));
    assert!(table.contains("\nSecrets: not scanned\n"), "{table}");
    assert!(table.contains("\nCompliance checks: not run\n"), "{table}");
    assert!(!table.contains("Policy"), "{table}");
    let not_run = table;

    r.db = Some(bosun_model::DbInfo::default());
    r.secrets = Some(vec![]);
    r.checks = Some(vec![]);
    let table = findings_table(&r, &TableOptions::default());
    assert!(table.contains("\nNo vulnerabilities found.\n"), "{table}");
    assert!(table.contains("\nSecrets: none found\n"), "{table}");
    assert!(
        table.contains("\nCompliance checks: all passed\n"),
        "{table}"
    );
    insta::assert_snapshot!("table_not_run", not_run);
    insta::assert_snapshot!("table_none_found", table);

    // JUnit: a passing case for each scanner that ran and found nothing.
    let xml = junit(&r);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_junit_counts_add_up(&doc);
    assert_eq!(doc.root_element().attribute("tests"), Some("2"));
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
    assert!(xml.contains(r#"name="no secrets found""#), "{xml}");
    assert!(xml.contains(r#"name="all checks passed""#), "{xml}");

    // SARIF: no results, and the run says which scanners ran.
    let doc: serde_json::Value = serde_json::from_str(&sarif(&r)).expect("json");
    if let Err(e) = bosun_test::schema::validate_sarif_2_1_0(&doc) {
        panic!("invalid SARIF:\n{}", e.join("\n"));
    }
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        doc["runs"][0]["properties"]["scanned"],
        serde_json::json!({"vulnerabilities": true, "secrets": true, "checks": true})
    );

    let path = bosun_test::repo_root().join("docs/templates/markdown.md.jinja");
    let src = std::fs::read_to_string(&path).expect("template");
    let md = bosun_report::render_template("markdown.md.jinja", &src, &r).expect("render");
    assert!(md.contains("Secrets: none found."), "{md}");
    assert!(md.contains("Compliance checks: all passed."), "{md}");
    assert!(md.contains("No vulnerabilities found."), "{md}");
    r.db = None;
    r.secrets = None;
    r.checks = None;
    let md = bosun_report::render_template("markdown.md.jinja", &src, &r).expect("render");
    assert!(md.contains("Secrets: not scanned."), "{md}");
    assert!(md.contains("Compliance checks: not run."), "{md}");
    assert!(md.contains("Vulnerabilities: not scanned"), "{md}");
    assert!(!md.contains("Policy"), "{md}");
}

/// An allowed verdict: one passing JUnit case, no SARIF result, ALLOWED in
/// the table with its warning.
#[test]
fn an_allowed_policy() {
    let mut r = ScanResult::new(bosun_test::sample::inventory());
    r.policy = Some(bosun_test::sample::verdict_allowed());
    let table = findings_table(&r, &TableOptions::default());
    assert!(
        table.ends_with(
            "\nPolicy bosun.yaml: ALLOWED\n  warning: base image is older than 90 days\n"
        ),
        "{table}"
    );
    let xml = junit(&r);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_junit_counts_add_up(&doc);
    assert_eq!(doc.root_element().attribute("tests"), Some("1"));
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
    assert!(xml.contains(r#"name="policy allowed""#), "{xml}");
    assert!(xml.contains("<system-out>warning: base image is older than 90 days</system-out>"));
    let doc: serde_json::Value = serde_json::from_str(&sarif(&r)).expect("json");
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    assert_eq!(doc["runs"][0]["properties"]["policy"]["allowed"], true);
}

/// Whether `s` is made only of what RFC 3986 allows in a path (unreserved,
/// sub-delims, `:`, `@`, `/`, and `%` followed by two hex digits).
fn is_uri_path(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !(i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&c)) {
            return false;
        }
        i += 1;
    }
    true
}

/// Paths with spaces, brackets, `#`, `?` and `%` still make valid URIs in
/// SARIF (the schema validator does not check the `uri-reference` format,
/// so the test checks the characters itself).
#[test]
fn sarif_uris_of_odd_paths_are_escaped() {
    let mut r = sample();
    r.inventory.source.reference = "/tmp/my image [v1].tar".into();
    let secrets = r.secrets.as_mut().expect("secrets");
    secrets[0].path = "/srv/my app/[cfg] #1?.env".into();
    let checks = r.checks.as_mut().expect("checks");
    checks[1].evidence[0].location = "/opt/100% done".into();
    let text = sarif(&r);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    if let Err(e) = bosun_test::schema::validate_sarif_2_1_0(&doc) {
        panic!("invalid SARIF:\n{}", e.join("\n"));
    }
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert_eq!(uris.len(), 4 + 4 + 8 + 3);
    for u in &uris {
        assert!(is_uri_path(u), "{u} is not a URI reference");
    }
    assert!(
        uris.contains(&"srv/my%20app/%5Bcfg%5D%20%231%3F.env"),
        "{uris:?}"
    );
    assert!(uris.contains(&"opt/100%25%20done"), "{uris:?}");
    assert!(uris.contains(&"/tmp/my%20image%20%5Bv1%5D.tar"), "{uris:?}");
    assert!(!is_uri_path("a b[") && !is_uri_path("100%") && !is_uri_path("x#y"));
}
