//! OCI image layouts (`oci-dir:`) and tars of them (`oci-archive:`), plus
//! the manifest/config assembly shared with the registry source.

use std::path::Path;

use bosun_model::{ImageConfig, LayerInfo, SourceInfo};

use crate::digest::Digest;
use crate::error::ImageError;
use crate::files::Files;
use crate::json::{self, Descriptor, Doc, ManifestDoc, OCI_INDEX};
use crate::platform::{Platform, choose};
use crate::{Backend, LayerPlan, Limits, OpenOptions, Opened, SourceSpec};

pub(crate) const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// Media types bosun reads as layers (anything else is read by its magic
/// bytes with a warning).
const LAYER_TYPES: &[&str] = &[
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
];

pub(crate) fn open(
    path: &Path,
    tag: Option<&str>,
    spec: &SourceSpec,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let limits = &opts.limits;
    let files = Files::open(path, limits)?;
    let mut warnings = Vec::new();
    if !files.exists("index.json") {
        return Err(ImageError::not_found(
            files.describe("index.json"),
            "not an OCI image layout (no index.json)",
        ));
    }
    if !files.exists("oci-layout") {
        warnings.push(format!("{}: no `oci-layout` file", files.location()));
    }
    let what = files.describe("index.json");
    let bytes = files.read_small("index.json", limits.max_json_bytes)?;
    let index: ManifestDoc = json::parse(&bytes, &what)?;
    let entries = match index.classify(&what, Some(OCI_INDEX))? {
        Doc::Index(m) => m,
        Doc::Manifest { .. } => {
            return Err(ImageError::invalid(what, "is a manifest, not an index"));
        }
    };
    let top = select_by_tag(&entries, tag, &opts.platform, &what)?;
    let name = top
        .annotation(CONTAINERD_NAME)
        .or_else(|| top.annotation(REF_NAME))
        .map(str::to_owned);
    let fetch = |d: &Digest, size: Option<u64>, what: &str| -> Result<Vec<u8>, ImageError> {
        let bytes = files.read_small(&d.layout_path(), limits.max_json_bytes)?;
        verify_small(&bytes, d, size, what)?;
        Ok(bytes)
    };
    let resolved = resolve(top, &opts.platform, limits, &fetch, &files.location())?;
    let config_bytes = fetch(
        &resolved.config_digest,
        resolved.config.size,
        &format!(
            "{}: config blob {}",
            files.location(),
            resolved.config_digest
        ),
    )?;
    let mut layers_in = Vec::with_capacity(resolved.layers.len());
    for (i, l) in resolved.layers.iter().enumerate() {
        let d = l.parsed_digest(&resolved.what, &format!("layers[{i}].digest"))?;
        if !files.exists(&d.layout_path()) {
            let foreign = l.urls.as_ref().is_some_and(|u| !u.is_empty());
            return Err(ImageError::not_found(
                files.describe(&d.layout_path()),
                if foreign {
                    format!("layer {i} is a foreign layer whose blob is not in the layout")
                } else {
                    format!("layer {i} blob is missing from the layout")
                },
            ));
        }
        layers_in.push(LayerIn {
            location: d.layout_path(),
            digest: Some(d),
            size: l.size,
            media_type: l.media_type.clone(),
        });
    }
    let cfg_what = format!(
        "{}: config blob {}",
        files.location(),
        resolved.config_digest
    );
    let asm = assemble(&config_bytes, &cfg_what, layers_in, limits)?;
    warnings.extend(asm.warnings);
    let source = SourceInfo {
        kind: spec.kind(),
        reference: spec.reference(),
        repo_tags: name.iter().cloned().collect(),
        name,
        manifest_digest: Some(resolved.manifest_digest.to_string()),
        config_digest: Some(resolved.config_digest.to_string()),
        platform: asm.platform,
    };
    Ok(Opened {
        source,
        config: Some(asm.config),
        layers: asm.layers,
        plans: asm.plans,
        backend: Backend::Files(files),
        warnings,
    })
}

