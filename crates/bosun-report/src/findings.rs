//! Findings for people: one table per target, most severe first.

use std::collections::BTreeMap;
use std::fmt::Write;

use bosun_model::{Ecosystem, Finding, FixState, Inventory, ScanResult, Severity};

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
    let mut by: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in findings {
        *by.entry(f.severity).or_default() += 1;
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| by.get(s).map(|n| format!("{s}: {n}")))
        .collect();
    format!("Total: {} ({})", findings.len(), parts.join(", "))
}

/// The scan for a terminal: a header, then for every target a summary line
/// and a table of its findings (severity, CVSS, installed and fixed
/// versions, status, the layer that brought the package in). Suppressed
/// findings are counted, not listed.
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
        let _ = writeln!(out, "\nNo vulnerabilities found.");
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
    for w in &inv.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// bosun's JSON for a scan (schema `bosun.scan/v1`, docs/SCAN-JSON.md).
pub fn scan_json(result: &ScanResult) -> String {
    let mut s =
        serde_json::to_string_pretty(result).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
