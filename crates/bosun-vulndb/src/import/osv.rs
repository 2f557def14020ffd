//! OSV records (JSON or YAML; single records, lists, `all.zip`).

use std::fs;
use std::io::Read;
use std::path::Path;

use bosun_model::FixState;
use bosun_version::osv::{Range, RangeType};
use serde_json::Value;

use super::{ImportOptions, Parsed};
use crate::VulnDbError;
use crate::model::{Advisory, AffectedRow, CvssRef, Rule, severity_word};
use crate::namespace;

/// Most `affected[]` entries, ranges per entry and versions per entry read
/// from one record.
const MAX_AFFECTED: usize = 10_000;
const MAX_RANGES: usize = 1_000;
const MAX_VERSIONS: usize = 100_000;
/// Most ids read from `aliases`, `upstream`, `related`, `references`.
const MAX_LIST: usize = 10_000;

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .take(MAX_LIST)
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The label of the publisher of an OSV record's CVSS vectors.
fn publisher(id: &str, record: &Value) -> &'static str {
    let src = record
        .get("database_specific")
        .and_then(|d| d.get("source"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if id.starts_with("GHSA-") || src.contains("github.com/github/advisory-database") {
        "ghsa"
    } else if id.starts_with("GO-") {
        "go"
    } else if id.starts_with("RUSTSEC-") {
        "rustsec"
    } else if id.starts_with("PYSEC-") {
        "pypa"
    } else if id.starts_with("USN-") || id.starts_with("UBUNTU-") {
        "ubuntu"
    } else if id.starts_with("DSA-") || id.starts_with("DLA-") || id.starts_with("DTSA-") {
        "debian"
    } else {
        "osv"
    }
}

/// Vendor advisories that cover several CVEs: expanded into one record per CVE.
fn is_vendor_advisory(id: &str) -> bool {
    id.starts_with("DSA-")
        || id.starts_with("DLA-")
        || id.starts_with("DTSA-")
        || id.starts_with("USN-")
}

fn cve_of(id: &str) -> Option<String> {
    if id.starts_with("CVE-") {
        Some(id.to_owned())
    } else {
        id.strip_prefix("UBUNTU-")
            .filter(|r| r.starts_with("CVE-"))
            .map(str::to_owned)
    }
}

/// Converts OSV records found in `file`.
pub(crate) fn parse_records(file: &str, records: Vec<Value>) -> Parsed {
    let mut out = Parsed::default();
    let multi = records.len() > 1;
    for (i, rec) in records.into_iter().enumerate() {
        let loc = if multi {
            format!("{file}[{i}]")
        } else {
            file.to_owned()
        };
        convert(&loc, &rec, &mut out);
    }
    out
}

fn convert(file: &str, rec: &Value, out: &mut Parsed) {
    let Some(id) = str_of(rec, "id").filter(|s| !s.is_empty() && s.len() < 256) else {
        out.skip("osv", file, "id", "missing or not a string");
        return;
    };
    let first_eco = rec
        .get("affected")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|a| a.get("package"))
        .and_then(|p| str_of(p, "ecosystem"))
        .map(|e| e.split(':').next().unwrap_or(e).to_owned());
    let source = match &first_eco {
        Some(e) => format!("osv:{e}"),
        None => "osv".to_owned(),
    };
    out.sources.insert(source.clone());
    if rec.get("withdrawn").is_some_and(|w| !w.is_null()) {
        out.skip(&source, file, "withdrawn", format!("{id} is withdrawn"));
        return;
    }
    let pubr = publisher(id, rec);
    let mut adv = Advisory {
        id: id.to_owned(),
        source: source.clone(),
        aliases: strings(rec, "aliases"),
        title: str_of(rec, "summary").map(str::to_owned),
        description: str_of(rec, "details").map(str::to_owned),
        published: str_of(rec, "published").map(str::to_owned),
        modified: str_of(rec, "modified").map(str::to_owned),
        ..Advisory::default()
    };
    let upstream = strings(rec, "upstream");
    for u in &upstream {
        if cve_of(id).is_some() && cve_of(u).is_some() && !adv.aliases.contains(u) {
            // UBUNTU-CVE-X upstream CVE-X: the same vulnerability.
            adv.aliases.push(u.clone());
        }
    }
    if let Some(refs) = rec.get("references").and_then(Value::as_array) {
        adv.references = refs
            .iter()
            .take(MAX_LIST)
            .filter_map(|r| str_of(r, "url").map(str::to_owned))
            .collect();
    }
    if let Some(sev) = rec.get("severity").and_then(Value::as_array) {
        for (k, s) in sev.iter().enumerate() {
            read_severity(
                file,
                &source,
                &format!("severity[{k}]"),
                s,
                pubr,
                &mut adv,
                out,
            );
        }
    }
    if let Some(word) = rec
        .get("database_specific")
        .and_then(|d| str_of(d, "severity"))
        .and_then(severity_word)
    {
        adv.severity = Some(word);
    }
    let Some(affected) = rec.get("affected").and_then(Value::as_array) else {
        // Records without affected packages still carry CVSS and text.
        out.advisories.push(adv);
        return;
    };
    if affected.len() > MAX_AFFECTED {
        out.skip(
            &source,
            file,
            "affected",
            format!("more than {MAX_AFFECTED} entries"),
        );
        return;
    }
    // Ubuntu writes per-CVE severities under `database_specific.cves_map`.
    for (k, a) in affected.iter().enumerate() {
        let field = format!("affected[{k}]");
        let Some(pkg) = a.get("package") else {
            out.skip(&source, file, &format!("{field}.package"), "missing");
            continue;
        };
        let (Some(eco), Some(name)) = (str_of(pkg, "ecosystem"), str_of(pkg, "name")) else {
            out.skip(
                &source,
                file,
                &format!("{field}.package"),
                "ecosystem or name missing",
            );
            continue;
        };
        let Some(ns) = namespace::from_osv_ecosystem(eco) else {
            out.skip(
                &source,
                file,
                &format!("{field}.package.ecosystem"),
                format!("unusable ecosystem `{eco}`"),
            );
            continue;
        };
        let mut ranges: Vec<Range> = Vec::new();
        if let Some(rs) = a.get("ranges").and_then(Value::as_array) {
            if rs.len() > MAX_RANGES {
                out.skip(
                    &source,
                    file,
                    &format!("{field}.ranges"),
                    format!("more than {MAX_RANGES} ranges"),
                );
                continue;
            }
            for (j, r) in rs.iter().enumerate() {
                let rf = format!("{field}.ranges[{j}]");
                match serde_json::from_value::<Range>(r.clone()) {
                    Ok(range) => match &range.range_type {
                        RangeType::Ecosystem | RangeType::Semver => ranges.push(range),
                        // Commit ranges need the repository; the versions list
                        // (or another range) carries the same facts.
                        RangeType::Git => {}
                        RangeType::Other(t) => {
                            out.skip(
                                &source,
                                file,
                                &format!("{rf}.type"),
                                format!("unknown range type `{t}` (not evaluated)"),
                            );
                        }
                    },
                    Err(e) => out.skip(&source, file, &rf, format!("not a range: {e}")),
                }
            }
        }
        let mut versions = strings(a, "versions");
        if versions.len() > MAX_VERSIONS {
            out.skip(
                &source,
                file,
                &format!("{field}.versions"),
                format!("more than {MAX_VERSIONS} versions"),
            );
            versions.truncate(MAX_VERSIONS);
        }
        if ranges.is_empty() && versions.is_empty() {
            out.skip(
                &source,
                file,
                &field,
                "no range or version bosun can evaluate",
            );
            continue;
        }
        prune_listed(&ns, &ranges, &mut versions);
        let mut row_sev = None;
        if let Some(s) = a.get("severity").and_then(Value::as_array) {
            for (k2, s) in s.iter().enumerate() {
                read_severity(
                    file,
                    &source,
                    &format!("{field}.severity[{k2}]"),
                    s,
                    pubr,
                    &mut adv,
                    out,
                );
            }
        }
        if let Some(cves) = a
            .get("database_specific")
            .and_then(|d| d.get("cves_map"))
            .and_then(|m| m.get("cves"))
            .and_then(Value::as_array)
        {
            for c in cves.iter().take(MAX_LIST) {
                if let Some(sev) = c.get("severity").and_then(Value::as_array) {
                    for s in sev {
                        if str_of(s, "type") == Some("Ubuntu") {
                            row_sev = row_sev.max(str_of(s, "score").and_then(severity_word));
                        }
                    }
                }
            }
        }
        adv.affected.push(AffectedRow {
            package: namespace::normalize_name(&ns, name),
            namespace: ns,
            state: FixState::Fixed,
            rule: Rule::Osv { ranges, versions },
            severity: row_sev,
        });
    }
    if is_vendor_advisory(id) {
        let mut cves: Vec<String> = adv
            .aliases
            .iter()
            .chain(upstream.iter())
            .filter_map(|a| cve_of(a))
            .collect();
        cves.sort();
        cves.dedup();
        if !cves.is_empty() {
            let vendor = adv.id.clone();
            for cve in cves {
                let mut one = adv.clone();
                one.id = cve;
                one.aliases = Vec::new();
                one.related = vec![vendor.clone()];
                out.advisories.push(one);
            }
            return;
        }
    }
    out.advisories.push(adv);
}

