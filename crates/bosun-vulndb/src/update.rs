//! `bosun db update`: fetch the feeds and swap the database atomically.
//!
//! For each enabled feed: a conditional GET (`If-None-Match` with the stored
//! ETag, `If-Modified-Since` with the stored `Last-Modified`); `304` leaves
//! the feed's data as it is. A `200` body is streamed to a temporary file in
//! the database's directory, refused past the feed's size bound, and checked
//! against the feed's SHA-256 (a pinned value, or one fetched from
//! `sha256_url`) when the feed has one. Then the current database is copied,
//! each changed feed's source is replaced by the new data, the copy is checked
//! and renamed over the old file. Any failure (network, size, checksum, a feed
//! that does not parse, a full disk) leaves the old database as it was.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::VulnDbError;
use crate::import::{FeedMeta, ImportOptions, ImportReport};

/// One feed to fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    /// The source name its records are stored under (replaced whole on update).
    pub name: String,
    pub url: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The file name used to recognise the format (`all.zip`, `data.json`,
    /// `DSA-list`, `main.json`); the URL's last segment when absent.
    #[serde(default)]
    pub file_name: Option<String>,
    /// Largest download accepted, bytes.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// The expected SHA-256 of the body (hex).
    #[serde(default)]
    pub sha256: Option<String>,
    /// A URL publishing the body's SHA-256 (`sha256sum` format or bare hex).
    #[serde(default)]
    pub sha256_url: Option<String>,
}

fn yes() -> bool {
    true
}

/// The feed configuration file (TOML): `max_age_days`, `timeout_secs` and
/// `[[feed]]` tables. Without `[[feed]]` tables the defaults are used.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub max_age_days: Option<u64>,
    #[serde(default)]
    pub feed: Vec<Feed>,
}

/// Default size bound of one download.
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

const OSV: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The public feeds bosun fetches by default.
pub fn default_feeds() -> Vec<Feed> {
    let feed = |name: &str, url: String, file: &str| Feed {
        name: name.to_owned(),
        url,
        enabled: true,
        file_name: Some(file.to_owned()),
        max_bytes: None,
        sha256: None,
        sha256_url: None,
    };
    let mut v = Vec::new();
    for (name, eco) in [
        ("osv-pypi", "PyPI"),
        ("osv-npm", "npm"),
        ("osv-go", "Go"),
        ("osv-crates.io", "crates.io"),
        ("osv-maven", "Maven"),
        ("osv-rubygems", "RubyGems"),
        ("osv-packagist", "Packagist"),
        ("osv-nuget", "NuGet"),
        ("osv-ubuntu", "Ubuntu"),
    ] {
        v.push(feed(name, format!("{OSV}/{eco}/all.zip"), "all.zip"));
    }
    v.push(feed(
        "debian-tracker",
        "https://security-tracker.debian.org/tracker/data/json".to_owned(),
        "tracker.json",
    ));
    v.push(feed(
        "debian-dsa",
        "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/list"
            .to_owned(),
        "DSA-list",
    ));
    v.push(feed(
        "debian-dla",
        "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/list"
            .to_owned(),
        "DLA-list",
    ));
    for branch in ["v3.18", "v3.19", "v3.20", "v3.21", "v3.22", "edge"] {
        for repo in ["main", "community"] {
            v.push(feed(
                &format!("alpine-secdb-{branch}-{repo}"),
                format!("https://secdb.alpinelinux.org/{branch}/{repo}.json"),
                &format!("{repo}.json"),
            ));
        }
    }
    v.push(feed(
        "wolfi-secdb",
        "https://packages.wolfi.dev/os/security.json".to_owned(),
        "security.json",
    ));
    // NVD's API serves 2,000 CVEs per page and rate-limits clients without a
    // key; point a feed at a mirror of its pages to enable CVSS enrichment.
    let mut nvd = feed(
        "nvd",
        "https://services.nvd.nist.gov/rest/json/cves/2.0?resultsPerPage=2000".to_owned(),
        "nvd.json",
    );
    nvd.enabled = false;
    v.push(nvd);
    v
}

