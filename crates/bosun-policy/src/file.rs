//! The policy file, `bosun.yaml`. Parsed strictly: an unknown key is an
//! error naming its line, so a typo never turns a rule off.

use serde::Deserialize;

/// The whole policy file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Always 1.
    pub version: u32,
    #[serde(default)]
    pub registries: Option<Registries>,
    #[serde(default)]
    pub base_images: Option<BaseImages>,
    #[serde(default)]
    pub packages: Option<Packages>,
    #[serde(default)]
    pub vulnerabilities: Option<Vulnerabilities>,
    #[serde(default)]
    pub image: Option<ImageRules>,
    #[serde(default)]
    pub checks: Option<Checks>,
    /// Rego files or directories, relative to the policy file.
    #[serde(default)]
    pub rego: Vec<String>,
    /// Secret-scanning settings (extra rules, allowed paths), read by the scanner.
    #[serde(default)]
    pub secrets: Option<serde_json::Value>,
}

/// Images must come from one of these registries.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registries {
    /// `host[:port]` or `host[:port]/path-prefix`, e.g. `registry.example.com/team`.
    pub trusted: Vec<String>,
}

/// Images must be built on one of these bases, recognised by the diff_ids
/// of their layers (a rebuilt app on the same base keeps them).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseImages {
    pub approved: Vec<ApprovedBase>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedBase {
    pub name: String,
    /// The base image's layer diff_ids, bottom first (`bosun policy base IMAGE` prints them).
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Packages {
    #[serde(default)]
    pub minimum: Vec<MinimumVersion>,
    #[serde(default)]
    pub banned: Vec<BannedPackage>,
}

/// A package that, when present, must be at least this version.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinimumVersion {
    pub name: String,
    pub version: String,
    /// Limit the rule to one ecosystem (`deb`, `pypi`, ...); otherwise every
    /// package of that name, compared by its own ecosystem's rules.
    #[serde(default)]
    pub ecosystem: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BannedPackage {
    pub name: String,
    #[serde(default)]
    pub ecosystem: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// How much vulnerability exposure is acceptable. Suppressed findings
/// (ignore file, VEX) never count.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vulnerabilities {
    /// Deny when a finding is at least this severe.
    #[serde(default)]
    pub fail_on_severity: Option<String>,
    /// Deny when a finding's CVSS base score is at least this (a finding
    /// without a vector counts by its severity rating).
    #[serde(default)]
    pub max_cvss: Option<f32>,
    /// Count only findings that have a fixed version.
    #[serde(default)]
    pub fixable_only: bool,
    /// Deny when more than this many findings count.
    #[serde(default)]
    pub max_count: Option<usize>,
}

/// What the image config must say.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRules {
    /// The image must not run as root (USER set, and not 0/root).
    #[serde(default)]
    pub non_root: bool,
    /// The image must run as exactly this user (name or uid, optionally `:group`).
    #[serde(default)]
    pub user: Option<String>,
    /// The image must have an ENTRYPOINT or CMD.
    #[serde(default)]
    pub require_entrypoint: bool,
    /// The image's ENTRYPOINT must be exactly this.
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    /// The image's CMD must be exactly this.
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// Labels the image must carry (with any non-empty value).
    #[serde(default)]
    pub required_labels: Vec<String>,
    /// The image must define a HEALTHCHECK.
    #[serde(default)]
    pub require_healthcheck: bool,
    /// The image must have been created at most this many days ago (config `created`).
    #[serde(default)]
    pub max_age_days: Option<u32>,
}

/// Which compliance checks must pass.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Check IDs (see docs/CHECKS.md), or `"*"` for all.
    #[serde(default)]
    pub must_pass: Vec<String>,
}
