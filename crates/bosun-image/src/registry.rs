//! The OCI distribution API (`registry:`), a synchronous client on `ureq`.
//!
//! - `GET /v2/` finds the scheme and the auth scheme. https is used, except
//!   for loopback hosts (`localhost`, `127.0.0.0/8`, `::1`), which are tried
//!   over plain http first, and `insecure`, which allows http (and
//!   unverified TLS) for any host. Credentials are never sent over plain
//!   http to a non-loopback host unless `insecure`.
//! - Auth: anonymous, `Basic`, and `Bearer` (the token flow: `realm`,
//!   `service`, `scope`; the response's `token` or `access_token`; basic
//!   credentials sent to the token endpoint when there are any). A 401 later
//!   (a token for the wrong scope, an expired one) triggers one new challenge.
//! - Manifests are fetched with an `Accept` of OCI and Docker v2 manifests and
//!   indexes, bounded by `max_json_bytes`; a manifest pulled by digest (or
//!   picked from an index) must hash to that digest. Blobs stream, following
//!   redirects (without forwarding `Authorization` to another host).
//! - Timeouts: `connect` for TCP+TLS, `read` for the response headers and for
//!   every read of a body, so a registry that hangs fails with a message
//!   naming the URL.

use std::io::Read;
use std::sync::Mutex;

use bosun_model::SourceInfo;
use serde::Deserialize;

use crate::digest::Digest;
use crate::error::ImageError;
use crate::json::{self, DOCKER_LIST, DOCKER_MANIFEST, Doc, ManifestDoc, OCI_INDEX, OCI_MANIFEST};
use crate::oci::{LayerIn, assemble, verify_small};
use crate::platform::choose;
use crate::reference::{DOCKER_HUB, ImageRef, is_loopback_host};
use crate::{Backend, Credentials, OpenOptions, Opened, SourceSpec, b64};

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.list.v2+json";

/// Largest error body or token response read.
const SMALL_BODY: u64 = 1 << 20;

pub(crate) struct Client {
    agent: ureq::Agent,
    /// `scheme://host[:port]`.
    base: String,
    repository: String,
    credentials: Option<Credentials>,
    /// Whether credentials may travel over plain http to this registry.
    plain_ok: bool,
    insecure: bool,
    authorization: Mutex<Option<String>>,
    read_timeout: std::time::Duration,
}

pub(crate) fn open(
    r: &ImageRef,
    spec: &SourceSpec,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let mut warnings = Vec::new();
    let credentials = credentials_for(r, opts, &mut warnings);
    let client = Client::connect(r, credentials, opts)?;
    let limits = &opts.limits;
    let reference = r.manifest_reference();
    let what = format!("{}: manifest {reference}", client.repo_url());
    let (bytes, content_type) = client.manifest(&reference, limits.max_json_bytes)?;
    let mut digest = match &r.digest {
        Some(d) => {
            verify_small(&bytes, d, None, &what)?;
            d.clone()
        }
        None => Digest::sha256_of(&bytes),
    };
    let doc: ManifestDoc = json::parse(&bytes, &what)?;
    let mut doc = doc.classify(&what, content_type.as_deref())?;
    let mut depth = 0;
    let (config, layers) = loop {
        match doc {
            Doc::Manifest { config, layers } => break (config, layers),
            Doc::Index(entries) => {
                depth += 1;
                if depth > limits.max_index_depth {
                    return Err(ImageError::Limit {
                        what,
                        limit: "max_index_depth",
                        max: limits.max_index_depth as u64,
                        detail: "indexes nest deeper than allowed".into(),
                    });
                }
                let chosen = choose(&entries, &opts.platform, &what)?;
                let d = chosen.parsed_digest(&what, "manifests[].digest")?;
                let child_what = format!("{}: manifest {d}", client.repo_url());
                let (bytes, ct) = client.manifest(&d.to_string(), limits.max_json_bytes)?;
                verify_small(&bytes, &d, chosen.size, &child_what)?;
                let child: ManifestDoc = json::parse(&bytes, &child_what)?;
                doc =
                    child.classify(&child_what, ct.as_deref().or(chosen.media_type.as_deref()))?;
                digest = d;
            }
        }
    };
    let what = format!("{}: manifest {digest}", client.repo_url());
    if layers.len() > limits.max_layers {
        return Err(ImageError::Limit {
            what,
            limit: "max_layers",
            max: limits.max_layers as u64,
            detail: format!("the manifest lists {} layers", layers.len()),
        });
    }
    let config_digest = config.parsed_digest(&what, "config.digest")?;
    let cfg_what = format!("{}: config blob {config_digest}", client.repo_url());
    let config_bytes = client.small_blob(
        &config_digest,
        config.size,
        limits.max_json_bytes,
        &cfg_what,
    )?;
    let mut layers_in = Vec::with_capacity(layers.len());
    for (i, l) in layers.iter().enumerate() {
        let d = l.parsed_digest(&what, &format!("layers[{i}].digest"))?;
        layers_in.push(LayerIn {
            location: d.to_string(),
            digest: Some(d),
            size: l.size,
            media_type: l.media_type.clone(),
        });
    }
    let asm = assemble(&config_bytes, &cfg_what, layers_in, limits)?;
    warnings.extend(asm.warnings);
    let tagged = ImageRef {
        digest: None,
        ..r.clone()
    };
    let source = SourceInfo {
        kind: spec.kind(),
        reference: spec.reference(),
        name: Some(r.familiar_name()),
        manifest_digest: Some(digest.to_string()),
        config_digest: Some(config_digest.to_string()),
        repo_tags: if tagged.tag.is_some() {
            vec![tagged.to_string()]
        } else {
            Vec::new()
        },
        platform: asm.platform,
    };
    Ok(Opened {
        source,
        config: Some(asm.config),
        layers: asm.layers,
        plans: asm.plans,
        backend: Backend::Registry(client),
        warnings,
    })
}

