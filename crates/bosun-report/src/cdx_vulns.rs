//! CycloneDX 1.6 with vulnerabilities: the SBOM bosun writes for the image,
//! plus one `vulnerabilities` entry per finding whose `affects` points at
//! the package's component. Suppressed findings carry an `analysis`: VEX
//! `not_affected` and `fixed` map to those states; an ignore-file entry is an
//! accepted risk (`exploitable`, response `will_not_fix`), with its reason.

use bosun_model::{Finding, ScanResult, Severity};
use bosun_sbom::DocumentOptions;
use bosun_sbom::cyclonedx::{self, package_ref};
use serde_json::{Value, json};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Negligible => "info",
        Severity::Unknown => "unknown",
    }
}

fn method(version: &str) -> &'static str {
    match version {
        "4.0" => "CVSSv4",
        "3.1" => "CVSSv31",
        "3.0" => "CVSSv3",
        "2.0" => "CVSSv2",
        _ => "other",
    }
}

fn vulnerability(result: &ScanResult, f: &Finding) -> Value {
    let pkg_ref = result
        .inventory
        .packages
        .iter()
        .find(|p| {
            p.purl == f.package.purl
                && p.found_in.path == f.package.path
                && p.version == f.package.version
        })
        .map(package_ref);
    let mut ratings: Vec<Value> = f
        .cvss
        .iter()
        .map(|c| {
            json!({
                "source": {"name": c.source},
                "score": c.base_score,
                "severity": severity(Severity::from_cvss_score(c.base_score)),
                "method": method(&c.version),
                "vector": c.vector,
            })
        })
        .collect();
    ratings.push(json!({
        "source": {"name": f.severity_source.clone().unwrap_or_else(|| "bosun".into())},
        "severity": severity(f.severity),
    }));
    let mut v = json!({
        "bom-ref": format!("vuln:{}:{}", f.id, pkg_ref.clone().unwrap_or_default()),
        "id": f.id,
        "source": {"name": f.matched.data_source},
        "references": f.aliases.iter().map(|a| json!({"id": a, "source": {"name": f.matched.data_source}})).collect::<Vec<_>>(),
        "ratings": ratings,
        "advisories": f.references.iter().map(|u| json!({"url": u})).collect::<Vec<_>>(),
        "affects": pkg_ref.map(|r| vec![json!({"ref": r, "versions": [{"version": f.package.version, "status": "affected"}]})]).unwrap_or_default(),
        "properties": [
            {"name": "bosun:match:matcher", "value": f.matched.matcher},
            {"name": "bosun:match:searched", "value": f.matched.searched},
            {"name": "bosun:match:reason", "value": f.matched.reason},
        ],
    });
    if let Some(t) = &f.title {
        v["description"] = json!(t);
    }
    if let Some(d) = &f.description {
        v["detail"] = json!(d);
    }
    if !f.fixed_versions.is_empty() {
        v["recommendation"] = json!(format!(
            "Upgrade {} to {}",
            f.package.name,
            f.fixed_versions.join(" or ")
        ));
    }
    if let Some(p) = &f.published {
        v["published"] = json!(p);
    }
    if let Some(m) = &f.modified {
        v["updated"] = json!(m);
    }
    if let Some(s) = &f.suppressed {
        let detail = match &s.reason {
            Some(r) => format!("{}: {r}", s.by),
            None => s.by.clone(),
        };
        let analysis = if s.kind == "vex" && s.by.contains("(fixed)") {
            json!({"state": "resolved", "detail": detail})
        } else if s.kind == "vex" {
            json!({"state": "not_affected", "detail": detail})
        } else {
            json!({"state": "exploitable", "response": ["will_not_fix"], "detail": detail})
        };
        v["analysis"] = analysis;
    }
    v
}

/// The image's CycloneDX 1.6 BOM with its vulnerabilities.
pub fn cyclonedx_with_vulnerabilities(result: &ScanResult, opts: &DocumentOptions) -> String {
    let mut bom = cyclonedx::from_inventory(&result.inventory, opts);
    bom.vulnerabilities = result
        .findings
        .iter()
        .map(|f| vulnerability(result, f))
        .collect();
    let mut s = serde_json::to_string_pretty(&bom).unwrap_or_default();
    s.push('\n');
    s
}
