#![doc = include_str!("../README.md")]

mod b64;
mod docker_archive;
mod engine;
mod error;
mod files;
mod json;
mod layer;
mod oci;
mod pipe;
mod platform;
mod progress;
mod reference;
mod registry;
mod rootfs;
mod tarstream;

pub mod digest;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bosun_model::{ImageConfig, LayerInfo, SourceInfo};
use bosun_tree::{EntrySink, Layer};
use rayon::prelude::*;

pub use digest::Digest;
pub use error::ImageError;
pub use layer::Compression;
pub use platform::Platform;
pub use progress::Progress;
pub use reference::{DOCKER_HUB, ImageRef, SourceSpec, parse_reference};

/// Bounds on everything an image can make bosun read or hold. Every count,
/// size and depth read from an image is checked against one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most layers an image may have (Docker refuses more than 125 when
    /// running one). Default 256.
    pub max_layers: usize,
    /// Most bytes one layer may decompress to: the decompression-bomb
    /// limit. Default 16 GiB.
    pub max_layer_bytes: u64,
    /// Most tar entries in one layer (or files in a rootfs). Default 2,000,000.
    pub max_entries_per_layer: usize,
    /// Largest manifest, index or config document. Default 16 MiB.
    pub max_json_bytes: u64,
    /// Largest file whose bytes are kept when a sink asks for them; bigger
    /// ones are skipped with a warning. Default 128 MiB.
    pub max_kept_file_bytes: u64,
    /// Most entries in a docker-archive or OCI archive file. Default 1,000,000.
    pub max_archive_entries: usize,
    /// Deepest chain of indexes pointing at indexes. Default 4.
    pub max_index_depth: usize,
    /// Longest GNU long name in a tar. Default 64 KiB.
    pub max_tar_name_bytes: u64,
    /// Largest PAX extended header in a tar. Default 1 MiB.
    pub max_tar_pax_bytes: u64,
    /// Largest zstd window (log2 bytes), which is the decoder's memory.
    /// Default 27 (128 MiB, zstd's own default limit).
    pub zstd_window_log_max: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layers: 256,
            max_layer_bytes: 16 << 30,
            max_entries_per_layer: 2_000_000,
            max_json_bytes: 16 << 20,
            max_kept_file_bytes: 128 << 20,
            max_archive_entries: 1_000_000,
            max_index_depth: 4,
            max_tar_name_bytes: 64 << 10,
            max_tar_pax_bytes: 1 << 20,
            zstd_window_log_max: 27,
        }
    }
}

/// Network timeouts for registries and engine sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (TCP and TLS). Default 10 s.
    pub connect: Duration,
    /// Waiting for a response's headers, and for each read of a body: a
    /// server that stops sending for this long fails. Default 60 s.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(60),
        }
    }
}

/// A registry user name and password (or token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How to open an image.
#[derive(Clone, Default)]
pub struct OpenOptions {
    /// The platform to pick from a multi-platform index (default linux/amd64).
    pub platform: Platform,
    /// Allow plain http (and unverified TLS) to registries that are not on
    /// the loopback interface.
    pub insecure: bool,
    /// Registry credentials. When `None`: `BOSUN_REGISTRY_USERNAME` and
    /// `BOSUN_REGISTRY_PASSWORD`, else the `auths` of the Docker config file.
    pub credentials: Option<Credentials>,
    /// The Docker config file to read `auths` from (default
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
    /// Do not read credentials from the environment or the Docker config.
    pub no_ambient_credentials: bool,
    pub limits: Limits,
    pub timeouts: Timeouts,
    /// The Docker engine socket (`unix:///path` or a path). Default
    /// `$DOCKER_HOST`, else `/var/run/docker.sock`.
    pub docker_host: Option<String>,
    /// The Podman socket. Default `$CONTAINER_HOST`, else
    /// `$XDG_RUNTIME_DIR/podman/podman.sock`, else `/run/podman/podman.sock`.
    pub podman_socket: Option<String>,
    pub progress: Option<Arc<dyn Progress>>,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("platform", &self.platform)
            .field("insecure", &self.insecure)
            .field("credentials", &self.credentials)
            .field("limits", &self.limits)
            .field("timeouts", &self.timeouts)
            .field("docker_host", &self.docker_host)
            .field("podman_socket", &self.podman_socket)
            .finish_non_exhaustive()
    }
}

/// Where a layer's blob is and what it must hash to.
#[derive(Debug, Clone)]
pub(crate) struct LayerPlan {
    /// `layer 2 (sha256:…)`, for messages.
    pub label: String,
    pub digest: Option<Digest>,
    pub diff_id: Option<Digest>,
    pub size: Option<u64>,
    /// A file name (archives, layouts) or blob digest (registries).
    pub location: String,
}