/// Drops the `versions` entries that the ranges already cover.
///
/// A record is affected at `v` when a range holds `v` or a listed version
/// equals `v`; a listed version that a range holds adds nothing (any `v`
/// equal to it is held by the same range). PyPI and GHSA records list every
/// affected release besides their ranges: dropping the covered ones saves
/// parsing them at every match and keeps the file small. Versions the ranges
/// do not cover (those from GIT ranges, or that do not parse) are kept.
fn prune_listed(ns: &str, ranges: &[Range], versions: &mut Vec<String>) {
    let Some(scheme) = crate::model::scheme_of(ns) else {
        return;
    };
    if ranges.is_empty() || versions.is_empty() {
        return;
    }
    // Only when every range compares in the namespace's own order (a SEMVER
    // range on, say, PyPI re-reads the version as SemVer, where two spellings
    // of one PyPI version may differ).
    let same_order = ranges.iter().all(|r| match r.range_type {
        RangeType::Ecosystem => true,
        RangeType::Semver => matches!(
            scheme,
            bosun_version::Scheme::Semver | bosun_version::Scheme::Go
        ),
        _ => false,
    });
    if !same_order {
        return;
    }
    let affected = bosun_version::osv::Affected {
        package: None,
        ranges: ranges.to_vec(),
        versions: Vec::new(),
    };
    versions.retain(|listed| match scheme.parse(listed) {
        Ok(v) => {
            bosun_version::osv::evaluate_version(&v, &affected).outcome
                != bosun_version::osv::Outcome::Affected
        }
        Err(_) => true,
    });
}