/// Credentials from the options, the environment, or the Docker config.
fn credentials_for(
    r: &ImageRef,
    opts: &OpenOptions,
    warnings: &mut Vec<String>,
) -> Option<Credentials> {
    if let Some(c) = &opts.credentials {
        return Some(c.clone());
    }
    if opts.no_ambient_credentials {
        return None;
    }
    if let (Ok(u), Ok(p)) = (
        std::env::var("BOSUN_REGISTRY_USERNAME"),
        std::env::var("BOSUN_REGISTRY_PASSWORD"),
    ) {
        return Some(Credentials {
            username: u,
            password: p,
        });
    }
    let path = opts.docker_config.clone().or_else(|| {
        std::env::var_os("DOCKER_CONFIG")
            .map(|d| std::path::PathBuf::from(d).join("config.json"))
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| std::path::PathBuf::from(h).join(".docker/config.json"))
            })
    })?;
    let bytes = std::fs::read(&path).ok()?;
    match docker_config_auth(&bytes, &r.registry) {
        Ok(found) => found,
        Err(e) => {
            warnings.push(format!("{}: ignored: {e}", path.display()));
            None
        }
    }
}

#[derive(Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, DockerAuth>,
}

#[derive(Deserialize)]
struct DockerAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The `auths` entry of a Docker config.json for a registry host.
pub(crate) fn docker_config_auth(
    bytes: &[u8],
    registry: &str,
) -> Result<Option<Credentials>, String> {
    if bytes.len() > 4 << 20 {
        return Err("larger than 4 MiB".into());
    }
    let cfg: DockerConfig = json::parse(bytes, "docker config").map_err(|e| e.to_string())?;
    let hub = registry == DOCKER_HUB;
    let key_host = |k: &str| -> String {
        let k = k
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        k.split('/').next().unwrap_or("").to_owned()
    };
    for (key, entry) in &cfg.auths {
        let host = key_host(key);
        let matches = host == registry
            || (hub
                && matches!(
                    host.as_str(),
                    "index.docker.io" | "registry-1.docker.io" | "docker.io"
                ));
        if !matches {
            continue;
        }
        if let Some(a) = &entry.auth {
            let raw = b64::decode(a).ok_or_else(|| format!("`auths.{key}.auth` is not base64"))?;
            let s =
                String::from_utf8(raw).map_err(|_| format!("`auths.{key}.auth` is not UTF-8"))?;
            let (u, p) = s
                .split_once(':')
                .ok_or_else(|| format!("`auths.{key}.auth` is not user:password"))?;
            return Ok(Some(Credentials {
                username: u.to_owned(),
                password: p.to_owned(),
            }));
        }
        if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
            return Ok(Some(Credentials {
                username: u.clone(),
                password: p.clone(),
            }));
        }
    }
    Ok(None)
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `Bearer realm="…",service="…",scope="…"` (quoted or token values).
pub(crate) fn parse_challenge(h: &str) -> Option<Challenge> {
    let h = h.trim();
    let (scheme, rest) = match h.split_once(char::is_whitespace) {
        Some((s, r)) => (s, r),
        None => (h, ""),
    };
    if scheme.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.trim().is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.push((key.trim().to_owned(), value.trim().to_owned()));
        if params.len() > 32 {
            break;
        }
    }
    Some(Challenge {
        scheme: scheme.to_owned(),
        params,
    })
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

