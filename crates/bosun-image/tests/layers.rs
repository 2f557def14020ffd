//! The layer reader and the local sources on crafted images: squash
//! semantics, verification, and hostile input. Every error test checks that
//! the message names the blob, file or field.

mod common;

use std::sync::Mutex;

use bosun_image::{ImageError, Limits, OpenOptions, Platform, Progress, parse_reference};
use bosun_tree::{EntryKind, MetadataOnly};
use common::*;
use serde_json::json;

fn base_layers() -> Vec<Vec<u8>> {
    vec![
        tar_of(&[
            E::Dir("etc/"),
            E::File("etc/os-release", b"ID=debian\nVERSION_ID=12\n".to_vec()),
            E::File("etc/gone", b"deleted later".to_vec()),
            E::Dir("var/cache/"),
            E::File("var/cache/a", b"a".to_vec()),
            E::File("var/cache/b", b"b".to_vec()),
            E::FileMode("usr/bin/tool", b"\x7fELF".to_vec(), 0o4755),
            E::Hardlink("usr/bin/tool-link", "usr/bin/tool"),
            E::File("opt/keep", b"kept bytes".to_vec()),
            E::Hardlink("opt/also-keep", "opt/keep"),
        ]),
        tar_of(&[
            E::File("etc/.wh.gone", vec![]),
            E::Dir("var/cache/"),
            E::File("var/cache/.wh..wh..opq", vec![]),
            E::File("var/cache/c", b"c".to_vec()),
            E::Symlink("etc/abs-link", "/etc/os-release"),
            E::Symlink("etc/escape", "../../../../../etc/passwd"),
            E::Symlink("loop-a", "loop-b"),
            E::Symlink("loop-b", "loop-a"),
        ]),
        tar_of(&[
            E::File("/abs/name/keep", b"absolute".to_vec()),
            E::File("./etc/os-release", b"ID=debian\nVERSION_ID=12.5\n".to_vec()),
        ]),
    ]
}

fn three_compressions() -> Img {
    let mut img = Img::new(base_layers(), Comp::Gzip);
    img.layers[1].1 = Comp::Zstd;
    img.layers[2].1 = Comp::None;
    img
}

#[test]
fn reads_and_squashes_all_compressions_with_whiteouts_links_and_origins() {
    let dir = tempdir();
    let img = three_compressions();
    let p = oci_dir(dir.path(), "layout", &[(Some("v1"), &img)]);
    let opened = open(&format!("oci-dir:{}", p.display())).expect("open");
    assert_eq!(opened.layers().len(), 3);
    let diff_ids = img.diff_ids();
    for (i, l) in opened.layers().iter().enumerate() {
        assert_eq!(l.index, i);
        assert_eq!(l.diff_id.as_deref(), Some(diff_ids[i].as_str()));
        assert_eq!(l.digest.as_deref(), Some(sha256(&img.blob(i)).as_str()));
        assert_eq!(l.created_by.as_deref(), Some(format!("layer {i}").as_str()));
    }
    assert_eq!(opened.source().name.as_deref(), Some("v1"));
    assert_eq!(opened.source().platform.as_deref(), Some("linux/amd64"));
    let cfg = opened.config().expect("config");
    assert_eq!(cfg.cmd, vec!["sh"]);
    assert_eq!(
        cfg.labels.get("org.example").map(String::as_str),
        Some("yes")
    );

    let tree = read_all(&opened, &KeepSuffix("keep")).expect("read");
    // Origins and replacement.
    assert_eq!(tree.get("/etc/os-release").map(|n| n.layer), Some(2));
    assert_eq!(tree.get("/usr/bin/tool").map(|n| n.meta.mode), Some(0o4755));
    // Whiteout and opaque directory.
    assert!(tree.get("/etc/gone").is_none());
    assert!(tree.get("/var/cache/a").is_none() && tree.get("/var/cache/b").is_none());
    assert_eq!(tree.get("/var/cache/c").map(|n| n.layer), Some(1));
    // Absolute names are normalized, not refused.
    assert_eq!(
        tree.read("/abs/name/keep").map(|c| c.to_vec()),
        Some(b"absolute".to_vec())
    );
    // Kept bytes, shared by a hard link.
    assert_eq!(
        tree.read("/opt/keep").map(|c| c.to_vec()),
        Some(b"kept bytes".to_vec())
    );
    assert_eq!(
        tree.read("/opt/also-keep").map(|c| c.to_vec()),
        Some(b"kept bytes".to_vec())
    );
    let link = tree.get("/usr/bin/tool-link").expect("hard link");
    assert_eq!(link.meta.kind, EntryKind::File);
    assert_eq!(link.meta.link.as_deref(), Some("/usr/bin/tool"));
    // Bytes not asked for are not kept.
    assert!(tree.read("/etc/os-release").is_none());
    // Symlinks recorded as written; resolution stays inside the root.
    let abs = tree.get("/etc/abs-link").expect("symlink");
    assert_eq!(abs.meta.link.as_deref(), Some("/etc/os-release"));
    assert_eq!(
        tree.resolve("/etc/escape").expect("resolves"),
        "/etc/passwd"
    );
    assert!(
        tree.resolve("/loop-a").is_err(),
        "a loop is reported, not followed forever"
    );
}

