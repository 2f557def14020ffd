//! The registry client against a small in-process HTTP server speaking the
//! distribution API: auth flows, manifest lists, errors and hangs.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bosun_image::{Credentials, ImageError, OpenOptions, Platform, Timeouts, parse_reference};
use bosun_tree::MetadataOnly;
use common::*;
use serde_json::json;

#[derive(Debug, Clone)]
struct Req {
    path: String,
    auth: Option<String>,
    accept: Option<String>,
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn resp(status: u16, body: impl Into<Vec<u8>>) -> Resp {
    Resp {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

type Handler = Arc<dyn Fn(&Req, u16) -> Resp + Send + Sync>;

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let log = log2.clone();
                std::thread::spawn(move || serve(stream, handler, log, port));
            }
        });
        Server { port, log }
    }

    /// Accepts connections and never answers.
    fn hanging() -> (u16, Arc<Mutex<Vec<TcpStream>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let held = Arc::new(Mutex::new(Vec::new()));
        let h2 = held.clone();
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                h2.lock().expect("lock").push(s);
            }
        });
        (port, held)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn paths(&self) -> Vec<String> {
        self.log
            .lock()
            .expect("lock")
            .iter()
            .map(|r| r.path.clone())
            .collect()
    }
}

fn serve(stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Req>>>, port: u16) {
    let mut r = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if r.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or("").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let req = Req {
        path,
        auth: headers.get("authorization").cloned(),
        accept: headers.get("accept").cloned(),
    };
    log.lock().expect("lock").push(req.clone());
    let resp = handler(&req, port);
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut s = stream;
    let _ = s.write_all(out.as_bytes());
    let _ = s.write_all(&resp.body);
    let _ = s.flush();
}

/// What the fake registry serves.
#[derive(Clone, Default)]
struct Repo {
    manifests: HashMap<String, (Vec<u8>, &'static str)>,
    blobs: HashMap<String, Vec<u8>>,
}

impl Repo {
    fn with_image(tag: &str, img: &Img) -> Repo {
        let mut r = Repo::default();
        let (m, blobs) = img.manifest(true);
        for b in blobs {
            r.blobs.insert(sha256(&b), b);
        }
        r.manifests.insert(
            sha256(&m),
            (m.clone(), "application/vnd.oci.image.manifest.v1+json"),
        );
        r.manifests.insert(
            tag.to_owned(),
            (m, "application/vnd.oci.image.manifest.v1+json"),
        );
        r
    }

    fn route(&self, path: &str) -> Resp {
        let rest = path.strip_prefix("/v2/test/app/").unwrap_or("");
        if path == "/v2/" {
            return resp(200, "{}");
        }
        if let Some(r) = rest.strip_prefix("manifests/") {
            return match self.manifests.get(r) {
                Some((m, ct)) => Resp {
                    status: 200,
                    headers: vec![("Content-Type".into(), (*ct).into())],
                    body: m.clone(),
                },
                None => resp(
                    404,
                    r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#,
                ),
            };
        }
        if let Some(d) = rest.strip_prefix("blobs/") {
            return match self.blobs.get(d) {
                Some(b) => resp(200, b.clone()),
                None => resp(
                    404,
                    r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
                ),
            };
        }
        resp(404, "not found")
    }
}

fn test_image() -> Img {
    Img::new(
        vec![
            tar_of(&[
                E::Dir("etc/"),
                E::File("etc/keep", b"registry bytes".to_vec()),
            ]),
            tar_of(&[
                E::File("etc/.wh.keep", vec![]),
                E::File("usr/keep", b"two".to_vec()),
            ]),
        ],
        Comp::Gzip,
    )
}

fn quick() -> OpenOptions {
    OpenOptions {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_millis(800),
        },
        ..opts()
    }
}

fn open_with(reference: &str, o: &OpenOptions) -> Result<bosun_image::OpenedImage, ImageError> {
    bosun_image::open(&parse_reference(reference).expect("reference"), o)
}