/// Checks a small blob's size and digest.
pub(crate) fn verify_small(
    bytes: &[u8],
    digest: &Digest,
    size: Option<u64>,
    what: &str,
) -> Result<(), ImageError> {
    if let Some(size) = size
        && bytes.len() as u64 != size
    {
        return Err(ImageError::invalid(
            what,
            format!("is {} bytes but its descriptor says {size}", bytes.len()),
        ));
    }
    let actual = digest.same_algorithm_of(bytes);
    if actual != *digest {
        return Err(ImageError::DigestMismatch {
            what: what.to_owned(),
            expected: digest.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(())
}

/// Picks the index entry the user asked for: by tag (`ref.name`
/// annotation), by `@digest`, or the only image.
fn select_by_tag<'a>(
    entries: &'a [Descriptor],
    tag: Option<&str>,
    platform: &Platform,
    what: &str,
) -> Result<&'a Descriptor, ImageError> {
    let tags = || {
        let t: Vec<&str> = entries
            .iter()
            .filter_map(|d| d.annotation(REF_NAME))
            .collect();
        if t.is_empty() {
            "none".to_owned()
        } else {
            t.join(", ")
        }
    };
    match tag {
        Some(sel) if sel.starts_with('@') => {
            let want = sel.get(1..).unwrap_or("");
            entries.iter().find(|d| d.digest == want).ok_or_else(|| {
                ImageError::not_found(what.to_owned(), format!("no manifest with digest {want}"))
            })
        }
        Some(t) => {
            let matching: Vec<Descriptor> = entries
                .iter()
                .filter(|d| {
                    [d.annotation(REF_NAME), d.annotation(CONTAINERD_NAME)]
                        .into_iter()
                        .flatten()
                        .any(|n| n == t || n.ends_with(&format!(":{t}")))
                })
                .cloned()
                .collect();
            match matching.len() {
                0 => Err(ImageError::not_found(
                    what.to_owned(),
                    format!("no image tagged `{t}` (tags: {})", tags()),
                )),
                1 => entries
                    .iter()
                    .find(|d| Some(&d.digest) == matching.first().map(|m| &m.digest))
                    .ok_or_else(|| ImageError::not_found(what.to_owned(), "tag vanished")),
                _ => {
                    let chosen = choose(&matching, platform, what)?;
                    entries
                        .iter()
                        .find(|d| d.digest == chosen.digest)
                        .ok_or_else(|| ImageError::not_found(what.to_owned(), "tag vanished"))
                }
            }
        }
        None => match entries {
            [] => Err(ImageError::not_found(
                what.to_owned(),
                "the index lists no images",
            )),
            [only] => Ok(only),
            _ if entries.iter().all(|d| d.platform.is_some()) => choose(entries, platform, what),
            _ => Err(ImageError::invalid(
                what.to_owned(),
                format!(
                    "the layout holds {} images; pick one with `PATH:TAG` (tags: {})",
                    entries.len(),
                    tags()
                ),
            )),
        },
    }
}

/// A manifest found by following indexes down to one image.
pub(crate) struct Resolved {
    pub manifest_digest: Digest,
    pub config_digest: Digest,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    /// How messages name the manifest.
    pub what: String,
}

/// Reads a small blob by digest and declared size, verified.
pub(crate) type FetchFn<'a> =
    dyn Fn(&Digest, Option<u64>, &str) -> Result<Vec<u8>, ImageError> + 'a;

/// Follows a descriptor through nested indexes to an image manifest.
pub(crate) fn resolve(
    top: &Descriptor,
    platform: &Platform,
    limits: &Limits,
    fetch: &FetchFn<'_>,
    location: &str,
) -> Result<Resolved, ImageError> {
    let mut desc = top.clone();
    for _depth in 0..=limits.max_index_depth {
        let what = format!("{location}: manifest {}", desc.digest);
        let digest = desc.parsed_digest(&what, "digest")?;
        let bytes = fetch(&digest, desc.size, &what)?;
        let doc: ManifestDoc = json::parse(&bytes, &what)?;
        match doc.classify(&what, desc.media_type.as_deref())? {
            Doc::Index(entries) => {
                desc = choose(&entries, platform, &what)?.clone();
            }
            Doc::Manifest { config, layers } => {
                if layers.len() > limits.max_layers {
                    return Err(ImageError::Limit {
                        what,
                        limit: "max_layers",
                        max: limits.max_layers as u64,
                        detail: format!("the manifest lists {} layers", layers.len()),
                    });
                }
                let config_digest = config.parsed_digest(&what, "config.digest")?;
                return Ok(Resolved {
                    manifest_digest: digest,
                    config_digest,
                    config,
                    layers,
                    what,
                });
            }
        }
    }
    Err(ImageError::Limit {
        what: format!("{location}: manifest {}", top.digest),
        limit: "max_index_depth",
        max: limits.max_index_depth as u64,
        detail: "indexes nest deeper than allowed".into(),
    })
}

/// One layer as a manifest describes it.
pub(crate) struct LayerIn {
    pub location: String,
    pub digest: Option<Digest>,
    pub size: Option<u64>,
    pub media_type: Option<String>,
}

pub(crate) struct Assembled {
    pub config: ImageConfig,
    pub layers: Vec<LayerInfo>,
    pub plans: Vec<LayerPlan>,
    pub platform: Option<String>,
    pub warnings: Vec<String>,
}

/// Parses a config and pairs its diff_ids and history with the manifest's layers.
pub(crate) fn assemble(
    config_bytes: &[u8],
    config_what: &str,
    layers: Vec<LayerIn>,
    limits: &Limits,
) -> Result<Assembled, ImageError> {
    if layers.len() > limits.max_layers {
        return Err(ImageError::Limit {
            what: config_what.to_owned(),
            limit: "max_layers",
            max: limits.max_layers as u64,
            detail: format!("the image has {} layers", layers.len()),
        });
    }
    let doc: json::ConfigDoc = json::parse(config_bytes, config_what)?;
    let parsed = doc.into_parsed(config_what)?;
    if parsed.diff_ids.len() != layers.len() {
        return Err(ImageError::Json {
            what: config_what.to_owned(),
            field: "rootfs.diff_ids".into(),
            message: format!(
                "{} diff_ids for {} layers in the manifest",
                parsed.diff_ids.len(),
                layers.len()
            ),
        });
    }
    let mut warnings = Vec::new();
    let (created_by, w) = json::layer_history(&parsed.config.history, layers.len());
    warnings.extend(w.map(|w| format!("{config_what}: {w}")));
    let mut infos = Vec::with_capacity(layers.len());
    let mut plans = Vec::with_capacity(layers.len());
    for (i, ((l, diff_id), created_by)) in layers
        .into_iter()
        .zip(parsed.diff_ids.iter())
        .zip(created_by)
        .enumerate()
    {
        if let Some(mt) = &l.media_type
            && !LAYER_TYPES.contains(&mt.as_str())
        {
            warnings.push(format!(
                "layer {i} has media type `{}`; reading it by its magic bytes",
                crate::digest::short(mt)
            ));
        }
        let label = match &l.digest {
            Some(d) => format!("layer {i} ({d})"),
            None => format!("layer {i} ({})", l.location),
        };
        infos.push(LayerInfo {
            index: i,
            digest: l.digest.as_ref().map(Digest::to_string),
            diff_id: Some(diff_id.to_string()),
            media_type: l.media_type.clone(),
            size: l.size.unwrap_or(0),
            created_by,
        });
        plans.push(LayerPlan {
            label,
            digest: l.digest,
            diff_id: Some(diff_id.clone()),
            size: l.size,
            location: l.location,
        });
    }
    Ok(Assembled {
        config: parsed.config,
        layers: infos,
        plans,
        platform: parsed.platform,
        warnings,
    })
}
