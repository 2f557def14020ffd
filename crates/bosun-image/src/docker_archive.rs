//! `docker save` / skopeo archives (`docker-archive:`), as a tar file read in
//! place or as an extracted directory.
//!
//! Both layouts are read: the legacy one (`<id>/layer.tar`, `<id>.json`,
//! possibly with `layer.tar` symlinks between directories) and Docker 25+'s
//! (`blobs/sha256/<hex>` next to an OCI `index.json`). `manifest.json` lists
//! one entry per image; `docker-archive:PATH:NAME:TAG` picks by repo tag and
//! `docker-archive:PATH:@N` by position.

use std::collections::BTreeMap;
use std::path::Path;

use bosun_model::SourceInfo;
use serde::Deserialize;

use crate::digest::Digest;
use crate::error::ImageError;
use crate::files::Files;
use crate::json::{self, Descriptor};
use crate::layer::Compression;
use crate::oci::{LayerIn, assemble};
use crate::reference::ImageRef;
use crate::{Backend, OpenOptions, Opened, SourceSpec};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
    #[serde(default)]
    layer_sources: Option<BTreeMap<String, Descriptor>>,
}

pub(crate) fn open(
    path: &Path,
    image: Option<&str>,
    spec: &SourceSpec,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let limits = &opts.limits;
    let files = Files::open(path, limits)?;
    let what = files.describe("manifest.json");
    if !files.exists("manifest.json") {
        return Err(ImageError::not_found(
            what,
            "not a docker-archive (no manifest.json)",
        ));
    }
    let bytes = files.read_small("manifest.json", limits.max_json_bytes)?;
    let entries: Vec<ManifestEntry> = json::parse(&bytes, &what)?;
    let (idx, entry) = select(&entries, image, &what)?;
    let entry_what = format!("{what}[{idx}]");
    if entry.layers.len() > limits.max_layers {
        return Err(ImageError::Limit {
            what: entry_what,
            limit: "max_layers",
            max: limits.max_layers as u64,
            detail: format!("the image has {} layers", entry.layers.len()),
        });
    }

    let config_bytes = files.read_small(&entry.config, limits.max_json_bytes)?;
    let config_digest = Digest::sha256_of(&config_bytes);
    if let Some(named) = digest_in_name(&entry.config)
        && named != config_digest
    {
        return Err(ImageError::DigestMismatch {
            what: files.describe(&entry.config),
            expected: named.to_string(),
            actual: config_digest.to_string(),
        });
    }

    let mut layers = Vec::with_capacity(entry.layers.len());
    for (i, name) in entry.layers.iter().enumerate() {
        if !files.exists(name) {
            return Err(ImageError::not_found(
                files.describe(name),
                format!("layer {i} listed in {entry_what} is not in the archive"),
            ));
        }
        let (_, size) = files.open_file(name)?;
        let head = files.head(name, 4)?;
        let compression = Compression::sniff(&head);
        layers.push(LayerIn {
            location: name.clone(),
            digest: digest_in_name(name),
            size: Some(size),
            media_type: Some(compression.oci_media_type().to_owned()),
        });
    }
    let cfg_what = files.describe(&entry.config);
    let mut asm = assemble(&config_bytes, &cfg_what, layers, limits)?;
    // A plain-tar layer's blob digest is its diff_id: say so, and verify it.
    for (plan, info) in asm.plans.iter_mut().zip(asm.layers.iter_mut()) {
        if plan.digest.is_none()
            && info.media_type.as_deref() == Some(Compression::None.oci_media_type())
        {
            plan.digest = plan.diff_id.clone();
            info.digest = info.diff_id.clone();
        }
    }
    let mut warnings = asm.warnings;
    if entry.layer_sources.as_ref().is_some_and(|s| !s.is_empty()) {
        warnings.push(format!(
            "{entry_what}: has LayerSources (foreign layers); read from the archive"
        ));
    }
    let repo_tags = entry.repo_tags.clone().unwrap_or_default();
    let source = SourceInfo {
        kind: spec.kind(),
        reference: spec.reference(),
        name: repo_tags.first().cloned(),
        manifest_digest: None,
        config_digest: Some(config_digest.to_string()),
        repo_tags,
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

/// `blobs/sha256/<hex>` or `<hex>.json` names carry their digest.
fn digest_in_name(name: &str) -> Option<Digest> {
    let name = name.trim_start_matches("./");
    if let Some(rest) = name.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return Digest::parse(&format!("{alg}:{hex}")).ok();
    }
    let hex = name.strip_suffix(".json")?;
    Digest::parse(&format!("sha256:{hex}")).ok()
}

fn select<'a>(
    entries: &'a [ManifestEntry],
    image: Option<&str>,
    what: &str,
) -> Result<(usize, &'a ManifestEntry), ImageError> {
    let all_tags = || {
        let t: Vec<String> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let tags = e.repo_tags.clone().unwrap_or_default();
                if tags.is_empty() {
                    format!("@{i}")
                } else {
                    tags.join(" ")
                }
            })
            .collect();
        t.join(", ")
    };
    match image {
        None => match entries {
            [] => Err(ImageError::not_found(
                what.to_owned(),
                "the archive holds no image",
            )),
            [only] => Ok((0, only)),
            _ => Err(ImageError::invalid(
                what.to_owned(),
                format!(
                    "the archive holds {} images; pick one with `PATH:NAME:TAG` or `PATH:@N` ({})",
                    entries.len(),
                    all_tags()
                ),
            )),
        },
        Some(sel) => {
            if let Some(n) = sel.strip_prefix('@') {
                let i: usize = n.parse().map_err(|_| ImageError::Reference {
                    input: sel.to_owned(),
                    reason: "`@N` wants a number".into(),
                })?;
                return entries.get(i).map(|e| (i, e)).ok_or_else(|| {
                    ImageError::not_found(
                        what.to_owned(),
                        format!("no image @{i} ({})", all_tags()),
                    )
                });
            }
            let want = ImageRef::parse(sel).ok();
            let matches = |t: &str| {
                t == sel
                    || (want.is_some() && ImageRef::parse(t).ok() == want)
                    || t.ends_with(&format!("/{sel}"))
            };
            entries
                .iter()
                .enumerate()
                .find(|(_, e)| e.repo_tags.iter().flatten().any(|t| matches(t)))
                .ok_or_else(|| {
                    ImageError::not_found(
                        what.to_owned(),
                        format!("no image tagged `{sel}` ({})", all_tags()),
                    )
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_from_names() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_in_name(&format!("blobs/sha256/{hex}")).map(|d| d.to_string()),
            Some(format!("sha256:{hex}"))
        );
        assert!(digest_in_name(&format!("{hex}.json")).is_some());
        assert!(digest_in_name(&format!("{hex}/layer.tar")).is_none());
        assert!(digest_in_name("blobs/sha256/../../x").is_none());
    }
}
