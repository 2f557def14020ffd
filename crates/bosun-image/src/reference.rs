//! What the user asked to read: `parse_reference` and image names.
//!
//! Syntax (the prefix picks the source; without one bosun sniffs):
//!
//! | input | source |
//! |---|---|
//! | `docker-archive:PATH[:NAME:TAG \| :@N]` | `docker save` / skopeo tar (or its extracted directory) |
//! | `oci-dir:PATH[:TAG \| @sha256:…]` | an OCI image layout directory |
//! | `oci-archive:PATH[:TAG \| @sha256:…]` | a tar of an OCI image layout |
//! | `registry:[HOST/]REPO[:TAG][@sha256:…]` | the OCI distribution API |
//! | `docker:NAME`, `podman:NAME` | an image in a running engine |
//! | `rootfs:PATH` | a directory |
//!
//! A selector after the path is split off only when the whole string is not
//! an existing path, at the rightmost `:` that leaves an existing path, so
//! paths with colons work. Without a prefix: an existing directory with an
//! `oci-layout` file is `oci-dir`, one with `manifest.json` is
//! `docker-archive`, any other directory is `rootfs`; an existing file is
//! sniffed by its tar entries (`manifest.json` → `docker-archive`,
//! `oci-layout`/`index.json` → `oci-archive`); anything else that parses as
//! an image reference is `registry`. bosun never falls back to a local
//! Docker or Podman daemon on its own: what is scanned must not depend on
//! what happens to be in a daemon's store, so engines are used only when
//! asked for with `docker:` or `podman:`.

use std::fmt;
use std::path::{Path, PathBuf};

use bosun_model::SourceKind;

use crate::digest::Digest;
use crate::error::ImageError;

/// A parsed source reference, ready for [`crate::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    DockerArchive {
        path: PathBuf,
        /// `name:tag` to pick one of several images, or `@N` (0-based).
        image: Option<String>,
    },
    OciDir {
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick, or `@digest`.
        tag: Option<String>,
    },
    OciArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    Registry(ImageRef),
    Docker {
        name: String,
    },
    Podman {
        name: String,
    },
    Rootfs {
        path: PathBuf,
    },
}

impl SourceSpec {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceSpec::DockerArchive { .. } => SourceKind::DockerArchive,
            SourceSpec::OciDir { .. } => SourceKind::OciDir,
            SourceSpec::OciArchive { .. } => SourceKind::OciArchive,
            SourceSpec::Registry(_) => SourceKind::Registry,
            SourceSpec::Docker { .. } => SourceKind::Docker,
            SourceSpec::Podman { .. } => SourceKind::Podman,
            SourceSpec::Rootfs { .. } => SourceKind::Rootfs,
        }
    }

    /// The reference without its prefix, as [`bosun_model::SourceInfo::reference`].
    pub fn reference(&self) -> String {
        fn with(path: &Path, sel: &Option<String>, sep: &str) -> String {
            match sel {
                Some(s) if s.starts_with('@') => format!("{}{s}", path.display()),
                Some(s) => format!("{}{sep}{s}", path.display()),
                None => path.display().to_string(),
            }
        }
        match self {
            SourceSpec::DockerArchive { path, image } => match image {
                Some(i) => format!("{}:{i}", path.display()),
                None => path.display().to_string(),
            },
            SourceSpec::OciDir { path, tag } | SourceSpec::OciArchive { path, tag } => {
                with(path, tag, ":")
            }
            SourceSpec::Registry(r) => r.to_string(),
            SourceSpec::Docker { name } | SourceSpec::Podman { name } => name.clone(),
            SourceSpec::Rootfs { path } => path.display().to_string(),
        }
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind().prefix(), self.reference())
    }
}

