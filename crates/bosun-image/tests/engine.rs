//! `docker:` / `podman:` against a fake engine on a unix socket: the HTTP
//! client (chunked bodies), the one-pass export read, and errors.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bosun_image::{ImageError, OpenOptions, Timeouts, parse_reference};
use bosun_tree::MetadataOnly;
use common::*;
use serde_json::json;

type Handler = Arc<dyn Fn(&str) -> (u16, Vec<u8>) + Send + Sync>;

/// Serves every response chunked, in odd-sized chunks.
fn serve(socket: PathBuf, handler: Handler) {
    let listener = UnixListener::bind(&socket).expect("bind");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            std::thread::spawn(move || answer(stream, handler));
        }
    });
}

fn answer(stream: UnixStream, handler: Handler) {
    let mut r = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    let _ = r.read_line(&mut line);
    let path = line.split(' ').nth(1).unwrap_or("").to_owned();
    let mut h = String::new();
    while r.read_line(&mut h).unwrap_or(0) > 2 {
        h.clear();
    }
    let (status, body) = handler(&path);
    let mut s = stream;
    let _ = write!(
        s,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let mut rest = body.as_slice();
    let mut n = 1usize;
    while !rest.is_empty() {
        let take = n.min(rest.len());
        let _ = write!(s, "{take:x};ext=1\r\n");
        let _ = s.write_all(&rest[..take]);
        let _ = s.write_all(b"\r\n");
        rest = &rest[take..];
        n = (n * 7 + 3) % 70_000 + 1;
    }
    let _ = s.write_all(b"0\r\nX-Trailer: y\r\n\r\n");
}

fn image() -> Img {
    let mut img = Img::new(
        vec![
            tar_of(&[E::Dir("etc/"), E::File("etc/keep", b"engine".to_vec())]),
            tar_of(&[E::File("etc/keep", b"engine 2".to_vec())]),
            tar_of(&[E::File("opt/app", b"app".to_vec())]),
        ],
        Comp::None,
    );
    img.history = vec![
        json!({"created": "2024-01-01T00:00:00Z", "created_by": "ADD base"}),
        json!({"created": "2024-01-02T00:00:00Z", "created_by": "ENV X=1", "empty_layer": true}),
        json!({"created": "2024-01-03T00:00:00Z", "created_by": "RUN change"}),
        json!({"created": "2024-01-04T00:00:00Z", "created_by": "COPY app"}),
    ];
    img
}

/// A docker-archive stream: layers in a shuffled order, manifest last.
fn export(img: &Img, drop_layer: Option<usize>, bad_config: bool) -> Vec<u8> {
    let mut files = docker_files(&[(&["app:1"], img)]);
    files.retain(|(n, _)| {
        drop_layer.is_none_or(|i| *n != format!("{}/layer.tar", &sha256(&img.blob(i))[7..]))
    });
    if bad_config {
        for f in files.iter_mut() {
            if f.0.ends_with(".json") && f.0 != "manifest.json" {
                f.1 = b"{}".to_vec();
            }
        }
    }
    files.swap(1, 3);
    files.push(("VERSION".into(), b"1.0".to_vec()));
    let m = files
        .iter()
        .position(|(n, _)| n == "manifest.json")
        .expect("manifest");
    let manifest = files.remove(m);
    files.push(manifest);
    tar_files(&files)
}

fn fake_engine(
    img: &Img,
    drop_layer: Option<usize>,
    bad_config: bool,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let sock = dir.path().join("engine.sock");
    let config = img.config();
    let inspect = serde_json::to_vec(&json!({
        "Id": sha256(&config), "RepoTags": ["localhost/app:1"], "RepoDigests": [],
        "Created": "2024-01-04T00:00:00Z", "Architecture": "amd64", "Os": "linux",
        "Config": {"Cmd": ["/bin/app"], "User": "1000", "ExposedPorts": {"8080/tcp": {}}},
        "RootFS": {"Type": "layers", "Layers": img.diff_ids()},
    }))
    .expect("json");
    let libpod = serde_json::to_vec(&json!({"History": img.history})).expect("json");
    let docker_history = serde_json::to_vec(&json!([
        {"Created": 1704326400, "CreatedBy": "COPY app", "Size": 3},
        {"Created": 1704240000, "CreatedBy": "RUN change", "Size": 8},
        {"Created": 1704153600, "CreatedBy": "ENV X=1", "Size": 0},
        {"Created": 1704067200, "CreatedBy": "ADD base", "Size": 6},
    ]))
    .expect("json");
    let tar = export(img, drop_layer, bad_config);
    serve(
        sock.clone(),
        Arc::new(move |path| match path {
            "/images/app:1/json" => (200, inspect.clone()),
            "/v4.0.0/libpod/images/app:1/json" => (200, libpod.clone()),
            "/images/app:1/history" => (200, docker_history.clone()),
            "/images/app:1/get" => (200, tar.clone()),
            _ => (
                404,
                br#"{"message":"failed to find image: no such image","response":404}"#.to_vec(),
            ),
        }),
    );
    (dir, sock)
}

fn engine_opts(sock: &std::path::Path) -> OpenOptions {
    OpenOptions {
        docker_host: Some(format!("unix://{}", sock.display())),
        podman_socket: Some(format!("unix://{}", sock.display())),
        timeouts: Timeouts {
            connect: Duration::from_secs(1),
            read: Duration::from_millis(700),
        },
        ..opts()
    }
}

fn open_with(reference: &str, o: &OpenOptions) -> Result<bosun_image::OpenedImage, ImageError> {
    bosun_image::open(&parse_reference(reference).expect("reference"), o)
}

#[test]
fn podman_export_is_read_in_one_pass_and_matches_the_layout() {
    let img = image();
    let (_d, sock) = fake_engine(&img, None, false);
    let o = open_with("podman:app:1", &engine_opts(&sock)).expect("open");
    assert_eq!(o.source().kind, bosun_model::SourceKind::Podman);
    assert_eq!(
        o.source().config_digest.as_deref(),
        Some(sha256(&img.config()).as_str())
    );
    assert_eq!(o.source().name.as_deref(), Some("localhost/app:1"));
    let created: Vec<_> = o
        .layers()
        .iter()
        .map(|l| l.created_by.clone().unwrap_or_default())
        .collect();
    assert_eq!(created, vec!["ADD base", "RUN change", "COPY app"]);
    let cfg = o.config().expect("config");
    assert_eq!(cfg.user.as_deref(), Some("1000"));
    assert_eq!(cfg.exposed_ports, vec!["8080/tcp"]);
    let t = read_all(&o, &KeepSuffix("keep")).expect("read");
    assert_eq!(
        t.read("/etc/keep").map(|c| c.to_vec()),
        Some(b"engine 2".to_vec())
    );

    let dir = tempdir();
    let p = oci_dir(dir.path(), "l", &[(None, &img)]);
    let local = read_all(
        &open(&p.display().to_string()).expect("open"),
        &KeepSuffix("keep"),
    )
    .expect("read");
    let list = |t: &bosun_tree::FileTree| {
        t.iter()
            .map(|(p, n)| (p.to_owned(), n.layer, n.meta.size))
            .collect::<Vec<_>>()
    };
    assert_eq!(list(&t), list(&local));

    // A subset: only the wanted layers come back.
    let some = o.read_layers(&[2], &MetadataOnly).expect("subset");
    assert_eq!(some.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn docker_history_without_empty_layer_is_mapped_by_size() {
    let img = image();
    let (_d, sock) = fake_engine(&img, None, false);
    let o = open_with("docker:app:1", &engine_opts(&sock)).expect("open");
    let created: Vec<_> = o
        .layers()
        .iter()
        .map(|l| l.created_by.clone().unwrap_or_default())
        .collect();
    assert_eq!(created, vec!["ADD base", "RUN change", "COPY app"]);
    assert_eq!(
        o.config()
            .expect("config")
            .history
            .first()
            .and_then(|h| h.created.clone())
            .as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
    read_all(&o, &MetadataOnly).expect("read");
}

#[test]
fn unknown_image_is_not_found_with_the_engine_message() {
    let img = image();
    let (_d, sock) = fake_engine(&img, None, false);
    let e = open_with("podman:nope", &engine_opts(&sock)).expect_err("404");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::NotFound { .. }), "{msg}");
    assert!(
        msg.contains("image `nope`") && msg.contains("no such image"),
        "{msg}"
    );
    assert!(msg.contains(&sock.display().to_string()), "{msg}");
}

#[test]
fn a_layer_missing_from_the_export_is_an_error() {
    let img = image();
    let (_d, sock) = fake_engine(&img, Some(1), false);
    let o = open_with("podman:app:1", &engine_opts(&sock)).expect("open");
    let e = read_all(&o, &MetadataOnly).expect_err("missing");
    let msg = e.to_string();
    assert!(
        msg.contains("layer 1") && msg.contains(&img.diff_ids()[1]),
        "{msg}"
    );
}

#[test]
fn an_export_whose_config_is_not_the_image_id_is_refused() {
    let img = image();
    let (_d, sock) = fake_engine(&img, None, true);
    let o = open_with("podman:app:1", &engine_opts(&sock)).expect("open");
    let e = read_all(&o, &MetadataOnly).expect_err("config");
    assert!(e.to_string().contains("image ID"), "{e}");
}

#[test]
fn a_silent_engine_times_out_and_a_missing_socket_is_named() {
    let dir = tempdir();
    let sock = dir.path().join("silent.sock");
    let listener = UnixListener::bind(&sock).expect("bind");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let t0 = Instant::now();
    let e = open_with("podman:app:1", &engine_opts(&sock)).expect_err("hang");
    let msg = e.to_string();
    assert!(
        msg.contains("timed out") && msg.contains("silent.sock"),
        "{msg}"
    );
    assert!(t0.elapsed() < Duration::from_secs(5));

    let gone = dir.path().join("gone.sock");
    let e = open_with("docker:app:1", &engine_opts(&gone)).expect_err("no socket");
    let msg = e.to_string();
    assert!(
        msg.contains("gone.sock") && msg.contains("cannot connect"),
        "{msg}"
    );
    let tcp = OpenOptions {
        docker_host: Some("tcp://127.0.0.1:2375".into()),
        ..opts()
    };
    let e = open_with("docker:app:1", &tcp).expect_err("tcp");
    assert!(matches!(e, ImageError::Unsupported { .. }), "{e}");
}
