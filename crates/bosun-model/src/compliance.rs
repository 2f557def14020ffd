//! Secrets found in an image and the results of its compliance checks
//! (produced by `bosun-checks`, carried by [`crate::ScanResult`]).

use serde::{Deserialize, Serialize};

use crate::Severity;

/// Where in the image a secret was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretSource {
    /// A file of a layer (`path` is the file, `layer` the layer that holds it).
    File,
    /// An `Env` entry of the image config (`path` is `config:Env[N]`).
    ConfigEnv,
    /// A label of the image config (`path` is `config:Labels[KEY]`).
    ConfigLabel,
    /// A `created_by` line of the config history, where build arguments and
    /// `RUN` lines end up (`path` is `history[N]`, N counting empty-layer
    /// entries too).
    History,
}

/// One secret found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFinding {
    /// The rule that matched, e.g. `aws-access-key-id` (see docs/SECRETS.md).
    pub rule_id: String,
    /// What the rule finds, e.g. `AWS access key ID`.
    pub title: String,
    pub severity: Severity,
    pub source: SecretSource,
    /// The file path (absolute, inside the image), or the config location
    /// (`config:Env[3]`, `config:Labels[KEY]`, `history[5]`).
    pub path: String,
    /// The layer that holds the file (for history lines: the layer the line
    /// made, if it made one). Index into the inventory's layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// 1-based line of the match start (1 for config entries).
    pub line: usize,
    /// 1-based byte column of the match start within its line.
    pub column: usize,
    /// The matched text with the secret masked: a few leading characters
    /// kept, the rest `*`; never the whole secret.
    pub redacted: String,
    /// True when the file is not in the final filesystem: a later layer
    /// deleted or replaced it. The secret is still in the image (anyone with
    /// the image can read that layer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The layer that deleted or replaced the file, when `deleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in: Option<usize>,
    /// True when a later layer wrote another file at the same path (as
    /// opposed to deleting it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
    /// For private keys: the same file also holds a certificate (a
    /// certificate shipped together with its key).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_certificate: bool,
}

/// One piece of evidence for a failed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckEvidence {
    /// A file path, a config field (`config:User`, `config:ExposedPorts`,
    /// `config:Env[2]`), a history entry (`history[5]`), a package
    /// (`package:deb/sudo`) or the image reference (`source`).
    pub location: String,
    /// The layer the file or history line belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// What was seen there, e.g. `mode 4755 (setuid)`, `USER is not set`,
    /// or the history line itself.
    pub detail: String,
}

/// A check that failed, with what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFinding {
    /// The stable check ID, e.g. `BOSUN-IMG-001` (see docs/CHECKS.md; IDs are
    /// never reused).
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// CIS Docker Benchmark v1.6.0 recommendations, e.g. `4.1`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// NIST SP 800-190 sections, e.g. `3.1.2`, `4.1.2`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nist: Vec<String>,
    pub description: String,
    pub remediation: String,
    pub evidence: Vec<CheckEvidence>,
    /// Evidence items left out to keep the finding bounded.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub evidence_omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