/// Parses a source reference (see the module docs for the syntax).
pub fn parse_reference(input: &str) -> Result<SourceSpec, ImageError> {
    let bad = |reason: &str| ImageError::Reference {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    if input.is_empty() {
        return Err(bad("empty"));
    }
    if let Some((prefix, rest)) = input.split_once(':') {
        let rest_nonempty = || {
            if rest.is_empty() {
                Err(bad("nothing after the prefix"))
            } else {
                Ok(rest)
            }
        };
        match prefix {
            "docker-archive" => {
                let (path, image) = split_selector(rest_nonempty()?, input)?;
                return Ok(SourceSpec::DockerArchive { path, image });
            }
            "oci-dir" | "oci" => {
                let (path, tag) = split_selector(rest_nonempty()?, input)?;
                return Ok(SourceSpec::OciDir { path, tag });
            }
            "oci-archive" => {
                let (path, tag) = split_selector(rest_nonempty()?, input)?;
                return Ok(SourceSpec::OciArchive { path, tag });
            }
            "registry" | "docker-registry" => {
                let r = ImageRef::parse(rest_nonempty()?).map_err(|reason| bad(&reason))?;
                return Ok(SourceSpec::Registry(r));
            }
            "docker" | "docker-daemon" => {
                return Ok(SourceSpec::Docker {
                    name: rest_nonempty()?.to_owned(),
                });
            }
            "podman" => {
                return Ok(SourceSpec::Podman {
                    name: rest_nonempty()?.to_owned(),
                });
            }
            "rootfs" | "dir" => {
                return Ok(SourceSpec::Rootfs {
                    path: PathBuf::from(rest_nonempty()?),
                });
            }
            _ => {}
        }
    }
    sniff(input)
}

/// Splits `PATH[:SELECTOR]` or `PATH@DIGEST`, keeping colons that are part
/// of an existing path.
fn split_selector(rest: &str, input: &str) -> Result<(PathBuf, Option<String>), ImageError> {
    if Path::new(rest).exists() {
        return Ok((PathBuf::from(rest), None));
    }
    if let Some(at) = rest.rfind('@') {
        let (p, d) = rest.split_at(at);
        if Path::new(p).exists() && d.len() > 1 {
            return Ok((PathBuf::from(p), Some(d.to_owned())));
        }
    }
    let mut positions: Vec<usize> = rest.match_indices(':').map(|(i, _)| i).collect();
    positions.reverse();
    for i in positions {
        let (p, sel) = rest.split_at(i);
        let sel = sel.get(1..).unwrap_or("");
        if !p.is_empty() && Path::new(p).exists() && !sel.is_empty() {
            return Ok((PathBuf::from(p), Some(sel.to_owned())));
        }
    }
    // Let `open` report the missing path with its name.
    let _ = input;
    Ok((PathBuf::from(rest), None))
}

fn sniff(input: &str) -> Result<SourceSpec, ImageError> {
    let path = Path::new(input);
    if path.is_dir() {
        let spec = if path.join("oci-layout").is_file() || path.join("index.json").is_file() {
            SourceSpec::OciDir {
                path: path.to_owned(),
                tag: None,
            }
        } else if path.join("manifest.json").is_file() {
            SourceSpec::DockerArchive {
                path: path.to_owned(),
                image: None,
            }
        } else {
            SourceSpec::Rootfs {
                path: path.to_owned(),
            }
        };
        return Ok(spec);
    }
    if path.is_file() {
        return match crate::files::sniff_archive(path)? {
            crate::files::ArchiveKind::Docker => Ok(SourceSpec::DockerArchive {
                path: path.to_owned(),
                image: None,
            }),
            crate::files::ArchiveKind::Oci => Ok(SourceSpec::OciArchive {
                path: path.to_owned(),
                tag: None,
            }),
        };
    }
    // A path with a selector (`app.tar:app:latest`)?
    if let Ok((p, Some(sel))) = split_selector(input, input)
        && (p.is_file() || p.is_dir())
    {
        if let SourceSpec::DockerArchive { path, .. } = sniff(&p.to_string_lossy())? {
            return Ok(SourceSpec::DockerArchive {
                path,
                image: Some(sel),
            });
        }
        return match sniff(&p.to_string_lossy())? {
            SourceSpec::OciDir { path, .. } => Ok(SourceSpec::OciDir {
                path,
                tag: Some(sel),
            }),
            SourceSpec::OciArchive { path, .. } => Ok(SourceSpec::OciArchive {
                path,
                tag: Some(sel),
            }),
            other => Ok(other),
        };
    }
    let looks_like_path = input.starts_with('/')
        || input.starts_with("./")
        || input.starts_with("../")
        || input.starts_with('~')
        || [".tar", ".tar.gz", ".tgz"]
            .iter()
            .any(|ext| input.ends_with(ext));
    if looks_like_path {
        return Err(ImageError::Reference {
            input: input.to_owned(),
            reason: "no such file or directory (prefix it with `registry:` if it is an image name)"
                .into(),
        });
    }
    match ImageRef::parse(input) {
        Ok(r) => Ok(SourceSpec::Registry(r)),
        Err(reason) => Err(ImageError::Reference {
            input: input.to_owned(),
            reason: format!(
                "not an existing file or directory, and not an image reference: {reason}"
            ),
        }),
    }
}

/// The registry Docker uses for names without a host.
pub const DOCKER_HUB: &str = "docker.io";

/// An image name in a registry: `[host[:port]/]repository[:tag][@digest]`,
/// normalized like Docker (`alpine` is `docker.io/library/alpine:latest`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// `host[:port]`, `docker.io` for Docker Hub.
    pub registry: String,
    /// The repository path, e.g. `library/alpine`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl ImageRef {
    /// Parses and normalizes an image reference.
    pub fn parse(s: &str) -> Result<ImageRef, String> {
        if s.len() > 4096 {
            return Err("longer than 4096 bytes".into());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(Digest::parse(d)?)),
            None => (s, None),
        };
        // A tag is after the last `:` that comes after the last `/`.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|t| t.rfind(':')) {
            Some(i) => {
                let cut = last_slash + i;
                (
                    rest.get(..cut).unwrap_or(""),
                    Some(rest.get(cut + 1..).unwrap_or("").to_owned()),
                )
            }
            None => (rest, None),
        };
        if let Some(t) = &tag
            && !valid_tag(t)
        {
            return Err(format!("invalid tag `{}`", crate::digest::short(t)));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_owned(), path.to_owned())
            }
            _ => (DOCKER_HUB.to_owned(), name.to_owned()),
        };
        let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
            DOCKER_HUB.to_owned()
        } else {
            registry
        };
        if !valid_host(&registry) {
            return Err(format!(
                "invalid registry host `{}`",
                crate::digest::short(&registry)
            ));
        }
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if !valid_repository(&repository) {
            return Err(format!(
                "invalid repository name `{}` (lower-case letters, digits, `.`, `_`, `-` and `/`)",
                crate::digest::short(&repository)
            ));
        }
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_owned()),
            (t, _) => t,
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host the API is served from (Docker Hub's differs from its name).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// What the manifest is fetched by: the digest when given, else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// `registry/repository:tag` (no digest), Docker's familiar form for Hub
    /// images (`alpine:3.19`, `user/app:1`).
    pub fn familiar_name(&self) -> String {
        let repo = if self.registry == DOCKER_HUB {
            self.repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository)
                .to_owned()
        } else {
            format!("{}/{}", self.registry, self.repository)
        };
        match &self.tag {
            Some(t) => format!("{repo}:{t}"),
            None => repo,
        }
    }

    /// Whether the registry host is on the loopback interface.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.registry)
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// `localhost`, `127.0.0.0/8` and `::1`, with or without a port.
pub(crate) fn is_loopback_host(host_port: &str) -> bool {
    if let Ok(ip) = host_port.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, p)| {
            if p.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host_port
            }
        })
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

