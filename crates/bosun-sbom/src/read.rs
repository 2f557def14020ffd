//! Reading SBOMs back into an inventory, for rescans without the image
//! (`bosun scan sbom:FILE`).
//!
//! bosun's own documents round-trip exactly: every field bosun needs is in
//! its `bosun:*` properties or annotations. Documents from other tools
//! (Syft, Trivy, ...) are read from their purls (ecosystem, name, version,
//! `arch`, `upstream`, `distro`, `epoch` qualifiers), their
//! `operating-system` component or package, and the source-package
//! properties Trivy writes. Components without a purl of a known ecosystem
//! are skipped and counted in a warning.

use std::collections::BTreeMap;

use bosun_model::{
    Distro, Ecosystem, INVENTORY_SCHEMA, ImageConfig, Inventory, LayerInfo, Location, Package,
    SourceInfo, SourceKind, SourceRef,
};
use serde::de::DeserializeOwned;

use bosun_model::purl::parse_purl;

use crate::SbomError;
use crate::cyclonedx::{self, Bom, Component, prop};
use crate::spdx::Document;

/// Which format a document is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    BosunJson,
    CycloneDx,
    Spdx,
}

/// Reads bosun JSON, CycloneDX JSON or SPDX JSON, detected from the content.
/// `reference` is what the user named (a path), recorded in the inventory's
/// source.
pub fn read_inventory(bytes: &[u8], reference: &str) -> Result<(Format, Inventory), SbomError> {
    // Only the keys that tell the formats apart: the rest of the document is
    // skipped without building a tree, so a document is parsed for real once.
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| SbomError::Json {
        format: "SBOM",
        path: format!("line {} column {}", e.line(), e.column()),
        source: e,
    })?;
    if probe.bom_format.as_deref() == Some("CycloneDX") {
        let bom: Bom = parse(bytes, "CycloneDX")?;
        return Ok((Format::CycloneDx, from_cyclonedx(&bom, reference)));
    }
    if probe.spdx_version.is_some() {
        let doc: Document = parse(bytes, "SPDX")?;
        return Ok((Format::Spdx, from_spdx(&doc, reference)));
    }
    if let Some(schema) = probe.schema.as_deref()
        && schema.starts_with("bosun.inventory/")
    {
        if schema != INVENTORY_SCHEMA {
            return Err(SbomError::Invalid {
                format: "bosun JSON",
                message: format!("schema `{schema}` is not the supported `{INVENTORY_SCHEMA}`"),
            });
        }
        let inv: Inventory = parse(bytes, "bosun JSON")?;
        return Ok((Format::BosunJson, inv));
    }
    Err(SbomError::Invalid {
        format: "SBOM",
        message: "neither CycloneDX (bomFormat), SPDX (spdxVersion) nor bosun JSON (schema)".into(),
    })
}

/// The top-level keys that identify an SBOM format. Values of another type
/// than expected count as absent (the real parse then names the field).
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat", default, deserialize_with = "string_or_none")]
    bom_format: Option<String>,
    #[serde(rename = "spdxVersion", default)]
    spdx_version: Option<serde::de::IgnoredAny>,
    #[serde(default, deserialize_with = "string_or_none")]
    schema: Option<String>,
}

fn string_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

fn parse<T: DeserializeOwned>(bytes: &[u8], format: &'static str) -> Result<T, SbomError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| SbomError::Json {
        format,
        path: e.path().to_string(),
        source: e.into_inner(),
    })
}