/// Reads a feed configuration file.
pub fn load_config(path: &Path) -> Result<Config, VulnDbError> {
    let text = fs::read_to_string(path).map_err(|e| VulnDbError::Io {
        path: path.to_path_buf(),
        op: "read feed configuration",
        source: e,
    })?;
    let mut cfg: Config = toml::from_str(&text).map_err(|e| VulnDbError::Config {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if cfg.feed.is_empty() {
        cfg.feed = default_feeds();
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in &cfg.feed {
        if !seen.insert(f.name.clone()) {
            return Err(VulnDbError::Config {
                path: path.to_path_buf(),
                reason: format!("feed `{}` defined twice", f.name),
            });
        }
        if !(f.url.starts_with("http://")
            || f.url.starts_with("https://")
            || f.url.starts_with("file://"))
        {
            return Err(VulnDbError::Config {
                path: path.to_path_buf(),
                reason: format!("feed `{}`: url must be http(s):// or file://", f.name),
            });
        }
    }
    Ok(cfg)
}

/// Choices of one update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub feeds: Vec<Feed>,
    pub timeout: Duration,
    /// Ignore stored ETags and Last-Modified dates (download everything).
    pub force: bool,
    /// Limits for reading the downloaded feeds.
    pub import: ImportOptions,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            feeds: default_feeds(),
            timeout: Duration::from_secs(300),
            force: false,
            import: ImportOptions::default(),
        }
    }
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum FeedOutcome {
    Downloaded { bytes: u64 },
    NotModified,
    Disabled,
}

/// What one update did.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    pub feeds: Vec<(String, FeedOutcome)>,
    /// Whether a new database file replaced the old one.
    pub swapped: bool,
    pub import: Option<ImportReport>,
}

fn fetch_err(feed: &str, reason: impl Into<String>) -> VulnDbError {
    VulnDbError::Fetch {
        feed: feed.to_owned(),
        reason: reason.into(),
    }
}

struct Downloaded {
    path: PathBuf,
    bytes: u64,
    meta: FeedMeta,
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(5)
        .user_agent(concat!("bosun/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn fetch_sha256(agent: &ureq::Agent, feed: &Feed, url: &str) -> Result<String, VulnDbError> {
    let mut resp = agent
        .get(url)
        .call()
        .map_err(|e| fetch_err(&feed.name, format!("checksum {url}: {e}")))?;
    if resp.status() != 200 {
        return Err(fetch_err(
            &feed.name,
            format!("checksum {url}: HTTP {}", resp.status()),
        ));
    }
    let text = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .map_err(|e| fetch_err(&feed.name, format!("checksum {url}: {e}")))?;
    text.split_whitespace()
        .next()
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            fetch_err(
                &feed.name,
                format!("checksum {url}: no SHA-256 in the response"),
            )
        })
}

