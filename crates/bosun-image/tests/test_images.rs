//! The real test images of `scripts/build-test-images.sh` (described in
//! `.test-images/manifest.json`): every export of bookworm-app must give the
//! same layers and the same squashed tree, equal to the root filesystem the
//! script kept on disk.
//!
//! These tests fail (they do not skip) when the images, the registries or
//! the podman service are missing, with the command that makes them.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bosun_image::{Credentials, OpenOptions, Platform, parse_reference};
use bosun_tree::{EntryKind, EntrySink, FileMeta, FileTree, MetadataOnly, Want};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn manifest() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(|| {
        let p = repo().join(".test-images/manifest.json");
        let bytes = std::fs::read(&p).unwrap_or_else(|e| {
            panic!(
                "{}: {e}\nthe real test images are missing: run scripts/build-test-images.sh (from the repository root)",
                p.display()
            )
        });
        serde_json::from_slice(&bytes).expect("manifest.json is JSON")
    })
}

fn image(name: &str) -> &'static Value {
    let v = &manifest()["images"][name];
    assert!(
        v.is_object(),
        "image `{name}` is not in .test-images/manifest.json: run scripts/build-test-images.sh"
    );
    v
}

fn path_of(export: &Value) -> String {
    let rel = export["path"].as_str().expect("export path");
    repo().join(rel).display().to_string()
}

/// Keeps what package analyzers keep.
struct Dbs;

impl EntrySink for Dbs {
    fn want(&self, path: &str, _meta: &FileMeta) -> Want {
        if path == "/var/lib/dpkg/status"
            || path == "/etc/os-release"
            || path.ends_with("/package.json")
        {
            Want::KEEP
        } else {
            Want::SKIP
        }
    }
}

#[derive(Debug, PartialEq)]
struct Summary {
    diff_ids: Vec<String>,
    created_by: Vec<Option<String>>,
    tree: Vec<String>,
    dpkg_status: Option<Vec<u8>>,
}

fn node_line(p: &str, n: &bosun_tree::Node) -> String {
    format!(
        "{p} {:?} {:o} {}:{} {} layer={} link={:?}",
        n.meta.kind, n.meta.mode, n.meta.uid, n.meta.gid, n.meta.size, n.layer, n.meta.link
    )
}

