//! SARIF 2.1.0, as GitHub code scanning ingests it: one rule per
//! vulnerability (with `security-severity` from the highest CVSS score),
//! one result per finding located at the file the package was found in,
//! and suppressed findings carrying a `suppressions` entry with who
//! suppressed them and why.

use std::collections::BTreeMap;

use bosun_model::{Finding, ScanResult, Severity};
use serde_json::{Value, json};

const INFO_URI: &str = "https://github.com/bosun-sec/bosun";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        _ => "note",
    }
}

fn rule(f: &Finding) -> Value {
    let title = f.title.clone().unwrap_or_else(|| f.id.clone());
    let mut help = format!(
        "Vulnerability {}\nSeverity: {}\nPackage: {}\nFixed version: {}",
        f.id,
        f.severity,
        f.package.name,
        if f.fixed_versions.is_empty() {
            "none yet".to_owned()
        } else {
            f.fixed_versions.join(", ")
        }
    );
    for r in &f.references {
        help.push_str(&format!("\n{r}"));
    }
    let mut props = json!({
        "tags": ["vulnerability", "security", f.severity.as_str()],
        "precision": "very-high",
    });
    if let Some(score) = f.max_cvss() {
        props["security-severity"] = json!(format!("{score:.1}"));
    }
    let mut r = json!({
        "id": f.id,
        "name": "ContainerPackageVulnerability",
        "shortDescription": {"text": title},
        "fullDescription": {"text": f.description.clone().unwrap_or_else(|| title.clone())},
        "defaultConfiguration": {"level": level(f.severity)},
        "help": {"text": help},
        "properties": props,
    });
    if let Some(uri) = f.references.first() {
        r["helpUri"] = json!(uri);
    }
    r
}

/// Writes a scan result as a SARIF 2.1.0 log.
pub fn sarif(result: &ScanResult) -> String {
    let inv = &result.inventory;
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut results = Vec::new();
    for f in &result.findings {
        let idx = *rule_index.entry(f.id.as_str()).or_insert_with(|| {
            rules.push(rule(f));
            rules.len() - 1
        });
        let layer = f.package.layer.and_then(|l| inv.layers.get(l));
        let mut text = format!(
            "{} {} in {} {} ({}), {}",
            f.severity,
            f.id,
            f.package.name,
            f.package.version,
            f.package.ecosystem,
            if f.fixed_versions.is_empty() {
                "no fixed version yet".to_owned()
            } else {
                format!("fixed in {}", f.fixed_versions.join(", "))
            }
        );
        if let Some(l) = layer {
            text.push_str(&format!(
                "; introduced by layer {}{}",
                l.index,
                l.created_by
                    .as_deref()
                    .map(|c| format!(": {}", c.trim()))
                    .unwrap_or_default()
            ));
        }
        let uri = f.package.path.trim_start_matches('/');
        let mut r = json!({
            "ruleId": f.id,
            "ruleIndex": idx,
            "level": level(f.severity),
            "message": {"text": text},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": if uri.is_empty() { "." } else { uri }, "uriBaseId": "ROOTPATH"},
                    "region": {"startLine": 1}
                },
                "message": {"text": f.package.purl}
            }],
            "partialFingerprints": {
                "bosun/v1": format!("{}|{}|{}|{}", f.id, f.package.purl, f.package.path, f.package.version)
            },
            "properties": {
                "package": f.package.name,
                "installedVersion": f.package.version,
                "fixedVersions": f.fixed_versions,
                "status": f.status,
                "aliases": f.aliases,
                "layer": f.package.layer,
                "layerDiffId": layer.and_then(|l| l.diff_id.clone()),
                "matched": f.matched,
            }
        });
        if let Some(s) = &f.suppressed {
            let mut justification = s.by.clone();
            if let Some(reason) = &s.reason {
                justification.push_str(": ");
                justification.push_str(reason);
            }
            r["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": justification,
            }]);
        }
        results.push(r);
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": "bosun",
            "version": inv.generator,
            "informationUri": INFO_URI,
            "rules": rules,
        }},
        "results": results,
        "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///"}},
        "properties": {
            "source": inv.source,
        }
    });
    if let Some(db) = &result.db {
        run["properties"]["vulnerabilityData"] = json!(db);
    }
    let log = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
