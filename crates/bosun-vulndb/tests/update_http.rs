//! `bosun db update` against a real HTTP server on loopback serving real
//! feed files (tests/fixtures): conditional requests with the stored ETag
//! and Last-Modified, size bounds, checksums, server errors, and a feed that
//! does not parse. Every failure leaves the previous database as it was.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bosun_vulndb::update::{Feed, FeedOutcome, UpdateOptions, update};
use sha2::{Digest, Sha256};

/// Requests seen: path and headers.
type Seen = Arc<Mutex<Vec<(String, BTreeMap<String, String>)>>>;

/// One route: status, body, extra headers.
#[derive(Clone)]
struct Route {
    status: u16,
    body: Vec<u8>,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// A minimal HTTP/1.1 server: answers each connection's one request from
/// `routes`, honours If-None-Match / If-Modified-Since, and records every
/// request's path and headers.
struct Server {
    addr: String,
    routes: Arc<Mutex<BTreeMap<String, Route>>>,
    seen: Seen,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let routes: Arc<Mutex<BTreeMap<String, Route>>> = Arc::default();
        let seen: Seen = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (r, s) = (r.clone(), s.clone());
                std::thread::spawn(move || serve(conn, &r, &s));
            }
        });
        Server { addr, routes, seen }
    }

    fn route(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .expect("lock")
            .insert(path.to_owned(), route);
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self, path: &str) -> Vec<BTreeMap<String, String>> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| h.clone())
            .collect()
    }
}

fn serve(
    conn: TcpStream,
    routes: &Mutex<BTreeMap<String, Route>>,
    seen: &Mutex<Vec<(String, BTreeMap<String, String>)>>,
) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    seen.lock()
        .expect("lock")
        .push((path.clone(), headers.clone()));
    let route = routes.lock().expect("lock").get(&path).cloned();
    let mut out = conn;
    let Some(route) = route else {
        let _ = out
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let fresh = route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref()
        || route.last_modified.is_some()
            && headers.get("if-modified-since") == route.last_modified.as_ref();
    let mut head = if fresh {
        "HTTP/1.1 304 Not Modified\r\n".to_owned()
    } else {
        format!("HTTP/1.1 {} X\r\n", route.status)
    };
    if let Some(e) = &route.etag {
        head.push_str(&format!("ETag: {e}\r\n"));
    }
    if let Some(l) = &route.last_modified {
        head.push_str(&format!("Last-Modified: {l}\r\n"));
    }
    let body: &[u8] = if fresh { b"" } else { &route.body };
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(body);
}

fn fixture(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    let mut v = Vec::new();
    std::fs::File::open(&p)
        .and_then(|mut f| f.read_to_end(&mut v))
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    v
}

fn ok(body: Vec<u8>, etag: Option<&str>, last_modified: Option<&str>) -> Route {
    Route {
        status: 200,
        body,
        etag: etag.map(str::to_owned),
        last_modified: last_modified.map(str::to_owned),
    }
}

fn feed(name: &str, url: String, file_name: &str) -> Feed {
    Feed {
        name: name.to_owned(),
        url,
        enabled: true,
        file_name: Some(file_name.to_owned()),
        max_bytes: None,
        sha256: None,
        sha256_url: None,
    }
}

fn opts(feeds: Vec<Feed>) -> UpdateOptions {
    UpdateOptions {
        feeds,
        timeout: Duration::from_secs(20),
        ..UpdateOptions::default()
    }
}

/// (source name, records) of a database.
fn sources(db: &Path) -> Vec<(String, u64)> {
    let st = bosun_vulndb::status::status(db, 365, None).expect("status");
    st.sources
        .iter()
        .map(|s| (s.meta.name.clone(), s.meta.records))
        .collect()
}

fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

struct Setup {
    server: Server,
    _dir: tempfile::TempDir,
    db: PathBuf,
    feeds: Vec<Feed>,
}

