//! rubysec advisory-db YAML (`gems/<gem>/<id>.yml`): `gem`, `cve`, `ghsa`,
//! `patched_versions` and `unaffected_versions` as RubyGems requirements. A
//! version is affected when it satisfies neither list.

use bosun_model::FixState;
use serde_json::Value;

use super::Parsed;
use crate::constraints::{self, parse_gem};
use crate::model::{Advisory, AffectedRow, CvssRef, Rule};

const SOURCE: &str = "rubysec";

fn reqs(
    file: &str,
    doc: &Value,
    key: &str,
    out: &mut Parsed,
) -> Result<Vec<Vec<crate::model::Constraint>>, ()> {
    let mut sets = Vec::new();
    let Some(list) = doc.get(key) else {
        return Ok(sets);
    };
    let Some(list) = list.as_array() else {
        out.skip(SOURCE, file, key, "not a list");
        return Err(());
    };
    for (i, r) in list.iter().enumerate() {
        let Some(text) = r.as_str() else {
            out.skip(SOURCE, file, &format!("{key}[{i}]"), "not a string");
            return Err(());
        };
        match parse_gem(text) {
            Ok(s) => sets.push(s),
            Err(e) => {
                out.skip(SOURCE, file, &format!("{key}[{i}]"), e.to_string());
                return Err(());
            }
        }
    }
    Ok(sets)
}

pub(crate) fn parse(file: &str, doc: Value) -> Parsed {
    let mut out = Parsed::default();
    out.sources.insert(SOURCE.to_owned());
    let s = |k: &str| doc.get(k).and_then(Value::as_str);
    // `cve: 2011-5036` may be read as a string; numbers never are ids.
    let scalar = |k: &str| match doc.get(k) {
        Some(Value::String(x)) => Some(x.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let Some(gem) = s("gem").filter(|g| !g.is_empty()) else {
        out.skip(SOURCE, file, "gem", "missing");
        return out;
    };
    let cve = scalar("cve").map(|c| format!("CVE-{}", c.trim_start_matches("CVE-")));
    let ghsa = scalar("ghsa").map(|g| format!("GHSA-{}", g.trim_start_matches("GHSA-")));
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = cve.clone().or(ghsa.clone()).unwrap_or(stem);
    let Ok(patched) = reqs(file, &doc, "patched_versions", &mut out) else {
        return out;
    };
    let Ok(unaffected) = reqs(file, &doc, "unaffected_versions", &mut out) else {
        return out;
    };
    let fixed = constraints::fixed_versions(&patched);
    let mut adv = Advisory {
        id: id.clone(),
        source: SOURCE.to_owned(),
        aliases: [cve, ghsa]
            .into_iter()
            .flatten()
            .filter(|a| *a != id)
            .collect(),
        title: s("title").map(str::to_owned),
        description: s("description").map(str::to_owned),
        published: scalar("date"),
        references: s("url").map(|u| vec![u.to_owned()]).unwrap_or_default(),
        ..Advisory::default()
    };
    for key in ["cvss_v4", "cvss_v3", "cvss_v2"] {
        if let Some(v) = s(key).filter(|v| v.starts_with("CVSS:") && bosun_cvss::parse(v).is_ok()) {
            adv.cvss.push(CvssRef {
                vector: v.to_owned(),
                source: SOURCE.to_owned(),
            });
        }
    }
    adv.affected.push(AffectedRow {
        namespace: "gem".to_owned(),
        package: gem.to_owned(),
        state: if fixed.is_empty() {
            FixState::NotFixed
        } else {
            FixState::Fixed
        },
        rule: Rule::Constraints {
            vulnerable: Vec::new(),
            patched,
            unaffected,
        },
        severity: None,
    });
    out.advisories.push(adv);
    out
}
