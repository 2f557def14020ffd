//! Debian: the security tracker's JSON (`/tracker/data/json`) and its DSA/DLA
//! list files (`data/DSA/list`, `data/DLA/list`).
//!
//! Tracker JSON, per source package, issue and release:
//! - `resolved` with `fixed_version` `0`: not affected, nothing stored;
//! - `resolved` with a version: affected below it ([`FixState::Fixed`]);
//! - `open`: affected, [`FixState::NotFixed`]; with `nodsa_reason: ignored` or
//!   urgency `end-of-life`, [`FixState::WontFix`] (`postponed` stays not fixed:
//!   the fix is planned for a point release);
//! - `undetermined`: affected, [`FixState::Unknown`];
//! - urgency → severity (`unimportant` negligible, `low`/`medium`/`high`,
//!   automatic `*`/`**` marks ignored, `not yet assigned` none).
//!
//! Lists: `[DD Mon YYYY] DSA-N-N pkg - text`, then `{CVE-... ...}`, then
//! `[release] - srcpkg version` lines (`<not-affected>` stores nothing,
//! `<unfixed>` is not fixed, `<end-of-life>` will not be fixed). One record
//! per CVE (the DSA/DLA is its related advisory); an advisory without CVEs is
//! stored under its own id.

use std::collections::BTreeMap;

use bosun_model::FixState;
use bosun_version::Scheme;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::Parsed;
use crate::VulnDbError;
use crate::model::{Advisory, AffectedRow, Rule, severity_word};
use crate::namespace;

const TRACKER: &str = "debian-tracker";

/// Whether JSON bytes look like the tracker dump: `{"pkg": {"CVE-...": ...`.
pub(crate) fn looks_like_tracker(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start();
    let Some(rest) = t.strip_prefix('{') else {
        return false;
    };
    // `"pkg"`, then `:` `{`, then the second-level key `"CVE-..."`.
    let parts: Vec<&str> = rest.splitn(5, '"').collect();
    let (Some(lead), Some(between), Some(key)) = (parts.first(), parts.get(2), parts.get(3)) else {
        return false;
    };
    let between: String = between.chars().filter(|c| !c.is_whitespace()).collect();
    if !lead.trim().is_empty() || between != ":{" {
        return false;
    }
    key.starts_with("CVE-") || key.starts_with("TEMP-")
}

#[derive(Deserialize)]
struct Issue {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: BTreeMap<String, Release>,
}

#[derive(Deserialize)]
struct Release {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

/// Parses the tracker JSON. Each issue entry is parsed on its own, so a bad
/// entry is skipped with its package and id named.
pub(crate) fn parse_tracker(file: &str, bytes: &[u8]) -> Result<Parsed, VulnDbError> {
    let top: BTreeMap<String, BTreeMap<String, Box<RawValue>>> = serde_json::from_slice(bytes)
        .map_err(|e| VulnDbError::Feed {
            file: file.into(),
            reason: format!("invalid Debian tracker JSON: {e}"),
        })?;
    let mut out = Parsed::default();
    out.sources.insert(TRACKER.to_owned());
    let mut by_id: BTreeMap<String, Advisory> = BTreeMap::new();
    for (pkg, issues) in &top {
        for (id, raw) in issues {
            let field = format!("{pkg}.{id}");
            let issue: Issue = match serde_json::from_str(raw.get()) {
                Ok(i) => i,
                Err(e) => {
                    out.skip(TRACKER, file, &field, format!("not a tracker issue: {e}"));
                    continue;
                }
            };
            let adv = by_id.entry(id.clone()).or_insert_with(|| Advisory {
                id: id.clone(),
                source: TRACKER.to_owned(),
                description: issue.description.clone(),
                ..Advisory::default()
            });
            for (rel, r) in &issue.releases {
                let rf = format!("{field}.releases.{rel}");
                let severity = r.urgency.as_deref().and_then(severity_word);
                let eol = r.urgency.as_deref() == Some("end-of-life");
                let (state, rule) = match r.status.as_deref() {
                    Some("resolved") => match r.fixed_version.as_deref().map(str::trim) {
                        Some("0") => continue,
                        Some(v) if !v.is_empty() => {
                            if let Err(e) = Scheme::Deb.parse(v) {
                                out.skip(
                                    TRACKER,
                                    file,
                                    &format!("{rf}.fixed_version"),
                                    e.to_string(),
                                );
                                continue;
                            }
                            (
                                FixState::Fixed,
                                Rule::Below {
                                    fixed: v.to_owned(),
                                },
                            )
                        }
                        _ => {
                            out.skip(
                                TRACKER,
                                file,
                                &format!("{rf}.fixed_version"),
                                "resolved without a fixed version",
                            );
                            continue;
                        }
                    },
                    Some("open") => {
                        let wont = eol || r.nodsa_reason.as_deref() == Some("ignored");
                        (
                            if wont {
                                FixState::WontFix
                            } else {
                                FixState::NotFixed
                            },
                            Rule::All,
                        )
                    }
                    Some("undetermined") => (FixState::Unknown, Rule::All),
                    other => {
                        out.skip(
                            TRACKER,
                            file,
                            &format!("{rf}.status"),
                            format!("unknown status {other:?}"),
                        );
                        continue;
                    }
                };
                adv.affected.push(AffectedRow {
                    namespace: namespace::debian_release(rel),
                    package: pkg.clone(),
                    state,
                    rule,
                    severity,
                });
            }
        }
    }
    out.advisories.extend(by_id.into_values());
    Ok(out)
}

/// Whether text bytes look like a DSA/DLA list (first non-blank line).
pub(crate) fn looks_like_list(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    head.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| parse_header(l).is_some())
}

