//! Evaluation of OSV `affected[]` entries: is a version affected, by which
//! range and event, and which fixed versions would apply.
//!
//! The rules are the OSV schema's (`IsVulnerable` in its "Evaluation"
//! section):
//! - a version is affected if it is listed in `versions` or lies in any range;
//! - in a range, events are sorted by version (`introduced: "0"` before
//!   everything, `limit: "*"` after everything; events with equal versions keep
//!   their order in the record) and walked in order: `introduced <= v` makes
//!   the version affected, `fixed <= v` or `last_affected < v` makes it
//!   unaffected again;
//! - if a range has `limit` events, only versions below at least one limit can
//!   be affected.
//!
//! `ECOSYSTEM` ranges use the ecosystem's [`Scheme`]; `SEMVER` ranges use
//! SemVer 2.0 (Go's reading of it for Go). Nothing is guessed: `GIT` and
//! unknown range types, ranges without an `introduced` event, malformed events
//! and event versions that do not parse are reported in
//! [`RangeVerdict::skipped`]; when nothing at all could be evaluated the
//! outcome is [`Outcome::Unsupported`].

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Scheme, Version, VersionError};

/// Most events read from one range; a longer range is skipped, not evaluated.
pub const MAX_EVENTS: usize = 10_000;

/// One `affected[]` entry of an OSV record (the fields evaluation needs;
/// others are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The package, when the record names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Affected ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// `affected[].package`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The OSV ecosystem, e.g. `Debian:12` or `PyPI`.
    #[serde(default)]
    pub ecosystem: String,
    /// The package name.
    #[serde(default)]
    pub name: String,
    /// The package URL, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// The range type.
    #[serde(rename = "type")]
    pub range_type: RangeType,
    /// The repository of a `GIT` range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in any order.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// `affected[].ranges[].type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum RangeType {
    /// `SEMVER`.
    Semver,
    /// `ECOSYSTEM`.
    Ecosystem,
    /// `GIT` (needs the repository's commit graph; never evaluated here).
    Git,
    /// Any other type, kept as written.
    Other(String),
}

impl From<String> for RangeType {
    fn from(s: String) -> Self {
        match s.as_str() {
            "SEMVER" => RangeType::Semver,
            "ECOSYSTEM" => RangeType::Ecosystem,
            "GIT" => RangeType::Git,
            _ => RangeType::Other(s),
        }
    }
}

impl From<RangeType> for String {
    fn from(t: RangeType) -> Self {
        t.to_string()
    }
}

impl fmt::Display for RangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RangeType::Semver => "SEMVER",
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Git => "GIT",
            RangeType::Other(s) => s,
        })
    }
}

/// `affected[].ranges[].events[]`: exactly one field should be set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The version that introduced the vulnerability (`"0"`: the beginning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// The first version with the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// The last affected version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// An upper limit on the range (`"*"`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// The kind of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `introduced`.
    Introduced,
    /// `fixed`.
    Fixed,
    /// `last_affected`.
    LastAffected,
    /// `limit`.
    Limit,
}

impl EventKind {
    fn name(self) -> &'static str {
        match self {
            EventKind::Introduced => "introduced",
            EventKind::Fixed => "fixed",
            EventKind::LastAffected => "last_affected",
            EventKind::Limit => "limit",
        }
    }
}

impl Event {
    /// The event's kind and version, or `None` unless exactly one field is set.
    pub fn kind(&self) -> Option<(EventKind, &str)> {
        let fields = [
            (EventKind::Introduced, &self.introduced),
            (EventKind::Fixed, &self.fixed),
            (EventKind::LastAffected, &self.last_affected),
            (EventKind::Limit, &self.limit),
        ];
        let mut set = fields
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)));
        let first = set.next()?;
        if set.next().is_some() {
            return None;
        }
        Some(first)
    }
}

/// What the evaluation concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The version is affected (see [`RangeVerdict::reason`]).
    Affected,
    /// No evaluated range or list includes the version.
    NotAffected,
    /// Nothing in the entry could be evaluated (see
    /// [`RangeVerdict::skipped`]); the answer is unknown.
    Unsupported,
}

