//! Images in a running Docker or Podman engine (`docker:`, `podman:`),
//! through the Docker Engine API on the engine's unix socket.
//!
//! Opening asks `GET /images/{name}/json` for the image ID (the config
//! digest), tags, platform, runtime config and `RootFS.Layers` (the
//! diff_ids), and the history from `GET /libpod/images/{name}/json` (Podman:
//! the real OCI history with `empty_layer`) or `GET /images/{name}/history`
//! (Docker: history without `empty_layer`, mapped by layer sizes).
//!
//! Reading streams `GET /images/{name}/get` (a docker-archive tar) and reads
//! every layer in it in one pass, as it arrives, without writing anything
//! to disk. `manifest.json` comes last in that stream, so layers are not
//! identified by name: each is hashed while it is read, and its uncompressed
//! digest is matched against the diff_ids afterwards. The config blob in the
//! stream is hashed and must equal the image ID. A layer that is not wanted
//! (a cached one) is still parsed, since nothing tells which it is before
//! its hash is known.
//!
//! Why a hand-written HTTP/1.1 client rather than ureq with a custom
//! connector: ureq 3's transport traits are in its `unversioned` module
//! (explicitly without semver guarantees), while a GET over a local socket
//! needs only a request line, a bounded header parse, `Content-Length` or
//! chunked bodies, and socket timeouts: about 150 lines that cannot break on
//! a dependency update.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use bosun_model::{ImageConfig, LayerInfo, SourceInfo};
use serde::Deserialize;

use crate::digest::{Digest, short};
use crate::error::ImageError;
use crate::json::{self, ContainerConfig, History};
use crate::layer::{LayerJob, LayerRead, ReadCtx, read_layer};
use crate::tarstream::{Kind as TarKind, StreamInput, TarError, TarLimits, TarReader};
use crate::{Backend, LayerPlan, OpenOptions, Opened, SourceSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Docker,
    Podman,
}

