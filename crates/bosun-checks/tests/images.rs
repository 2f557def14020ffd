//! The checks and the secret scanner on the real test images
//! (`scripts/build-test-images.sh`), read the way a scan reads them: the
//! package catalog and the secret scanner over one read of the layers
//! (`bosun_tree::Both`), then the squash. Expectations come from
//! `.test-images/manifest.json` and from the kept root filesystems, never
//! from this file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::OnceLock;

use bosun_checks::{
    CheckOptions, LayerSecrets, NO_HEALTHCHECK, PORT_22, PRIVATE_KEYS, REQUIRED_LABELS, ROOT_USER,
    SECRETS_IN_CONFIG, SECRETS_IN_FILES, SETUID_SETGID, SSH_SERVER, SUDO, SecretScanner,
    WORLD_WRITABLE, run_checks,
};
use bosun_model::{CheckFinding, INVENTORY_SCHEMA, Inventory, SecretFinding, SecretSource};
use bosun_tree::FileTree;
use serde_json::Value;

struct Scanned {
    tree: FileTree,
    inventory: Inventory,
    secrets: Vec<SecretFinding>,
    checks: Vec<CheckFinding>,
    layer_results: BTreeMap<usize, LayerSecrets>,
}

fn manifest() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(bosun_test::images::manifest)
}

fn image(name: &str) -> &'static Value {
    manifest()
        .get("images")
        .and_then(|i| i.get(name))
        .unwrap_or_else(|| {
            panic!("manifest.json has no image {name}; rerun scripts/build-test-images.sh")
        })
}

fn repo(rel: &str) -> String {
    bosun_test::repo_root().join(rel).display().to_string()
}

fn scan(reference: &str) -> Scanned {
    let common::Read {
        image: img,
        tree,
        catalog,
        scanner,
        layers: which,
    } = common::read(reference);
    let found = catalog
        .run(&tree)
        .unwrap_or_else(|e| panic!("{reference}: {e}"));
    let inventory = Inventory {
        schema: INVENTORY_SCHEMA.into(),
        generator: "test".into(),
        created: String::new(),
        source: img.source().clone(),
        config: img.config().cloned(),
        distro: found.distro,
        layers: img.layers().to_vec(),
        packages: found.packages,
        warnings: Vec::new(),
    };
    let secrets = scanner.finish(&tree, img.config());
    let checks = run_checks(&tree, &inventory, &secrets, &CheckOptions::default());
    let layer_results = which
        .iter()
        .map(|&i| (i, scanner.layer_results(i)))
        .collect();
    Scanned {
        tree,
        inventory,
        secrets,
        checks,
        layer_results,
    }
}

fn docker_archive(name: &str) -> String {
    bosun_test::images::docker_archive(name)
}

fn scanned(name: &'static str) -> &'static Scanned {
    static CACHE: OnceLock<std::sync::Mutex<BTreeMap<&'static str, &'static Scanned>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    c.entry(name)
        .or_insert_with(|| Box::leak(Box::new(scan(&docker_archive(name)))))
}

fn check<'a>(s: &'a Scanned, id: &str) -> Option<&'a CheckFinding> {
    s.checks.iter().find(|c| c.id == id)
}

/// The manifest's secret kinds, as bosun's rule IDs.
fn rule_for(kind: &str) -> &str {
    match kind {
        "rsa-private-key" => "private-key",
        other => other,
    }
}