/// The event that closes an affecting range above the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", content = "version", rename_all = "snake_case")]
pub enum Bound {
    /// `fixed`.
    Fixed(String),
    /// `last_affected`.
    LastAffected(String),
    /// `limit`.
    Limit(String),
}

/// Why a version is affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Reason {
    /// Listed in `versions` (as this string).
    Listed {
        /// The listed string that equals the version.
        version: String,
    },
    /// Inside a range.
    Range {
        /// Index of the range in `ranges`.
        range: usize,
        /// Its type.
        range_type: String,
        /// The `introduced` event that opened the interval.
        introduced: String,
        /// The event closing the interval above the version, if any.
        upper: Option<Bound>,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Listed { version } => write!(f, "listed in versions as {version}"),
            Reason::Range {
                range,
                range_type,
                introduced,
                upper,
            } => {
                write!(f, "range {range} ({range_type}): introduced {introduced}")?;
                match upper {
                    Some(Bound::Fixed(v)) => write!(f, ", fixed {v}"),
                    Some(Bound::LastAffected(v)) => write!(f, ", last_affected {v}"),
                    Some(Bound::Limit(v)) => write!(f, ", limit {v}"),
                    None => f.write_str(", no fix"),
                }
            }
        }
    }
}

/// Why a range was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum SkipReason {
    /// `GIT` or an unknown range type.
    UnsupportedType,
    /// The range has no `introduced` event.
    NoIntroduced,
    /// An event has no field or several fields set.
    MalformedEvent {
        /// Index of the event in `events`.
        event: usize,
    },
    /// An event's version does not parse under the range's scheme.
    InvalidVersion {
        /// The event kind.
        event: EventKind,
        /// The error.
        error: String,
    },
    /// The version being evaluated does not parse under this range's scheme.
    VersionNotParsable {
        /// The error.
        error: String,
    },
    /// More than [`MAX_EVENTS`] events.
    TooManyEvents,
}

/// A range that was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Index of the range in `ranges`.
    pub range: usize,
    /// Its type.
    pub range_type: String,
    /// Why.
    #[serde(flatten)]
    pub why: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "range {} ({}) not evaluated: ",
            self.range, self.range_type
        )?;
        match &self.why {
            SkipReason::UnsupportedType => f.write_str("unsupported range type"),
            SkipReason::NoIntroduced => f.write_str("no introduced event"),
            SkipReason::MalformedEvent { event } => {
                write!(f, "event {event} must have exactly one field")
            }
            SkipReason::InvalidVersion { event, error } => {
                write!(f, "{} event: {error}", event.name())
            }
            SkipReason::VersionNotParsable { error } => f.write_str(error),
            SkipReason::TooManyEvents => write!(f, "more than {MAX_EVENTS} events"),
        }
    }
}

/// The result of evaluating one version against one `affected[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RangeVerdict {
    /// Affected, not affected, or unknown.
    pub outcome: Outcome,
    /// What made the version affected (the first matching range, else the list).
    pub reason: Option<Reason>,
    /// Fixed versions that would apply: for each affecting range, the first
    /// `fixed` event above the version (deduplicated, in range order).
    pub fixed_in: Vec<String>,
    /// Ranges that could not be evaluated.
    pub skipped: Vec<Skipped>,
}

impl RangeVerdict {
    /// Whether the outcome is [`Outcome::Affected`].
    pub fn is_affected(&self) -> bool {
        self.outcome == Outcome::Affected
    }
}

/// Where an event's version sits.
#[derive(Debug, Clone)]
enum Point {
    /// `introduced: "0"`.
    Zero,
    At(Version),
    /// `limit: "*"`.
    Infinity,
}