fn summarize(reference: &str, opts: &OpenOptions) -> Summary {
    let spec = parse_reference(reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let img = bosun_image::open(&spec, opts).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let which: Vec<usize> = (0..img.layers().len()).collect();
    let layers = img
        .read_layers(&which, &Dbs)
        .unwrap_or_else(|e| panic!("{reference}: {e}"));
    let tree = FileTree::squash(layers.into_iter().map(|(_, l)| l).collect());
    Summary {
        diff_ids: img
            .layers()
            .iter()
            .map(|l| l.diff_id.clone().unwrap_or_default())
            .collect(),
        created_by: img.layers().iter().map(|l| l.created_by.clone()).collect(),
        tree: tree.iter().map(|(p, n)| node_line(p, n)).collect(),
        dpkg_status: tree.read("/var/lib/dpkg/status").map(|c| c.to_vec()),
    }
}

fn registry_opts(kind: &str) -> OpenOptions {
    let r = &manifest()["registries"][kind];
    let credentials = r["username"].as_str().map(|u| Credentials {
        username: u.to_owned(),
        password: r["password"].as_str().unwrap_or_default().to_owned(),
    });
    OpenOptions {
        credentials,
        ..common::opts()
    }
}

fn registry_up(export: &Value) {
    let reference = export["ref"].as_str().expect("ref");
    let host = reference.split('/').next().unwrap_or("");
    if std::net::TcpStream::connect(host).is_err() {
        panic!(
            "the test registry at {host} is not running: run scripts/registry.sh start (and scripts/registry.sh push)"
        );
    }
}

fn podman_socket() -> PathBuf {
    let sock = repo().join(".test-images/podman.sock");
    if std::os::unix::net::UnixStream::connect(&sock).is_err() {
        panic!(
            "the podman service is not running at {}: run scripts/podman-service.sh start",
            sock.display()
        );
    }
    sock
}

#[test]
fn bookworm_app_every_export_gives_the_same_layers_and_tree() {
    let app = image("bookworm-app");
    let exports = &app["exports"];
    let want_diff: Vec<String> = app["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["diff_id"].as_str().expect("diff_id").to_owned())
        .collect();
    let want_created: Vec<Option<String>> = app["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["created_by"].as_str().map(str::to_owned))
        .collect();

    let reference = summarize(
        &format!("docker-archive:{}", path_of(&exports["docker-archive"])),
        &common::opts(),
    );
    assert_eq!(reference.diff_ids, want_diff, "docker-archive diff_ids");
    assert_eq!(
        reference.created_by, want_created,
        "docker-archive created_by"
    );
    assert!(
        reference
            .dpkg_status
            .as_ref()
            .is_some_and(|s| s.starts_with(b"Package: "))
    );
    let entries: u64 = app["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter_map(|l| l["entries"].as_u64())
        .sum();
    assert!(entries > 5000, "the manifest counts {entries} entries");

    let mut sources: Vec<(String, String, OpenOptions)> = Vec::new();
    for (key, prefix) in [
        ("oci", "oci-dir"),
        ("oci-zstd", "oci-dir"),
        ("oci-uncompressed", "oci-dir"),
        ("oci-archive", "oci-archive"),
    ] {
        let e = &exports[key];
        assert!(
            e.is_object(),
            "export `{key}` missing from manifest.json: run scripts/build-test-images.sh"
        );
        let tag = e["ref"]
            .as_str()
            .map(|t| format!(":{t}"))
            .unwrap_or_default();
        sources.push((
            key.to_owned(),
            format!("{prefix}:{}{tag}", path_of(e)),
            common::opts(),
        ));
    }
    for (key, kind) in [
        ("registry-anonymous", "anonymous"),
        ("registry-basic", "basic"),
        ("registry-token", "token"),
    ] {
        let e = &exports[key];
        assert!(
            e.is_object(),
            "export `{key}` missing from manifest.json: run scripts/build-test-images.sh"
        );
        registry_up(e);
        sources.push((
            key.to_owned(),
            format!("registry:{}", e["ref"].as_str().expect("ref")),
            registry_opts(kind),
        ));
    }
    let sock = podman_socket();
    let podman: Value = serde_json::from_slice(
        &std::fs::read(repo().join(".test-images/podman.json"))
            .expect("podman.json: run scripts/podman-service.sh start"),
    )
    .expect("podman.json");
    let podman_ref = podman["images"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == "bookworm-app"))
        .and_then(|i| i["ref"].as_str())
        .expect("bookworm-app in podman.json");
    let engine = OpenOptions {
        podman_socket: Some(format!("unix://{}", sock.display())),
        ..common::opts()
    };
    let loaded = bosun_image::open(
        &parse_reference(&format!("podman:{podman_ref}")).expect("ref"),
        &engine,
    )
    .unwrap_or_else(|e| {
        panic!(
            "podman:{podman_ref}: {e}\nrun scripts/podman-service.sh start (it loads bookworm-app)"
        )
    });
    let built = app["config"]["digest"].as_str().expect("config digest");
    assert_eq!(
        loaded.source().config_digest.as_deref(),
        Some(built),
        "podman holds an older build of bookworm-app than .test-images: run scripts/podman-service.sh start (it reloads a stale image)"
    );
    sources.push(("podman".into(), format!("podman:{podman_ref}"), engine));

    for (key, reference_str, opts) in &sources {
        let s = summarize(reference_str, opts);
        assert_eq!(s.diff_ids, reference.diff_ids, "{key}: diff_ids");
        assert_eq!(s.created_by, reference.created_by, "{key}: created_by");
        assert_eq!(
            s.dpkg_status, reference.dpkg_status,
            "{key}: /var/lib/dpkg/status"
        );
        if s.tree != reference.tree {
            let a: std::collections::BTreeSet<_> = reference.tree.iter().collect();
            let b: std::collections::BTreeSet<_> = s.tree.iter().collect();
            let only_a: Vec<_> = a.difference(&b).take(5).collect();
            let only_b: Vec<_> = b.difference(&a).take(5).collect();
            panic!(
                "{key}: squashed tree differs from docker-archive\nonly in docker-archive: {only_a:#?}\nonly in {key}: {only_b:#?}"
            );
        }
    }
}

/// The squashed image against the root filesystem the build script kept.
fn assert_tree_equals_rootfs(name: &str) {
    let img = image(name);
    let rootfs = repo().join(".test-images/rootfs").join(name);
    assert!(
        rootfs.is_dir(),
        "{} missing: run scripts/build-test-images.sh",
        rootfs.display()
    );
    let docker = format!(
        "docker-archive:{}",
        path_of(&img["exports"]["docker-archive"])
    );
    let line = |p: &str, n: &bosun_tree::Node| {
        let link = if n.meta.kind == EntryKind::Symlink {
            n.meta.link.clone()
        } else {
            None
        };
        format!("{p} {:?} {} {:?}", n.meta.kind, n.meta.size, link)
    };
    let tree_of = |reference: &str| {
        let img = common::open(reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
        let t =
            common::read_all(&img, &MetadataOnly).unwrap_or_else(|e| panic!("{reference}: {e}"));
        t.iter()
            .filter(|(p, _)| *p != "/")
            .map(|(p, n)| line(p, n))
            .collect::<Vec<_>>()
    };
    let image_tree = tree_of(&docker);
    let disk_tree = tree_of(&format!("rootfs:{}", rootfs.display()));
    if image_tree != disk_tree {
        let a: std::collections::BTreeSet<_> = image_tree.iter().collect();
        let b: std::collections::BTreeSet<_> = disk_tree.iter().collect();
        let only_a: Vec<_> = a.difference(&b).take(10).collect();
        let only_b: Vec<_> = b.difference(&a).take(10).collect();
        panic!(
            "{name}: image and rootfs differ\nonly in the image: {only_a:#?}\nonly on disk: {only_b:#?}"
        );
    }
    assert!(!image_tree.is_empty(), "{name}: empty tree");
}

#[test]
fn squashed_trees_equal_the_rootfs_on_disk() {
    // bookworm-app: 10 layers with deletions; opaque-whiteout: a hand-made
    // `.wh..wh..opq` layer; old-image: a tiny single layer.
    for name in ["bookworm-app", "opaque-whiteout", "old-image"] {
        assert_tree_equals_rootfs(name);
    }
}

#[test]
fn layouts_with_several_images_select_by_tag_and_platform() {
    let layouts = &manifest()["layouts"];
    let multi = &layouts["multi-tag"];
    assert!(
        multi.is_object(),
        "layout `multi-tag` missing: run scripts/build-test-images.sh"
    );
    let path = repo().join(multi["path"].as_str().expect("path"));
    let e =
        common::open(&format!("oci-dir:{}", path.display())).expect_err("two images need a tag");
    assert!(
        e.to_string().contains("bookworm-base") && e.to_string().contains("bookworm-app"),
        "{e}"
    );
    for entry in multi["index_manifests"]
        .as_array()
        .expect("index_manifests")
    {
        let tag = entry["ref"].as_str().expect("ref");
        let img = common::open(&format!("oci-dir:{}:{tag}", path.display())).expect("open by tag");
        assert_eq!(
            img.source().manifest_digest.as_deref(),
            entry["digest"].as_str(),
            "{tag}"
        );
        let want = image(tag)["layer_count"].as_u64().expect("layer_count");
        assert_eq!(img.layers().len() as u64, want, "{tag}");
    }

    let ma = &layouts["bookworm-app-multiarch"];
    assert!(
        ma.is_object(),
        "layout `bookworm-app-multiarch` missing: run scripts/build-test-images.sh"
    );
    let path = repo().join(ma["path"].as_str().expect("path"));
    let tag = ma["ref"].as_str().unwrap_or("latest");
    let reference = format!("oci-dir:{}:{tag}", path.display());
    let amd = common::open(&reference).expect("default platform");
    assert_eq!(amd.source().platform.as_deref(), Some("linux/amd64"));
    let app_diff: Vec<_> = image("bookworm-app")["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["diff_id"].as_str().map(str::to_owned))
        .collect();
    let got: Vec<_> = amd.layers().iter().map(|l| l.diff_id.clone()).collect();
    assert_eq!(got, app_diff);
    let arm_opts = OpenOptions {
        platform: "linux/arm64/v8".parse::<Platform>().expect("platform"),
        ..common::opts()
    };
    let arm =
        bosun_image::open(&parse_reference(&reference).expect("ref"), &arm_opts).expect("arm64");
    assert!(
        arm.source()
            .platform
            .as_deref()
            .is_some_and(|p| p.starts_with("linux/arm64"))
    );
    assert_ne!(arm.source().manifest_digest, amd.source().manifest_digest);
    let s390 = OpenOptions {
        platform: "linux/s390x".parse::<Platform>().expect("platform"),
        ..common::opts()
    };
    let e =
        bosun_image::open(&parse_reference(&reference).expect("ref"), &s390).expect_err("no s390x");
    assert!(e.to_string().contains("linux/arm64"), "{e}");
}

#[test]
fn every_test_image_reads_from_its_local_exports() {
    let images = manifest()["images"].as_object().expect("images");
    assert!(
        images.len() >= 5,
        "expected several test images: run scripts/build-test-images.sh"
    );
    for (name, img) in images {
        let exports = &img["exports"];
        let mut seen = Vec::new();
        for (key, prefix) in [
            ("docker-archive", "docker-archive"),
            ("oci", "oci-dir"),
            ("oci-archive", "oci-archive"),
        ] {
            let e = &exports[key];
            if !e.is_object() {
                continue;
            }
            let tag = match (key, e["ref"].as_str()) {
                ("docker-archive", _) | (_, None) => String::new(),
                (_, Some(t)) => format!(":{t}"),
            };
            let reference = format!("{prefix}:{}{tag}", path_of(e));
            let s = summarize(&reference, &common::opts());
            assert_eq!(
                s.diff_ids.len() as u64,
                img["layer_count"].as_u64().expect("layer_count"),
                "{name} {key}"
            );
            for (i, l) in img["layers"].as_array().expect("layers").iter().enumerate() {
                assert_eq!(
                    Some(s.diff_ids[i].as_str()),
                    l["diff_id"].as_str(),
                    "{name} {key} layer {i}"
                );
            }
            seen.push((key, s));
        }
        assert!(!seen.is_empty(), "{name}: no local export");
        let (k0, first) = &seen[0];
        for (k, s) in &seen[1..] {
            assert_eq!(first.tree, s.tree, "{name}: {k0} vs {k}");
        }
    }
}

#[test]
fn config_facts_match_the_manifest() {
    for (name, img) in manifest()["images"].as_object().expect("images") {
        let e = &img["exports"]["oci"];
        if !e.is_object() {
            continue;
        }
        let tag = e["ref"]
            .as_str()
            .map(|t| format!(":{t}"))
            .unwrap_or_default();
        let opened = common::open(&format!("oci-dir:{}{tag}", path_of(e))).expect("open");
        let cfg = opened.config().expect("config");
        let want = &img["config"];
        assert_eq!(
            opened.source().config_digest.as_deref(),
            want["digest"].as_str(),
            "{name}"
        );
        assert_eq!(cfg.created.as_deref(), want["created"].as_str(), "{name}");
        let user = want["user"].as_str().filter(|u| !u.is_empty());
        assert_eq!(cfg.user.as_deref(), user, "{name}");
        let cmd: Vec<String> = want["cmd"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(cfg.cmd, cmd, "{name}");
        let health: Option<Vec<String>> = want["healthcheck"]["Test"]
            .as_array()
            .or_else(|| want["healthcheck"]["test"].as_array())
            .or_else(|| want["healthcheck"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            });
        if want["healthcheck"].is_null() {
            assert_eq!(cfg.healthcheck, None, "{name}");
        } else {
            assert_eq!(cfg.healthcheck, health, "{name}");
        }
        assert_eq!(
            opened.source().manifest_digest.as_deref(),
            e["manifest_digest"].as_str(),
            "{name}"
        );
    }
}