fn new_inventory(reference: &str) -> Inventory {
    Inventory {
        schema: INVENTORY_SCHEMA.into(),
        generator: String::new(),
        created: String::new(),
        source: SourceInfo {
            kind: SourceKind::Sbom,
            reference: reference.into(),
            name: None,
            manifest_digest: None,
            config_digest: None,
            repo_tags: Vec::new(),
            platform: None,
        },
        config: None,
        distro: None,
        layers: Vec::new(),
        packages: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A package from a purl, named the way bosun's analyzers name packages.
fn package_from_purl(purl_str: &str, found_in: Location) -> Option<Package> {
    let p = parse_purl(purl_str)?;
    let eco: Ecosystem = p.ty.parse().ok()?;
    let name = match eco {
        Ecosystem::Maven => format!("{}:{}", p.namespace.join("."), p.name),
        Ecosystem::Golang | Ecosystem::Npm | Ecosystem::Composer if !p.namespace.is_empty() => {
            format!("{}/{}", p.namespace.join("/"), p.name)
        }
        _ => p.name.clone(),
    };
    let mut version = p.version.clone();
    if eco.is_os()
        && let Some(epoch) = p.qualifiers.get("epoch").filter(|e| *e != "0")
        && !version.starts_with(&format!("{epoch}:"))
    {
        version = format!("{epoch}:{version}");
    }
    let mut pkg = Package::new(eco, name, version, purl_str, found_in);
    pkg.arch = p.qualifiers.get("arch").cloned();
    if let Some(up) = p.qualifiers.get("upstream") {
        let (n, v) = match up.split_once('@') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (up.clone(), None),
        };
        pkg.source = Some(SourceRef {
            name: n,
            version: v,
        });
    }
    Some(pkg)
}

/// A distro from a purl `distro` qualifier such as `debian-12` or `alpine-3.19.1`.
fn distro_from_qualifier(q: &str) -> Option<Distro> {
    let (id, version) = q.split_once('-')?;
    Some(Distro {
        id: id.to_owned(),
        version_id: Some(version.to_owned()),
        ..Distro::default()
    })
}

fn props(c: &Component) -> BTreeMap<&str, Vec<&str>> {
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &c.properties {
        m.entry(p.name.as_str()).or_default().push(p.value.as_str());
    }
    m
}

fn first<'a>(m: &BTreeMap<&str, Vec<&'a str>>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(|v| v.first().copied())
}

fn index(m: &BTreeMap<&str, Vec<&str>>, key: &str) -> Option<usize> {
    first(m, key).and_then(|v| v.parse().ok())
}