fn valid_tag(t: &str) -> bool {
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => {}
        _ => return false,
    }
    t.len() <= 128 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

fn valid_repository(r: &str) -> bool {
    if r.is_empty() || r.len() > 255 {
        return false;
    }
    r.split('/').all(|comp| {
        !comp.is_empty()
            && comp.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
            && comp
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && comp
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).expect(s)
    }

    #[test]
    fn normalizes_like_docker() {
        let a = r("alpine");
        assert_eq!(
            (a.registry.as_str(), a.repository.as_str(), a.tag.as_deref()),
            ("docker.io", "library/alpine", Some("latest"))
        );
        assert_eq!(a.api_host(), "registry-1.docker.io");
        assert_eq!(a.familiar_name(), "alpine:latest");
        let b = r("127.0.0.1:5000/bookworm-app:v1");
        assert_eq!(
            (b.registry.as_str(), b.repository.as_str(), b.tag.as_deref()),
            ("127.0.0.1:5000", "bookworm-app", Some("v1"))
        );
        assert!(b.is_loopback());
        let c = r("localhost/team/app");
        assert_eq!(c.registry, "localhost");
        assert_eq!(c.repository, "team/app");
        let d = r(&format!("ghcr.io/o/p@sha256:{}", "a".repeat(64)));
        assert_eq!(d.tag, None);
        assert_eq!(d.manifest_reference(), format!("sha256:{}", "a".repeat(64)));
        assert_eq!(r("user/app:1").repository, "user/app");
        assert_eq!(r("index.docker.io/library/debian:12").registry, "docker.io");
    }

    #[test]
    fn refuses_bad_names() {
        for bad in [
            "UPPER/case",
            "app:",
            "app:-x",
            "a//b",
            "app@sha256:xyz",
            "host:5000/../etc",
            "",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5001",
            "127.1.2.3",
            "[::1]:5000",
            "::1",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1:5000", "localhost.example.com"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn prefixes_pick_the_source() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("lay:out");
        std::fs::create_dir(&p).expect("mkdir");
        let ps = p.to_string_lossy().to_string();
        assert_eq!(
            parse_reference(&format!("oci-dir:{ps}:v1")).expect("parse"),
            SourceSpec::OciDir {
                path: p.clone(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            parse_reference(&format!("oci-dir:{ps}")).expect("parse"),
            SourceSpec::OciDir {
                path: p.clone(),
                tag: None
            }
        );
        assert_eq!(
            parse_reference(&format!("rootfs:{ps}")).expect("parse"),
            SourceSpec::Rootfs { path: p.clone() }
        );
        // A bare directory without layout files is a rootfs.
        assert_eq!(
            parse_reference(&ps).expect("parse"),
            SourceSpec::Rootfs { path: p.clone() }
        );
        std::fs::write(p.join("oci-layout"), "{}").expect("write");
        assert_eq!(
            parse_reference(&ps).expect("parse"),
            SourceSpec::OciDir { path: p, tag: None }
        );
        assert_eq!(
            parse_reference("podman:app:latest").expect("parse"),
            SourceSpec::Podman {
                name: "app:latest".into()
            }
        );
        assert!(matches!(
            parse_reference("alpine:3.19").expect("parse"),
            SourceSpec::Registry(_)
        ));
        assert!(matches!(
            parse_reference("localhost:5000/app").expect("parse"),
            SourceSpec::Registry(_)
        ));
        assert!(parse_reference("registry:").is_err());
        assert!(parse_reference("/no/such/Path").is_err());
        let e = parse_reference("missing-app.tar").expect_err("a missing file");
        assert!(e.to_string().contains("no such file"), "{e}");
        assert!(parse_reference("./missing").is_err());
    }
}