/// Downloads one feed into `dir` if it changed.
fn download(
    agent: &ureq::Agent,
    feed: &Feed,
    previous: Option<&crate::SourceMeta>,
    dir: &Path,
    force: bool,
) -> Result<Option<Downloaded>, VulnDbError> {
    let max = feed.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let file_name = feed
        .file_name
        .clone()
        .or_else(|| {
            feed.url
                .split('?')
                .next()
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_owned)
        })
        .filter(|n| !n.is_empty() && !n.contains(['/', '\\']) && n != "." && n != "..")
        .unwrap_or_else(|| "feed".to_owned());
    let path = dir.join(format!(
        ".{}.{}",
        feed.name.replace(['/', '\\'], "_"),
        file_name
    ));
    let mut hasher = Sha256::new();
    let mut meta = FeedMeta {
        url: Some(feed.url.clone()),
        ..FeedMeta::default()
    };
    let bytes;
    if let Some(local) = feed.url.strip_prefix("file://") {
        let data = crate::import::read_bounded(Path::new(local), max)?;
        hasher.update(&data);
        fs::write(&path, &data).map_err(|e| VulnDbError::Io {
            path: path.clone(),
            op: "write downloaded feed",
            source: e,
        })?;
        bytes = data.len() as u64;
    } else {
        let mut req = agent.get(&feed.url);
        if !force
            && let Some(prev) = previous.filter(|p| p.url.as_deref() == Some(feed.url.as_str()))
        {
            if let Some(etag) = &prev.etag {
                req = req.header("If-None-Match", etag);
            }
            if let Some(lm) = &prev.last_modified {
                req = req.header("If-Modified-Since", lm);
            }
        }
        let resp = req
            .call()
            .map_err(|e| fetch_err(&feed.name, format!("{}: {e}", feed.url)))?;
        match resp.status().as_u16() {
            304 => return Ok(None),
            200 => {}
            s => return Err(fetch_err(&feed.name, format!("{}: HTTP {s}", feed.url))),
        }
        if let Some(len) =
            header(&resp, "content-length").and_then(|l| l.trim().parse::<u64>().ok())
            && len > max
        {
            return Err(fetch_err(
                &feed.name,
                format!(
                    "{}: {len} bytes announced, over the {max} byte bound",
                    feed.url
                ),
            ));
        }
        meta.etag = header(&resp, "etag");
        meta.last_modified = header(&resp, "last-modified");
        let mut reader = resp
            .into_body()
            .into_with_config()
            .limit(max.saturating_add(1))
            .reader();
        let mut out = fs::File::create(&path).map_err(|e| VulnDbError::Io {
            path: path.clone(),
            op: "create download file",
            source: e,
        })?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut total: u64 = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let reason = if total >= max {
                        format!("{}: over the {max} byte bound", feed.url)
                    } else {
                        format!("{}: download failed after {total} bytes: {e}", feed.url)
                    };
                    let _ = fs::remove_file(&path);
                    return Err(fetch_err(&feed.name, reason));
                }
            };
            total += n as u64;
            if total > max {
                let _ = fs::remove_file(&path);
                return Err(fetch_err(
                    &feed.name,
                    format!("{}: over the {max} byte bound", feed.url),
                ));
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            out.write_all(chunk).map_err(|e| VulnDbError::Io {
                path: path.clone(),
                op: "write download file",
                source: e,
            })?;
        }
        out.sync_all().map_err(|e| VulnDbError::Io {
            path: path.clone(),
            op: "sync download file",
            source: e,
        })?;
        bytes = total;
    }
    let digest = hex::encode(hasher.finalize());
    let expected = match (&feed.sha256, &feed.sha256_url) {
        (Some(h), _) => Some(h.trim().to_ascii_lowercase()),
        (None, Some(u)) => Some(fetch_sha256(agent, feed, u)?),
        (None, None) => None,
    };
    if let Some(want) = expected
        && want != digest
    {
        let _ = fs::remove_file(&path);
        return Err(fetch_err(
            &feed.name,
            format!(
                "{}: SHA-256 {digest} does not match the published {want}",
                feed.url
            ),
        ));
    }
    meta.sha256 = Some(digest);
    Ok(Some(Downloaded { path, bytes, meta }))
}

/// Fetches every enabled feed and, if any changed, swaps in a database with
/// their new data (other sources kept).
pub fn update(target: &Path, opts: &UpdateOptions) -> Result<UpdateReport, VulnDbError> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    fs::create_dir_all(&dir).map_err(|e| VulnDbError::Io {
        path: dir.clone(),
        op: "create database directory",
        source: e,
    })?;
    let previous: BTreeMap<String, crate::SourceMeta> = if target.is_file() {
        crate::store::sources_of(target)?
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect()
    } else {
        BTreeMap::new()
    };
    let agent = agent(opts.timeout);
    let mut report = UpdateReport {
        feeds: Vec::new(),
        swapped: false,
        import: None,
    };
    let mut downloads: Vec<(String, Downloaded)> = Vec::new();
    let cleanup = |d: &[(String, Downloaded)]| {
        for (_, x) in d {
            let _ = fs::remove_file(&x.path);
        }
    };
    for feed in &opts.feeds {
        if !feed.enabled {
            report
                .feeds
                .push((feed.name.clone(), FeedOutcome::Disabled));
            continue;
        }
        // A feed never imported must be downloaded even if an ETag is known.
        let prev = previous.get(&feed.name);
        match download(&agent, feed, prev, &dir, opts.force) {
            Ok(None) => report
                .feeds
                .push((feed.name.clone(), FeedOutcome::NotModified)),
            Ok(Some(d)) => {
                report.feeds.push((
                    feed.name.clone(),
                    FeedOutcome::Downloaded { bytes: d.bytes },
                ));
                downloads.push((feed.name.clone(), d));
            }
            Err(e) => {
                cleanup(&downloads);
                return Err(e);
            }
        }
    }
    if downloads.is_empty() {
        return Ok(report);
    }
    let mut iopts = opts.import.clone();
    iopts.merge = true;
    for (name, d) in &downloads {
        iopts.feed_meta.insert(name.clone(), d.meta.clone());
    }
    let inputs: Vec<(String, PathBuf)> = downloads
        .iter()
        .map(|(n, d)| (n.clone(), d.path.clone()))
        .collect();
    let result = crate::import::import_feeds(target, &inputs, &iopts);
    cleanup(&downloads);
    let imported = result?;
    report.swapped = true;
    report.import = Some(imported);
    Ok(report)
}
