//! The build-time pipeline, from an image reference to an [`Inventory`].
//!
//! ```text
//! reference ─► bosun_image::open (manifest, config; digests verified)
//!           ─► read_layers in parallel, the Catalog choosing which bytes to keep
//!           ─► FileTree::squash (whiteouts, origin layer per file)
//!           ─► Catalog::run (distro, then analyzers in parallel)
//!           ─► Inventory
//! ```
//!
//! Every later stage (SBOM export, matching, policy, rescans) works from the
//! inventory, so this crate is the only one that touches an image.

mod cache;

pub use cache::{CacheError, CacheUsage, DEFAULT_MAX_BYTES, LayerCache};

use bosun_catalog::{AnalyzeError, Catalog};
use bosun_image::{ImageError, OpenOptions};
use bosun_model::{INVENTORY_SCHEMA, Inventory};
use bosun_tree::FileTree;

/// Everything that can stop a scan.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Analyze(#[from] AnalyzeError),
    #[error("cannot read SBOM {path}: {source}")]
    SbomIo {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("SBOM {path} is {size} bytes, over the {limit}-byte limit")]
    SbomTooLarge { path: String, size: u64, limit: u64 },
    #[error("SBOM {path}: {source}")]
    Sbom {
        path: String,
        #[source]
        source: bosun_sbom::SbomError,
    },
}

/// Largest SBOM `sbom:FILE` reads.
pub const MAX_SBOM_BYTES: u64 = 1 << 30;

/// Reads an inventory back from an SBOM file (`sbom:FILE`): bosun JSON,
/// CycloneDX or SPDX. Matching and policy then work as if the image had
/// been scanned.
pub fn inventory_from_sbom(path: &str) -> Result<Inventory, ScanError> {
    use std::io::Read;
    let io = |source| ScanError::SbomIo {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_SBOM_BYTES {
        return Err(ScanError::SbomTooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_SBOM_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_SBOM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let (_, inv) = bosun_sbom::read_inventory(&bytes, path).map_err(|source| ScanError::Sbom {
        path: path.to_owned(),
        source,
    })?;
    Ok(inv)
}

/// How to scan.
#[derive(Default)]
pub struct ScanOptions {
    /// How to reach and read the image.
    pub open: OpenOptions,
    /// The creation time to record (RFC 3339); defaults to now. Set it for
    /// reproducible output.
    pub created: Option<String>,
    /// Where layer reads are cached; `None` reads every layer.
    pub cache: Option<LayerCache>,
}

/// The version of bosun recorded in inventories.
pub const GENERATOR: &str = env!("CARGO_PKG_VERSION");

/// Reads the image or directory `reference` names and inventories it.
pub fn inventory(reference: &str, opts: &ScanOptions) -> Result<Inventory, ScanError> {
    let catalog = Catalog::all();
    inventory_with(reference, opts, &catalog)
}

/// Like [`inventory`], with a caller-chosen catalog.
pub fn inventory_with(
    reference: &str,
    opts: &ScanOptions,
    catalog: &Catalog,
) -> Result<Inventory, ScanError> {
    if let Some(path) = reference.strip_prefix("sbom:") {
        return inventory_from_sbom(path);
    }
    let spec = bosun_image::parse_reference(reference)?;
    let image = bosun_image::open(&spec, &opts.open)?;
    let fingerprint = catalog.fingerprint();
    let keys: Vec<Option<String>> = image
        .layers()
        .iter()
        .map(|l| {
            let diff = l.diff_id.as_deref()?;
            opts.cache.as_ref()?;
            Some(LayerCache::key(diff, &fingerprint))
        })
        .collect();
    let mut layers = Vec::with_capacity(keys.len());
    let mut to_read = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let hit = match (&opts.cache, key) {
            (Some(cache), Some(key)) => cache.get(key),
            _ => None,
        };
        match hit {
            Some((layer, findings)) => {
                catalog.restore_layer_findings(i, findings);
                layers.push((i, layer));
            }
            None => to_read.push(i),
        }
    }
    tracing::debug!(cached = layers.len(), read = to_read.len(), "layers");
    let read = image.read_layers(&to_read, catalog)?;
    if let Some(cache) = &opts.cache {
        for (i, layer) in &read {
            if let Some(Some(key)) = keys.get(*i) {
                cache.put(key, layer, &catalog.layer_findings(*i));
            }
        }
    }
    layers.extend(read);
    layers.sort_by_key(|(i, _)| *i);
    let tree = FileTree::squash(layers.into_iter().map(|(_, l)| l).collect());
    tracing::debug!(entries = tree.len(), "squashed");
    let found = catalog.run(&tree)?;
    let mut warnings = image.warnings();
    warnings.extend(found.warnings);
    Ok(Inventory {
        schema: INVENTORY_SCHEMA.to_owned(),
        generator: GENERATOR.to_owned(),
        created: opts.created.clone().unwrap_or_else(now),
        source: image.source().clone(),
        config: image.config().cloned(),
        distro: found.distro,
        layers: image.layers().to_vec(),
        packages: found.packages,
        warnings,
    })
}

fn now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// An RFC 3339 timestamp for seconds since the epoch (for `SOURCE_DATE_EPOCH`).
pub fn timestamp(secs: i64) -> Option<String> {
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_string())
}
