//! bosun-policy: the policy file (bosun.yaml) on arbitrary text, without
//! Rego files (relative `rego:` paths point into an empty directory), then
//! applied to a sample scan result. Errors, never panics.

use std::path::PathBuf;
use std::sync::LazyLock;

use bosun_model::{SCAN_RESULT_SCHEMA, ScanResult};
use bosun_policy::Policy;

static EMPTY_DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("bosun-fuzz-policy-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
});

static RESULT: LazyLock<ScanResult> = LazyLock::new(|| ScanResult {
    schema: SCAN_RESULT_SCHEMA.into(),
    inventory: bosun_test::sample::inventory(),
    findings: bosun_test::sample::findings(),
    db: None,
    secrets: Some(Vec::new()),
    checks: Some(Vec::new()),
    policy: None,
});

pub fn policy_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::parse(text, "bosun.yaml", &EMPTY_DIR) else {
        return;
    };
    let now = jiff::Timestamp::from_second(1_795_000_000).unwrap_or_default();
    if let Ok(v) = policy.evaluate(&RESULT, now) {
        assert_eq!(v.allowed, v.violations.is_empty());
    }
}
