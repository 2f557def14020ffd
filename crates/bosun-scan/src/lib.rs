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

pub use cache::{CacheError, CacheUsage, CachedLayer, DEFAULT_MAX_BYTES, LayerCache};

use bosun_catalog::{AnalyzeError, Catalog};
use bosun_checks::{CheckOptions, SecretScanner, run_checks};
use bosun_image::{ImageError, OpenOptions};
use bosun_model::{CheckFinding, INVENTORY_SCHEMA, Inventory, SecretFinding};
use bosun_tree::{Both, FileTree};

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
    Ok(scan(reference, opts, catalog, &Extras::default())?.inventory)
}

/// What to look for besides packages, in the same read of the layers.
#[derive(Default)]
pub struct Extras<'a> {
    /// Scan layer files, the config and the history for secrets.
    pub secrets: Option<&'a SecretScanner>,
    /// Run the compliance checks (they use the secret findings; without
    /// `secrets` the built-in rules are used and their findings feed only
    /// the checks).
    pub checks: Option<&'a CheckOptions>,
}

/// What one read of an image produced.
#[derive(Debug)]
pub struct Scanned {
    pub inventory: Inventory,
    /// `None` when secrets were not asked for or the source has no layers
    /// (an SBOM).
    pub secrets: Option<Vec<SecretFinding>>,
    /// Failed checks; `None` when checks were not asked for or cannot run.
    pub checks: Option<Vec<CheckFinding>>,
}

/// Reads the image `reference` names once: the inventory and, as `extras`
/// asks, the secrets and the compliance checks. Layers found in the cache
/// are not read again; the cache holds each analysis's per-layer results.
pub fn scan(
    reference: &str,
    opts: &ScanOptions,
    catalog: &Catalog,
    extras: &Extras<'_>,
) -> Result<Scanned, ScanError> {
    if let Some(path) = reference.strip_prefix("sbom:") {
        let mut inventory = inventory_from_sbom(path)?;
        if extras.secrets.is_some() || extras.checks.is_some() {
            inventory.warnings.push(format!(
                "{path}: an SBOM holds no files or config: secrets and compliance checks need the image"
            ));
        }
        return Ok(Scanned {
            inventory,
            secrets: None,
            checks: None,
        });
    }
    let builtin;
    let scanner = match (extras.secrets, extras.checks) {
        (Some(s), _) => Some(s),
        (None, Some(_)) => {
            builtin = SecretScanner::builtin();
            Some(&builtin)
        }
        (None, None) => None,
    };
    let spec = bosun_image::parse_reference(reference)?;
    let image = bosun_image::open(&spec, &opts.open)?;
    let mut fingerprint = catalog.fingerprint();
    if let Some(s) = scanner {
        fingerprint.push_str("+secrets:");
        fingerprint.push_str(s.fingerprint());
    }
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
        // A hit without the secret results the scanner needs is a miss.
        let hit = hit.filter(|h| scanner.is_none() || h.secrets.is_some());
        match hit {
            Some(hit) => {
                catalog.restore_layer_findings(i, hit.findings);
                if let (Some(s), Some(found)) = (scanner, hit.secrets) {
                    s.restore_layer_results(i, found.at_layer(i));
                }
                layers.push((i, hit.layer));
            }
            None => to_read.push(i),
        }
    }
    tracing::debug!(cached = layers.len(), read = to_read.len(), "layers");
    let read = match scanner {
        Some(s) => image.read_layers(
            &to_read,
            &Both {
                first: catalog,
                second: s,
                max_shared: MAX_SHARED_BYTES,
            },
        )?,
        None => image.read_layers(&to_read, catalog)?,
    };
    if let Some(cache) = &opts.cache {
        for (i, layer) in &read {
            if let Some(Some(key)) = keys.get(*i) {
                cache.put(
                    key,
                    &CachedLayer {
                        layer: layer.clone(),
                        findings: catalog.layer_findings(*i),
                        secrets: scanner.map(|s| s.layer_results(*i)),
                    },
                );
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
    let mut inventory = Inventory {
        schema: INVENTORY_SCHEMA.to_owned(),
        generator: GENERATOR.to_owned(),
        created: opts.created.clone().unwrap_or_else(now),
        source: image.source().clone(),
        config: image.config().cloned(),
        distro: found.distro,
        layers: image.layers().to_vec(),
        packages: found.packages,
        warnings,
    };
    let secrets = scanner.map(|s| s.finish(&tree, image.config()));
    if let Some(s) = scanner {
        inventory.warnings.extend(s.warnings());
    }
    let checks = extras
        .checks
        .map(|o| run_checks(&tree, &inventory, secrets.as_deref().unwrap_or_default(), o));
    Ok(Scanned {
        inventory,
        secrets: if extras.secrets.is_some() {
            secrets
        } else {
            None
        },
        checks,
    })
}

/// Largest file read into memory to feed both the catalog and the secret
/// scanner from one read.
const MAX_SHARED_BYTES: u64 = 64 << 20;

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
