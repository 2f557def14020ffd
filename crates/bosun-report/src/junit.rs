//! JUnit XML for Jenkins and other CI servers: one test suite per target,
//! one test case per finding; a counted finding is a failure, a suppressed
//! one is skipped with its reason. Then a suite `secrets` (one failing case
//! per secret), `compliance checks` (one failing case per failed check) and
//! `policy` (one failing case per violation, or one passing case "policy
//! allowed"), each only when that part of the scan ran. The counts of
//! `<testsuites>` are the sums of the suites'.

use std::collections::BTreeMap;
use std::fmt::Write;

use bosun_model::{CheckFinding, Finding, PolicyVerdict, ScanResult, SecretFinding};

use crate::findings::{secret_gone, secret_location, target_of};

/// Escapes text for XML attributes and content.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// One `<testsuite>`: its counts and its test cases, already written.
struct Suite {
    name: String,
    tests: usize,
    failures: usize,
    skipped: usize,
    body: String,
}

impl Suite {
    fn new(name: &str) -> Self {
        Suite {
            name: name.to_owned(),
            tests: 0,
            failures: 0,
            skipped: 0,
            body: String::new(),
        }
    }

    fn pass(&mut self, classname: &str, name: &str) {
        self.tests += 1;
        let _ = writeln!(
            self.body,
            r#"    <testcase classname="{}" name="{}" time="0"/>"#,
            esc(classname),
            esc(name)
        );
    }

    fn fail(&mut self, classname: &str, name: &str, message: &str, kind: &str, text: &str) {
        self.tests += 1;
        self.failures += 1;
        let _ = writeln!(
            self.body,
            r#"    <testcase classname="{}" name="{}" time="0">"#,
            esc(classname),
            esc(name)
        );
        let _ = writeln!(
            self.body,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            esc(message),
            esc(kind),
            esc(text)
        );
        let _ = writeln!(self.body, "    </testcase>");
    }