#[test]
fn every_source_layout_gives_the_same_tree() {
    let dir = tempdir();
    let img = three_compressions();
    let p = oci_dir(dir.path(), "layout", &[(Some("v1"), &img)]);
    let archive = dir.path().join("layout.tar");
    std::fs::write(
        &archive,
        tar_files(&oci_files(&[(Some("v1"), &img)], false)),
    )
    .expect("write");
    let docker = dir.path().join("docker.tar");
    std::fs::write(&docker, tar_files(&docker_files(&[(&["app:1"], &img)]))).expect("write");
    let docker_dir = dir.path().join("docker-dir");
    write_files(&docker_dir, &docker_files(&[(&["app:1"], &img)]));

    let summary = |r: &str| {
        let o = open(r).unwrap_or_else(|e| panic!("{r}: {e}"));
        let diff: Vec<_> = o.layers().iter().map(|l| l.diff_id.clone()).collect();
        let t = read_all(&o, &KeepSuffix("keep")).unwrap_or_else(|e| panic!("{r}: {e}"));
        let entries: Vec<String> = t
            .iter()
            .map(|(p, n)| {
                format!(
                    "{p} {:?} {:o} {} {}",
                    n.meta.kind, n.meta.mode, n.meta.size, n.layer
                )
            })
            .collect();
        (diff, entries, o.source().kind)
    };
    let a = summary(&format!("oci-dir:{}", p.display()));
    for r in [
        format!("oci-archive:{}", archive.display()),
        archive.display().to_string(),
        format!("docker-archive:{}", docker.display()),
        docker.display().to_string(),
        docker_dir.display().to_string(),
    ] {
        let b = summary(&r);
        assert_eq!(a.0, b.0, "{r}: diff_ids");
        assert_eq!(a.1, b.1, "{r}: tree");
    }
}

#[test]
fn dot_dot_entry_is_an_error_naming_the_layer_and_entry() {
    let dir = tempdir();
    let img = Img::new(
        vec![tar_of(&[E::File("a/../../etc/evil", b"x".to_vec())])],
        Comp::Gzip,
    );
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let o = open(&p.display().to_string()).expect("open");
    let e = read_all(&o, &MetadataOnly).expect_err("must fail");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::Layer { .. }), "{msg}");
    assert!(msg.contains("layer 0 (sha256:"), "{msg}");
    assert!(msg.contains("a/../../etc/evil"), "{msg}");
}

#[test]
fn hard_link_out_of_the_root_is_an_error() {
    let dir = tempdir();
    let img = Img::new(
        vec![tar_of(&[E::Hardlink("etc/shadow", "../../etc/shadow")])],
        Comp::None,
    );
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let e = read_all(
        &open(&p.display().to_string()).expect("open"),
        &MetadataOnly,
    )
    .expect_err("fails");
    assert!(e.to_string().contains("etc/shadow"), "{e}");
}