struct Header<'a> {
    date: &'a str,
    id: &'a str,
    title: &'a str,
}

fn parse_header(line: &str) -> Option<Header<'_>> {
    let rest = line.strip_prefix('[')?;
    let (date, rest) = rest.split_once(']')?;
    let rest = rest.trim_start();
    let (id, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let valid = (id.starts_with("DSA-") || id.starts_with("DLA-") || id.starts_with("DTSA-"))
        && id.len() < 40
        && date.len() <= 11;
    valid.then_some(Header {
        date,
        id,
        title: title.trim(),
    })
}

fn iso_date(d: &str) -> Option<String> {
    let mut it = d.split_whitespace();
    let (day, mon, year) = (it.next()?, it.next()?, it.next()?);
    let m = match mon {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let day: u32 = day.parse().ok()?;
    let year: u32 = year.parse().ok()?;
    Some(format!("{year:04}-{m:02}-{day:02}T00:00:00Z"))
}

struct Entry {
    id: String,
    title: String,
    date: Option<String>,
    cves: Vec<String>,
    /// (release, package, state, rule, line)
    rows: Vec<(String, String, FixState, Rule)>,
}

/// Parses a DSA/DLA list; malformed lines are skipped with their line number.
pub(crate) fn parse_list(file: &str, bytes: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Parsed::default();
    let mut entries: Vec<Entry> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lineno = format!("line {}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('[') {
            match parse_header(line) {
                Some(h) => entries.push(Entry {
                    id: h.id.to_owned(),
                    title: h.title.to_owned(),
                    date: iso_date(h.date),
                    cves: Vec::new(),
                    rows: Vec::new(),
                }),
                None => {
                    out.skip(
                        "debian-dsa",
                        file,
                        &lineno,
                        "header is not `[DD Mon YYYY] DSA-N-N pkg - text`",
                    );
                }
            }
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            out.skip(
                "debian-dsa",
                file,
                &lineno,
                "line before the first advisory header",
            );
            continue;
        };
        let source = source_of(&entry.id);
        let t = line.trim();
        if let Some(ids) = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            entry.cves.extend(
                ids.split_whitespace()
                    .filter(|x| x.starts_with("CVE-"))
                    .map(str::to_owned),
            );
            continue;
        }
        if t.starts_with("NOTE:") {
            continue;
        }
        if let Some(rest) = t.strip_prefix('[') {
            let Some((rel, rest)) = rest.split_once(']') else {
                out.skip(source, file, &lineno, "release line without `]`");
                continue;
            };
            let rest = rest.trim_start();
            let Some(rest) = rest.strip_prefix('-') else {
                out.skip(
                    source,
                    file,
                    &lineno,
                    "release line without ` - package version`",
                );
                continue;
            };
            let mut words = rest.split_whitespace();
            let (Some(pkg), Some(ver)) = (words.next(), words.next()) else {
                out.skip(
                    source,
                    file,
                    &lineno,
                    "release line without package and version",
                );
                continue;
            };
            let (state, rule) = match ver {
                "<not-affected>" => continue,
                "<unfixed>" => (FixState::NotFixed, Rule::All),
                "<end-of-life>" => (FixState::WontFix, Rule::All),
                v if v.starts_with('<') => {
                    out.skip(source, file, &lineno, format!("unknown state `{v}`"));
                    continue;
                }
                v => match Scheme::Deb.parse(v) {
                    Ok(_) if v.starts_with(|c: char| c.is_ascii_digit()) => (
                        FixState::Fixed,
                        Rule::Below {
                            fixed: v.to_owned(),
                        },
                    ),
                    Ok(_) => {
                        out.skip(
                            source,
                            file,
                            &lineno,
                            format!("version `{v}` does not start with a digit"),
                        );
                        continue;
                    }
                    Err(e) => {
                        out.skip(source, file, &lineno, e.to_string());
                        continue;
                    }
                },
            };
            entry
                .rows
                .push((rel.trim().to_owned(), pkg.to_owned(), state, rule));
            continue;
        }
        out.skip(source, file, &lineno, "unrecognised line");
    }
    for e in entries {
        let source = source_of(&e.id);
        out.sources.insert(source.to_owned());
        if e.rows.is_empty() {
            continue;
        }
        let affected: Vec<AffectedRow> = e
            .rows
            .into_iter()
            .map(|(rel, pkg, state, rule)| AffectedRow {
                namespace: namespace::debian_release(&rel),
                package: pkg,
                state,
                rule,
                severity: None,
            })
            .collect();
        let base = Advisory {
            id: e.id.clone(),
            source: source.to_owned(),
            published: e.date.clone(),
            affected,
            ..Advisory::default()
        };
        if e.cves.is_empty() {
            let mut a = base;
            a.title = Some(e.title.clone()).filter(|t| !t.is_empty());
            out.advisories.push(a);
            continue;
        }
        for cve in e.cves {
            let mut a = base.clone();
            a.id = cve;
            a.related = vec![e.id.clone()];
            out.advisories.push(a);
        }
    }
    out
}