pub(crate) enum Backend {
    Files(files::Files),
    Registry(registry::Client),
    Engine(engine::Engine),
    Rootfs(PathBuf),
}

/// An image whose manifest and config were read and verified; its layers
/// are read on demand with [`OpenedImage::read_layers`].
pub struct OpenedImage {
    source: SourceInfo,
    config: Option<ImageConfig>,
    layers: Vec<LayerInfo>,
    plans: Vec<LayerPlan>,
    backend: Backend,
    limits: Limits,
    progress: Option<Arc<dyn Progress>>,
    warnings: Mutex<Vec<String>>,
}

impl std::fmt::Debug for OpenedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedImage")
            .field("source", &self.source)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

/// What a source module hands back from opening.
pub(crate) struct Opened {
    pub source: SourceInfo,
    pub config: Option<ImageConfig>,
    pub layers: Vec<LayerInfo>,
    pub plans: Vec<LayerPlan>,
    pub backend: Backend,
    pub warnings: Vec<String>,
}

/// Opens an image: reads and verifies its index, manifest and config, but
/// no layer. Cheap for every source (for `docker:`/`podman:` two small API
/// calls; for archives one walk over the tar headers).
pub fn open(spec: &SourceSpec, opts: &OpenOptions) -> Result<OpenedImage, ImageError> {
    let opened = match spec {
        SourceSpec::DockerArchive { path, image } => {
            docker_archive::open(path, image.as_deref(), spec, opts)?
        }
        SourceSpec::OciDir { path, tag } | SourceSpec::OciArchive { path, tag } => {
            oci::open(path, tag.as_deref(), spec, opts)?
        }
        SourceSpec::Registry(r) => registry::open(r, spec, opts)?,
        SourceSpec::Docker { name } => engine::open(engine::Kind::Docker, name, spec, opts)?,
        SourceSpec::Podman { name } => engine::open(engine::Kind::Podman, name, spec, opts)?,
        SourceSpec::Rootfs { path } => rootfs::open(path, spec)?,
    };
    if opened.layers.len() > opts.limits.max_layers {
        return Err(ImageError::Limit {
            what: spec.to_string(),
            limit: "max_layers",
            max: opts.limits.max_layers as u64,
            detail: format!("the image has {} layers", opened.layers.len()),
        });
    }
    Ok(OpenedImage {
        source: opened.source,
        config: opened.config,
        layers: opened.layers,
        plans: opened.plans,
        backend: opened.backend,
        limits: opts.limits.clone(),
        progress: opts.progress.clone(),
        warnings: Mutex::new(opened.warnings),
    })
}

impl OpenedImage {
    /// Where the image came from: kind, reference, name, digests, tags, platform.
    pub fn source(&self) -> &SourceInfo {
        &self.source
    }

    /// The image config (`None` for a rootfs).
    pub fn config(&self) -> Option<&ImageConfig> {
        self.config.as_ref()
    }

    /// The layers, bottom first. A rootfs has one pseudo-layer without digests.
    pub fn layers(&self) -> &[LayerInfo] {
        &self.layers
    }

    /// Things bosun skipped or found odd, said once each.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    fn warn(&self, more: Vec<String>) {
        if more.is_empty() {
            return;
        }
        if let Ok(mut w) = self.warnings.lock() {
            for m in more {
                if !w.contains(&m) {
                    w.push(m);
                }
            }
        }
    }

    /// Reads the layers at the given indexes (in parallel where the source
    /// allows), verifying every blob against its manifest digest and size
    /// and every uncompressed stream against the config's diff_id. Returns
    /// the layers sorted by index.
    pub fn read_layers(
        &self,
        which: &[usize],
        sink: &dyn EntrySink,
    ) -> Result<Vec<(usize, Layer)>, ImageError> {
        let mut which: Vec<usize> = which.to_vec();
        which.sort_unstable();
        which.dedup();
        if let Some(&bad) = which.iter().find(|&&i| i >= self.layers.len()) {
            return Err(ImageError::invalid(
                self.source.reference.clone(),
                format!(
                    "layer index {bad} out of range ({} layers)",
                    self.layers.len()
                ),
            ));
        }
        if which.is_empty() {
            return Ok(Vec::new());
        }
        let ctx = layer::ReadCtx {
            limits: &self.limits,
            pipeline: true,
            sink,
            progress: self.progress.as_deref(),
        };
        // Biggest blobs first, one task each, so the largest layer starts at
        // once and the others fill the remaining threads around it.
        let mut order = which.clone();
        order.sort_by_key(|&i| {
            std::cmp::Reverse(self.plans.get(i).and_then(|p| p.size).unwrap_or(0))
        });
        let results: Vec<(usize, layer::LayerRead)> = match &self.backend {
            Backend::Rootfs(path) => {
                let (layer, warnings) = rootfs::read(path, ctx)?;
                self.warn(warnings);
                return Ok(vec![(0, layer)]);
            }
            Backend::Engine(e) => e.read_layers(&which, &self.plans, ctx)?,
            Backend::Files(files) => order
                .par_iter()
                .with_max_len(1)
                .map(|&i| {
                    let plan = self.plan(i)?;
                    let (mut r, _) = files.open_file(&plan.location)?;
                    read_one(&mut r, i, plan, ctx)
                })
                .collect::<Result<_, _>>()?,
            Backend::Registry(client) => order
                .par_iter()
                .with_max_len(1)
                .map(|&i| {
                    let plan = self.plan(i)?;
                    let mut r = client.open_blob(&plan.location, &plan.label)?;
                    read_one(&mut r, i, plan, ctx)
                })
                .collect::<Result<_, _>>()?,
        };
        let mut results = results;
        results.sort_by_key(|(i, _)| *i);
        let mut out = Vec::with_capacity(results.len());
        for (i, read) in results {
            self.warn(read.warnings);
            out.push((i, read.layer));
        }
        Ok(out)
    }

    fn plan(&self, i: usize) -> Result<&LayerPlan, ImageError> {
        self.plans.get(i).ok_or_else(|| {
            ImageError::invalid(self.source.reference.clone(), format!("no layer {i}"))
        })
    }
}

