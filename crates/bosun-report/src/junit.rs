//! JUnit XML for Jenkins and other CI servers: one test suite per target,
//! one test case per finding; a counted finding is a failure, a suppressed
//! one is skipped with its reason.

use std::collections::BTreeMap;
use std::fmt::Write;

use bosun_model::{Finding, ScanResult};

use crate::findings::target_of;

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

pub fn junit(result: &ScanResult) -> String {
    let inv = &result.inventory;
    let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &result.findings {
        groups.entry(target_of(f, inv)).or_default().push(f);
    }
    let total = result.findings.len();
    let skipped = result
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let name = inv.source.name.as_deref().unwrap_or(&inv.source.reference);
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<testsuites name="bosun {}" tests="{total}" failures="{}" skipped="{skipped}">"#,
        esc(name),
        total - skipped
    );
    if groups.is_empty() {
        let _ = writeln!(
            out,
            r#"  <testsuite name="{}" tests="0" failures="0" skipped="0"></testsuite>"#,
            esc(name)
        );
    }
    for (target, fs) in &groups {
        let sk = fs.iter().filter(|f| f.suppressed.is_some()).count();
        let _ = writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" skipped="{sk}">"#,
            esc(target),
            fs.len(),
            fs.len() - sk
        );
        for f in fs {
            let _ = writeln!(
                out,
                r#"    <testcase classname="{}" name="[{}] {}" time="0">"#,
                esc(&format!("{}-{}", f.package.name, f.package.version)),
                f.severity,
                esc(&f.id)
            );
            match &f.suppressed {
                Some(s) => {
                    let msg = match &s.reason {
                        Some(r) => format!("suppressed by {}: {r}", s.by),
                        None => format!("suppressed by {}", s.by),
                    };
                    let _ = writeln!(out, r#"      <skipped message="{}"/>"#, esc(&msg));
                }
                None => {
                    let title = f.title.as_deref().unwrap_or(&f.id);
                    let fixed = if f.fixed_versions.is_empty() {
                        "no fixed version yet".to_owned()
                    } else {
                        format!("fixed in {}", f.fixed_versions.join(", "))
                    };
                    let _ = writeln!(
                        out,
                        r#"      <failure message="{}" type="{}">{} {} in {} {} ({}); {fixed}; found in {}</failure>"#,
                        esc(title),
                        f.severity,
                        f.severity,
                        esc(&f.id),
                        esc(&f.package.name),
                        esc(&f.package.version),
                        f.package.ecosystem,
                        esc(&f.package.path)
                    );
                }
            }
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}
