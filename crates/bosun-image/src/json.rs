//! Manifests, indexes and image configs, parsed leniently where real images
//! vary and strictly where a value is used.
//!
//! These are bosun's own serde structs rather than `oci-spec`'s: real configs
//! carry `null` where the spec says array, string `Entrypoint`s from old
//! Docker versions, manifests without `mediaType` (umoci), and Docker's
//! `Healthcheck` extension; every one of those must read. Every parse goes
//! through `serde_path_to_error`, so a hostile document's error names the
//! JSON path of the bad value, and serde_json's recursion limit (128) stops
//! deeply nested input. Sizes are bounded before parsing (`max_json_bytes`).

use std::collections::BTreeMap;

use bosun_model::{HistoryEntry, ImageConfig};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::digest::Digest;
use crate::error::ImageError;

pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(crate) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// Parses a JSON document; errors name `what` and the JSON path.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ImageError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        ImageError::Json {
            what: what.to_owned(),
            field,
            message: e.into_inner().to_string(),
        }
    })?;
    de.end().map_err(|e| ImageError::Json {
        what: what.to_owned(),
        field: ".".into(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// A content descriptor (OCI `descriptor.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub media_type: Option<String>,
    pub digest: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub platform: Option<PlatformJson>,
    #[serde(default)]
    pub urls: Option<Vec<String>>,
}

impl Descriptor {
    pub(crate) fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }

    /// The validated digest; errors name `what` and the field.
    pub(crate) fn parsed_digest(&self, what: &str, field: &str) -> Result<Digest, ImageError> {
        Digest::parse(&self.digest).map_err(|message| ImageError::Json {
            what: what.to_owned(),
            field: field.to_owned(),
            message,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PlatformJson {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

/// A manifest or an index: which one is told by `mediaType`, or by which
/// fields it has when `mediaType` is missing.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ManifestDoc {
    #[serde(default)]
    pub schema_version: Option<u32>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub fs_layers: Option<IgnoredAny>,
}

/// What a manifest document turned out to be.
pub(crate) enum Doc {
    Index(Vec<Descriptor>),
    Manifest {
        config: Descriptor,
        layers: Vec<Descriptor>,
    },
}

impl ManifestDoc {
    /// Classifies the document; `content_type` is the HTTP header or the
    /// referring descriptor's media type, used when the document has none.
    pub(crate) fn classify(
        self,
        what: &str,
        content_type: Option<&str>,
    ) -> Result<Doc, ImageError> {
        if self.fs_layers.is_some() || self.schema_version == Some(1) {
            return Err(ImageError::unsupported(
                what,
                "Docker image manifest schema 1 (deprecated since 2017); re-push the image",
            ));
        }
        let mt = self.media_type.as_deref().or(content_type).unwrap_or("");
        let is_index = matches!(mt, OCI_INDEX | DOCKER_LIST)
            || (self.manifests.is_some() && self.layers.is_none());
        if is_index {
            return Ok(Doc::Index(self.manifests.unwrap_or_default()));
        }
        match (self.config, self.layers) {
            (Some(config), layers) => Ok(Doc::Manifest {
                config,
                layers: layers.unwrap_or_default(),
            }),
            (None, _) => Err(ImageError::Json {
                what: what.to_owned(),
                field: "config".into(),
                message: "missing field `config` (not an image manifest)".into(),
            }),
        }
    }
}

/// `Entrypoint`/`Cmd`: an array, or a single string in old configs.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum StrOrVec {
    One(String),
    Many(Vec<String>),
}

impl StrOrVec {
    fn into_vec(self) -> Vec<String> {
        match self {
            StrOrVec::One(s) => vec![s],
            StrOrVec::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContainerConfig {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub exposed_ports: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    pub env: Option<Vec<String>>,
    #[serde(default)]
    pub entrypoint: Option<StrOrVec>,
    #[serde(default)]
    pub cmd: Option<StrOrVec>,
    #[serde(default)]
    pub volumes: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, Option<String>>>,
    #[serde(default)]
    pub stop_signal: Option<String>,
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Healthcheck {
    #[serde(default, rename = "Test")]
    pub test: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RootFs {
    #[serde(default)]
    pub diff_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct History {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: Option<bool>,
}

impl History {
    pub(crate) fn into_model(self) -> HistoryEntry {
        HistoryEntry {
            created: self.created,
            created_by: self.created_by,
            comment: self.comment,
            empty_layer: self.empty_layer.unwrap_or(false),
        }
    }
}

/// An image config (OCI `config.md`, with Docker's extensions).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ConfigDoc {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Option<Vec<History>>,
}

/// A config turned into bosun's model, with its validated diff_ids.
pub(crate) struct ParsedConfig {
    pub config: ImageConfig,
    pub diff_ids: Vec<Digest>,
    pub platform: Option<String>,
}

impl ConfigDoc {
    pub(crate) fn into_parsed(self, what: &str) -> Result<ParsedConfig, ImageError> {
        let diff_ids = self
            .rootfs
            .and_then(|r| r.diff_ids)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, d)| {
                Digest::parse(d).map_err(|message| ImageError::Json {
                    what: what.to_owned(),
                    field: format!("rootfs.diff_ids[{i}]"),
                    message,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let platform = platform_string(
            self.os.as_deref(),
            self.architecture.as_deref(),
            self.variant.as_deref(),
        );
        let history = self
            .history
            .unwrap_or_default()
            .into_iter()
            .map(History::into_model)
            .collect();
        let mut config = container_config(self.config.unwrap_or_default());
        config.created = self.created;
        config.architecture = self.architecture;
        config.os = self.os;
        config.history = history;
        Ok(ParsedConfig {
            config,
            diff_ids,
            platform,
        })
    }
}

/// `os/arch[/variant]` when both are known.
pub(crate) fn platform_string(
    os: Option<&str>,
    arch: Option<&str>,
    variant: Option<&str>,
) -> Option<String> {
    match (os, arch) {
        (Some(os), Some(arch)) if !os.is_empty() && !arch.is_empty() => Some(match variant {
            Some(v) if !v.is_empty() => format!("{os}/{arch}/{v}"),
            _ => format!("{os}/{arch}"),
        }),
        _ => None,
    }
}

/// The runtime part of a config (also the `Config` of an engine's inspect).
pub(crate) fn container_config(c: ContainerConfig) -> ImageConfig {
    ImageConfig {
        user: c.user.filter(|u| !u.is_empty()),
        entrypoint: c.entrypoint.map(StrOrVec::into_vec).unwrap_or_default(),
        cmd: c.cmd.map(StrOrVec::into_vec).unwrap_or_default(),
        env: c.env.unwrap_or_default(),
        working_dir: c.working_dir.filter(|w| !w.is_empty()),
        labels: c
            .labels
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
        exposed_ports: c.exposed_ports.unwrap_or_default().into_keys().collect(),
        volumes: c.volumes.unwrap_or_default().into_keys().collect(),
        stop_signal: c.stop_signal.filter(|s| !s.is_empty()),
        healthcheck: c.healthcheck.and_then(|h| h.test),
        ..ImageConfig::default()
    }
}

/// The `created_by` line of each layer: history entries that are not
/// `empty_layer`, in order. A warning when the counts disagree.
pub(crate) fn layer_history(
    history: &[HistoryEntry],
    layers: usize,
) -> (Vec<Option<String>>, Option<String>) {
    let lines: Vec<Option<String>> = history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone())
        .collect();
    let warning = (!history.is_empty() && lines.len() != layers).then(|| {
        format!(
            "the config's history has {} non-empty entries for {layers} layers; `created_by` may be missing or misassigned",
            lines.len()
        )
    });
    let mut out: Vec<Option<String>> = lines.into_iter().take(layers).collect();
    out.resize(layers, None);
    (out, warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_world_config_quirks_parse() {
        let json = br#"{
            "created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
            "config": {"User": "", "Env": null, "Entrypoint": "/bin/sh -c x", "Cmd": null,
                "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}, "Labels": {"a": "b", "n": null},
                "Healthcheck": {"Test": ["CMD", "true"], "Interval": 30}, "Volumes": {"/data": {}}},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},
            "history": [{"created_by": "ADD rootfs"}, {"created_by": "ENV x", "empty_layer": true}]
        }"#;
        let doc: ConfigDoc = parse(json, "config").expect("parses");
        let p = doc.into_parsed("config").expect("valid");
        assert_eq!(p.platform.as_deref(), Some("linux/amd64"));
        assert_eq!(p.config.entrypoint, vec!["/bin/sh -c x"]);
        assert_eq!(p.config.user, None);
        assert_eq!(p.config.exposed_ports, vec!["443/tcp", "80/tcp"]);
        assert_eq!(p.config.labels.get("n").map(String::as_str), Some(""));
        assert_eq!(
            p.config.healthcheck,
            Some(vec!["CMD".into(), "true".into()])
        );
        assert_eq!(p.diff_ids.len(), 1);
        let (lines, warn) = layer_history(&p.config.history, 1);
        assert_eq!(lines, vec![Some("ADD rootfs".to_owned())]);
        assert!(warn.is_none());
    }

    #[test]
    fn errors_name_the_json_path() {
        let json = br#"{"rootfs": {"diff_ids": ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 7]}}"#;
        match parse::<ConfigDoc>(json, "config blob sha256:x") {
            Err(ImageError::Json { what, field, .. }) => {
                assert_eq!(what, "config blob sha256:x");
                assert_eq!(field, "rootfs.diff_ids[1]");
            }
            Err(e) => panic!("wrong error {e}"),
            Ok(_) => panic!("parsed"),
        }
        let json = br#"{"rootfs": {"diff_ids": ["sha256:nothex"]}}"#;
        let doc: ConfigDoc = parse(json, "cfg").expect("shape ok");
        match doc.into_parsed("cfg") {
            Err(ImageError::Json { field, .. }) => assert_eq!(field, "rootfs.diff_ids[0]"),
            other => panic!("want json error, got {:?}", other.err()),
        }
    }

    #[test]
    fn deep_nesting_and_trailing_garbage_are_errors() {
        let deep = format!(
            "{{\"config\":{{\"Labels\":{{\"x\":{}1{}}}}}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse::<ConfigDoc>(deep.as_bytes(), "config").is_err());
        assert!(parse::<ConfigDoc>(b"{} {}", "config").is_err());
        assert!(parse::<ConfigDoc>(b"", "config").is_err());
        assert!(parse::<ManifestDoc>(b"[1,2]", "manifest").is_err());
    }

    #[test]
    fn manifests_without_media_type_are_classified_by_shape() {
        let m: ManifestDoc = parse(
            br#"{"schemaVersion":2,"config":{"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":2},"layers":[]}"#,
            "m",
        )
        .expect("parses");
        assert!(matches!(m.classify("m", None), Ok(Doc::Manifest { .. })));
        let i: ManifestDoc = parse(br#"{"schemaVersion":2,"manifests":[]}"#, "i").expect("parses");
        assert!(matches!(i.classify("i", None), Ok(Doc::Index(_))));
        let s1: ManifestDoc = parse(br#"{"schemaVersion":1,"fsLayers":[]}"#, "s1").expect("parses");
        assert!(matches!(
            s1.classify("s1", None),
            Err(ImageError::Unsupported { .. })
        ));
    }
}