/// A server with an OSV record (ETag) and the head of Debian's DSA list
/// (Last-Modified), and a database made by a first update from it.
fn setup() -> Setup {
    let server = Server::start();
    server.route(
        "/osv/GO-2023-1569.json",
        ok(fixture("osv/GO-2023-1569.json"), Some("\"osv-v1\""), None),
    );
    server.route(
        "/debian/DSA/list",
        ok(
            fixture("debian/DSA-list-head.txt"),
            None,
            Some("Mon, 23 Nov 2026 10:00:00 GMT"),
        ),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db/bosun.db");
    let feeds = vec![
        feed(
            "osv-go",
            server.url("/osv/GO-2023-1569.json"),
            "GO-2023-1569.json",
        ),
        feed("debian-dsa", server.url("/debian/DSA/list"), "DSA-list"),
    ];
    let report = update(&db, &opts(feeds.clone())).expect("first update");
    assert!(report.swapped);
    for (name, outcome) in &report.feeds {
        assert!(
            matches!(outcome, FeedOutcome::Downloaded { bytes } if *bytes > 0),
            "{name}: {outcome:?}"
        );
    }
    Setup {
        server,
        _dir: dir,
        db,
        feeds,
    }
}

#[test]
fn first_update_imports_each_feed_under_its_name() {
    let s = setup();
    let src = sources(&s.db);
    let records = |n: &str| src.iter().find(|(name, _)| name == n).map(|x| x.1);
    assert!(records("osv-go").is_some_and(|n| n >= 1), "{src:?}");
    assert!(records("debian-dsa").is_some_and(|n| n >= 1), "{src:?}");
    // No temporary download is left beside the database.
    let dir = s.db.parent().expect("dir");
    let left: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "bosun.db")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_second_update_sends_the_stored_validators_and_changes_nothing() {
    let s = setup();
    let before = std::fs::read(&s.db).expect("read db");
    let report = update(&s.db, &opts(s.feeds.clone())).expect("second update");
    assert!(!report.swapped);
    assert!(report.import.is_none());
    assert!(
        report
            .feeds
            .iter()
            .all(|(_, o)| *o == FeedOutcome::NotModified),
        "{:?}",
        report.feeds
    );
    let osv = s.server.requests("/osv/GO-2023-1569.json");
    assert_eq!(osv.len(), 2);
    assert_eq!(
        osv[1].get("if-none-match").map(String::as_str),
        Some("\"osv-v1\"")
    );
    let dsa = s.server.requests("/debian/DSA/list");
    assert_eq!(
        dsa[1].get("if-modified-since").map(String::as_str),
        Some("Mon, 23 Nov 2026 10:00:00 GMT")
    );
    assert_eq!(std::fs::read(&s.db).expect("read db"), before);

    // --force downloads again whatever the validators say.
    let mut o = opts(s.feeds.clone());
    o.force = true;
    let forced = update(&s.db, &o).expect("forced update");
    assert!(forced.swapped);
    assert!(
        !s.server.requests("/osv/GO-2023-1569.json")[2].contains_key("if-none-match"),
        "no validators with --force"
    );
}

#[test]
fn a_changed_feed_replaces_only_its_own_source() {
    let s = setup();
    let before = sources(&s.db);
    s.server.route(
        "/osv/GO-2023-1569.json",
        ok(fixture("osv/GO-2023-1568.json"), Some("\"osv-v2\""), None),
    );
    let report = update(&s.db, &opts(s.feeds.clone())).expect("update");
    assert!(report.swapped);
    let outcomes: BTreeMap<_, _> = report.feeds.into_iter().collect();
    assert!(matches!(outcomes["osv-go"], FeedOutcome::Downloaded { .. }));
    assert_eq!(outcomes["debian-dsa"], FeedOutcome::NotModified);
    let after = sources(&s.db);
    let dsa = |v: &[(String, u64)]| v.iter().find(|x| x.0 == "debian-dsa").cloned();
    assert_eq!(dsa(&before), dsa(&after), "the DSA data is kept");
    let db = bosun_vulndb::Db::open(&s.db).expect("open");
    let info = db.info().expect("info");
    assert!(info.sources.iter().any(|n| n == "osv-go"), "{info:?}");
}

/// Each way a download can go wrong: an error naming the feed, and the
/// database byte-for-byte as it was.
#[test]
fn failures_name_the_feed_and_leave_the_database_untouched() {
    let s = setup();
    let before = std::fs::read(&s.db).expect("read db");
    let body = fixture("osv/GO-2023-1568.json");
    s.server
        .route("/new.json", ok(body.clone(), Some("\"n\""), None));
    s.server.route(
        "/new.json.sha256",
        ok(
            format!("{}  new.json\n", sha256_hex(b"something else")).into_bytes(),
            None,
            None,
        ),
    );
    s.server.route(
        "/broken.json",
        ok(b"{\"id\": \"GO-1\", \"affected\": [".to_vec(), None, None),
    );
    s.server.route(
        "/error",
        Route {
            status: 500,
            body: b"oops".to_vec(),
            etag: None,
            last_modified: None,
        },
    );

    let mut too_big = feed("osv-new", s.server.url("/new.json"), "GO-2023-1568.json");
    too_big.max_bytes = Some(body.len() as u64 - 1);
    let mut pinned_wrong = feed("osv-new", s.server.url("/new.json"), "GO-2023-1568.json");
    pinned_wrong.sha256 = Some(sha256_hex(b"not the body"));
    let mut published_wrong = feed("osv-new", s.server.url("/new.json"), "GO-2023-1568.json");
    published_wrong.sha256_url = Some(s.server.url("/new.json.sha256"));
    let cases = [
        (too_big, "byte bound"),
        (pinned_wrong, "sha-256"),
        (published_wrong, "sha-256"),
        (
            feed("osv-new", s.server.url("/error"), "x.json"),
            "HTTP 500",
        ),
        (
            feed("osv-new", s.server.url("/missing"), "x.json"),
            "HTTP 404",
        ),
        (
            feed("osv-new", "http://127.0.0.1:9/unreachable".into(), "x.json"),
            "osv-new",
        ),
        (
            feed("osv-new", s.server.url("/broken.json"), "GO-1.json"),
            "invalid JSON",
        ),
    ];
    for (bad, needle) in cases {
        let mut feeds = s.feeds.clone();
        feeds.push(bad.clone());
        let err = update(&s.db, &opts(feeds))
            .expect_err(&format!("{} must fail", bad.url))
            .to_string();
        assert!(
            err.contains("osv-new") || err.contains(&bad.url),
            "names the feed: {err}"
        );
        assert!(
            err.to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase()),
            "{}: expected `{needle}` in: {err}",
            bad.url
        );
        assert_eq!(
            std::fs::read(&s.db).expect("read db"),
            before,
            "{}: the database changed",
            bad.url
        );
    }
    // The right checksum is accepted.
    let mut good = feed("osv-new", s.server.url("/new.json"), "GO-2023-1568.json");
    good.sha256 = Some(sha256_hex(&body));
    let mut feeds = s.feeds.clone();
    feeds.push(good);
    let report = update(&s.db, &opts(feeds)).expect("a matching checksum");
    assert!(report.swapped);
    assert!(
        sources(&s.db)
            .iter()
            .any(|(n, r)| n == "osv-new" && *r >= 1)
    );
}
