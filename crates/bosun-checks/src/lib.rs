//! Image compliance checks and secret scanning, over the same single read of
//! an image's layers as the package catalog.
//!
//! ```text
//! SecretScanner (an EntrySink; combine it with the Catalog through bosun_tree::Both)
//!   └─ while layers stream: want() picks text-file candidates by size, name and path;
//!      inspect() reads ≤ max_file_size bytes, skips binaries, runs one aho-corasick
//!      pass over every rule's keywords, then only the regexes of rules whose keywords
//!      occurred; results are kept per layer (layer_results / restore_layer_results
//!      for the layer cache)
//! FileTree::squash
//! SecretScanner::finish(&tree, config)  → Vec<SecretFinding> (deleted ones marked; ENV, labels, history)
//! run_checks(&tree, &inventory, &secrets, &CheckOptions) → Vec<CheckFinding>
//! ```
//!
//! docs/CHECKS.md lists the checks with their CIS Docker Benchmark v1.6.0 and
//! NIST SP 800-190 mappings; docs/SECRETS.md the rules and the settings.

mod checks;
mod config;
mod rules;
mod scanner;

pub use checks::{
    ADD_REMOTE_URL, CheckInfo, CheckOptions, LATEST_TAG, NO_HEALTHCHECK, PACKAGE_CACHES, PORT_22,
    PRIVATE_KEYS, REQUIRED_LABELS, ROOT_USER, SECRETS_IN_CONFIG, SECRETS_IN_FILES, SETUID_SETGID,
    SSH_SERVER, SUDO, WORLD_WRITABLE, check, checks, run_checks, sensitive_name,
};
pub use config::{
    ConfigError, CustomRule, DEFAULT_MAX_FILE_SIZE, MAX_CONFIG_ENTRIES, MAX_FILE_SIZE_CEILING,
    MAX_PATTERN_LEN, SecretsConfig,
};
pub use scanner::{
    CHECK_FILES, LayerSecrets, MAX_FINDINGS_PER_FILE, RuleInfo, SecretScanner, redact,
};
