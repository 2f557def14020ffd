//! Findings for people: one table per target, most severe first.

use std::collections::BTreeMap;
use std::fmt::Write;

use bosun_model::{
    CheckFinding, Ecosystem, Finding, FixState, Inventory, ScanResult, SecretFinding, SecretSource,
    Severity,
};

use crate::TableOptions;
use crate::inventory::{new_table, one_line, plural, short_digest};

/// What a group of findings is about: the OS packages, one lockfile or
/// binary, or the installed packages of one language.
pub fn target_of(f: &Finding, inv: &Inventory) -> String {
    let p = &f.package;
    if p.ecosystem.is_os() {
        return match &inv.distro {
            Some(d) => format!(
                "{} {} (OS packages)",
                d.id,
                d.version_id.as_deref().unwrap_or("")
            )
            .replace("  ", " "),
            None => format!("{} packages", p.ecosystem),
        };
    }
    let installed = match p.ecosystem {
        Ecosystem::Pypi => p.path.ends_with("/METADATA") || p.path.ends_with("PKG-INFO"),
        Ecosystem::Npm => p.path.contains("/node_modules/") && p.path.ends_with("/package.json"),
        Ecosystem::Gem => p.path.ends_with(".gemspec"),
        _ => false,
    };
    if installed {
        format!("{} packages (installed)", p.ecosystem)
    } else {
        p.path.clone()
    }
}

/// Orders findings for display: most severe first, then highest CVSS, id,
/// package.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                b.max_cvss()
                    .unwrap_or(-1.0)
                    .total_cmp(&a.max_cvss().unwrap_or(-1.0))
            })
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
    });
}

fn status_text(f: &Finding) -> &'static str {
    match f.status {
        FixState::Fixed => "fixed",
        FixState::NotFixed => "not fixed",
        FixState::WontFix => "will not fix",
        FixState::Unknown => "unknown",
    }
}

fn counts(findings: &[&Finding]) -> String {
    format!(
        "Total: {} ({})",
        findings.len(),
        severity_counts(findings.iter().map(|f| f.severity))
    )
}