type Response = ureq::http::Response<ureq::Body>;

impl Client {
    fn connect(
        r: &ImageRef,
        credentials: Option<Credentials>,
        opts: &OpenOptions,
    ) -> Result<Client, ImageError> {
        let t = &opts.timeouts;
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(opts.insecure)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(t.connect))
            .timeout_recv_response(Some(t.read))
            .timeout_per_read(Some(t.read))
            .max_redirects(10)
            .user_agent(format!("bosun/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .into();
        let host = r.api_host();
        let loopback = is_loopback_host(host);
        let schemes: &[&str] = if loopback {
            &["http", "https"]
        } else if opts.insecure {
            &["https", "http"]
        } else {
            &["https"]
        };
        let mut failures: Vec<String> = Vec::new();
        for scheme in schemes {
            let base = format!("{scheme}://{host}");
            let client = Client {
                agent: agent.clone(),
                base,
                repository: r.repository.clone(),
                credentials: credentials.clone(),
                plain_ok: *scheme == "https" || loopback || opts.insecure,
                insecure: opts.insecure,
                authorization: Mutex::new(None),
                read_timeout: t.read,
            };
            let url = format!("{}/v2/", client.base);
            match client.agent.get(&url).call() {
                Ok(resp) => {
                    client.after_ping(&url, resp)?;
                    return Ok(client);
                }
                Err(e @ ureq::Error::Timeout(_)) => return Err(client.transport_error(&url, e)),
                Err(e) => failures.push(client.transport_error(&url, e).to_string()),
            }
        }
        Err(ImageError::transport(
            format!("registry {host}"),
            format!("cannot connect: {}", failures.join("; ")),
        ))
    }

    fn repo_url(&self) -> String {
        format!("{}/v2/{}", self.base, self.repository)
    }

    fn transport_error(&self, url: &str, e: ureq::Error) -> ImageError {
        let message = match &e {
            ureq::Error::Timeout(t) => format!(
                "timed out ({t}; the limit is {}s): the registry did not answer",
                self.read_timeout.as_secs_f64()
            ),
            ureq::Error::ConnectionFailed => "connection failed (nothing listening?)".to_owned(),
            ureq::Error::HostNotFound => "host not found".to_owned(),
            ureq::Error::BodyExceedsLimit(n) => format!("response larger than {n} bytes"),
            other => other.to_string(),
        };
        ImageError::transport(url, message)
    }

    /// Handles the answer to `GET /v2/`: fine, or a challenge to answer now.
    fn after_ping(&self, url: &str, resp: Response) -> Result<(), ImageError> {
        match resp.status().as_u16() {
            200..=299 => Ok(()),
            401 => {
                let challenge = header(&resp, "www-authenticate");
                let challenge = challenge.as_deref().and_then(parse_challenge);
                match challenge {
                    Some(c) => self.authenticate(url, &c, resp),
                    None => Err(self.status_error(url, resp)),
                }
            }
            _ => Err(self.status_error(url, resp)),
        }
    }

    /// Answers a challenge, storing the Authorization header to send.
    fn authenticate(&self, url: &str, c: &Challenge, resp: Response) -> Result<(), ImageError> {
        let value = if c.scheme.eq_ignore_ascii_case("basic") {
            let Some(cred) = &self.credentials else {
                return Err(self.status_error_with(url, resp, "the registry wants a user name and password (BOSUN_REGISTRY_USERNAME/PASSWORD or docker login)"));
            };
            if !self.plain_ok {
                return Err(ImageError::transport(
                    url,
                    "refusing to send credentials over plain http (use --insecure)",
                ));
            }
            format!(
                "Basic {}",
                b64::encode(format!("{}:{}", cred.username, cred.password).as_bytes())
            )
        } else if c.scheme.eq_ignore_ascii_case("bearer") {
            format!("Bearer {}", self.token(url, c)?)
        } else {
            return Err(ImageError::unsupported(
                url,
                format!("auth scheme `{}`", crate::digest::short(&c.scheme)),
            ));
        };
        if let Ok(mut a) = self.authorization.lock() {
            *a = Some(value);
        }
        Ok(())
    }

    /// The bearer-token flow.
    fn token(&self, url: &str, c: &Challenge) -> Result<String, ImageError> {
        let realm = c
            .param("realm")
            .ok_or_else(|| ImageError::invalid(url, "bearer challenge without a realm"))?;
        let (scheme, rest) = realm.split_once("://").ok_or_else(|| {
            ImageError::invalid(
                url,
                format!("token realm `{}` is not a URL", crate::digest::short(realm)),
            )
        })?;
        let realm_host = rest.split('/').next().unwrap_or("");
        let plain = scheme.eq_ignore_ascii_case("http");
        if !scheme.eq_ignore_ascii_case("https") && !plain {
            return Err(ImageError::invalid(
                url,
                format!(
                    "token realm `{}` is not http(s)",
                    crate::digest::short(realm)
                ),
            ));
        }
        if plain && self.credentials.is_some() && !(is_loopback_host(realm_host) || self.insecure) {
            return Err(ImageError::transport(
                realm,
                "refusing to send credentials over plain http (use --insecure)",
            ));
        }
        let scope = c
            .param("scope")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
        let mut token_url = format!(
            "{realm}{}scope={}",
            if realm.contains('?') { '&' } else { '?' },
            percent_encode(&scope)
        );
        if let Some(service) = c.param("service") {
            token_url.push_str(&format!("&service={}", percent_encode(service)));
        }
        let mut req = self.agent.get(&token_url);
        if let Some(cred) = &self.credentials {
            req = req.header(
                "Authorization",
                format!(
                    "Basic {}",
                    b64::encode(format!("{}:{}", cred.username, cred.password).as_bytes())
                ),
            );
        }
        let resp = req
            .call()
            .map_err(|e| self.transport_error(&token_url, e))?;
        if !resp.status().is_success() {
            return Err(self.status_error(&token_url, resp));
        }
        let body = read_small(resp, SMALL_BODY).map_err(|e| self.transport_error(&token_url, e))?;
        let t: TokenResponse = json::parse(&body, &format!("token response from {realm}"))?;
        t.token
            .or(t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ImageError::invalid(
                    format!("token response from {realm}"),
                    "no `token` or `access_token`",
                )
            })
    }