impl Point {
    fn cmp_point(&self, other: &Point) -> Ordering {
        match (self, other) {
            (Point::Zero, Point::Zero) | (Point::Infinity, Point::Infinity) => Ordering::Equal,
            (Point::Zero, _) | (_, Point::Infinity) => Ordering::Less,
            (_, Point::Zero) | (Point::Infinity, _) => Ordering::Greater,
            (Point::At(a), Point::At(b)) => a.cmp(b),
        }
    }

    /// `v` compared with this point.
    fn cmp_version(&self, v: &Version) -> Ordering {
        match self {
            Point::Zero => Ordering::Greater,
            Point::Infinity => Ordering::Less,
            Point::At(p) => v.cmp(p),
        }
    }
}

struct RangeHit {
    introduced: String,
    upper: Option<Bound>,
    fixed: Option<String>,
}

fn range_scheme(scheme: Scheme, t: &RangeType) -> Option<Scheme> {
    match t {
        RangeType::Ecosystem => Some(scheme),
        RangeType::Semver if scheme == Scheme::Go => Some(Scheme::Go),
        RangeType::Semver => Some(Scheme::Semver),
        RangeType::Git | RangeType::Other(_) => None,
    }
}

fn eval_range(v: &Version, scheme: Scheme, range: &Range) -> Result<Option<RangeHit>, SkipReason> {
    if range.events.len() > MAX_EVENTS {
        return Err(SkipReason::TooManyEvents);
    }
    let mut events: Vec<(EventKind, &str, Point)> = Vec::with_capacity(range.events.len());
    for (k, ev) in range.events.iter().enumerate() {
        let (kind, text) = ev.kind().ok_or(SkipReason::MalformedEvent { event: k })?;
        let point = if kind == EventKind::Introduced && text == "0" {
            Point::Zero
        } else if kind == EventKind::Limit && text.contains('*') {
            Point::Infinity
        } else {
            Point::At(scheme.parse(text).map_err(|e| SkipReason::InvalidVersion {
                event: kind,
                error: e.to_string(),
            })?)
        };
        events.push((kind, text, point));
    }
    if !events.iter().any(|(k, _, _)| *k == EventKind::Introduced) {
        return Err(SkipReason::NoIntroduced);
    }
    // BeforeLimits.
    let (limits, mut events): (Vec<_>, Vec<_>) = events
        .into_iter()
        .partition(|(k, _, _)| *k == EventKind::Limit);
    if !limits.is_empty()
        && !limits
            .iter()
            .any(|(_, _, p)| p.cmp_version(v) == Ordering::Less)
    {
        return Ok(None);
    }
    // Stable: events at equal versions keep the record's order.
    events.sort_by(|a, b| a.2.cmp_point(&b.2));

    let mut vulnerable = false;
    let mut introduced: Option<&str> = None;
    let mut last = 0usize;
    for (k, (kind, text, point)) in events.iter().enumerate() {
        let c = point.cmp_version(v);
        match kind {
            EventKind::Introduced if c != Ordering::Less => {
                vulnerable = true;
                introduced = Some(text);
                last = k;
            }
            EventKind::Fixed if c != Ordering::Less => vulnerable = false,
            EventKind::LastAffected if c == Ordering::Greater => vulnerable = false,
            _ => {}
        }
    }
    if !vulnerable {
        return Ok(None);
    }
    let after = events.get(last + 1..).unwrap_or_default();
    let upper = after.iter().find_map(|(kind, text, _)| match kind {
        EventKind::Fixed => Some(Bound::Fixed((*text).to_owned())),
        EventKind::LastAffected => Some(Bound::LastAffected((*text).to_owned())),
        _ => None,
    });
    let upper = upper.or_else(|| {
        limits
            .iter()
            .filter(|(_, _, p)| p.cmp_version(v) == Ordering::Less)
            .min_by(|a, b| a.2.cmp_point(&b.2))
            .map(|(_, text, _)| Bound::Limit((*text).to_owned()))
    });
    let fixed = after
        .iter()
        .find(|(kind, _, _)| *kind == EventKind::Fixed)
        .map(|(_, text, _)| (*text).to_owned());
    Ok(Some(RangeHit {
        introduced: introduced.unwrap_or("0").to_owned(),
        upper,
        fixed,
    }))
}

