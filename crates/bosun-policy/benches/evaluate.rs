//! Policy evaluation on a real scan result: the bookworm-app test image read
//! the way `bosun scan` reads it (276 packages, its secrets and failed
//! checks) with the 16 vulnerability findings a real scan gave
//! (`benches/fixtures/`). Without the test images
//! (`scripts/build-test-images.sh`) the benchmarks say so and measure
//! nothing.
//!
//! `cargo bench -p bosun-policy --bench evaluate`

use std::hint::black_box;
use std::path::Path;
use std::sync::LazyLock;

use bosun_catalog::Catalog;
use bosun_checks::{CheckOptions, SecretScanner};
use bosun_model::{Finding, SCAN_RESULT_SCHEMA, ScanResult};
use bosun_policy::Policy;
use bosun_scan::{Extras, ScanOptions, scan};

fn main() {
    divan::main();
}

fn now() -> jiff::Timestamp {
    "2026-11-23T12:00:00Z".parse().unwrap_or_default()
}

static RESULT: LazyLock<Option<ScanResult>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let archive = root.join(".test-images/images/bookworm-app/bookworm-app.docker.tar");
    if !archive.exists() {
        eprintln!(
            "no test image at {} (run scripts/build-test-images.sh): nothing measured",
            archive.display()
        );
        return None;
    }
    let scanner = SecretScanner::builtin();
    let checks = CheckOptions::default();
    let extras = Extras {
        secrets: Some(&scanner),
        checks: Some(&checks),
    };
    let reference = format!("docker-archive:{}", archive.display());
    let scanned = match scan(
        &reference,
        &ScanOptions::default(),
        &Catalog::all(),
        &extras,
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{reference}: {e}");
            return None;
        }
    };
    let findings_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures/bookworm-app.findings.json");
    let findings: Vec<Finding> = match std::fs::read(&findings_path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", findings_path.display());
            return None;
        }
    };
    Some(ScanResult {
        schema: SCAN_RESULT_SCHEMA.into(),
        inventory: scanned.inventory,
        findings,
        db: None,
        secrets: scanned.secrets,
        checks: scanned.checks,
        policy: None,
    })
});

fn example() -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/example/bosun.yaml");
    match Policy::load(&path) {
        Ok(p) => p,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Every built-in rule kind, no Rego.
const BUILT_IN: &str = "version: 1
registries:
  trusted: [127.0.0.1:5000, docker.io/bosun-test]
base_images:
  approved:
    - name: bookworm
      diff_ids: ['sha256:0000000000000000000000000000000000000000000000000000000000000000']
packages:
  minimum:
    - {name: libc6, ecosystem: deb, version: 2.36-9+deb12u8}
    - {name: openssl, version: 3.0.15-1~deb12u1}
    - {name: requests, ecosystem: pypi, version: 2.31.0}
  banned:
    - {name: telnet, reason: cleartext}
    - {name: openssh-server, reason: no sshd in containers}
vulnerabilities:
  max_cvss: 7.0
  fixable_only: true
image:
  non_root: true
  require_entrypoint: true
  require_healthcheck: true
  max_age_days: 30
  required_labels: [org.opencontainers.image.source]
checks:
  must_pass: ['*']
";

fn bench_policy(b: divan::Bencher, policy: &Policy) {
    let Some(result) = RESULT.as_ref() else {
        return;
    };
    // The verdict is not trivial: both policies deny bookworm-app.
    let v = policy
        .evaluate(result, now())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!v.allowed);
    eprintln!(
        "{}: {} violations, {} warnings",
        policy.path(),
        v.violations.len(),
        v.warnings.len()
    );
    b.bench(|| policy.evaluate(black_box(result), now()));
}

/// The example policy (policies/example): built-in rules plus its Rego
/// module over the whole scan result.
#[divan::bench]
fn example_policy_with_rego(b: divan::Bencher) {
    bench_policy(b, &example());
}

/// Every kind of built-in rule, no Rego.
#[divan::bench]
fn built_in_rules_only(b: divan::Bencher) {
    let policy =
        Policy::parse(BUILT_IN, "bench.yaml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    bench_policy(b, &policy);
}

/// Loading the example policy: YAML and compiling its Rego (once per scan).
#[divan::bench]
fn load_example_policy() -> Policy {
    example()
}