#[test]
fn anonymous_pull_matches_the_oci_layout() {
    let img = test_image();
    let repo = Repo::with_image("v1", &img);
    let server = Server::start(Arc::new(move |r, _| repo.route(&r.path)));
    let o = open_with(&format!("registry:{}/test/app:v1", server.host()), &quick()).expect("open");
    assert_eq!(o.source().kind, bosun_model::SourceKind::Registry);
    assert_eq!(
        o.source().manifest_digest.as_deref(),
        Some(sha256(&img.manifest(true).0).as_str())
    );
    assert_eq!(
        o.source().repo_tags,
        vec![format!("{}/test/app:v1", server.host())]
    );
    let t = read_all(&o, &KeepSuffix("keep")).expect("read");
    assert!(t.get("/etc/keep").is_none());
    assert_eq!(
        t.read("/usr/keep").map(|c| c.to_vec()),
        Some(b"two".to_vec())
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
    // The manifest was asked for with the right Accept header.
    let accept = server
        .log
        .lock()
        .expect("lock")
        .iter()
        .find(|r| r.path.contains("/manifests/"))
        .and_then(|r| r.accept.clone())
        .unwrap_or_default();
    assert!(
        accept.contains("application/vnd.oci.image.index.v1+json"),
        "{accept}"
    );
    assert!(
        accept.contains("application/vnd.docker.distribution.manifest.list.v2+json"),
        "{accept}"
    );
}

#[test]
fn basic_auth_with_and_without_credentials() {
    let img = test_image();
    let repo = Repo::with_image("v1", &img);
    let server = Server::start(Arc::new(move |r, _| {
        if r.auth.as_deref() != Some("Basic Ym9zdW46Ym9zdW4tdGVzdA==") {
            return Resp {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), r#"Basic realm="fake""#.into())],
                body:
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#
                        .to_vec(),
            };
        }
        repo.route(&r.path)
    }));
    let reference = format!("{}/test/app:v1", server.host());
    let e = open_with(&reference, &quick()).expect_err("no credentials");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::Http { status: 401, .. }), "{msg}");
    assert!(
        msg.contains(&format!("http://{}/v2/", server.host()))
            && msg.contains("authentication required"),
        "{msg}"
    );

    let with = OpenOptions {
        credentials: Some(Credentials {
            username: "bosun".into(),
            password: "bosun-test".into(),
        }),
        ..quick()
    };
    let o = open_with(&reference, &with).expect("open with credentials");
    read_all(&o, &MetadataOnly).expect("read");

    // The same credentials from a Docker config file.
    let dir = tempdir();
    let cfg = dir.path().join("config.json");
    std::fs::write(
        &cfg,
        serde_json::to_vec(
            &json!({"auths": {server.host(): {"auth": "Ym9zdW46Ym9zdW4tdGVzdA=="}}}),
        )
        .expect("json"),
    )
    .expect("write");
    let from_file = OpenOptions {
        docker_config: Some(cfg),
        no_ambient_credentials: false,
        ..quick()
    };
    open_with(&reference, &from_file).expect("open with docker config");

    let wrong = OpenOptions {
        credentials: Some(Credentials {
            username: "bosun".into(),
            password: "nope".into(),
        }),
        ..quick()
    };
    let e = open_with(&reference, &wrong).expect_err("wrong password");
    assert!(matches!(e, ImageError::Http { status: 401, .. }), "{e}");
}

