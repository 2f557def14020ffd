//! NVD CVE API 2.0 JSON: CVSS vectors, description and references per CVE,
//! used to enrich findings. NVD's CPE configurations are never used to match
//! (CPE name collisions and distro backports make them false-positive prone).

use serde_json::Value;

use super::Parsed;
use crate::model::{Advisory, CvssRef};

const SOURCE: &str = "nvd";

pub(crate) fn parse(file: &str, doc: Value) -> Parsed {
    let mut out = Parsed::default();
    out.sources.insert(SOURCE.to_owned());
    let Some(list) = doc.get("vulnerabilities").and_then(Value::as_array) else {
        out.skip(SOURCE, file, "vulnerabilities", "not a list");
        return out;
    };
    for (i, item) in list.iter().enumerate() {
        let field = format!("vulnerabilities[{i}].cve");
        let Some(cve) = item.get("cve") else {
            out.skip(SOURCE, file, &field, "missing");
            continue;
        };
        let Some(id) = cve.get("id").and_then(Value::as_str) else {
            out.skip(SOURCE, file, &format!("{field}.id"), "missing");
            continue;
        };
        let description = cve
            .get("descriptions")
            .and_then(Value::as_array)
            .and_then(|d| {
                d.iter()
                    .find(|x| x.get("lang").and_then(Value::as_str) == Some("en"))
            })
            .and_then(|x| x.get("value"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut adv = Advisory {
            id: id.to_owned(),
            source: SOURCE.to_owned(),
            description,
            published: cve
                .get("published")
                .and_then(Value::as_str)
                .map(str::to_owned),
            modified: cve
                .get("lastModified")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ..Advisory::default()
        };
        if let Some(refs) = cve.get("references").and_then(Value::as_array) {
            adv.references = refs
                .iter()
                .take(10_000)
                .filter_map(|r| r.get("url").and_then(Value::as_str).map(str::to_owned))
                .collect();
        }
        if let Some(metrics) = cve.get("metrics").and_then(Value::as_object) {
            for (key, ms) in metrics {
                let Some(ms) = ms.as_array() else { continue };
                for (k, m) in ms.iter().enumerate() {
                    let mf = format!("{field}.metrics.{key}[{k}]");
                    let Some(vector) = m
                        .get("cvssData")
                        .and_then(|d| d.get("vectorString"))
                        .and_then(Value::as_str)
                    else {
                        out.skip(SOURCE, file, &mf, "no cvssData.vectorString");
                        continue;
                    };
                    if let Err(e) = bosun_cvss::parse(vector) {
                        out.skip(SOURCE, file, &mf, e.to_string());
                        continue;
                    }
                    let primary = m.get("type").and_then(Value::as_str) == Some("Primary");
                    let who = m.get("source").and_then(Value::as_str).unwrap_or("");
                    let source = if primary || who == "nvd@nist.gov" {
                        "nvd".to_owned()
                    } else {
                        format!("nvd-cna:{who}")
                    };
                    let r = CvssRef {
                        vector: vector.to_owned(),
                        source,
                    };
                    if !adv.cvss.contains(&r) {
                        adv.cvss.push(r);
                    }
                }
            }
        }
        out.advisories.push(adv);
    }
    out
}