/// Evaluates `version` (a string of `scheme`) against an `affected[]` entry.
///
/// Fails only if `version` itself does not parse under `scheme`.
pub fn evaluate(
    scheme: Scheme,
    version: &str,
    affected: &Affected,
) -> Result<RangeVerdict, VersionError> {
    let v = scheme.parse(version)?;
    Ok(evaluate_version(&v, affected))
}

/// [`evaluate`] for an already parsed version (its scheme is used for
/// `ECOSYSTEM` ranges and the `versions` list).
pub fn evaluate_version(v: &Version, affected: &Affected) -> RangeVerdict {
    let scheme = v.scheme();
    let mut verdict = RangeVerdict {
        outcome: Outcome::NotAffected,
        reason: None,
        fixed_in: Vec::new(),
        skipped: Vec::new(),
    };
    let mut evaluated = 0usize;
    // The version re-read for SEMVER ranges, when its scheme is another one.
    let mut semver_v: Option<Result<Version, VersionError>> = None;

    for (index, range) in affected.ranges.iter().enumerate() {
        let range_type = range.range_type.to_string();
        let skip = |why: SkipReason| Skipped {
            range: index,
            range_type: range_type.clone(),
            why,
        };
        let Some(rs) = range_scheme(scheme, &range.range_type) else {
            verdict.skipped.push(skip(SkipReason::UnsupportedType));
            continue;
        };
        let rv = if rs == scheme {
            v
        } else {
            match semver_v.get_or_insert_with(|| rs.parse(v.as_str())) {
                Ok(x) => &*x,
                Err(e) => {
                    let error = e.to_string();
                    verdict
                        .skipped
                        .push(skip(SkipReason::VersionNotParsable { error }));
                    continue;
                }
            }
        };
        match eval_range(rv, rs, range) {
            Err(why) => verdict.skipped.push(skip(why)),
            Ok(hit) => {
                evaluated += 1;
                if let Some(hit) = hit {
                    if verdict.reason.is_none() {
                        verdict.reason = Some(Reason::Range {
                            range: index,
                            range_type: range_type.clone(),
                            introduced: hit.introduced,
                            upper: hit.upper,
                        });
                    }
                    if let Some(f) = hit.fixed
                        && !verdict.fixed_in.contains(&f)
                    {
                        verdict.fixed_in.push(f);
                    }
                    verdict.outcome = Outcome::Affected;
                }
            }
        }
    }

    if verdict.outcome != Outcome::Affected {
        let listed = affected.versions.iter().find(|listed| {
            listed.as_str() == v.as_str()
                || scheme
                    .parse(listed)
                    .is_ok_and(|l| l.cmp_same_scheme(v) == Some(Ordering::Equal))
        });
        if let Some(listed) = listed {
            verdict.outcome = Outcome::Affected;
            verdict.reason = Some(Reason::Listed {
                version: listed.clone(),
            });
        } else if evaluated == 0 && affected.versions.is_empty() {
            verdict.outcome = Outcome::Unsupported;
        }
    }
    verdict
}