#[test]
fn bearer_token_flow_with_scope_and_credentials() {
    let img = test_image();
    let repo = Repo::with_image("v1", &img);
    let server = Server::start(Arc::new(move |r, port| {
        if r.path.starts_with("/token") {
            assert!(
                r.path.contains("scope=repository%3Atest%2Fapp%3Apull"),
                "{}",
                r.path
            );
            assert!(r.path.contains("service=fake-registry"), "{}", r.path);
            return match r.auth.as_deref() {
                Some("Basic dTpw") => {
                    resp(200, r#"{"access_token":"good-token","expires_in":300}"#)
                }
                Some(_) => resp(
                    401,
                    r#"{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}"#,
                ),
                None => resp(200, r#"{"token":"anonymous-token"}"#),
            };
        }
        if r.auth.as_deref() != Some("Bearer good-token") {
            return Resp {
                status: 401,
                headers: vec![(
                    "WWW-Authenticate".into(),
                    format!(
                        r#"Bearer realm="http://127.0.0.1:{port}/token",service="fake-registry",scope="repository:test/app:pull""#
                    ),
                )],
                body:
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#
                        .to_vec(),
            };
        }
        repo.route(&r.path)
    }));
    let reference = format!("{}/test/app:v1", server.host());
    let e = open_with(&reference, &quick()).expect_err("anonymous token has no access");
    assert!(matches!(e, ImageError::Http { status: 401, .. }), "{e}");
    let with = OpenOptions {
        credentials: Some(Credentials {
            username: "u".into(),
            password: "p".into(),
        }),
        ..quick()
    };
    let o = open_with(&reference, &with).expect("open with token");
    read_all(&o, &MetadataOnly).expect("read layers with the token");
    let wrong = OpenOptions {
        credentials: Some(Credentials {
            username: "u".into(),
            password: "x".into(),
        }),
        ..quick()
    };
    let e = open_with(&reference, &wrong).expect_err("token server refuses");
    let msg = e.to_string();
    assert!(
        msg.contains("/token?") && msg.contains("invalid username or password"),
        "{msg}"
    );
}

#[test]
fn manifest_list_picks_the_platform_and_digests_are_checked() {
    let amd = test_image();
    let mut arm = test_image();
    arm.arch = "arm64";
    let mut repo = Repo::with_image("amd", &amd);
    let arm_repo = Repo::with_image("arm", &arm);
    repo.blobs.extend(arm_repo.blobs);
    repo.manifests.extend(arm_repo.manifests);
    let (ma, _) = amd.manifest(true);
    let (mb, _) = arm.manifest(true);
    let list = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&mb), "size": mb.len(),
             "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&ma), "size": ma.len(),
             "platform": {"architecture": "amd64", "os": "linux"}},
        ]
    }))
    .expect("json");
    repo.manifests.insert(
        "multi".into(),
        (
            list.clone(),
            "application/vnd.docker.distribution.manifest.list.v2+json",
        ),
    );
    repo.manifests.insert(
        sha256(&list),
        (
            list.clone(),
            "application/vnd.docker.distribution.manifest.list.v2+json",
        ),
    );
    // A manifest served under a digest it does not have.
    repo.manifests.insert(
        sha256(b"liar"),
        (ma.clone(), "application/vnd.oci.image.manifest.v1+json"),
    );
    let server = Server::start(Arc::new(move |r, _| repo.route(&r.path)));

    let o = open_with(&format!("{}/test/app:multi", server.host()), &quick())
        .expect("default platform");
    assert_eq!(o.source().platform.as_deref(), Some("linux/amd64"));
    assert_eq!(
        o.source().manifest_digest.as_deref(),
        Some(sha256(&ma).as_str())
    );
    let arm_opts = OpenOptions {
        platform: "linux/arm64".parse::<Platform>().expect("platform"),
        ..quick()
    };
    let o = open_with(
        &format!("{}/test/app@{}", server.host(), sha256(&list)),
        &arm_opts,
    )
    .expect("by digest");
    assert_eq!(o.source().platform.as_deref(), Some("linux/arm64"));
    read_all(&o, &MetadataOnly).expect("read");

    let e = open_with(
        &format!("{}/test/app@{}", server.host(), sha256(b"liar")),
        &quick(),
    )
    .expect_err("liar");
    assert!(matches!(e, ImageError::DigestMismatch { .. }), "{e}");
    assert!(e.to_string().contains(&sha256(b"liar")), "{e}");
}

#[test]
fn registry_errors_name_the_url_and_status() {
    let img = test_image();
    let repo = Repo::with_image("v1", &img);
    let server = Server::start(Arc::new(move |r, _| {
        if r.path.ends_with("/manifests/broken") {
            return resp(500, "internal meltdown");
        }
        repo.route(&r.path)
    }));
    let e = open_with(&format!("{}/test/app:nope", server.host()), &quick()).expect_err("404");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::Http { status: 404, .. }), "{msg}");
    assert!(
        msg.contains("/v2/test/app/manifests/nope") && msg.contains("manifest unknown"),
        "{msg}"
    );
    let e = open_with(&format!("{}/test/app:broken", server.host()), &quick()).expect_err("500");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::Http { status: 500, .. }), "{msg}");
    assert!(msg.contains("internal meltdown"), "{msg}");
}

