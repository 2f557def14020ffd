//! bosun's secret scanner side by side with Trivy 0.59.1 (`--scanners secret
//! --image-config-scanners secret`, offline) on the same images:
//!
//! - every secret Trivy finds in a layer file, bosun finds at the same path,
//!   line and layer, with the corresponding rule
//!   (`tests/fixtures/trivy-rule-map.json`);
//! - every secret Trivy finds in the image config, bosun finds in the config
//!   (Env, labels or history) with the corresponding rule;
//! - bosun also marks the secret a later layer deleted as deleted (Trivy
//!   reports it like any other);
//! - on the plain debootstrap image bosun reports nothing, read as an image
//!   and as its kept root filesystem (and so does Trivy).
//!
//! The images come from `scripts/build-test-images.sh` plus one small image
//! this test writes (secrets in Env, a label and a history line). Trivy comes
//! from `scripts/install-peers.sh` (`.peers/bin/trivy`, or `$BOSUN_TRIVY`);
//! without it the test says so and passes. `scripts/compare/secrets.py`
//! prints the same comparison for people.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_checks::SecretScanner;
use bosun_model::{SecretFinding, SecretSource};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn trivy() -> Option<PathBuf> {
    let path = std::env::var_os("BOSUN_TRIVY")
        .map(PathBuf::from)
        .unwrap_or_else(|| bosun_test::repo_root().join(".peers/bin/trivy"));
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: Trivy not installed at {} (run scripts/install-peers.sh)",
            path.display()
        );
        None
    }
}

fn rule_map() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trivy-rule-map.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, Clone)]
struct TrivySecret {
    /// `None` for the image config.
    path: Option<String>,
    line: usize,
    rule: String,
    layer: Option<usize>,
}

