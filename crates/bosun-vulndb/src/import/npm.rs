//! Node.js security-wg npm advisories (legacy format, not OSV):
//! `module_name`, `vulnerable_versions` and `patched_versions` as node-semver
//! ranges. Stored as `NSWG-ECO-<id>` with the CVEs as aliases.

use bosun_model::FixState;
use serde_json::Value;

use super::Parsed;
use crate::constraints::{self, parse_npm};
use crate::model::{Advisory, AffectedRow, CvssRef, Rule, severity_word};
use crate::namespace;

const SOURCE: &str = "npm-security-wg";

pub(crate) fn parse_one(file: &str, doc: Value) -> Parsed {
    let mut out = Parsed::default();
    out.sources.insert(SOURCE.to_owned());
    convert(file, &doc, &mut out);
    out
}

pub(crate) fn parse_index(file: &str, doc: Value) -> Parsed {
    let mut out = Parsed::default();
    out.sources.insert(SOURCE.to_owned());
    if let Some(m) = doc.as_object() {
        for (k, v) in m {
            convert(&format!("{file}[{k}]"), v, &mut out);
        }
    }
    out
}

fn convert(file: &str, doc: &Value, out: &mut Parsed) {
    let s = |k: &str| doc.get(k).and_then(Value::as_str);
    let id = match doc.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.is_empty() && s.len() < 64 => s.clone(),
        _ => {
            out.skip(SOURCE, file, "id", "missing");
            return;
        }
    };
    let Some(module) = s("module_name").filter(|m| !m.is_empty()) else {
        out.skip(SOURCE, file, "module_name", "missing");
        return;
    };
    let Some(vuln) = s("vulnerable_versions") else {
        out.skip(SOURCE, file, "vulnerable_versions", "missing");
        return;
    };
    let vulnerable = match parse_npm(vuln) {
        Ok(v) => v,
        Err(e) => {
            out.skip(SOURCE, file, "vulnerable_versions", e.to_string());
            return;
        }
    };
    let patched = match s("patched_versions").map(str::trim) {
        None | Some("") | Some("<0.0.0") => Vec::new(),
        Some(p) => match parse_npm(p) {
            Ok(v) => v,
            Err(e) => {
                out.skip(SOURCE, file, "patched_versions", e.to_string());
                Vec::new()
            }
        },
    };
    let fixed = constraints::fixed_versions(&patched);
    let cves: Vec<String> = doc
        .get("cves")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut adv = Advisory {
        id: format!("NSWG-ECO-{id}"),
        source: SOURCE.to_owned(),
        aliases: cves,
        title: s("title").map(str::to_owned),
        description: s("overview").map(str::to_owned),
        severity: s("severity").and_then(severity_word),
        published: s("publish_date").or(s("created_at")).map(str::to_owned),
        modified: s("updated_at").map(str::to_owned),
        references: doc
            .get("references")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        ..Advisory::default()
    };
    if let Some(v) = s("cvss_vector").filter(|v| bosun_cvss::parse(v).is_ok()) {
        adv.cvss.push(CvssRef {
            vector: v.to_owned(),
            source: SOURCE.to_owned(),
        });
    }
    adv.affected.push(AffectedRow {
        namespace: "npm".to_owned(),
        package: namespace::normalize_name("npm", module),
        state: if fixed.is_empty() {
            FixState::NotFixed
        } else {
            FixState::Fixed
        },
        rule: Rule::Constraints {
            vulnerable,
            patched,
            unaffected: Vec::new(),
        },
        severity: None,
    });
    out.advisories.push(adv);
}