#[test]
fn every_planted_secret_is_found_in_its_layer_and_the_deleted_one_is_marked() {
    let s = scanned("bookworm-app");
    let planted = image("bookworm-app")["secrets"]
        .as_array()
        .expect("manifest secrets");
    assert!(!planted.is_empty());
    let mut deleted_seen = 0;
    for p in planted {
        let path = p["path"].as_str().expect("path");
        let line = p["line"].as_u64().expect("line") as usize;
        let layer = p["layer"].as_u64().map(|l| l as usize);
        let value = p["match"].as_str().expect("match");
        let rule = rule_for(p["kind"].as_str().expect("kind"));
        let at: Vec<&SecretFinding> = s
            .secrets
            .iter()
            .filter(|f| f.path == path && f.line == line)
            .collect();
        if value.to_ascii_lowercase().contains("example") {
            // the AWS documentation pair: a published value, not reported
            assert!(at.is_empty(), "documentation example reported: {at:#?}");
            continue;
        }
        let f = at
            .iter()
            .find(|f| f.rule_id == rule)
            .unwrap_or_else(|| panic!("missing {rule} at {path}:{line}; found there: {at:#?}"));
        assert_eq!(f.layer, layer, "{path}:{line}");
        assert_eq!(f.source, SecretSource::File);
        let deleted_in = p["deleted_in_layer"].as_u64().map(|l| l as usize);
        assert_eq!(f.deleted, deleted_in.is_some(), "{path}:{line}: {f:#?}");
        assert_eq!(f.deleted_in, deleted_in, "{path}:{line}");
        assert!(!f.replaced);
        if f.deleted {
            deleted_seen += 1;
            assert!(s.tree.get(path).is_none());
        }
        // the value itself never reaches the report
        if value.len() > 8 && rule != "private-key" {
            assert!(!f.redacted.contains(value), "{}", f.redacted);
        }
    }
    assert!(
        deleted_seen >= 1,
        "the deleted /root/.aws/credentials was not reported"
    );
}

#[test]
fn no_file_secret_besides_the_planted_ones() {
    let s = scanned("bookworm-app");
    let planted: BTreeSet<(String, usize)> = image("bookworm-app")["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or_default().to_owned(),
                p["line"].as_u64().unwrap_or_default() as usize,
            )
        })
        .collect();
    let extra: Vec<&SecretFinding> = s
        .secrets
        .iter()
        .filter(|f| f.source == SecretSource::File)
        .filter(|f| !planted.contains(&(f.path.clone(), f.line)))
        .collect();
    assert!(extra.is_empty(), "findings nobody planted: {extra:#?}");
}

#[test]
fn config_secrets_are_reported_by_the_env_check() {
    let s = scanned("bookworm-app");
    let env = &s.inventory.config.as_ref().expect("config").env;
    let c = check(s, SECRETS_IN_CONFIG).expect("BOSUN-IMG-004 did not fire");
    for entry in image("bookworm-app")["config_secrets"]
        .as_array()
        .expect("config_secrets")
    {
        let entry = entry.as_str().expect("string");
        let i = env
            .iter()
            .position(|e| e == entry)
            .unwrap_or_else(|| panic!("{entry} is not in the config Env"));
        let loc = format!("config:Env[{i}]");
        let ev = c
            .evidence
            .iter()
            .find(|e| e.location == loc)
            .unwrap_or_else(|| panic!("{loc} missing: {:#?}", c.evidence));
        let value = entry.split_once('=').map(|(_, v)| v).unwrap_or_default();
        assert!(!ev.detail.contains(value), "{}", ev.detail);
    }
    // the DB password is also a secret finding of the config itself
    assert!(
        s.secrets
            .iter()
            .any(|f| f.source == SecretSource::ConfigEnv
                && f.rule_id == "generic-password-assignment")
    );
}

/// The last layer whose tar has this path with setuid/setgid bits.
fn setuid_layer(name: &str, path: &str) -> Option<usize> {
    image(name)["layers"]
        .as_array()?
        .iter()
        .filter(|l| {
            l["setuid_setgid_files"]
                .as_array()
                .is_some_and(|v| v.iter().any(|f| f["path"] == path))
        })
        .filter_map(|l| l["index"].as_u64())
        .max()
        .map(|l| l as usize)
}