fn source_of(id: &str) -> &'static str {
    if id.starts_with("DLA-") {
        "debian-dla"
    } else {
        "debian-dsa"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "[12 Feb 2025] DSA-5865-1 webkit2gtk - security update
\t{CVE-2025-24143 CVE-2025-24150}
\t[bookworm] - webkit2gtk 2.46.6-1~deb12u1
\t[bullseye] - webkit2gtk <not-affected> (Vulnerable code not present)
[25 Oct 2016] DSA-3699-1 virtualbox - end of life
\t[jessie] - virtualbox <end-of-life>
\tNOTE: whatever
\tgarbage here
";

    #[test]
    fn list_entries() {
        assert!(looks_like_list(LIST.as_bytes()));
        let p = parse_list("DSA/list", LIST.as_bytes());
        let ids: Vec<_> = p.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2025-24143", "CVE-2025-24150", "DSA-3699-1"]);
        let a = &p.advisories[0];
        assert_eq!(a.related, ["DSA-5865-1"]);
        assert_eq!(a.affected.len(), 1, "not-affected stores nothing");
        assert_eq!(a.affected[0].namespace, "debian:bookworm");
        assert_eq!(
            a.affected[0].rule,
            Rule::Below {
                fixed: "2.46.6-1~deb12u1".into()
            }
        );
        assert_eq!(p.advisories[2].affected[0].state, FixState::WontFix);
        assert_eq!(p.skips.len(), 1);
        assert_eq!(p.skips[0].1.field, "line 8");
    }

    #[test]
    fn tracker_sniff_and_states() {
        let json = br#"{"zlib": {"CVE-2023-45853": {"description": "d", "releases": {
            "bookworm": {"status": "open", "urgency": "unimportant", "nodsa": "x", "nodsa_reason": "ignored"},
            "sid": {"status": "resolved", "fixed_version": "1:1.3.dfsg-1", "urgency": "low**"},
            "trixie": {"status": "resolved", "fixed_version": "0"},
            "bullseye": {"status": "open", "urgency": "medium"},
            "buster": {"status": "undetermined"}}},
          "CVE-2024-1": {"releases": 7}}}"#;
        assert!(looks_like_tracker(json));
        let p = parse_tracker("json", json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.skips.len(), 1, "{:?}", p.skips);
        let a = p
            .advisories
            .iter()
            .find(|a| a.id == "CVE-2023-45853")
            .expect("cve");
        let by: BTreeMap<_, _> = a
            .affected
            .iter()
            .map(|r| (r.namespace.as_str(), r))
            .collect();
        assert_eq!(by["debian:bookworm"].state, FixState::WontFix);
        assert_eq!(by["debian:bullseye"].state, FixState::NotFixed);
        assert_eq!(by["debian:buster"].state, FixState::Unknown);
        assert_eq!(by["debian:sid"].severity, Some(bosun_model::Severity::Low));
        assert!(!by.contains_key("debian:trixie"));
    }
}
