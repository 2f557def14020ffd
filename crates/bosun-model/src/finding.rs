use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Ecosystem, Inventory, Package};

/// How bad a vulnerability is, on the scale every report and gate uses.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    #[default]
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::Unknown,
        Severity::Negligible,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The qualitative rating of a CVSS v3/v4 base score (FIRST's table).
    pub fn from_cvss_score(score: f32) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Negligible
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Negligible => "NEGLIGIBLE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "UNKNOWN" | "UNASSIGNED" | "NONE" => Ok(Severity::Unknown),
            "NEGLIGIBLE" | "UNIMPORTANT" | "INFO" => Ok(Severity::Negligible),
            "LOW" => Ok(Severity::Low),
            "MEDIUM" | "MODERATE" => Ok(Severity::Medium),
            "HIGH" | "IMPORTANT" => Ok(Severity::High),
            "CRITICAL" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected UNKNOWN, NEGLIGIBLE, LOW, MEDIUM, HIGH or CRITICAL)"
            )),
        }
    }
}

/// A CVSS vector and the base score bosun computed from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    pub vector: String,
    /// The base score computed from the vector.
    pub base_score: f32,
    /// Who published the vector: `nvd`, `ghsa`, `debian`, the OSV record's source...
    pub source: String,
}

/// Whether a fix exists for the installed package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixState {
    /// A fixed version exists (see `Finding::fixed_versions`).
    Fixed,
    /// Affected and no fix is published yet.
    NotFixed,
    /// The distribution decided not to fix it (Debian `<no-dsa>`, `<ignored>`,
    /// end-of-life; "will not fix" states).
    WontFix,
    Unknown,
}

/// The package a finding is about, copied from the inventory so a finding
/// reads on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// The source package the advisory was published for (OS packages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The file the package was found in.
    pub path: String,
    /// The layer that introduced the package (index into the inventory's layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
}

impl PackageRef {
    pub fn of(p: &Package) -> Self {
        PackageRef {
            ecosystem: p.ecosystem,
            name: p.name.clone(),
            version: p.version.clone(),
            purl: p.purl.clone(),
            source_name: p.source.as_ref().map(|s| s.name.clone()),
            path: p.found_in.path.clone(),
            layer: p.introduced_in.or(p.found_in.layer),
        }
    }
}

/// Why a finding matched: which matcher, what it looked up, in which data,
/// and what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchDetails {
    /// The matcher, e.g. `debian`, `alpine`, `osv`.
    pub matcher: String,
    /// What was looked up, e.g. `source package glibc in debian:bookworm`.
    pub searched: String,
    /// The vulnerability data source, e.g. `debian-security-tracker`, `osv:PyPI`.
    pub data_source: String,
    /// What decided it, e.g. `2.36-9+deb12u3 < fixed 2.36-9+deb12u4` or
    /// `introduced 0, fixed 2.20.0`.
    pub reason: String,
}

/// Why a finding does not count against the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `ignore-file`, `vex`, ...
    pub kind: String,
    /// The statement or rule that suppressed it (file and line, VEX statement).
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The date the suppression stops applying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The primary identifier (the CVE when there is one, else the advisory's own).
    pub id: String,
    /// Every other identifier of the same vulnerability (GHSA, DSA, OSV ids...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub package: PackageRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_versions: Vec<String>,
    pub status: FixState,
    pub severity: Severity,
    /// Where the severity came from (`nvd`, `debian`, `ghsa`, `cvss`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    pub matched: MatchDetails,
    /// Set when an ignore rule or VEX statement suppressed the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// The highest CVSS base score, preferring the newest CVSS version.
    pub fn max_cvss(&self) -> Option<f32> {
        self.cvss
            .iter()
            .map(|c| c.base_score)
            .fold(None, |m, s| Some(m.map_or(s, |m: f32| m.max(s))))
    }
}

/// The identifier of the scan-result JSON schema.
pub const SCAN_RESULT_SCHEMA: &str = "bosun.scan/v1";

/// Facts about the vulnerability database a scan used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInfo {
    /// When the data was last imported or updated (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The sources it holds, e.g. `osv:PyPI`, `debian-security-tracker`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// Everything one scan found: the inventory and what matched against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanResult {
    /// Always [`SCAN_RESULT_SCHEMA`] when written by this version.
    pub schema: String,
    pub inventory: Inventory,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<DbInfo>,
    /// Secrets found in the layers, the config and the history; `None` when
    /// the secret scanner did not run (an empty list: it ran and found none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<crate::SecretFinding>>,
    /// Compliance checks that failed; `None` when the checks did not run
    /// (an empty list: every check passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<crate::CheckFinding>>,
    /// The team's policy verdict, when a policy was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::PolicyVerdict>,
}

impl ScanResult {
    /// A result with only the inventory: no matching, checks or policy yet.
    pub fn new(inventory: Inventory) -> Self {
        ScanResult {
            schema: SCAN_RESULT_SCHEMA.to_owned(),
            inventory,
            findings: Vec::new(),
            db: None,
            secrets: None,
            checks: None,
            policy: None,
        }
    }
}