#[test]
fn setuid_and_setgid_files_match_the_real_tree() {
    for name in ["bookworm-app", "bookworm-nonroot", "bookworm-base"] {
        let s = scanned(name);
        let want = image(name)["rootfs"]["setuid_setgid_files"]
            .as_array()
            .expect("setuid_setgid_files");
        let c = check(s, SETUID_SETGID);
        if want.is_empty() {
            assert!(c.is_none(), "{name}: {c:#?}");
            continue;
        }
        let c = c.unwrap_or_else(|| panic!("{name}: BOSUN-IMG-005 did not fire"));
        let got: BTreeMap<&str, (Option<usize>, &str)> = c
            .evidence
            .iter()
            .map(|e| (e.location.as_str(), (e.layer, e.detail.as_str())))
            .collect();
        assert_eq!(got.len(), want.len(), "{name}: {got:#?}");
        for f in want {
            let path = f["path"].as_str().expect("path");
            let mode = f["mode"].as_str().expect("mode").trim_start_matches("0o");
            let (layer, detail) = got
                .get(path)
                .unwrap_or_else(|| panic!("{name}: {path} not reported"));
            assert_eq!(*layer, setuid_layer(name, path), "{name}: {path}");
            assert!(detail.contains(&format!("mode {mode:0>4}")), "{detail}");
        }
    }
    // the planted one, by name
    let app = scanned("bookworm-app");
    let c = check(app, SETUID_SETGID).expect("fires");
    let env = c
        .evidence
        .iter()
        .find(|e| e.location == "/usr/local/bin/env-suid")
        .expect("env-suid");
    assert_eq!(env.layer, Some(8));
}

/// World-writable regular files and non-sticky directories of a real tree.
fn world_writable_on_disk(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            let rel = format!(
                "/{}",
                e.path().strip_prefix(root).unwrap_or(&e.path()).display()
            );
            let mode = md.mode();
            if md.is_dir() {
                if mode & 0o002 != 0 && mode & 0o1000 == 0 {
                    out.insert(rel);
                }
                stack.push(e.path());
            } else if md.is_file() && mode & 0o002 != 0 {
                out.insert(rel);
            }
        }
    }
    out
}

#[test]
fn world_writable_entries_match_the_real_tree() {
    for name in ["bookworm-app", "bookworm-nonroot", "bookworm-base"] {
        let s = scanned(name);
        let manifest_dirs: BTreeSet<String> =
            image(name)["rootfs"]["world_writable_dirs_without_sticky"]
                .as_array()
                .expect("list")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
        let root = repo(image(name)["rootfs"]["path"].as_str().expect("rootfs path"));
        let on_disk = world_writable_on_disk(Path::new(&root));
        assert!(
            manifest_dirs.is_subset(&on_disk),
            "{name}: {manifest_dirs:?} vs {on_disk:?}"
        );
        let got: BTreeSet<String> = check(s, WORLD_WRITABLE)
            .map(|c| c.evidence.iter().map(|e| e.location.clone()).collect())
            .unwrap_or_default();
        assert_eq!(got, on_disk, "{name}");
    }
    let app = scanned("bookworm-app");
    let c = check(app, WORLD_WRITABLE).expect("fires on bookworm-app");
    let uploads = c
        .evidence
        .iter()
        .find(|e| e.location == "/opt/app/uploads")
        .expect("/opt/app/uploads");
    assert_eq!(uploads.layer, Some(8));
    assert!(
        uploads.detail.contains("without the sticky bit"),
        "{}",
        uploads.detail
    );
    // /tmp (1777) is standard and not reported
    assert_eq!(
        app.tree.get("/tmp").map(|n| n.meta.mode & 0o7777),
        Some(0o1777)
    );
    assert!(!c.evidence.iter().any(|e| e.location == "/tmp"));
}

#[test]
fn image_hygiene_checks_fire_on_app_and_not_on_nonroot() {
    let app = scanned("bookworm-app");
    let good = scanned("bookworm-nonroot");
    for id in [ROOT_USER, NO_HEALTHCHECK, PORT_22, SUDO, SSH_SERVER] {
        assert!(check(app, id).is_some(), "{id} should fire on bookworm-app");
        assert!(
            check(good, id).is_none(),
            "{id} fired on bookworm-nonroot: {:#?}",
            check(good, id)
        );
    }
    let ssh = check(app, SSH_SERVER).expect("ssh");
    let locations: BTreeSet<&str> = ssh.evidence.iter().map(|e| e.location.as_str()).collect();
    for want in ["package:deb/openssh-server", "/usr/sbin/sshd", "config:Cmd"] {
        assert!(locations.contains(want), "{want} not in {locations:?}");
    }
    let pkg = ssh
        .evidence
        .iter()
        .find(|e| e.location == "package:deb/openssh-server")
        .expect("package");
    assert_eq!(pkg.layer, Some(1), "openssh-server came with layer 1");
    let sudo = check(app, SUDO).expect("sudo");
    assert!(
        sudo.evidence
            .iter()
            .any(|e| e.location == "/usr/bin/sudo" && e.layer == Some(1))
    );
    let root = check(app, ROOT_USER).expect("root");
    assert_eq!(root.evidence[0].location, "config:User");
    // no secrets on the good image
    assert!(good.secrets.is_empty(), "{:#?}", good.secrets);
    for id in [SECRETS_IN_CONFIG, SECRETS_IN_FILES, PRIVATE_KEYS] {
        assert!(check(good, id).is_none(), "{id} on bookworm-nonroot");
        assert!(check(app, id).is_some(), "{id} not on bookworm-app");
    }
}