fn read_one(
    r: &mut (dyn std::io::Read + Send),
    index: usize,
    plan: &LayerPlan,
    ctx: layer::ReadCtx<'_>,
) -> Result<(usize, layer::LayerRead), ImageError> {
    let job = layer::LayerJob {
        index,
        label: &plan.label,
        digest: plan.digest.as_ref(),
        diff_id: plan.diff_id.as_ref(),
        size: plan.size,
    };
    layer::read_layer(r, &job, ctx).map(|read| (index, read))
}

// The orchestrator shares an opened image between threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<OpenedImage>();
    send_sync::<OpenOptions>();
    send_sync::<ImageError>();
};

/// Fuzzing and benchmarking entry points; not a stable API.
#[doc(hidden)]
pub mod testing {
    use super::*;

    /// Reads one layer blob with no expected digests, as the fuzz targets
    /// and the benchmark do.
    pub fn read_layer_blob(
        blob: &mut (dyn std::io::Read + Send),
        limits: &Limits,
        sink: &dyn EntrySink,
        pipeline: bool,
    ) -> Result<(Layer, String, String), ImageError> {
        let job = layer::LayerJob {
            index: 0,
            label: "layer 0",
            digest: None,
            diff_id: None,
            size: None,
        };
        let ctx = layer::ReadCtx {
            limits,
            pipeline,
            sink,
            progress: None,
        };
        layer::read_layer(blob, &job, ctx)
            .map(|r| (r.layer, r.digest.to_string(), r.diff_id.to_string()))
    }

    /// The raw blob stream of a layer (what `read_layers` reads), for the
    /// benchmark's decompress-only baseline.
    pub fn open_layer_blob(
        img: &OpenedImage,
        index: usize,
    ) -> Result<Box<dyn std::io::Read + Send + '_>, ImageError> {
        let plan = img.plan(index)?;
        match &img.backend {
            Backend::Files(files) => files.open_file(&plan.location).map(|(r, _)| r),
            Backend::Registry(client) => client.open_blob(&plan.location, &plan.label),
            Backend::Engine(_) | Backend::Rootfs(_) => Err(ImageError::unsupported(
                plan.label.clone(),
                "no separate layer blobs for this source",
            )),
        }
    }

    /// Parses a manifest or index document as the OCI and registry sources do.
    pub fn parse_manifest(bytes: &[u8]) -> Result<usize, ImageError> {
        let doc: json::ManifestDoc = json::parse(bytes, "manifest")?;
        Ok(match doc.classify("manifest", None)? {
            json::Doc::Index(m) => m.len(),
            json::Doc::Manifest { layers, .. } => layers.len(),
        })
    }

    /// Parses a `WWW-Authenticate` challenge as the registry client does.
    pub fn parse_challenge(header: &str) -> Option<(String, Vec<(String, String)>)> {
        registry::parse_challenge(header).map(|c| (c.scheme, c.params))
    }

    /// Finds credentials in a Docker config.json as the registry client does.
    pub fn docker_config_auth(bytes: &[u8], registry: &str) -> Result<Option<Credentials>, String> {
        registry::docker_config_auth(bytes, registry)
    }

    /// Parses an image config as every source does.
    pub fn parse_config(bytes: &[u8]) -> Result<ImageConfig, ImageError> {
        let doc: json::ConfigDoc = json::parse(bytes, "config")?;
        doc.into_parsed("config").map(|p| p.config)
    }
}
