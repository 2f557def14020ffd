use serde::{Deserialize, Serialize};

/// One reason a policy denies an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyViolation {
    /// The rule, e.g. `registry.trusted`, `image.max-age`, or
    /// `rego:<package>` for Rego rules (docs/POLICY.md lists them).
    pub rule: String,
    pub message: String,
}

/// The outcome of applying the team's policy to a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVerdict {
    /// The policy file.
    pub policy: String,
    pub allowed: bool,
    #[serde(default)]
    pub violations: Vec<PolicyViolation>,
    /// Rego `warn` messages: reported, never denying.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