    /// A GET with the current authorization, answering one new challenge on 401.
    fn get(&self, url: &str, accept: Option<&str>) -> Result<Response, ImageError> {
        let send = || {
            let mut req = self.agent.get(url);
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            if let Some(auth) = self.authorization.lock().ok().and_then(|a| a.clone()) {
                req = req.header("Authorization", auth);
            }
            req.call().map_err(|e| self.transport_error(url, e))
        };
        let resp = send()?;
        if resp.status().as_u16() != 401 {
            return Ok(resp);
        }
        let challenge = header(&resp, "www-authenticate")
            .as_deref()
            .and_then(parse_challenge);
        let Some(c) = challenge else {
            return Err(self.status_error(url, resp));
        };
        self.authenticate(url, &c, resp)?;
        send()
    }

    fn status_error(&self, url: &str, resp: Response) -> ImageError {
        self.status_error_with(url, resp, "")
    }

    fn status_error_with(&self, url: &str, resp: Response, hint: &str) -> ImageError {
        let status = resp.status().as_u16();
        let reason = resp
            .status()
            .canonical_reason()
            .unwrap_or("")
            .to_lowercase();
        let body = read_small(resp, 64 * 1024).unwrap_or_default();
        let detail = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .and_then(|b| {
                let parts: Vec<String> = b
                    .errors
                    .iter()
                    .take(3)
                    .map(|e| match (&e.message, &e.code) {
                        (Some(m), Some(c)) => format!("{m} ({c})"),
                        (Some(m), None) => m.clone(),
                        (None, Some(c)) => c.clone(),
                        (None, None) => String::new(),
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            })
            .or_else(|| {
                let text = String::from_utf8_lossy(&body).trim().to_owned();
                (!text.is_empty()).then(|| crate::digest::short(&text))
            })
            .unwrap_or(reason);
        let message = if hint.is_empty() {
            detail
        } else {
            format!("{detail}; {hint}")
        };
        ImageError::Http {
            url: url.to_owned(),
            status,
            message,
        }
    }

    /// A manifest's bytes and content type.
    fn manifest(&self, reference: &str, max: u64) -> Result<(Vec<u8>, Option<String>), ImageError> {
        let url = format!("{}/manifests/{reference}", self.repo_url());
        let resp = self.get(&url, Some(MANIFEST_ACCEPT))?;
        if !resp.status().is_success() {
            return Err(self.status_error(&url, resp));
        }
        let ct = header(&resp, "content-type")
            .map(|c| c.split(';').next().unwrap_or("").trim().to_owned());
        let known = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST];
        let ct = ct.filter(|c| known.contains(&c.as_str()));
        let body = read_small(resp, max).map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => ImageError::Limit {
                what: url.clone(),
                limit: "max_json_bytes",
                max,
                detail: "the manifest is too large".into(),
            },
            e => self.transport_error(&url, e),
        })?;
        Ok((body, ct))
    }

    /// A small blob (the config), verified.
    fn small_blob(
        &self,
        d: &Digest,
        size: Option<u64>,
        max: u64,
        what: &str,
    ) -> Result<Vec<u8>, ImageError> {
        if let Some(s) = size
            && s > max
        {
            return Err(ImageError::Limit {
                what: what.to_owned(),
                limit: "max_json_bytes",
                max,
                detail: format!("the descriptor says {s} bytes"),
            });
        }
        let url = format!("{}/blobs/{d}", self.repo_url());
        let resp = self.get(&url, None)?;
        if !resp.status().is_success() {
            return Err(self.status_error(&url, resp));
        }
        let body = read_small(resp, max).map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => ImageError::Limit {
                what: what.to_owned(),
                limit: "max_json_bytes",
                max,
                detail: "the blob is too large".into(),
            },
            e => self.transport_error(&url, e),
        })?;
        verify_small(&body, d, size, what)?;
        Ok(body)
    }

    /// Streams a layer blob.
    pub(crate) fn open_blob(
        &self,
        digest: &str,
        label: &str,
    ) -> Result<Box<dyn Read + Send>, ImageError> {
        let url = format!("{}/blobs/{digest}", self.repo_url());
        let resp = self.get(&url, None)?;
        if !resp.status().is_success() {
            let e = self.status_error(&url, resp);
            return Err(match e {
                ImageError::Http {
                    url,
                    status,
                    message,
                } => ImageError::Http {
                    url,
                    status,
                    message: format!("{message} ({label})"),
                },
                e => e,
            });
        }
        Ok(Box::new(resp.into_body().into_reader()))
    }
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn read_small(resp: Response, max: u64) -> Result<Vec<u8>, ureq::Error> {
    resp.into_body().into_with_config().limit(max).read_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let c = parse_challenge(r#"Bearer realm="http://127.0.0.1:5003/token",service="bosun-test-registry",scope="repository:a/b:pull,push""#)
            .expect("parses");
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.param("realm"), Some("http://127.0.0.1:5003/token"));
        assert_eq!(c.param("service"), Some("bosun-test-registry"));
        assert_eq!(c.param("scope"), Some("repository:a/b:pull,push"));
        let b = parse_challenge(r#"Basic realm="Registry Realm""#).expect("parses");
        assert_eq!(b.scheme, "Basic");
        assert_eq!(parse_challenge("").map(|c| c.scheme), None);
    }

    #[test]
    fn reads_docker_config_auths() {
        let cfg = br#"{"auths":{"127.0.0.1:5001":{"auth":"Ym9zdW46Ym9zdW4tdGVzdA=="},
            "https://index.docker.io/v1/":{"auth":"dTpw"}},"credsStore":"desktop"}"#;
        let c = docker_config_auth(cfg, "127.0.0.1:5001")
            .expect("ok")
            .expect("found");
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("bosun", "bosun-test")
        );
        let hub = docker_config_auth(cfg, DOCKER_HUB)
            .expect("ok")
            .expect("found");
        assert_eq!(hub.username, "u");
        assert!(docker_config_auth(cfg, "ghcr.io").expect("ok").is_none());
        assert!(docker_config_auth(br#"{"auths":{"h":{"auth":"!!"}}}"#, "h").is_err());
    }

    #[test]
    fn percent_encodes_scopes() {
        assert_eq!(
            percent_encode("repository:a/b:pull"),
            "repository%3Aa%2Fb%3Apull"
        );
    }
}