/// Why range JSON could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read OSV range JSON: {0}")]
pub struct OsvJsonError(#[from] serde_json::Error);

/// Reads what a person debugging a finding pastes: an `affected[]` object
/// (with `ranges` and/or `versions`), a single range object (with `type` and
/// `events`), or an array of ranges.
pub fn affected_from_json(json: &str) -> Result<Affected, OsvJsonError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    if value.is_array() {
        let ranges: Vec<Range> = serde_json::from_value(value)?;
        return Ok(Affected {
            ranges,
            ..Affected::default()
        });
    }
    if value.get("type").is_some() || value.get("events").is_some() {
        let range: Range = serde_json::from_value(value)?;
        return Ok(Affected {
            ranges: vec![range],
            ..Affected::default()
        });
    }
    Ok(serde_json::from_value(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affected(json: &str) -> Affected {
        affected_from_json(json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn eval(scheme: Scheme, v: &str, json: &str) -> RangeVerdict {
        evaluate(scheme, v, &affected(json)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn introduced_fixed() {
        let a = r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.31.0"}]}"#;
        let hit = eval(Scheme::Pep440, "2.30.9", a);
        assert!(hit.is_affected());
        assert_eq!(
            hit.reason.map(|r| r.to_string()).as_deref(),
            Some("range 0 (ECOSYSTEM): introduced 0, fixed 2.31.0")
        );
        assert_eq!(hit.fixed_in, vec!["2.31.0".to_owned()]);
        assert_eq!(
            eval(Scheme::Pep440, "2.31.0", a).outcome,
            Outcome::NotAffected
        );
    }

    #[test]
    fn several_intervals_and_last_affected() {
        let a = r#"[{"type":"ECOSYSTEM","events":[
            {"introduced":"1.0"},{"fixed":"1.2"},{"introduced":"2.0"},{"last_affected":"2.3"}]}]"#;
        assert!(!eval(Scheme::Semver, "0.9.0", a).is_affected());
        assert!(eval(Scheme::Semver, "1.1.0", a).is_affected());
        assert!(!eval(Scheme::Semver, "1.5.0", a).is_affected());
        let v = eval(Scheme::Semver, "2.3.0", a);
        assert!(v.is_affected());
        assert!(v.fixed_in.is_empty());
        assert!(!eval(Scheme::Semver, "2.3.1", a).is_affected());
    }

    #[test]
    fn limits_and_git() {
        let a = r#"{"ranges":[
            {"type":"GIT","repo":"r","events":[{"introduced":"abc"}]},
            {"type":"ECOSYSTEM","events":[{"introduced":"0"},{"limit":"3"}]}]}"#;
        let v = eval(Scheme::Maven, "2", a);
        assert!(v.is_affected());
        assert_eq!(v.skipped.len(), 1);
        assert_eq!(v.skipped[0].why, SkipReason::UnsupportedType);
        assert!(!eval(Scheme::Maven, "3", a).is_affected());
        let git_only = r#"{"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}"#;
        assert_eq!(
            eval(Scheme::Maven, "1", git_only).outcome,
            Outcome::Unsupported
        );
    }

    #[test]
    fn versions_list_and_equivalence() {
        let a = r#"{"versions":["1.0.0","1.1"]}"#;
        let v = eval(Scheme::Maven, "1.1.0", a);
        assert_eq!(
            v.reason,
            Some(Reason::Listed {
                version: "1.1".into()
            })
        );
        assert!(!eval(Scheme::Maven, "1.2", a).is_affected());
    }

    #[test]
    fn semver_ranges_for_go_accept_v_prefix() {
        let a = r#"{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.3"}]}"#;
        assert!(eval(Scheme::Go, "v1.2.2", a).is_affected());
        assert!(!eval(Scheme::Go, "v1.2.3+incompatible", a).is_affected());
    }

    #[test]
    fn nothing_is_guessed() {
        let no_intro = r#"{"type":"ECOSYSTEM","events":[{"fixed":"1.0"}]}"#;
        let v = eval(Scheme::Deb, "0.5", no_intro);
        assert_eq!(v.outcome, Outcome::Unsupported);
        assert_eq!(v.skipped[0].why, SkipReason::NoIntroduced);
        let two_fields = r#"{"type":"ECOSYSTEM","events":[{"introduced":"0","fixed":"1"}]}"#;
        assert!(matches!(
            eval(Scheme::Deb, "0.5", two_fields).skipped[0].why,
            SkipReason::MalformedEvent { event: 0 }
        ));
        let bad = r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:"}]}"#;
        assert!(matches!(
            eval(Scheme::Deb, "0.5", bad).skipped[0].why,
            SkipReason::InvalidVersion { .. }
        ));
    }

    #[test]
    fn introduced_zero_is_below_tilde_versions() {
        let a = r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}"#;
        assert!(eval(Scheme::Deb, "0~beta1", a).is_affected());
    }
}