fn from_cyclonedx(bom: &Bom, reference: &str) -> Inventory {
    let mut inv = new_inventory(reference);
    if let Some(meta) = &bom.metadata {
        inv.created = meta.timestamp.clone().unwrap_or_default();
        if let Some(tool) = meta.tools.as_ref().and_then(|t| t.components.first()) {
            inv.generator = if tool.name == crate::TOOL_NAME {
                tool.version.clone().unwrap_or_default()
            } else {
                format!("{} {}", tool.name, tool.version.as_deref().unwrap_or(""))
                    .trim()
                    .to_owned()
            };
        }
        if let Some(subject) = &meta.component {
            subject_from_cyclonedx(subject, &mut inv);
        }
    }
    let mut skipped = 0usize;
    for c in &bom.components {
        if c.kind == "operating-system" {
            let m = props(c);
            inv.distro = Some(Distro {
                id: c.name.clone(),
                version_id: c.version.clone(),
                codename: first(&m, prop::DISTRO_CODENAME).map(str::to_owned),
                pretty_name: c.description.clone(),
                id_like: first(&m, prop::DISTRO_ID_LIKE)
                    .map(|s| s.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default(),
                found_in: c
                    .evidence
                    .as_ref()
                    .and_then(|e| e.occurrences.first())
                    .map(|o| {
                        Location::new(o.location.clone(), index(&m, prop::DISTRO_FOUND_IN_LAYER))
                    }),
            });
            continue;
        }
        let Some(purl) = c.purl.as_deref() else {
            skipped += usize::from(c.kind == "library");
            continue;
        };
        let m = props(c);
        let path = first(&m, prop::FOUND_IN)
            .map(str::to_owned)
            .or_else(|| {
                c.evidence
                    .as_ref()
                    .and_then(|e| e.occurrences.first())
                    .map(|o| o.location.clone())
            })
            .or_else(|| first(&m, "syft:location:0:path").map(str::to_owned))
            .unwrap_or_default();
        let Some(mut pkg) =
            package_from_purl(purl, Location::new(path, index(&m, prop::FOUND_IN_LAYER)))
        else {
            skipped += 1;
            continue;
        };
        if first(&m, prop::ECOSYSTEM).is_some() {
            // Written by bosun: its own fields are exact, nothing is inferred.
            pkg.name = c.name.clone();
            if let Some(v) = &c.version {
                pkg.version = v.clone();
            }
            pkg.arch = first(&m, prop::ARCH).map(str::to_owned);
            pkg.source = None;
        }
        pkg.introduced_in = index(&m, prop::INTRODUCED_IN);
        pkg.changed_in = index(&m, prop::CHANGED_IN);
        let src_name =
            first(&m, prop::SOURCE_NAME).or_else(|| first(&m, "aquasecurity:trivy:SrcName"));
        if let Some(n) = src_name {
            let v = first(&m, prop::SOURCE_VERSION)
                .map(str::to_owned)
                .or_else(|| trivy_source_version(&m));
            pkg.source = Some(SourceRef {
                name: n.to_owned(),
                version: v,
            });
        }
        pkg.dev = first(&m, prop::DEV) == Some("true");
        for (k, vs) in &m {
            if let Some(key) = k.strip_prefix(prop::PROPERTY_PREFIX)
                && let Some(v) = vs.first()
            {
                pkg.properties.insert(key.to_owned(), (*v).to_owned());
            }
        }
        if let Some(d) = first(&m, "aquasecurity:trivy:LayerDiffID")
            && pkg.introduced_in.is_none()
        {
            pkg.properties.insert("layer-diff-id".into(), d.to_owned());
        }
        pkg.licenses = c
            .licenses
            .iter()
            .filter_map(|l| match l {
                cyclonedx::LicenseChoice::Expression { expression } => Some(expression.clone()),
                cyclonedx::LicenseChoice::License { license } => {
                    license.id.clone().or_else(|| license.name.clone())
                }
            })
            .collect();
        if inv.distro.is_none()
            && pkg.ecosystem.is_os()
            && let Some(d) = parse_purl(purl)
                .and_then(|p| p.qualifiers.get("distro").cloned())
                .and_then(|q| distro_from_qualifier(&q))
        {
            inv.distro = Some(d);
        }
        inv.packages.push(pkg);
    }
    if skipped > 0 {
        inv.warnings.push(format!(
            "{skipped} components without a purl of a known ecosystem were skipped"
        ));
    }
    inv
}

/// Trivy splits the source version into SrcEpoch, SrcVersion and SrcRelease.
fn trivy_source_version(m: &BTreeMap<&str, Vec<&str>>) -> Option<String> {
    let v = first(m, "aquasecurity:trivy:SrcVersion")?;
    let mut s = String::new();
    if let Some(e) = first(m, "aquasecurity:trivy:SrcEpoch").filter(|e| *e != "0") {
        s.push_str(e);
        s.push(':');
    }
    s.push_str(v);
    if let Some(r) = first(m, "aquasecurity:trivy:SrcRelease").filter(|r| !r.is_empty()) {
        s.push('-');
        s.push_str(r);
    }
    Some(s)
}

fn subject_from_cyclonedx(c: &Component, inv: &mut Inventory) {
    let m = props(c);
    inv.source.name = Some(c.name.clone());
    inv.source.manifest_digest = first(&m, prop::MANIFEST_DIGEST).map(str::to_owned);
    inv.source.config_digest = first(&m, prop::CONFIG_DIGEST).map(str::to_owned);
    inv.source.platform = first(&m, prop::PLATFORM).map(str::to_owned);
    inv.source.repo_tags = m
        .get(prop::REPO_TAG)
        .map(|v| v.iter().map(|s| (*s).to_owned()).collect())
        .unwrap_or_default();
    inv.config = first(&m, prop::CONFIG).and_then(|j| serde_json::from_str::<ImageConfig>(j).ok());
    inv.warnings = m
        .get(prop::WARNING)
        .map(|v| v.iter().map(|s| (*s).to_owned()).collect())
        .unwrap_or_default();
    let mut layers: BTreeMap<usize, LayerInfo> = BTreeMap::new();
    for p in &c.properties {
        let Some(rest) = p.name.strip_prefix(prop::LAYER_PREFIX) else {
            continue;
        };
        let Some((i, field)) = rest.split_once(':') else {
            continue;
        };
        let Ok(i) = i.parse::<usize>() else { continue };
        let l = layers.entry(i).or_insert_with(|| LayerInfo {
            index: i,
            digest: None,
            diff_id: None,
            media_type: None,
            size: 0,
            created_by: None,
        });
        let v = Some(p.value.clone());
        match field {
            "digest" => l.digest = v,
            "diff-id" => l.diff_id = v,
            "media-type" => l.media_type = v,
            "size" => l.size = p.value.parse().unwrap_or(0),
            "created-by" => l.created_by = v,
            _ => {}
        }
    }
    inv.layers = layers.into_values().collect();
}

fn annotations(p: &crate::spdx::SpdxPackage) -> BTreeMap<&str, Vec<&str>> {
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &p.annotations {
        if let Some((k, v)) = a.comment.split_once('=')
            && k.starts_with("bosun:")
        {
            m.entry(k).or_default().push(v);
        }
    }
    m
}

fn from_spdx(doc: &Document, reference: &str) -> Inventory {
    let mut inv = new_inventory(reference);
    inv.created = doc.creation_info.created.clone();
    let tool = format!("Tool: {}-", crate::TOOL_NAME);
    inv.generator = match doc.creation_info.creators.as_slice() {
        [only] if only.starts_with(&tool) => only[tool.len()..].to_owned(),
        all => all.join(", "),
    };
    let described: Vec<&str> = doc
        .relationships
        .iter()
        .filter(|r| r.spdx_element_id == "SPDXRef-DOCUMENT" && r.relationship_type == "DESCRIBES")
        .map(|r| r.related_spdx_element.as_str())
        .collect();
    let mut skipped = 0usize;
    for p in &doc.packages {
        let m = annotations(p);
        let purpose = p.primary_package_purpose.as_deref();
        if described.contains(&p.spdx_id.as_str())
            && matches!(purpose, Some("CONTAINER" | "FILE") | None)
        {
            inv.source.name = Some(p.name.clone());
            inv.source.manifest_digest =
                first(&m, "bosun:image:manifest-digest").map(str::to_owned);
            inv.source.config_digest = first(&m, "bosun:image:config-digest").map(str::to_owned);
            inv.source.platform = first(&m, "bosun:image:platform").map(str::to_owned);
            inv.source.repo_tags = m
                .get("bosun:image:repo-tag")
                .map(|v| v.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default();
            inv.config = first(&m, "bosun:image:config").and_then(|j| serde_json::from_str(j).ok());
            inv.warnings = m
                .get("bosun:warning")
                .map(|v| v.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default();
            inv.layers = m
                .get("bosun:layer")
                .map(|v| {
                    v.iter()
                        .filter_map(|j| serde_json::from_str(j).ok())
                        .collect()
                })
                .unwrap_or_default();
            continue;
        }
        if purpose == Some("OPERATING_SYSTEM") || purpose == Some("OPERATING-SYSTEM") {
            inv.distro = Some(Distro {
                id: p.name.clone(),
                version_id: p.version_info.clone(),
                codename: first(&m, "bosun:distro:codename").map(str::to_owned),
                id_like: first(&m, "bosun:distro:id-like")
                    .map(|s| s.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default(),
                pretty_name: first(&m, "bosun:distro:pretty-name").map(str::to_owned),
                found_in: first(&m, "bosun:distro:found-in").map(|path| {
                    Location::new(
                        path,
                        first(&m, "bosun:distro:found-in-layer").and_then(|v| v.parse().ok()),
                    )
                }),
            });
            continue;
        }
        let purl = p.external_refs.iter().find(|r| {
            r.reference_type == "purl"
                && matches!(
                    r.reference_category.as_str(),
                    "PACKAGE-MANAGER" | "PACKAGE_MANAGER"
                )
        });
        let Some(purl) = purl.map(|r| r.reference_locator.as_str()) else {
            skipped += 1;
            continue;
        };
        let path = first(&m, "bosun:package:found-in").unwrap_or("").to_owned();
        let layer = first(&m, "bosun:package:found-in-layer").and_then(|v| v.parse().ok());
        let Some(mut pkg) = package_from_purl(purl, Location::new(path, layer)) else {
            skipped += 1;
            continue;
        };
        if first(&m, "bosun:package:ecosystem").is_some() {
            // Written by bosun: its own fields are exact, nothing is inferred.
            pkg.name = p.name.clone();
            if let Some(v) = &p.version_info {
                pkg.version = v.clone();
            }
            pkg.arch = None;
            pkg.source = None;
        }
        pkg.introduced_in = first(&m, "bosun:package:introduced-in").and_then(|v| v.parse().ok());
        pkg.changed_in = first(&m, "bosun:package:changed-in").and_then(|v| v.parse().ok());
        if let Some(a) = first(&m, "bosun:package:arch") {
            pkg.arch = Some(a.to_owned());
        }
        if let Some(n) = first(&m, "bosun:package:source-name") {
            pkg.source = Some(SourceRef {
                name: n.to_owned(),
                version: first(&m, "bosun:package:source-version").map(str::to_owned),
            });
        }
        pkg.dev = first(&m, "bosun:package:dev") == Some("true");
        for (k, vs) in &m {
            if let Some(key) = k.strip_prefix("bosun:package:property:")
                && let Some(v) = vs.first()
            {
                pkg.properties.insert(key.to_owned(), (*v).to_owned());
            }
        }
        pkg.licenses = licenses_from_spdx(p.license_declared.as_deref(), doc);
        if inv.distro.is_none()
            && pkg.ecosystem.is_os()
            && let Some(d) = parse_purl(purl)
                .and_then(|p| p.qualifiers.get("distro").cloned())
                .and_then(|q| distro_from_qualifier(&q))
        {
            inv.distro = Some(d);
        }
        inv.packages.push(pkg);
    }
    if skipped > 0 {
        inv.warnings.push(format!(
            "{skipped} SPDX packages without a purl of a known ecosystem were skipped"
        ));
    }
    inv
}

/// Splits bosun's `A AND B` back into licences, mapping `LicenseRef-`s to
/// their extracted text; other documents' expressions are kept whole.
fn licenses_from_spdx(declared: Option<&str>, doc: &Document) -> Vec<String> {
    let Some(d) = declared.filter(|d| *d != "NOASSERTION" && *d != "NONE") else {
        return Vec::new();
    };
    let refs: BTreeMap<&str, &str> = doc
        .has_extracted_licensing_infos
        .iter()
        .map(|e| (e.license_id.as_str(), e.extracted_text.as_str()))
        .collect();
    d.split(" AND ")
        .map(|part| {
            let part = part.trim();
            let inner = part
                .strip_prefix('(')
                .and_then(|p| p.strip_suffix(')'))
                .unwrap_or(part);
            refs.get(inner)
                .map_or_else(|| inner.to_owned(), |t| (*t).to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_packages_are_named_like_bosun_names_them() {
        let loc = Location::new("/x", None);
        let m = package_from_purl(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.19.0",
            loc.clone(),
        )
        .expect("maven");
        assert_eq!(m.name, "org.apache.logging.log4j:log4j-core");
        let g =
            package_from_purl("pkg:golang/github.com/spf13/cobra@v1.8.0", loc.clone()).expect("go");
        assert_eq!(g.name, "github.com/spf13/cobra");
        let d = package_from_purl(
            "pkg:deb/debian/login@4.13%2Bdfsg1-1?epoch=1&upstream=shadow%404.13",
            loc,
        )
        .expect("deb");
        assert_eq!(d.version, "1:4.13+dfsg1-1");
        assert_eq!(
            d.source,
            Some(SourceRef {
                name: "shadow".into(),
                version: Some("4.13".into())
            })
        );
    }
}