#[test]
fn required_labels_follow_the_config() {
    for name in ["bookworm-app", "bookworm-nonroot", "bookworm-base"] {
        let s = scanned(name);
        let labels = image(name)["config"]["labels"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let missing: BTreeSet<String> = CheckOptions::default()
            .required_labels
            .into_iter()
            .filter(|k| {
                labels
                    .get(k)
                    .and_then(Value::as_str)
                    .is_none_or(|v| v.trim().is_empty())
            })
            .map(|k| format!("config:Labels[{k}]"))
            .collect();
        let got: BTreeSet<String> = check(s, REQUIRED_LABELS)
            .map(|c| c.evidence.iter().map(|e| e.location.clone()).collect())
            .unwrap_or_default();
        assert_eq!(got, missing, "{name}");
    }
}

#[test]
fn private_key_check_names_the_key_file_and_layer() {
    let app = scanned("bookworm-app");
    let c = check(app, PRIVATE_KEYS).expect("fires");
    let planted: Vec<&Value> = image("bookworm-app")["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter(|p| p["kind"] == "rsa-private-key")
        .collect();
    assert!(!planted.is_empty());
    for p in planted {
        let path = p["path"].as_str().expect("path");
        assert!(
            c.evidence
                .iter()
                .any(|e| e.location == path && e.layer == p["layer"].as_u64().map(|l| l as usize)),
            "{path}: {:#?}",
            c.evidence
        );
    }
}

#[test]
fn the_plain_debootstrap_base_has_no_secret_in_its_layer_or_rootfs() {
    let base = scanned("bookworm-base");
    assert!(base.secrets.is_empty(), "{:#?}", base.secrets);
    assert!(check(base, SECRETS_IN_FILES).is_none());
    // the kept root filesystem, read as a directory
    let root = repo(
        image("bookworm-base")["rootfs"]["path"]
            .as_str()
            .expect("rootfs"),
    );
    let s = scan(&format!("rootfs:{root}"));
    assert!(s.secrets.is_empty(), "{:#?}", s.secrets);
    // the same layer inside bookworm-app yields nothing either
    let app = scanned("bookworm-app");
    assert!(
        app.secrets.iter().all(|f| f.layer != Some(0)),
        "layer 0 of bookworm-app"
    );
}

#[test]
fn layer_results_move_with_the_layer_on_a_cache_hit() {
    let app = scanned("bookworm-app");
    let l8 = app.layer_results.get(&8).cloned().expect("layer 8 results");
    assert!(!l8.findings.is_empty());
    // a scanner that never read layer 8 gets it back at another index
    let other = SecretScanner::builtin();
    other.restore_layer_results(3, l8.clone());
    let got = other.layer_results(3);
    assert_eq!(got.findings.len(), l8.findings.len());
    assert!(got.findings.iter().all(|f| f.layer == Some(3)));
    // round trip through JSON, as a cache stores it
    let text = serde_json::to_string(&l8).expect("serialize");
    let back: LayerSecrets = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, l8);
    // restoring into a scanner and finishing over the same tree gives the
    // same file findings as reading the layer
    let again = SecretScanner::builtin();
    for (i, r) in &app.layer_results {
        again.restore_layer_results(*i, r.clone());
    }
    let files: Vec<SecretFinding> = app
        .secrets
        .iter()
        .filter(|f| f.source == SecretSource::File)
        .cloned()
        .collect();
    assert_eq!(again.finish(&app.tree, None), files);
}