#[test]
fn device_files_are_metadata_with_one_warning() {
    let dir = tempdir();
    let img = Img::new(
        vec![tar_of(&[
            E::Char("dev/null"),
            E::Char("dev/zero"),
            E::Fifo("run/fifo"),
        ])],
        Comp::Gzip,
    );
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let o = open(&p.display().to_string()).expect("open");
    let t = read_all(&o, &MetadataOnly).expect("read");
    assert_eq!(
        t.get("/dev/null").map(|n| n.meta.kind),
        Some(EntryKind::CharDevice)
    );
    assert_eq!(
        t.get("/run/fifo").map(|n| n.meta.kind),
        Some(EntryKind::Fifo)
    );
    let w = o.warnings();
    let dev: Vec<_> = w.iter().filter(|w| w.contains("device files")).collect();
    assert_eq!(dev.len(), 1, "{w:?}");
    assert!(
        dev[0].contains("3 device files") && dev[0].contains("/dev/null"),
        "{w:?}"
    );
}

/// Writes a layout whose only layer blob is `blob` (digest computed from it),
/// with the given diff_id.
fn layout_with_blob(dir: &std::path::Path, blob: &[u8], diff_id: &str) -> std::path::PathBuf {
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }))
    .expect("json");
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "config": {"digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(blob), "size": blob.len()}],
    }))
    .expect("json");
    let index = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [
        {"digest": sha256(&manifest), "size": manifest.len()}]}))
    .expect("json");
    let p = dir.join("layout");
    write_files(
        &p,
        &[
            ("oci-layout".into(), b"{}".to_vec()),
            ("index.json".into(), index),
            (blob_path(&config), config),
            (blob_path(&manifest), manifest),
            (blob_path(blob), blob.to_vec()),
        ],
    );
    p
}

#[test]
fn truncated_gzip_is_an_error_naming_the_layer() {
    let dir = tempdir();
    let layer = tar_of(&[E::File("f", vec![1u8; 200_000])]);
    let mut blob = gzip(&layer);
    blob.truncate(blob.len() / 2);
    let p = layout_with_blob(dir.path(), &blob, &sha256(&layer));
    let e = read_all(
        &open(&p.display().to_string()).expect("open"),
        &MetadataOnly,
    )
    .expect_err("fails");
    let msg = e.to_string();
    assert!(msg.contains(&sha256(&blob)), "{msg}");
}

#[test]
fn truncated_zstd_is_an_error_naming_the_layer() {
    let dir = tempdir();
    let layer = tar_of(&[E::File(
        "f",
        (0..300_000u32).map(|i| (i % 251) as u8).collect(),
    )]);
    let mut blob = zstd(&layer);
    blob.truncate(blob.len() - 10);
    let p = layout_with_blob(dir.path(), &blob, &sha256(&layer));
    let e = read_all(
        &open(&p.display().to_string()).expect("open"),
        &MetadataOnly,
    )
    .expect_err("fails");
    assert!(e.to_string().contains(&sha256(&blob)), "{e}");
}

#[test]
fn corrupt_tar_header_is_an_error_with_its_offset() {
    let dir = tempdir();
    let mut layer = tar_of(&[E::File("a", b"1".to_vec()), E::File("b", b"2".to_vec())]);
    layer[1024 + 10] ^= 0xff;
    let blob = gzip(&layer);
    let p = layout_with_blob(dir.path(), &blob, &sha256(&layer));
    let e = read_all(
        &open(&p.display().to_string()).expect("open"),
        &MetadataOnly,
    )
    .expect_err("fails");
    let msg = e.to_string();
    assert!(
        msg.contains("corrupt tar at byte 1024") && msg.contains("checksum"),
        "{msg}"
    );
    assert!(msg.contains(&sha256(&blob)), "{msg}");
}

