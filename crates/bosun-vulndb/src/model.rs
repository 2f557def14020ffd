//! The advisory records every importer produces and the database stores.

use bosun_model::{FixState, Severity};
use bosun_version::Scheme;
use bosun_version::osv::Range;
use serde::{Deserialize, Serialize};

/// One vulnerability record from one source, with the packages it affects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Advisory {
    /// The record's identifier (CVE, GHSA, PYSEC, GO, RUSTSEC, DSA, npm id...).
    pub id: String,
    /// The source it came from (`osv:PyPI`, `debian-tracker`, `debian-dsa`...).
    pub source: String,
    /// Other identifiers of the same vulnerability (OSV `aliases`). Findings
    /// are merged on these.
    pub aliases: Vec<String>,
    /// Vendor advisories that cover it (DSA, DLA, USN...): reported, never
    /// used to merge (one DSA covers many CVEs).
    pub related: Vec<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// The source's own rating, e.g. GHSA's `database_specific.severity`.
    pub severity: Option<Severity>,
    /// CVSS vectors with their publisher.
    pub cvss: Vec<CvssRef>,
    pub references: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub affected: Vec<AffectedRow>,
}

/// A CVSS vector and who published it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CvssRef {
    pub vector: String,
    pub source: String,
}

/// One package in one namespace that an advisory affects.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedRow {
    /// `debian:bookworm`, `ubuntu:22.04`, `alpine:v3.19`, `pypi`, `golang`...
    pub namespace: String,
    /// The package name, normalized for the namespace ([`crate::normalize_name`]).
    pub package: String,
    /// What the data says about fixes: `Fixed` (a fixed version exists for
    /// affected versions), `NotFixed`, `WontFix` or `Unknown` (Debian `undetermined`).
    pub state: FixState,
    /// Which versions are affected.
    pub rule: Rule,
    /// The vendor's rating for this namespace (Debian urgency, Ubuntu priority).
    pub severity: Option<Severity>,
}

/// Which versions an affected row covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Rule {
    /// OSV `ranges` and `versions`, evaluated with `bosun_version::osv`.
    Osv {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ranges: Vec<Range>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        versions: Vec<String>,
    },
    /// Every version below `fixed` (distro data: DSA/DLA, tracker, secdb).
    Below { fixed: String },
    /// Every version (open, will not fix, undetermined).
    All,
    /// Version constraints (npm and rubysec advisories): affected when some
    /// `vulnerable` set matches (or, with no `vulnerable` sets, when no
    /// `patched` nor `unaffected` set matches).
    Constraints {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        vulnerable: Vec<Vec<Constraint>>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        patched: Vec<Vec<Constraint>>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unaffected: Vec<Vec<Constraint>>,
    },
}

/// One comparison of a constraint set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub op: Op,
    pub version: String,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "=",
            Op::Ne => "!=",
        }
    }
}

/// The version scheme of a namespace (`None` for namespaces bosun cannot order).
pub fn scheme_of(namespace: &str) -> Option<Scheme> {
    let base = namespace.split(':').next().unwrap_or_default();
    Some(match base {
        "debian" | "ubuntu" | "ubuntu-pro" => Scheme::Deb,
        "alpine" | "wolfi" | "chainguard" => Scheme::Apk,
        "rocky" | "almalinux" | "mariner" | "azurelinux" | "redhat" | "suse" | "opensuse"
        | "amazon" | "oracle" | "photon" | "openeuler" | "mageia" => Scheme::Rpm,
        "pypi" => Scheme::Pep440,
        "npm" | "cargo" => Scheme::Semver,
        "golang" => Scheme::Go,
        "maven" => Scheme::Maven,
        "gem" => Scheme::RubyGems,
        "composer" => Scheme::Packagist,
        "nuget" => Scheme::NuGet,
        "osv" => Scheme::from_osv_ecosystem(namespace.get(4..).unwrap_or_default())?,
        _ => return None,
    })
}

/// Severity from a vendor's word (Debian urgency, Ubuntu priority, GHSA
/// severity). Debian marks automatic urgencies with `*`/`**`; they are read
/// the same.
pub fn severity_word(word: &str) -> Option<Severity> {
    let w = word.trim().trim_end_matches('*').to_ascii_lowercase();
    Some(match w.as_str() {
        "unimportant" | "negligible" => Severity::Negligible,
        "low" => Severity::Low,
        "medium" | "moderate" => Severity::Medium,
        "high" | "important" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}