fn read_severity(
    file: &str,
    source: &str,
    field: &str,
    s: &Value,
    publisher: &str,
    adv: &mut Advisory,
    out: &mut Parsed,
) {
    let (Some(t), Some(score)) = (str_of(s, "type"), str_of(s, "score")) else {
        out.skip(source, file, field, "type or score missing");
        return;
    };
    match t {
        "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => match bosun_cvss::parse(score) {
            Ok(_) => {
                let r = CvssRef {
                    vector: score.to_owned(),
                    source: publisher.to_owned(),
                };
                if !adv.cvss.contains(&r) {
                    adv.cvss.push(r);
                }
            }
            Err(e) => out.skip(source, file, field, e.to_string()),
        },
        "Ubuntu" => {
            if let Some(w) = severity_word(score) {
                adv.severity = adv.severity.max(Some(w));
            }
        }
        _ => {}
    }
}

/// An OSV `all.zip`: every `.json` entry is a record.
pub(crate) fn parse_zip(
    path: &Path,
    display: &str,
    opts: &ImportOptions,
) -> Result<Parsed, VulnDbError> {
    let feed_err = |reason: String| VulnDbError::Feed {
        file: path.to_path_buf(),
        reason,
    };
    let len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if len > opts.max_file_bytes {
        return Err(VulnDbError::TooLarge {
            file: path.to_path_buf(),
            size: len,
            limit: opts.max_file_bytes,
        });
    }
    let f = fs::File::open(path).map_err(|e| VulnDbError::Io {
        path: path.to_path_buf(),
        op: "open zip",
        source: e,
    })?;
    let mut zip = zip::ZipArchive::new(f)
        .map_err(|e| feed_err(format!("not a readable zip archive: {e}")))?;
    if zip.len() > opts.max_files {
        return Err(feed_err(format!("more than {} entries", opts.max_files)));
    }
    let mut out = Parsed::default();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                // A broken central directory entry: the archive is damaged.
                return Err(feed_err(format!("entry {i}: {e}")));
            }
        };
        if !entry.is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let loc = format!("{display}!{name}");
        if !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        if entry.size() > opts.max_entry_bytes {
            out.skip(
                "osv",
                &loc,
                "(entry)",
                format!(
                    "{} bytes uncompressed, over the {} byte bound",
                    entry.size(),
                    opts.max_entry_bytes
                ),
            );
            continue;
        }
        let mut buf = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 20));
        match (&mut entry)
            .take(opts.max_entry_bytes + 1)
            .read_to_end(&mut buf)
        {
            Ok(_) if buf.len() as u64 > opts.max_entry_bytes => {
                out.skip("osv", &loc, "(entry)", "over the entry size bound");
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                return Err(feed_err(format!(
                    "entry {name}: {e} (truncated or corrupt archive)"
                )));
            }
        }
        total += buf.len() as u64;
        if total > 16 * opts.max_file_bytes {
            return Err(feed_err(
                "uncompressed content over 16x the file size bound".into(),
            ));
        }
        match serde_json::from_slice::<Value>(&buf) {
            Ok(v) => convert(&loc, &v, &mut out),
            Err(e) => out.skip("osv", &loc, "(entry)", format!("invalid JSON: {e}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_advisories_expand_per_cve() {
        let rec: Value = serde_json::json!({
            "id": "DLA-1-1", "upstream": ["CVE-2023-1", "CVE-2023-2"],
            "affected": [{"package": {"ecosystem": "Debian:11", "name": "linux"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.10-1"}]}]}]
        });
        let p = parse_records("f", vec![rec]);
        let ids: Vec<_> = p.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2023-1", "CVE-2023-2"]);
        assert_eq!(p.advisories[0].related, ["DLA-1-1"]);
        assert_eq!(p.advisories[0].affected[0].namespace, "debian:bullseye");
    }

    #[test]
    fn listed_versions_the_ranges_cover_are_dropped() {
        // PyPI: the ECOSYSTEM range covers 1.0 and 1.1; 0.9 came from a GIT
        // range and stays, as does a version that does not parse.
        let rec: Value = serde_json::json!({
            "id": "PYSEC-X", "affected": [{"package": {"ecosystem": "PyPI", "name": "foo"},
                "ranges": [
                    {"type": "GIT", "repo": "https://example.org/r", "events": [{"introduced": "0"}, {"fixed": "abc"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.2"}]}],
                "versions": ["0.9", "1.0", "1.1", "not a version!"]}]
        });
        let p = parse_records("f", vec![rec]);
        match &p.advisories[0].affected[0].rule {
            Rule::Osv { versions, .. } => assert_eq!(versions, &["0.9", "not a version!"]),
            other => panic!("{other:?}"),
        }
        // A SEMVER range on PyPI compares in another order: nothing is dropped.
        let rec: Value = serde_json::json!({
            "id": "PYSEC-Y", "affected": [{"package": {"ecosystem": "PyPI", "name": "foo"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.0"}]}],
                "versions": ["1.0", "1.1"]}]
        });
        let p = parse_records("f", vec![rec]);
        match &p.advisories[0].affected[0].rule {
            Rule::Osv { versions, .. } => assert_eq!(versions, &["1.0", "1.1"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_range_types_are_reported_not_guessed() {
        let rec: Value = serde_json::json!({
            "id": "X-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
                "ranges": [{"type": "WEIRD", "events": [{"introduced": "0"}]}]}]
        });
        let p = parse_records("f", vec![rec]);
        assert_eq!(p.skips.len(), 2, "{:?}", p.skips);
        assert!(p.skips[0].1.reason.contains("unknown range type `WEIRD`"));
        assert_eq!(p.skips[0].1.field, "affected[0].ranges[0].type");
        assert!(p.advisories[0].affected.is_empty());
    }
}