#[test]
fn decompression_bomb_stops_at_the_configured_limit() {
    let dir = tempdir();
    let layer = tar_of(&[E::Big("zeros", 8 << 20)]);
    let blob = gzip(&layer);
    assert!(blob.len() < 100_000);
    let p = layout_with_blob(dir.path(), &blob, &sha256(&layer));
    let opts = OpenOptions {
        limits: Limits {
            max_layer_bytes: 1 << 20,
            ..Limits::default()
        },
        ..opts()
    };
    let o = bosun_image::open(
        &parse_reference(&p.display().to_string()).expect("ref"),
        &opts,
    )
    .expect("open");
    let e = read_all(&o, &MetadataOnly).expect_err("bomb");
    let msg = e.to_string();
    assert!(
        matches!(
            e,
            ImageError::Limit {
                limit: "max_layer_bytes",
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains(&sha256(&blob)), "{msg}");
}

#[test]
fn blob_and_diff_id_mismatches_are_errors() {
    let dir = tempdir();
    let layer = tar_of(&[E::File("f", b"hello".to_vec())]);
    let blob = gzip(&layer);
    // Wrong diff_id in the config.
    let p = layout_with_blob(dir.path(), &blob, &sha256(b"something else"));
    let e = read_all(
        &open(&p.display().to_string()).expect("open"),
        &MetadataOnly,
    )
    .expect_err("diff_id");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::DigestMismatch { .. }), "{msg}");
    assert!(
        msg.contains("diff_id") && msg.contains(&sha256(&layer)),
        "{msg}"
    );

    // A blob whose bytes changed (same size) after the manifest was written.
    let dir2 = tempdir();
    let p = layout_with_blob(dir2.path(), &blob, &sha256(&layer));
    let mut tampered = blob.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1; // gzip ISIZE byte: still decompresses, different digest
    std::fs::write(p.join(blob_path(&blob)), &tampered).expect("tamper");
    let o = open(&p.display().to_string()).expect("open");
    let e = read_all(&o, &MetadataOnly).expect_err("digest");
    let msg = e.to_string();
    assert!(msg.contains(&sha256(&blob)), "{msg}");
}

