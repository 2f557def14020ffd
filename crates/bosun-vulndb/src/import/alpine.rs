//! Alpine, Wolfi and Chainguard secdb (`packages[].pkg.secfixes`: fixed
//! version → identifiers). Version `0` means "not affected" and stores
//! nothing. Names are origin (aports) package names.

use std::collections::BTreeMap;

use bosun_model::FixState;
use bosun_version::Scheme;
use serde_json::Value;

use super::Parsed;
use crate::model::{Advisory, AffectedRow, Rule};
use crate::namespace;

pub(crate) fn parse(file: &str, doc: Value) -> Parsed {
    let mut out = Parsed::default();
    let urlprefix = doc.get("urlprefix").and_then(Value::as_str).unwrap_or("");
    let reponame = doc.get("reponame").and_then(Value::as_str).unwrap_or("");
    let (source, ns) = if urlprefix.contains("wolfi") || reponame == "os" && urlprefix.is_empty() {
        ("wolfi-secdb", "wolfi:rolling".to_owned())
    } else if urlprefix.contains("cgr.dev")
        || urlprefix.contains("chainguard")
        || reponame == "chainguard"
    {
        ("chainguard-secdb", "chainguard:rolling".to_owned())
    } else {
        let Some(dv) = doc.get("distroversion").and_then(Value::as_str) else {
            out.skip("alpine-secdb", file, "distroversion", "missing");
            return out;
        };
        ("alpine-secdb", namespace::alpine_branch(dv))
    };
    out.sources.insert(source.to_owned());
    let packages = match doc.get("packages") {
        Some(Value::Array(a)) => a.as_slice(),
        // An empty repository is written `packages:` (null).
        None | Some(Value::Null) => &[],
        Some(_) => {
            out.skip(source, file, "packages", "not a list");
            return out;
        }
    };
    let mut by_id: BTreeMap<String, Advisory> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        let field = format!("packages[{i}].pkg");
        let Some(pkg) = p.get("pkg") else {
            out.skip(source, file, &field, "missing");
            continue;
        };
        let Some(name) = pkg.get("name").and_then(Value::as_str) else {
            out.skip(source, file, &format!("{field}.name"), "missing");
            continue;
        };
        let Some(fixes) = pkg.get("secfixes").and_then(Value::as_object) else {
            // Packages without secfixes are listed with `secfixes: {}` or nothing.
            continue;
        };
        for (ver, ids) in fixes {
            let vf = format!("{field}.secfixes.{ver}");
            let ver = ver.trim();
            if ver == "0" {
                continue;
            }
            if let Err(e) = Scheme::Apk.parse(ver) {
                out.skip(source, file, &vf, e.to_string());
                continue;
            }
            let ids = match ids {
                Value::Array(a) => a.as_slice(),
                Value::Null => &[],
                _ => {
                    out.skip(source, file, &vf, "not a list of identifiers");
                    continue;
                }
            };
            for id in ids.iter().filter_map(Value::as_str) {
                // `CVE-2019-1 CVE-2019-2`, `CVE-2018-1 (details)`: every token
                // that looks like an identifier.
                for tok in id.split_whitespace() {
                    let tok = tok.trim_matches(|c: char| c == ',' || c == '(' || c == ')');
                    let looks = tok.contains('-')
                        && tok.len() < 64
                        && tok.chars().next().is_some_and(|c| c.is_ascii_uppercase());
                    if !looks {
                        continue;
                    }
                    let adv = by_id.entry(tok.to_owned()).or_insert_with(|| Advisory {
                        id: tok.to_owned(),
                        source: source.to_owned(),
                        ..Advisory::default()
                    });
                    let row = AffectedRow {
                        namespace: ns.clone(),
                        package: name.to_owned(),
                        state: FixState::Fixed,
                        rule: Rule::Below {
                            fixed: ver.to_owned(),
                        },
                        severity: None,
                    };
                    if !adv.affected.contains(&row) {
                        adv.affected.push(row);
                    }
                }
            }
        }
    }
    out.advisories.extend(by_id.into_values());
    out
}