pub(crate) struct Engine {
    kind: Kind,
    socket: PathBuf,
    name: String,
    config_digest: Option<Digest>,
    timeout: Duration,
    max_json: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    #[serde(default)]
    id: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    repo_digests: Option<Vec<String>>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    config: Option<ContainerConfig>,
    #[serde(default, rename = "RootFS")]
    root_fs: Option<RootFs>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RootFs {
    #[serde(default)]
    layers: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LibpodInspect {
    #[serde(default)]
    history: Option<Vec<History>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerHistory {
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    size: Option<i64>,
}

/// The socket to talk to.
fn socket_for(kind: Kind, opts: &OpenOptions) -> Result<PathBuf, ImageError> {
    let from_url = |s: &str| -> Result<PathBuf, ImageError> {
        if let Some(p) = s.strip_prefix("unix://") {
            Ok(PathBuf::from(p))
        } else if s.starts_with('/') {
            Ok(PathBuf::from(s))
        } else {
            Err(ImageError::unsupported(
                s.to_owned(),
                "only unix sockets (unix:///path) are supported for engines",
            ))
        }
    };
    match kind {
        Kind::Docker => match opts
            .docker_host
            .clone()
            .or_else(|| std::env::var("DOCKER_HOST").ok())
        {
            Some(h) if !h.is_empty() => from_url(&h),
            _ => Ok(PathBuf::from("/var/run/docker.sock")),
        },
        Kind::Podman => {
            if let Some(h) = opts
                .podman_socket
                .clone()
                .or_else(|| std::env::var("CONTAINER_HOST").ok())
                && !h.is_empty()
            {
                return from_url(&h);
            }
            if let Some(rt) = std::env::var_os("XDG_RUNTIME_DIR") {
                let p = PathBuf::from(rt).join("podman/podman.sock");
                if p.exists() {
                    return Ok(p);
                }
            }
            Ok(PathBuf::from("/run/podman/podman.sock"))
        }
    }
}

fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b':' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn open(
    kind: Kind,
    name: &str,
    spec: &SourceSpec,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let socket = socket_for(kind, opts)?;
    let mut engine = Engine {
        kind,
        socket,
        name: name.to_owned(),
        config_digest: None,
        timeout: opts.timeouts.read,
        max_json: opts.limits.max_json_bytes,
    };
    let enc = encode_name(name);
    let what = format!("{} image `{name}`", engine.describe());
    let bytes = engine.get_small(&format!("/images/{enc}/json"))?;
    let inspect: Inspect = json::parse(&bytes, &what)?;
    let id = if inspect.id.contains(':') {
        inspect.id.clone()
    } else {
        format!("sha256:{}", inspect.id)
    };
    let config_digest = Digest::parse(&id).map_err(|message| ImageError::Json {
        what: what.clone(),
        field: "Id".into(),
        message,
    })?;
    engine.config_digest = Some(config_digest.clone());
    let diff_ids = inspect
        .root_fs
        .and_then(|r| r.layers)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Digest::parse(d).map_err(|message| ImageError::Json {
                what: what.clone(),
                field: format!("RootFS.Layers[{i}]"),
                message,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if diff_ids.len() > opts.limits.max_layers {
        return Err(ImageError::Limit {
            what,
            limit: "max_layers",
            max: opts.limits.max_layers as u64,
            detail: format!("the image has {} layers", diff_ids.len()),
        });
    }
    let mut warnings = Vec::new();
    let history = match kind {
        Kind::Podman => {
            // Podman serves libpod endpoints only under a version prefix.
            let b = engine.get_small(&format!("/v4.0.0/libpod/images/{enc}/json"))?;
            let l: LibpodInspect = json::parse(&b, &format!("{what} (libpod inspect)"))?;
            l.history
                .unwrap_or_default()
                .into_iter()
                .map(History::into_model)
                .collect()
        }
        Kind::Docker => {
            let b = engine.get_small(&format!("/images/{enc}/history"))?;
            let h: Vec<DockerHistory> = json::parse(&b, &format!("{what} (history)"))?;
            docker_history(h, diff_ids.len(), &mut warnings)
        }
    };
    let mut config: ImageConfig = json::container_config(inspect.config.unwrap_or_default());
    config.created = inspect.created;
    config.architecture = inspect.architecture.clone();
    config.os = inspect.os.clone();
    config.history = history;
    let (created_by, w) = json::layer_history(&config.history, diff_ids.len());
    warnings.extend(w.map(|w| format!("{what}: {w}")));
    let mut layers = Vec::with_capacity(diff_ids.len());
    let mut plans = Vec::with_capacity(diff_ids.len());
    for (i, (d, cb)) in diff_ids.iter().zip(created_by).enumerate() {
        layers.push(LayerInfo {
            index: i,
            digest: None,
            diff_id: Some(d.to_string()),
            media_type: None,
            size: 0,
            created_by: cb,
        });
        plans.push(LayerPlan {
            label: format!("layer {i} ({d})"),
            digest: None,
            diff_id: Some(d.clone()),
            size: None,
            location: String::new(),
        });
    }
    let repo_tags = inspect.repo_tags.unwrap_or_default();
    let manifest_digest = inspect
        .repo_digests
        .unwrap_or_default()
        .iter()
        .find_map(|rd| rd.split_once('@').map(|(_, d)| d.to_owned()));
    let platform = json::platform_string(
        inspect.os.as_deref(),
        inspect.architecture.as_deref(),
        inspect.variant.as_deref(),
    );
    Ok(Opened {
        source: SourceInfo {
            kind: spec.kind(),
            reference: spec.reference(),
            name: repo_tags.first().cloned().or_else(|| Some(name.to_owned())),
            manifest_digest,
            config_digest: Some(config_digest.to_string()),
            repo_tags,
            platform,
        },
        config: Some(config),
        layers,
        plans,
        backend: Backend::Engine(engine),
        warnings,
    })
}

/// Docker's history, newest first, without `empty_layer`: entries with a
/// size are the layers, when that count matches.
fn docker_history(
    mut h: Vec<DockerHistory>,
    layers: usize,
    warnings: &mut Vec<String>,
) -> Vec<bosun_model::HistoryEntry> {
    h.reverse();
    let sized = h.iter().filter(|e| e.size.unwrap_or(0) > 0).count();
    let by_size = sized == layers;
    let all = h.len() == layers;
    if !by_size && !all {
        warnings.push(format!(
            "the engine's history does not say which of its {} entries made the {layers} layers; `created_by` left out",
            h.len()
        ));
    }
    h.into_iter()
        .map(|e| bosun_model::HistoryEntry {
            created: e.created.map(rfc3339),
            created_by: e.created_by,
            comment: e.comment.filter(|c| !c.is_empty()),
            empty_layer: if by_size {
                e.size.unwrap_or(0) <= 0
            } else {
                !all
            },
        })
        .collect()
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[derive(Deserialize)]
struct EngineError {
    #[serde(default)]
    message: Option<String>,
}

impl Engine {
    fn describe(&self) -> String {
        let k = match self.kind {
            Kind::Docker => "docker",
            Kind::Podman => "podman",
        };
        format!("{k} engine at unix://{}", self.socket.display())
    }

    fn url(&self, path: &str) -> String {
        format!("unix://{}{path}", self.socket.display())
    }

    /// Sends a GET and reads the response head.
    fn get(&self, path: &str) -> Result<(u16, Body), ImageError> {
        let url = self.url(path);
        let stream = UnixStream::connect(&self.socket).map_err(|e| {
            ImageError::transport(
                url.clone(),
                format!(
                    "cannot connect to the {} ({e}); is it running?",
                    self.describe()
                ),
            )
        })?;
        let timeout = Some(self.timeout.max(Duration::from_millis(1)));
        let io_err = |e: io::Error| {
            let message = if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                format!(
                    "timed out after {}s: the engine did not answer",
                    self.timeout.as_secs_f64()
                )
            } else {
                e.to_string()
            };
            ImageError::transport(url.clone(), message)
        };
        stream.set_read_timeout(timeout).map_err(io_err)?;
        stream.set_write_timeout(timeout).map_err(io_err)?;
        let mut w = &stream;
        write!(
            w,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bosun/{}\r\nAccept: application/json, application/x-tar\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        )
        .map_err(io_err)?;
        let mut r = BufReader::with_capacity(64 * 1024, stream);
        let head = read_head(&mut r).map_err(io_err)?;
        let body = if head.chunked {
            Body::Chunked(Chunked {
                inner: r,
                left: 0,
                done: false,
                first: true,
            })
        } else if let Some(n) = head.content_length {
            Body::Length(r, n)
        } else {
            Body::Close(r)
        };
        Ok((head.status, body))
    }

    fn get_ok(&self, path: &str) -> Result<Body, ImageError> {
        let (status, mut body) = self.get(path)?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let mut buf = Vec::new();
        let _ = (&mut body).take(64 * 1024).read_to_end(&mut buf);
        let message = serde_json::from_slice::<EngineError>(&buf)
            .ok()
            .and_then(|e| e.message)
            .unwrap_or_else(|| short(String::from_utf8_lossy(&buf).trim()));
        if status == 404 {
            return Err(ImageError::not_found(
                format!("{} image `{}`", self.describe(), self.name),
                message,
            ));
        }
        Err(ImageError::Http {
            url: self.url(path),
            status,
            message,
        })
    }

    fn get_small(&self, path: &str) -> Result<Vec<u8>, ImageError> {
        let body = self.get_ok(path)?;
        let mut buf = Vec::new();
        body.take(self.max_json + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::transport(self.url(path), e.to_string()))?;
        if buf.len() as u64 > self.max_json {
            return Err(ImageError::Limit {
                what: self.url(path),
                limit: "max_json_bytes",
                max: self.max_json,
                detail: "the response is too large".into(),
            });
        }
        Ok(buf)
    }

    /// Streams the image export once, reading every layer as it arrives.
    pub(crate) fn read_layers(
        &self,
        which: &[usize],
        plans: &[LayerPlan],
        ctx: ReadCtx<'_>,
    ) -> Result<Vec<(usize, LayerRead)>, ImageError> {
        let path = format!("/images/{}/get", encode_name(&self.name));
        let url = self.url(&path);
        let body = self.get_ok(&path)?;
        let what = format!("{} export of `{}`", self.describe(), self.name);
        let mut tar = TarReader::new(
            StreamInput(BufReader::with_capacity(64 * 1024, body)),
            TarLimits {
                max_name: ctx.limits.max_tar_name_bytes,
                max_pax: ctx.limits.max_tar_pax_bytes,
            },
        );
        let mut found: Vec<(usize, LayerRead)> = Vec::new();
        let mut config_seen = false;
        let mut blobs = 0usize;
        let tar_err = |e: TarError| match e {
            TarError::Io(e) => {
                ImageError::transport(url.clone(), format!("reading the export: {e}"))
            }
            other => ImageError::invalid(what.clone(), other.to_string()),
        };
        // Our own sink wrapper is not needed: indexes are unknown until hashed,
        // so the sink sees `index` = the position of the layer in the stream.
        while let Some(entry) = tar.next_entry().map_err(tar_err)? {
            if entry.kind != TarKind::File {
                continue;
            }
            let name = entry.name.trim_start_matches("./").to_owned();
            // Layers are `<id>/layer.tar` (Docker before 25), `<hex>.tar`
            // (Podman/skopeo) or `blobs/sha256/<hex>` (Docker 25+, where
            // configs and manifests are blobs too); everything else
            // (`VERSION`, per-layer `json`, `manifest.json`, `repositories`,
            // `index.json`, `oci-layout`) is metadata, except the config.
            let candidate =
                name.ends_with(".tar") || name.starts_with("blobs/") || name.ends_with(".json");
            if !candidate || matches!(name.as_str(), "manifest.json" | "index.json") {
                continue;
            }
            let mut data = tar.data();
            let mut head = Vec::with_capacity(1);
            (&mut data).take(1).read_to_end(&mut head).map_err(|e| {
                ImageError::transport(
                    url.clone(),
                    format!("reading `{name}` from the export: {e}"),
                )
            })?;
            if head.first() == Some(&b'{') && entry.size <= self.max_json {
                let mut buf = head;
                data.read_to_end(&mut buf).map_err(|e| {
                    ImageError::transport(
                        url.clone(),
                        format!("reading `{name}` from the export: {e}"),
                    )
                })?;
                if let Some(id) = &self.config_digest
                    && id.same_algorithm_of(&buf) == *id
                {
                    config_seen = true;
                }
                continue;
            }
            if !(name.ends_with(".tar") || name.starts_with("blobs/")) {
                continue;
            }
            blobs += 1;
            if blobs > ctx.limits.max_layers.saturating_mul(2) {
                return Err(ImageError::Limit {
                    what,
                    limit: "max_layers",
                    max: ctx.limits.max_layers as u64,
                    detail: "the export holds more layer blobs than allowed".into(),
                });
            }
            let label = format!("{what}: `{name}`");
            let job = LayerJob {
                index: blobs - 1,
                label: &label,
                digest: None,
                diff_id: None,
                size: None,
            };
            let mut stream = io::Cursor::new(head).chain(&mut data);
            let read = read_layer(&mut stream, &job, ctx)?;
            let matching: Vec<usize> = which
                .iter()
                .copied()
                .filter(|&i| plans.get(i).and_then(|p| p.diff_id.as_ref()) == Some(&read.diff_id))
                .filter(|i| !found.iter().any(|(j, _)| j == i))
                .collect();
            let Some((&last, rest)) = matching.split_last() else {
                continue;
            };
            for &i in rest {
                found.push((
                    i,
                    LayerRead {
                        layer: read.layer.clone(),
                        digest: read.digest.clone(),
                        diff_id: read.diff_id.clone(),
                        compression: read.compression,
                        compressed_bytes: read.compressed_bytes,
                        uncompressed_bytes: read.uncompressed_bytes,
                        warnings: read.warnings.clone(),
                    },
                ));
            }
            found.push((last, read));
        }
        tar.drain().map_err(tar_err)?;
        for &i in which {
            if !found.iter().any(|(j, _)| *j == i) {
                let d = plans
                    .get(i)
                    .and_then(|p| p.diff_id.as_ref())
                    .map(Digest::to_string)
                    .unwrap_or_default();
                return Err(ImageError::not_found(
                    what,
                    format!("layer {i} (diff_id {d}) is not in the engine's export"),
                ));
            }
        }
        if !config_seen && let Some(id) = &self.config_digest {
            return Err(ImageError::not_found(
                what,
                format!("the export has no config blob matching the image ID {id}"),
            ));
        }
        Ok(found)
    }
}

struct Head {
    status: u16,
    content_length: Option<u64>,
    chunked: bool,
}

/// Reads a response's status line and headers (bounded: 64 KiB, 100 lines).
fn read_head(r: &mut impl BufRead) -> io::Result<Head> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_owned());
    let mut total = 0usize;
    let mut line = Vec::new();
    let mut status = None;
    let mut content_length = None;
    let mut chunked = false;
    for n in 0..100 {
        line.clear();
        let got = r.take(8 * 1024).read_until(b'\n', &mut line)?;
        if got == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine closed the connection without a response",
            ));
        }
        total += got;
        if total > 64 * 1024 {
            return Err(bad("response headers larger than 64 KiB"));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if n == 0 {
            let mut parts = text.split(' ');
            let version = parts.next().unwrap_or("");
            if !version.starts_with("HTTP/1.") {
                return Err(bad("not an HTTP/1.x response"));
            }
            status = parts.next().and_then(|s| s.parse::<u16>().ok());
            if status.is_none() {
                return Err(bad("response without a status code"));
            }
            continue;
        }
        if text.is_empty() {
            return Ok(Head {
                status: status.unwrap_or(0),
                content_length,
                chunked,
            });
        }
        if let Some((k, v)) = text.split_once(':') {
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                content_length = Some(v.parse().map_err(|_| bad("invalid Content-Length"))?);
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    Err(bad("more than 100 response header lines"))
}

/// A response body.
enum Body {
    Length(BufReader<UnixStream>, u64),
    Chunked(Chunked),
    Close(BufReader<UnixStream>),
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Body::Length(r, left) => {
                if *left == 0 || buf.is_empty() {
                    return Ok(0);
                }
                let want = buf.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                let n = r.read(buf.get_mut(..want).unwrap_or(&mut []))?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the engine closed the connection early",
                    ));
                }
                *left -= n as u64;
                Ok(n)
            }
            Body::Chunked(c) => c.read(buf),
            Body::Close(r) => r.read(buf),
        }
    }
}