#[test]
fn manifest_with_an_absurd_layer_count_is_refused() {
    let dir = tempdir();
    let config = br#"{"rootfs":{"diff_ids":[]}}"#.to_vec();
    let layer = json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
        "digest": format!("sha256:{}", "a".repeat(64)), "size": 1});
    let manifest = serde_json::to_vec(&json!({"schemaVersion": 2,
        "config": {"digest": sha256(&config), "size": config.len()},
        "layers": vec![layer; 100_000]}))
    .expect("json");
    let index = serde_json::to_vec(
        &json!({"manifests": [{"digest": sha256(&manifest), "size": manifest.len()}]}),
    )
    .expect("json");
    let p = dir.path().join("l");
    write_files(
        &p,
        &[
            ("index.json".into(), index),
            (blob_path(&config), config),
            (blob_path(&manifest), manifest),
        ],
    );
    let e = open(&p.display().to_string()).expect_err("too many layers");
    let msg = e.to_string();
    assert!(
        matches!(
            e,
            ImageError::Limit {
                limit: "max_layers",
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("100000 layers"), "{msg}");
}

#[test]
fn empty_image_is_an_empty_tree() {
    let dir = tempdir();
    let img = Img::new(vec![], Comp::Gzip);
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let o = open(&p.display().to_string()).expect("open");
    assert!(o.layers().is_empty());
    let t = read_all(&o, &MetadataOnly).expect("read");
    assert!(t.is_empty());
    let e = o.read_layers(&[0], &MetadataOnly).expect_err("no layer 0");
    assert!(e.to_string().contains("out of range"), "{e}");
}

#[test]
fn broken_and_hostile_json_errors_name_the_file_and_field() {
    let dir = tempdir();
    let img = Img::new(base_layers(), Comp::Gzip);
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let reference = p.display().to_string();

    // Garbage index.json.
    std::fs::write(p.join("index.json"), b"{\"manifests\": [").expect("write");
    let e = open(&reference).expect_err("broken index");
    assert!(matches!(e, ImageError::Json { .. }), "{e}");
    assert!(e.to_string().contains("index.json"), "{e}");

    // A wrongly typed field.
    std::fs::write(p.join("index.json"), br#"{"manifests": [{"digest": 7}]}"#).expect("write");
    let e = open(&reference).expect_err("bad field");
    assert!(e.to_string().contains("manifests[0].digest"), "{e}");

    // A digest that tries to name another file.
    std::fs::write(
        p.join("index.json"),
        br#"{"manifests": [{"digest": "sha256:../../../etc/passwd"}]}"#,
    )
    .expect("write");
    let e = open(&reference).expect_err("hostile digest");
    assert!(e.to_string().contains("not a valid sha256 digest"), "{e}");

    // A deeply nested config.
    let deep = format!("{{\"config\":{{\"Labels\":{}}}}}", "[".repeat(100_000));
    let dir2 = tempdir();
    let mut files = oci_files(&[(None, &img)], true);
    let cfg_path = blob_path(&img.config());
    for f in files.iter_mut() {
        if f.0 == cfg_path {
            f.1 = deep.clone().into_bytes();
        }
    }
    write_files(dir2.path(), &files);
    let e = open(&dir2.path().display().to_string()).expect_err("replaced config");
    assert!(
        e.to_string()
            .contains(&format!("config blob {}", sha256(&img.config()))),
        "{e}"
    );

    // An index over the size limit.
    let dir3 = tempdir();
    let p3 = oci_dir(dir3.path(), "l", &[(None, &img)]);
    let opts = OpenOptions {
        limits: Limits {
            max_json_bytes: 64,
            ..Limits::default()
        },
        ..opts()
    };
    let e = bosun_image::open(
        &parse_reference(&p3.display().to_string()).expect("ref"),
        &opts,
    )
    .expect_err("limit");
    assert!(
        matches!(
            e,
            ImageError::Limit {
                limit: "max_json_bytes",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("index.json"), "{e}");
}

#[test]
fn deeply_nested_config_json_neither_crashes_nor_recurses() {
    // In a field bosun ignores, serde_json skips nesting iteratively: fine.
    let ignored = format!(
        "{{\"config\":{{\"Labels\":{{\"a\":\"b\"}}}},\"x\":{}{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let cfg = bosun_image::testing::parse_config(ignored.as_bytes())
        .expect("ignored nesting is harmless");
    assert_eq!(cfg.labels.get("a").map(String::as_str), Some("b"));
    // In a typed field it is a type error naming the field.
    let typed = format!("{{\"config\":{{\"Env\":{}}}}}", "[".repeat(200_000));
    let e = bosun_image::testing::parse_config(typed.as_bytes()).expect_err("typed nesting");
    assert!(e.to_string().contains("config.Env"), "{e}");
    // Unclosed nesting is a syntax error.
    let open_ended = format!("{{\"x\":{}", "{\"a\":".repeat(100_000));
    assert!(bosun_image::testing::parse_config(open_ended.as_bytes()).is_err());
}

#[test]
fn tags_and_platforms_select_the_image() {
    let dir = tempdir();
    let a = Img::new(vec![tar_of(&[E::File("which", b"a".to_vec())])], Comp::Gzip);
    let b = Img::new(vec![tar_of(&[E::File("which", b"b".to_vec())])], Comp::Zstd);
    let p = oci_dir(dir.path(), "l", &[(Some("a"), &a), (Some("b"), &b)]);
    let read_which = |r: &str| {
        let o = open(r).unwrap_or_else(|e| panic!("{r}: {e}"));
        let t = read_all(&o, &KeepSuffix("which")).expect("read");
        String::from_utf8(t.read("/which").expect("kept").to_vec()).expect("utf8")
    };
    assert_eq!(read_which(&format!("oci-dir:{}:a", p.display())), "a");
    assert_eq!(read_which(&format!("oci-dir:{}:b", p.display())), "b");
    let e = open(&p.display().to_string()).expect_err("two images, no tag");
    assert!(e.to_string().contains("tags: a, b"), "{e}");
    let e = open(&format!("oci-dir:{}:c", p.display())).expect_err("no such tag");
    assert!(e.to_string().contains("no image tagged `c`"), "{e}");

    // A multi-platform index inside the layout (no mediaType anywhere).
    let mut arm = b.clone();
    arm.arch = "arm64";
    let mut files = oci_files(&[(None, &a), (None, &arm)], false);
    let index_pos = files
        .iter()
        .position(|f| f.0 == "index.json")
        .expect("index");
    let top: serde_json::Value = serde_json::from_slice(&files[index_pos].1).expect("json");
    let mut entries = top["manifests"].as_array().expect("array").clone();
    entries[0]["platform"] = json!({"os": "linux", "architecture": "amd64"});
    entries[1]["platform"] = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    entries.push(json!({"digest": sha256(b"x"), "size": 1,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}));
    let nested =
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": entries})).expect("json");
    files.push((blob_path(&nested), nested.clone()));
    files[index_pos].1 = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [
        {"digest": sha256(&nested), "size": nested.len(),
         "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}))
    .expect("json");
    let d2 = tempdir();
    write_files(d2.path(), &files);
    let r = format!("oci-dir:{}:multi", d2.path().display());
    assert_eq!(read_which(&r), "a");
    let spec = parse_reference(&r).expect("ref");
    let arm_opts = OpenOptions {
        platform: "linux/arm64".parse::<Platform>().expect("platform"),
        ..opts()
    };
    let o = bosun_image::open(&spec, &arm_opts).expect("arm64");
    assert_eq!(o.source().platform.as_deref(), Some("linux/arm64"));
    let s390 = OpenOptions {
        platform: "linux/s390x".parse::<Platform>().expect("platform"),
        ..opts()
    };
    let e = bosun_image::open(&spec, &s390).expect_err("no s390x");
    let msg = e.to_string();
    assert!(
        msg.contains("linux/s390x") && msg.contains("linux/arm64/v8"),
        "{msg}"
    );
    assert!(
        !msg.contains("unknown"),
        "attestations are not platforms: {msg}"
    );
}

#[test]
fn docker_archive_with_several_images_and_shared_layers() {
    let dir = tempdir();
    let base = tar_of(&[E::File("base", b"base".to_vec())]);
    let a = Img::new(
        vec![base.clone(), tar_of(&[E::File("which", b"a".to_vec())])],
        Comp::None,
    );
    let b = Img::new(
        vec![base, tar_of(&[E::File("which", b"b".to_vec())])],
        Comp::Gzip,
    );
    let path = dir.path().join("two.tar");
    std::fs::write(
        &path,
        tar_files(&docker_files(&[
            (&["app:a", "localhost/app:latest"], &a),
            (&["other:b"], &b),
        ])),
    )
    .expect("write");
    let read_which = |r: &str| {
        let o = open(r).unwrap_or_else(|e| panic!("{r}: {e}"));
        let t = read_all(&o, &KeepSuffix("which")).expect("read");
        (
            o,
            String::from_utf8(t.read("/which").expect("kept").to_vec()).expect("utf8"),
        )
    };
    let (o, which) = read_which(&format!("docker-archive:{}:other:b", path.display()));
    assert_eq!(which, "b");
    assert_eq!(o.source().repo_tags, vec!["other:b"]);
    // A gzip layer in a legacy archive has no digest to check against.
    assert_eq!(o.layers()[0].digest, None);
    let (o, which) = read_which(&format!("docker-archive:{}:@0", path.display()));
    assert_eq!(which, "a");
    // Plain-tar layers: the blob digest is the diff_id.
    assert!(o.layers()[0].digest.is_some());
    assert_eq!(o.layers()[0].digest, o.layers()[0].diff_id);
    assert_eq!(
        read_which(&format!("docker-archive:{}:app:latest", path.display())).1,
        "a"
    );
    let e = open(&format!("docker-archive:{}", path.display())).expect_err("ambiguous");
    assert!(
        e.to_string().contains("app:a") && e.to_string().contains("other:b"),
        "{e}"
    );
    let e = open(&format!("docker-archive:{}:nope:1", path.display())).expect_err("no tag");
    assert!(e.to_string().contains("manifest.json"), "{e}");
}

#[test]
fn docker_archive_layer_listed_but_missing_names_the_file() {
    let dir = tempdir();
    let img = Img::new(vec![tar_of(&[E::File("f", b"x".to_vec())])], Comp::None);
    let files: Vec<_> = docker_files(&[(&["a:1"], &img)])
        .into_iter()
        .filter(|(n, _)| !n.ends_with("layer.tar"))
        .collect();
    let path = dir.path().join("a.tar");
    std::fs::write(&path, tar_files(&files)).expect("write");
    let e = open(&path.display().to_string()).expect_err("missing layer");
    assert!(e.to_string().contains("layer.tar"), "{e}");
}

#[test]
fn manifest_naming_a_file_outside_the_archive_is_refused() {
    let dir = tempdir();
    let manifest =
        br#"[{"Config": "../../etc/passwd", "RepoTags": ["x:1"], "Layers": []}]"#.to_vec();
    let p = dir.path().join("d");
    write_files(&p, &[("manifest.json".into(), manifest)]);
    let e = open(&format!("docker-archive:{}", p.display())).expect_err("escape");
    assert!(e.to_string().contains("not inside the image"), "{e}");
}

#[test]
fn trailing_bytes_after_the_tar_are_covered_by_the_digests() {
    let dir = tempdir();
    let mut layer = tar_of(&[E::File("f", b"x".to_vec())]);
    layer.extend_from_slice(&[0u8; 4096]);
    let img = Img::new(vec![layer], Comp::None);
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let o = open(&p.display().to_string()).expect("open");
    read_all(&o, &MetadataOnly).expect("padding is part of the verified stream");
}

#[derive(Default)]
struct Events(Mutex<Vec<String>>);

impl Progress for Events {
    fn layer_started(&self, index: usize, size: Option<u64>) {
        self.0
            .lock()
            .expect("lock")
            .push(format!("start {index} {size:?}"));
    }
    fn layer_finished(&self, index: usize) {
        self.0.lock().expect("lock").push(format!("done {index}"));
    }
}

#[test]
fn progress_reports_each_layer() {
    let dir = tempdir();
    let img = three_compressions();
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let events = std::sync::Arc::new(Events::default());
    let opts = OpenOptions {
        progress: Some(events.clone()),
        ..opts()
    };
    let o = bosun_image::open(
        &parse_reference(&p.display().to_string()).expect("ref"),
        &opts,
    )
    .expect("open");
    o.read_layers(&[0, 2], &MetadataOnly).expect("read");
    let mut ev = events.0.lock().expect("lock").clone();
    ev.sort();
    assert_eq!(
        ev,
        vec![
            "done 0".to_owned(),
            "done 2".to_owned(),
            format!("start 0 Some({})", img.blob(0).len()),
            format!("start 2 Some({})", img.blob(2).len()),
        ]
    );
}

#[test]
fn random_corruption_never_panics() {
    // xorshift: deterministic, no extra dependency.
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let layer = tar_of(&[
        E::Dir("etc/"),
        E::File("etc/keep", b"k".repeat(3000)),
        E::Symlink("l", "/etc/keep"),
        E::File("usr/.wh.x", vec![]),
    ]);
    for comp in [Comp::None, Comp::Gzip, Comp::Zstd] {
        let clean = match comp {
            Comp::None => layer.clone(),
            Comp::Gzip => gzip(&layer),
            Comp::Zstd => zstd(&layer),
        };
        for _ in 0..300 {
            let mut b = clean.clone();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() as usize) % b.len();
                b[i] = next() as u8;
            }
            if next() % 5 == 0 {
                b.truncate((next() as usize) % b.len());
            }
            let _ = bosun_image::testing::read_layer_blob(
                &mut b.as_slice(),
                &Limits::default(),
                &KeepSuffix("keep"),
                true,
            );
            let _ = bosun_image::testing::read_layer_blob(
                &mut b.as_slice(),
                &Limits::default(),
                &KeepSuffix("keep"),
                false,
            );
        }
    }
}

#[test]
fn legacy_docker_archive_with_a_symlinked_layer_tar() {
    // `docker save` writes a layer that appears twice once, and links the
    // second directory's layer.tar to the first.
    let layer = tar_of(&[E::File("same", b"twice".to_vec())]);
    let img = Img::new(vec![layer.clone(), layer.clone()], Comp::None);
    let config = img.config();
    let id = &sha256(&config)[7..];
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).expect("path");
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, data).expect("append");
    };
    add(&format!("{id}.json"), &config);
    add("aaa/layer.tar", &layer);
    add(
        "manifest.json",
        &serde_json::to_vec(
            &json!([{"Config": format!("{id}.json"), "RepoTags": ["dup:1"],
            "Layers": ["aaa/layer.tar", "bbb/layer.tar"]}]),
        )
        .expect("json"),
    );
    let mut h = tar::Header::new_gnu();
    h.set_path("bbb/layer.tar").expect("path");
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_link_name("../aaa/layer.tar").expect("link");
    h.set_size(0);
    h.set_cksum();
    b.append(&h, &[][..]).expect("symlink");
    let dir = tempdir();
    let path = dir.path().join("dup.tar");
    std::fs::write(&path, b.into_inner().expect("tar")).expect("write");
    let o = open(&path.display().to_string()).expect("open");
    assert_eq!(o.layers().len(), 2);
    let layers = o.read_layers(&[0, 1], &KeepSuffix("same")).expect("read");
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0].1, layers[1].1);
    assert_eq!(
        layers[1]
            .1
            .added("/same")
            .and_then(|e| e.content.clone())
            .map(|c| c.to_vec()),
        Some(b"twice".to_vec())
    );
}