    fn skip(&mut self, classname: &str, name: &str, message: &str) {
        self.tests += 1;
        self.skipped += 1;
        let _ = writeln!(
            self.body,
            r#"    <testcase classname="{}" name="{}" time="0">"#,
            esc(classname),
            esc(name)
        );
        let _ = writeln!(self.body, r#"      <skipped message="{}"/>"#, esc(message));
        let _ = writeln!(self.body, "    </testcase>");
    }
}

fn vulnerability_suites(result: &ScanResult) -> Vec<Suite> {
    let inv = &result.inventory;
    let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &result.findings {
        groups.entry(target_of(f, inv)).or_default().push(f);
    }
    let mut suites = Vec::new();
    for (target, fs) in &groups {
        let mut suite = Suite::new(target);
        for f in fs {
            let classname = format!("{}-{}", f.package.name, f.package.version);
            let name = format!("[{}] {}", f.severity, f.id);
            match &f.suppressed {
                Some(s) => {
                    let msg = match &s.reason {
                        Some(r) => format!("suppressed by {}: {r}", s.by),
                        None => format!("suppressed by {}", s.by),
                    };
                    suite.skip(&classname, &name, &msg);
                }
                None => {
                    let title = f.title.as_deref().unwrap_or(&f.id);
                    let fixed = if f.fixed_versions.is_empty() {
                        "no fixed version yet".to_owned()
                    } else {
                        format!("fixed in {}", f.fixed_versions.join(", "))
                    };
                    let text = format!(
                        "{} {} in {} {} ({}); {fixed}; found in {}",
                        f.severity,
                        f.id,
                        f.package.name,
                        f.package.version,
                        f.package.ecosystem,
                        f.package.path
                    );
                    suite.fail(&classname, &name, title, f.severity.as_str(), &text);
                }
            }
        }
        suites.push(suite);
    }
    suites
}

/// One failing case per secret, named by rule and location; an empty list
/// (the scanner ran, found nothing) is one passing case.
fn secrets_suite(secrets: &[SecretFinding]) -> Suite {
    let mut suite = Suite::new("secrets");
    if secrets.is_empty() {
        suite.pass("secrets", "no secrets found");
    }
    for s in secrets {
        let location = secret_location(s);
        let mut text = format!(
            "{} {} (secret rule {}) in {location}",
            s.severity, s.title, s.rule_id
        );
        if let Some(l) = s.layer {
            text.push_str(&format!(", layer {l}"));
        }
        text.push_str(&format!(": {}", s.redacted));
        if s.with_certificate {
            text.push_str("; its certificate is in the same file");
        }
        if let Some(gone) = secret_gone(s) {
            text.push_str("; ");
            text.push_str(&gone);
        }
        suite.fail(
            &s.path,
            &format!("[{}] {} {location}", s.severity, s.rule_id),
            &s.title,
            s.severity.as_str(),
            &text,
        );
    }
    suite
}

/// One failing case per failed check, with its evidence; an empty list
/// (every check passed) is one passing case.
fn checks_suite(checks: &[CheckFinding]) -> Suite {
    let mut suite = Suite::new("compliance checks");
    if checks.is_empty() {
        suite.pass("compliance", "all checks passed");
    }
    for c in checks {
        let mut text = format!("{} {} {}", c.severity, c.id, c.title);
        if !c.cis.is_empty() {
            text.push_str(&format!(
                "\nCIS Docker Benchmark v1.6.0: {}",
                c.cis.join(", ")
            ));
        }
        if !c.nist.is_empty() {
            text.push_str(&format!("\nNIST SP 800-190: {}", c.nist.join(", ")));
        }
        for e in &c.evidence {
            match e.layer {
                Some(l) => text.push_str(&format!("\n{} (layer {l}): {}", e.location, e.detail)),
                None => text.push_str(&format!("\n{}: {}", e.location, e.detail)),
            }
        }
        if c.evidence_omitted > 0 {
            text.push_str(&format!("\n{} more", c.evidence_omitted));
        }
        text.push_str(&format!("\nFix: {}", c.remediation));
        suite.fail(
            "compliance",
            &format!("[{}] {} {}", c.severity, c.id, c.title),
            &c.title,
            c.severity.as_str(),
            &text,
        );
    }
    suite
}

/// One failing case per violation; an allowed image is one passing case
/// "policy allowed" (a denial without a listed reason is one failing case).
/// Warnings go to the suite's `system-out`.
fn policy_suite(v: &PolicyVerdict) -> Suite {
    let mut suite = Suite::new("policy");
    if v.allowed {
        suite.pass(&v.policy, "policy allowed");
    } else if v.violations.is_empty() {
        suite.fail(
            &v.policy,
            "policy denied",
            "policy denied",
            "policy",
            &format!("policy {} denies the image", v.policy),
        );
    }
    for x in &v.violations {
        suite.fail(
            &v.policy,
            &x.rule,
            &x.message,
            "policy",
            &format!(
                "policy {} denies the image: {}: {}",
                v.policy, x.rule, x.message
            ),
        );
    }
    if !v.warnings.is_empty() {
        let _ = writeln!(
            suite.body,
            "    <system-out>{}</system-out>",
            esc(&v
                .warnings
                .iter()
                .map(|w| format!("warning: {w}"))
                .collect::<Vec<_>>()
                .join("\n"))
        );
    }
    suite
}

/// The scan as JUnit XML: one suite per vulnerability target, then
/// `secrets`, `compliance checks` and `policy` when those ran.
pub fn junit(result: &ScanResult) -> String {
    let inv = &result.inventory;
    let mut suites = vulnerability_suites(result);
    if let Some(s) = &result.secrets {
        suites.push(secrets_suite(s));
    }
    if let Some(c) = &result.checks {
        suites.push(checks_suite(c));
    }
    if let Some(v) = &result.policy {
        suites.push(policy_suite(v));
    }
    let name = inv.source.name.as_deref().unwrap_or(&inv.source.reference);
    if suites.is_empty() {
        // At least one suite, so that CI shows the image was scanned.
        suites.push(Suite::new(name));
    }
    let tests: usize = suites.iter().map(|s| s.tests).sum();
    let failures: usize = suites.iter().map(|s| s.failures).sum();
    let skipped: usize = suites.iter().map(|s| s.skipped).sum();
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<testsuites name="bosun {}" tests="{tests}" failures="{failures}" skipped="{skipped}">"#,
        esc(name)
    );
    for s in &suites {
        let head = format!(
            r#"  <testsuite name="{}" tests="{}" failures="{}" skipped="{}">"#,
            esc(&s.name),
            s.tests,
            s.failures,
            s.skipped
        );
        if s.body.is_empty() {
            let _ = writeln!(out, "{head}</testsuite>");
        } else {
            let _ = writeln!(out, "{head}\n{}  </testsuite>", s.body);
        }
    }
    let _ = writeln!(out, "</testsuites>");
    out
}
