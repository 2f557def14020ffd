//! What users can change about secret scanning: the `secrets:` section of
//! the policy file (bosun.yaml).

use bosun_model::Severity;
use serde::{Deserialize, Deserializer, Serialize};

/// Default largest file the scanner reads: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;
/// Hard ceiling for `max_file_size`: 256 MiB.
pub const MAX_FILE_SIZE_CEILING: u64 = 256 << 20;
/// Most custom rules, allowed paths or allowed patterns a config may hold.
pub const MAX_CONFIG_ENTRIES: usize = 1000;
/// Longest regex, glob or keyword accepted in a config.
pub const MAX_PATTERN_LEN: usize = 4096;

/// Secret-scanning settings.
///
/// ```yaml
/// secrets:
///   rules:
///     - id: acme-api-key
///       severity: high
///       keywords: [acme_]
///       regex: '\bacme_(?P<secret>[a-z0-9]{32})\b'
///       description: ACME Corp internal API key
///   allow_paths: ["/opt/app/testdata/**"]
///   allow_patterns: ['dummy-[0-9]+']
///   disable_rules: [jwt]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    /// Rules added to the built-in ones.
    pub rules: Vec<CustomRule>,
    /// Globs of paths never read (`/opt/app/fixtures/**`, `**/*.pem`).
    /// `*` stays within one path component, `**` crosses them.
    pub allow_paths: Vec<String>,
    /// Regexes: a match whose text (key and secret) contains one of them is
    /// dropped.
    pub allow_patterns: Vec<String>,
    /// Rule IDs (built-in or custom) that do not run.
    pub disable_rules: Vec<String>,
    /// Largest file read, in bytes (default 10 MiB, at most 256 MiB).
    pub max_file_size: u64,
    /// Skip the built-in list of paths that hold documentation, locales and
    /// third-party test fixtures (see docs/SECRETS.md). Default true.
    pub builtin_allow_paths: bool,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            rules: Vec::new(),
            allow_paths: Vec::new(),
            allow_patterns: Vec::new(),
            disable_rules: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            builtin_allow_paths: true,
        }
    }
}

/// A rule a user adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// Unique among all rules (built-in included), e.g. `acme-api-key`.
    pub id: String,
    /// Accepts any case (`high`, `HIGH`).
    #[serde(deserialize_with = "severity_any_case")]
    pub severity: Severity,
    /// Words of which at least one must occur in a file (ASCII
    /// case-insensitively) before the regex runs. Without keywords the regex
    /// runs on every text file (slower).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A regex in the Rust `regex` crate's syntax, with ASCII semantics. A
    /// named group `secret` marks the secret (else the whole match is).
    pub regex: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Globs restricting the rule to some files (default: every text file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

fn severity_any_case<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

impl SecretsConfig {
    /// Reads the settings from YAML (the `secrets:` section's value).
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        serde_saphyr::from_str(text).map_err(|e| ConfigError::Parse {
            message: e.to_string(),
        })
    }
}

/// Why a secrets configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("secrets config: {message}")]
    Parse { message: String },
    #[error("secrets rule #{index}: empty id")]
    EmptyId { index: usize },
    #[error("secrets rule `{rule}`: the id is used twice (built-in rules included)")]
    DuplicateId { rule: String },
    #[error("secrets rule `{rule}`: invalid regex: {message}")]
    InvalidRegex { rule: String, message: String },
    #[error("secrets rule `{rule}`: invalid path glob `{glob}`: {message}")]
    InvalidRuleGlob {
        rule: String,
        glob: String,
        message: String,
    },
    #[error("secrets rule `{rule}`: empty keyword")]
    EmptyKeyword { rule: String },
    #[error("secrets allow_paths: invalid glob `{glob}`: {message}")]
    InvalidAllowPath { glob: String, message: String },
    #[error("secrets allow_patterns: invalid regex `{pattern}`: {message}")]
    InvalidAllowPattern { pattern: String, message: String },
    #[error("secrets disable_rules: no rule `{rule}`")]
    UnknownDisabledRule { rule: String },
    #[error("secrets {field}: {count} entries, over the limit of {limit}")]
    TooMany {
        field: &'static str,
        count: usize,
        limit: usize,
    },
    #[error("secrets {field}: an entry of {len} bytes is over the limit of {limit}")]
    TooLong {
        field: &'static str,
        len: usize,
        limit: usize,
    },
    #[error("secrets max_file_size: {value} is not between 1 and {limit}")]
    BadMaxFileSize { value: u64, limit: u64 },
}