/// `Transfer-Encoding: chunked`.
struct Chunked {
    inner: BufReader<UnixStream>,
    left: u64,
    done: bool,
    first: bool,
}

impl Chunked {
    fn next_size(&mut self) -> io::Result<u64> {
        let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_owned());
        let mut line = Vec::new();
        if !self.first {
            // The CRLF after the previous chunk's data.
            (&mut self.inner).take(2).read_to_end(&mut line)?;
            if line != b"\r\n" {
                return Err(bad("malformed chunked body"));
            }
            line.clear();
        }
        self.first = false;
        (&mut self.inner).take(1024).read_until(b'\n', &mut line)?;
        let text = std::str::from_utf8(&line).map_err(|_| bad("malformed chunk size"))?;
        let size = text
            .trim_end_matches(['\r', '\n'])
            .split(';')
            .next()
            .unwrap_or("")
            .trim();
        u64::from_str_radix(size, 16).map_err(|_| bad("malformed chunk size"))
    }
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.left = self.next_size()?;
            if self.left == 0 {
                // Trailers, up to the empty line.
                for _ in 0..100 {
                    let mut line = Vec::new();
                    let n = (&mut self.inner)
                        .take(8 * 1024)
                        .read_until(b'\n', &mut line)?;
                    if n == 0 || line == b"\r\n" || line == b"\n" {
                        break;
                    }
                }
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(buf.get_mut(..want).unwrap_or(&mut []))?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine closed the connection inside a chunk",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_format_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_678_786_013), "2023-03-14T09:26:53Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn docker_history_maps_sized_entries_to_layers() {
        let h = vec![
            DockerHistory {
                created: Some(2),
                created_by: Some("CMD x".into()),
                comment: None,
                size: Some(0),
            },
            DockerHistory {
                created: Some(1),
                created_by: Some("RUN y".into()),
                comment: None,
                size: Some(10),
            },
            DockerHistory {
                created: Some(0),
                created_by: Some("ADD z".into()),
                comment: None,
                size: Some(99),
            },
        ];
        let mut w = Vec::new();
        let out = docker_history(h, 2, &mut w);
        assert!(w.is_empty());
        let (lines, _) = json::layer_history(&out, 2);
        assert_eq!(
            lines,
            vec![Some("ADD z".to_owned()), Some("RUN y".to_owned())]
        );
    }

    #[test]
    fn names_are_percent_encoded() {
        assert_eq!(encode_name("docker.io/a/b:1"), "docker.io/a/b:1");
        assert_eq!(encode_name("a b?c"), "a%20b%3Fc");
    }
}