#[test]
fn blob_errors_and_mismatches_name_the_layer() {
    let img = test_image();
    let mut repo = Repo::with_image("v1", &img);
    let layer1 = sha256(&img.blob(1));
    // Serve layer 0's bytes for layer 1.
    let wrong = img.blob(0);
    repo.blobs.insert(layer1.clone(), wrong);
    let server = Server::start(Arc::new(move |r, _| repo.route(&r.path)));
    let o = open_with(&format!("{}/test/app:v1", server.host()), &quick()).expect("open");
    let e = read_all(&o, &MetadataOnly).expect_err("wrong bytes");
    assert!(e.to_string().contains(&layer1), "{e}");

    let mut missing = Repo::with_image("v1", &img);
    let layer0 = sha256(&img.blob(0));
    missing.blobs.remove(&layer0);
    let server = Server::start(Arc::new(move |r, _| missing.route(&r.path)));
    let o = open_with(&format!("{}/test/app:v1", server.host()), &quick()).expect("open");
    let e = o.read_layers(&[0], &MetadataOnly).expect_err("404 blob");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::Http { status: 404, .. }), "{msg}");
    assert!(
        msg.contains(&layer0) && msg.contains("blob unknown"),
        "{msg}"
    );
}

#[test]
fn blob_redirects_are_followed() {
    let img = test_image();
    let repo = Repo::with_image("v1", &img);
    let server = Server::start(Arc::new(move |r, port| {
        if let Some(d) = r.path.strip_prefix("/storage/") {
            assert!(r.auth.is_none() || r.auth.is_some());
            return resp(200, repo.blobs.get(d).cloned().unwrap_or_default());
        }
        if let Some(d) = r.path.strip_prefix("/v2/test/app/blobs/") {
            return Resp {
                status: 307,
                headers: vec![(
                    "Location".into(),
                    format!("http://127.0.0.1:{port}/storage/{d}"),
                )],
                body: Vec::new(),
            };
        }
        repo.route(&r.path)
    }));
    let o =
        open_with(&format!("{}/test/app:v1", server.host()), &quick()).expect("open via redirect");
    read_all(&o, &MetadataOnly).expect("read via redirect");
    assert!(server.paths().iter().any(|p| p.starts_with("/storage/")));
}

#[test]
fn a_registry_that_never_answers_times_out() {
    let (port, _held) = Server::hanging();
    let t0 = Instant::now();
    let e = open_with(&format!("127.0.0.1:{port}/test/app:v1"), &quick()).expect_err("hang");
    let msg = e.to_string();
    assert!(matches!(e, ImageError::Transport { .. }), "{msg}");
    assert!(
        msg.contains("timed out") && msg.contains(&format!("127.0.0.1:{port}/v2/")),
        "{msg}"
    );
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t0.elapsed()
    );
}

#[test]
fn a_blob_that_stalls_mid_stream_times_out() {
    let img = test_image();
    let repo = Repo::with_image("v1", &img);
    let layer0 = sha256(&img.blob(0));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let repo = repo.clone();
            let layer0 = layer0.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                let _ = r.read_line(&mut line);
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                let mut h = String::new();
                while r.read_line(&mut h).unwrap_or(0) > 2 {
                    h.clear();
                }
                let mut s = stream;
                if path.ends_with(&layer0) {
                    // Promise a big body, send a little, then stall.
                    let _ =
                        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n\x1f\x8b");
                    std::thread::sleep(Duration::from_secs(30));
                    return;
                }
                let resp = repo.route(&path);
                let _ = write!(
                    s,
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    resp.status,
                    resp.body.len()
                );
                for (k, v) in resp.headers {
                    let _ = write!(s, "{k}: {v}\r\n");
                }
                let _ = s.write_all(b"\r\n");
                let _ = s.write_all(&resp.body);
            });
        }
    });
    let o = open_with(&format!("127.0.0.1:{port}/test/app:v1"), &quick()).expect("open");
    let t0 = Instant::now();
    let e = o.read_layers(&[0], &MetadataOnly).expect_err("stall");
    let msg = e.to_string();
    assert!(msg.contains(&sha256(&img.blob(0))), "{msg}");
    assert!(
        msg.to_lowercase().contains("timeout") || msg.contains("timed out"),
        "{msg}"
    );
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t0.elapsed()
    );
}

#[test]
fn nothing_listening_is_a_clear_connection_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let e = open_with(&format!("127.0.0.1:{port}/test/app:v1"), &quick()).expect_err("refused");
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("127.0.0.1:{port}")) && msg.contains("cannot connect"),
        "{msg}"
    );
}