fn run_trivy(trivy: &Path, archive: &str, diff_ids: &[String]) -> Vec<TrivySecret> {
    let out = Command::new(trivy)
        .args([
            "image",
            "--input",
            archive,
            "--scanners",
            "secret",
            "--image-config-scanners",
            "secret",
            "--format",
            "json",
            "--offline-scan",
            "--skip-db-update",
            "--skip-java-db-update",
            "--skip-check-update",
            "--cache-backend",
            "memory",
            "--quiet",
        ])
        .env("TRIVY_DISABLE_TELEMETRY", "true")
        .env(
            "TRIVY_CACHE_DIR",
            bosun_test::repo_root().join(".peers/trivy-cache"),
        )
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", trivy.display()));
    assert!(
        out.status.success(),
        "trivy on {archive}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("trivy JSON");
    let mut found = Vec::new();
    for r in doc["Results"].as_array().into_iter().flatten() {
        let target = r["Target"].as_str().unwrap_or_default();
        // Trivy names config results after the image (the --input path).
        let path = (target != archive).then(|| format!("/{}", target.trim_start_matches('/')));
        for s in r["Secrets"].as_array().into_iter().flatten() {
            let diff = s["Layer"]["DiffID"].as_str().unwrap_or_default();
            found.push(TrivySecret {
                path: path.clone(),
                line: s["StartLine"].as_u64().unwrap_or_default() as usize,
                rule: s["RuleID"].as_str().unwrap_or_default().to_owned(),
                layer: diff_ids.iter().position(|d| d == diff),
            });
        }
    }
    found
}

/// Secrets the way a scan finds them: catalog and scanner over one read.
fn bosun(reference: &str) -> Vec<SecretFinding> {
    let r = common::read(reference);
    r.scanner.finish(&r.tree, r.image.config())
}

/// Trivy's findings bosun lacks (each bosun finding answers one Trivy
/// finding at most).
fn missed(trivy: &[TrivySecret], bosun: &[SecretFinding]) -> Vec<String> {
    let map = rule_map();
    let mut used = vec![false; bosun.len()];
    let mut out = Vec::new();
    for t in trivy {
        let Some(want) = map.get(&t.rule) else {
            out.push(format!(
                "Trivy rule {} has no bosun counterpart in tests/fixtures/trivy-rule-map.json",
                t.rule
            ));
            continue;
        };
        let hit = bosun.iter().enumerate().position(|(i, b)| {
            !used[i]
                && b.rule_id == *want
                && match &t.path {
                    Some(p) => {
                        b.source == SecretSource::File
                            && b.path == *p
                            && b.line == t.line
                            && (t.layer.is_none() || b.layer == t.layer)
                    }
                    None => b.source != SecretSource::File,
                }
        });
        match hit {
            Some(i) => used[i] = true,
            None => out.push(format!("{t:?}")),
        }
    }
    out
}

fn manifest_image(name: &str) -> Value {
    bosun_test::images::manifest()["images"][name].clone()
}

fn archive_of(image: &Value) -> String {
    let rel = image["exports"]["docker-archive"]["path"]
        .as_str()
        .expect("docker-archive export in manifest.json");
    bosun_test::repo_root().join(rel).display().to_string()
}

fn diff_ids(image: &Value) -> Vec<String> {
    image["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn rule_map_names_real_bosun_rules() {
    let ids: Vec<String> = SecretScanner::builtin()
        .rules()
        .into_iter()
        .map(|r| r.id)
        .collect();
    for (trivy, ours) in rule_map() {
        assert!(ids.contains(&ours), "{trivy} -> {ours}: no such bosun rule");
    }
}

#[test]
fn bosun_finds_every_secret_trivy_finds_in_the_app_image() {
    let Some(trivy) = trivy() else { return };
    let image = manifest_image("bookworm-app");
    let archive = archive_of(&image);
    let t = run_trivy(&trivy, &archive, &diff_ids(&image));
    let b = bosun(&format!("docker-archive:{archive}"));
    // Trivy finds the planted file secrets that are not documentation
    // examples: if it finds none, the comparison proves nothing.
    let planted = image["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter(|s| !s["match"].as_str().unwrap_or_default().contains("EXAMPLE"))
        .count();
    let trivy_files = t.iter().filter(|s| s.path.is_some()).count();
    assert!(
        trivy_files >= 5,
        "Trivy found only {trivy_files} of {planted}: {t:#?}"
    );
    let miss = missed(&t, &b);
    assert!(
        miss.is_empty(),
        "bosun misses Trivy's {miss:#?}\nbosun: {b:#?}"
    );

    // The deleted secrets: in layer 8's tar, gone from the final tree.
    let deleted: Vec<&Value> = image["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter(|s| s["deleted_in_layer"].is_u64())
        .collect();
    assert!(!deleted.is_empty(), "the manifest lists no deleted secret");
    for s in deleted {
        let path = s["path"].as_str().expect("path");
        let line = s["line"].as_u64().expect("line") as usize;
        assert!(
            t.iter()
                .any(|f| f.path.as_deref() == Some(path) && f.line == line),
            "Trivy no longer reports the deleted {path}:{line}"
        );
        let f = b
            .iter()
            .find(|f| f.path == path && f.line == line)
            .unwrap_or_else(|| panic!("bosun misses the deleted {path}:{line}"));
        assert!(f.deleted, "{f:#?}");
        assert_eq!(
            f.deleted_in,
            s["deleted_in_layer"].as_u64().map(|l| l as usize)
        );
        assert_eq!(f.layer, s["layer"].as_u64().map(|l| l as usize));
    }
}

#[test]
fn nothing_on_the_plain_debootstrap_image() {
    let Some(trivy) = trivy() else { return };
    let image = manifest_image("bookworm-base");
    let archive = archive_of(&image);
    let t = run_trivy(&trivy, &archive, &diff_ids(&image));
    assert!(t.is_empty(), "Trivy finds secrets on bookworm-base: {t:#?}");
    let rootfs = image["rootfs"]["path"].as_str().expect("rootfs path");
    let rootfs = bosun_test::repo_root().join(rootfs);
    for reference in [
        format!("docker-archive:{archive}"),
        format!("rootfs:{}", rootfs.display()),
    ] {
        let b = bosun(&reference);
        assert!(b.is_empty(), "false positives on {reference}: {b:#?}");
    }
    // The same reading of a root filesystem does find secrets where they
    // are (so "nothing" above is not a reader that reads nothing).
    let app = manifest_image("bookworm-app");
    let app_root = bosun_test::repo_root().join(app["rootfs"]["path"].as_str().expect("path"));
    let b = bosun(&format!("rootfs:{}", app_root.display()));
    assert!(
        b.iter().any(|f| f.path == "/opt/app/config/deploy-aws.ini"),
        "{b:#?}"
    );
}

/// A one-layer docker-archive whose config holds the secrets: an Env entry,
/// a label and a history line. The values are assembled here so the
/// repository holds no secret-looking literal.
fn config_secret_archive(dir: &Path) -> PathBuf {
    let mut layer = tar::Builder::new(Vec::new());
    let body = b"hello\n";
    let mut h = tar::Header::new_gnu();
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    layer
        .append_data(&mut h, "etc/hello", &body[..])
        .expect("tar");
    let layer = layer.into_inner().expect("tar");
    let diff = hex::encode(Sha256::digest(&layer));
    let github = format!("ghp_{}{}", "bosunFAKEtoken0123", "456789abcdefABCDEF");
    let slack = format!(
        "xox{}-417281234567-4172812345678-{}",
        "b", "bosunFakeSlackTok3nAbCdEf"
    );
    let aws = format!("AKIA{}", "Z7BOSUNFAKEKEY42");
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/bin", format!("GITHUB_TOKEN={github}")],
            "Labels": {"notify": slack},
        },
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff}")]},
        "history": [{"created_by": format!(
            "/bin/sh -c echo aws_secret_access_key = {}/not+real/0123456789ab && echo {aws}",
            "bosunFAKEsecretKEY"
        )}],
    });
    let config = serde_json::to_vec(&config).expect("json");
    let config_name = format!("{}.json", hex::encode(Sha256::digest(&config)));
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name,
        "RepoTags": ["bosun-test/config-secrets:latest"],
        "Layers": [format!("{diff}.tar")],
    }]))
    .expect("json");
    let path = dir.join("config-secrets.docker.tar");
    let mut out = tar::Builder::new(std::fs::File::create(&path).expect("create"));
    for (name, data) in [
        (config_name.as_str(), &config[..]),
        (&format!("{diff}.tar"), &layer[..]),
        ("manifest.json", &manifest[..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        out.append_data(&mut h, name, data).expect("tar");
    }
    out.into_inner().expect("tar").flush().expect("flush");
    path
}

#[test]
fn bosun_finds_every_secret_trivy_finds_in_the_image_config() {
    let Some(trivy) = trivy() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = config_secret_archive(dir.path());
    let archive = archive.display().to_string();
    let t = run_trivy(&trivy, &archive, &[]);
    assert!(
        t.len() >= 3 && t.iter().all(|s| s.path.is_none()),
        "Trivy's config findings changed: {t:#?}"
    );
    let b = bosun(&format!("docker-archive:{archive}"));
    let miss = missed(&t, &b);
    assert!(
        miss.is_empty(),
        "bosun misses Trivy's {miss:#?}\nbosun: {b:#?}"
    );
    // each source, with its location
    for (source, path) in [
        (SecretSource::ConfigEnv, "config:Env[1]"),
        (SecretSource::ConfigLabel, "config:Labels[notify]"),
        (SecretSource::History, "history[0]"),
    ] {
        assert!(
            b.iter().any(|f| f.source == source && f.path == path),
            "{path}: {b:#?}"
        );
    }
}