/// The scan for a terminal: a header, then for every target a summary line
/// and a table of its findings (severity, CVSS, installed and fixed
/// versions, status, the layer that brought the package in); suppressed
/// findings are counted, not listed. Then the secrets (redacted, with the
/// layer, and whether a later layer deleted the file), the failed
/// compliance checks (with their CIS and NIST references and the first
/// evidence items), the scan's warnings, and last the policy verdict with
/// every violation. A scanner that did not run says so in one line; with no
/// policy, nothing is said about one.
pub fn findings_table(result: &ScanResult, opts: &TableOptions) -> String {
    let inv = &result.inventory;
    let mut out = String::new();
    let name = inv.source.name.as_deref().unwrap_or(&inv.source.reference);
    let _ = writeln!(out, "{} ({})", name, inv.source.kind);
    if let Some(d) = &inv.distro {
        let _ = writeln!(
            out,
            "OS: {}",
            d.pretty_name.clone().unwrap_or_else(|| format!(
                "{} {}",
                d.id,
                d.version_id.as_deref().unwrap_or("")
            ))
        );
    }
    let _ = writeln!(
        out,
        "{} in {}",
        plural(inv.packages.len(), "package"),
        plural(inv.layers.len(), "layer")
    );
    if let Some(db) = &result.db
        && let Some(u) = &db.updated
    {
        let _ = writeln!(out, "Vulnerability data updated {u}");
    }

    let shown: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let suppressed = result.findings.len() - shown.len();
    let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &shown {
        groups.entry(target_of(f, inv)).or_default().push(f);
    }
    if groups.is_empty() {
        if result.db.is_none() && result.findings.is_empty() {
            let _ = writeln!(
                out,
                "\nVulnerabilities: not scanned (no vulnerability database; see `bosun db import` / `bosun db update`)"
            );
        } else {
            let _ = writeln!(out, "\nNo vulnerabilities found.");
        }
    }
    let mut layers_used = std::collections::BTreeSet::new();
    for (target, fs) in &groups {
        let _ = writeln!(out, "\n{target}\n{}", counts(fs));
        let mut t = new_table(opts);
        t.set_header(vec![
            "Package",
            "ID",
            "Severity",
            "Installed",
            "Fixed",
            "Status",
            "Layer",
            "Title",
        ]);
        for f in fs {
            let sev = match f.max_cvss() {
                Some(s) => format!("{} ({s:.1})", f.severity),
                None => f.severity.to_string(),
            };
            if let Some(l) = f.package.layer {
                layers_used.insert(l);
            }
            t.add_row(vec![
                f.package.name.clone(),
                f.id.clone(),
                sev,
                f.package.version.clone(),
                f.fixed_versions.join(", "),
                status_text(f).to_owned(),
                f.package.layer.map(|l| l.to_string()).unwrap_or_default(),
                one_line(f.title.as_deref().unwrap_or(""), 60),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    if !layers_used.is_empty() {
        let _ = writeln!(out, "\nLayers that brought vulnerable packages:");
        for i in layers_used {
            if let Some(l) = inv.layers.get(i) {
                let _ = writeln!(
                    out,
                    "  {i}: {} {}",
                    short_digest(l.diff_id.as_deref()),
                    one_line(l.created_by.as_deref().unwrap_or("-"), 100)
                );
            }
        }
    }
    if suppressed > 0 {
        let _ = writeln!(
            out,
            "\n{} suppressed by ignore rules or VEX (listed with their reasons in --format json and sarif)",
            plural(suppressed, "finding")
        );
    }
    secrets_section(&mut out, result, opts);
    checks_section(&mut out, result, opts);
    if !inv.warnings.is_empty() {
        out.push('\n');
    }
    for w in &inv.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    policy_section(&mut out, result);
    out
}

/// How many evidence items of a failed check the table lists.
const EVIDENCE_SHOWN: usize = 3;

fn severity_counts(sevs: impl Iterator<Item = Severity>) -> String {
    let mut by: BTreeMap<Severity, usize> = BTreeMap::new();
    for s in sevs {
        *by.entry(s).or_default() += 1;
    }
    Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| by.get(s).map(|n| format!("{s}: {n}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a secret is, for people: `path:line` for files, the config or
/// history location as it is.
pub(crate) fn secret_location(s: &SecretFinding) -> String {
    match s.source {
        SecretSource::File => format!("{}:{}", s.path, s.line),
        _ => s.path.clone(),
    }
}

/// What a later layer did to a secret's file, when it is not in the final
/// filesystem: the secret is still in the image.
pub(crate) fn secret_gone(s: &SecretFinding) -> Option<String> {
    if !s.deleted {
        return None;
    }
    Some(match (s.deleted_in, s.replaced) {
        (Some(l), true) => format!("replaced in layer {l} — still in the image"),
        (Some(l), false) => format!("deleted in layer {l} — still in the image"),
        (None, _) => "not in the final filesystem — still in the image".to_owned(),
    })
}

fn secrets_section(out: &mut String, result: &ScanResult, opts: &TableOptions) {
    let Some(secrets) = &result.secrets else {
        let _ = writeln!(out, "\nSecrets: not scanned");
        return;
    };
    if secrets.is_empty() {
        let _ = writeln!(out, "\nSecrets: none found");
        return;
    }
    let mut shown: Vec<&SecretFinding> = secrets.iter().collect();
    shown.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.column.cmp(&b.column))
    });
    let _ = writeln!(
        out,
        "\nSecrets\nTotal: {} ({})",
        secrets.len(),
        severity_counts(secrets.iter().map(|s| s.severity))
    );
    let mut t = new_table(opts);
    t.set_header(vec!["Rule", "Severity", "Location", "Layer", "Match"]);
    fixed_width(&mut t, &[0, 1, 3]);
    for s in &shown {
        let mut layer = s.layer.map(|l| l.to_string()).unwrap_or_default();
        if s.deleted {
            let what = if s.replaced { "replaced" } else { "deleted" };
            layer = match s.deleted_in {
                Some(d) => format!("{layer} ({what} in {d})"),
                None => format!("{layer} ({what})"),
            };
        }
        let mut matched = one_line(&s.redacted, 80);
        if s.with_certificate {
            matched.push_str(" (with its certificate in the same file)");
        }
        t.add_row(vec![
            s.rule_id.clone(),
            s.severity.to_string(),
            secret_location(s),
            layer,
            matched,
        ]);
    }
    let _ = writeln!(out, "{t}");
    let deleted: Vec<&&SecretFinding> = shown.iter().filter(|s| s.deleted).collect();
    if !deleted.is_empty() {
        let _ = writeln!(
            out,
            "{} in files a later layer deleted or replaced (anyone with the image can read the layer that added them):",
            plural(deleted.len(), "secret")
        );
        for s in deleted {
            let _ = writeln!(
                out,
                "  {} ({}{}): {}",
                secret_location(s),
                s.rule_id,
                s.layer.map(|l| format!(", layer {l}")).unwrap_or_default(),
                secret_gone(s).unwrap_or_default()
            );
        }
    }
}

/// Keeps the given columns as wide as their content (short identifiers
/// that would be unreadable wrapped), letting the others wrap.
fn fixed_width(t: &mut comfy_table::Table, columns: &[usize]) {
    for &i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
}

fn checks_section(out: &mut String, result: &ScanResult, opts: &TableOptions) {
    let Some(checks) = &result.checks else {
        let _ = writeln!(out, "\nCompliance checks: not run");
        return;
    };
    if checks.is_empty() {
        let _ = writeln!(out, "\nCompliance checks: all passed");
        return;
    }
    let mut shown: Vec<&CheckFinding> = checks.iter().collect();
    shown.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    let _ = writeln!(
        out,
        "\nCompliance checks\nFailed: {} ({})",
        checks.len(),
        severity_counts(checks.iter().map(|c| c.severity))
    );
    let mut t = new_table(opts);
    t.set_header(vec!["ID", "Severity", "Title", "CIS", "NIST", "Evidence"]);
    fixed_width(&mut t, &[0, 1, 3, 4]);
    let or_dash = |v: &[String]| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.join(", ")
        }
    };
    for c in &shown {
        let mut lines: Vec<String> = c
            .evidence
            .iter()
            .take(EVIDENCE_SHOWN)
            .map(|e| {
                let at = match e.layer {
                    Some(l) => format!("{} (layer {l})", e.location),
                    None => e.location.clone(),
                };
                one_line(&format!("{at}: {}", e.detail), 160)
            })
            .collect();
        let more = c.evidence.len().saturating_sub(EVIDENCE_SHOWN) + c.evidence_omitted;
        if more > 0 {
            lines.push(format!("{more} more"));
        }
        t.add_row(vec![
            c.id.clone(),
            c.severity.to_string(),
            c.title.clone(),
            or_dash(&c.cis),
            or_dash(&c.nist),
            lines.join("\n"),
        ]);
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(
        out,
        "CIS: CIS Docker Benchmark v1.6.0, NIST: NIST SP 800-190; descriptions and fixes in --format json and sarif"
    );
}

fn policy_section(out: &mut String, result: &ScanResult) {
    let Some(v) = &result.policy else {
        return;
    };
    let _ = writeln!(
        out,
        "\nPolicy {}: {}",
        v.policy,
        if v.allowed { "ALLOWED" } else { "DENIED" }
    );
    for x in &v.violations {
        let _ = writeln!(out, "  {}: {}", x.rule, one_line(&x.message, 400));
    }
    for w in &v.warnings {
        let _ = writeln!(out, "  warning: {}", one_line(w, 400));
    }
}

/// bosun's JSON for a scan (schema `bosun.scan/v1`, docs/SCAN-JSON.md).
pub fn scan_json(result: &ScanResult) -> String {
    let mut s =
        serde_json::to_string_pretty(result).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
