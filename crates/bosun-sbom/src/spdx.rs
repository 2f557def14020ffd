//! SPDX 2.3 JSON.
//!
//! Layout: one package for the image or directory (`primaryPackagePurpose`
//! `CONTAINER` or `FILE`) that the document `DESCRIBES`; one for the
//! distribution (`OPERATING_SYSTEM`) when known; one `LIBRARY` package per
//! package found, each with its purl as a `PACKAGE-MANAGER` external
//! reference, `licenseDeclared` (licences that are not SPDX become
//! `LicenseRef-` entries in `hasExtractedLicensingInfos`), `sourceInfo`
//! naming the file and layer, and `bosun:*` annotations that let bosun read
//! the document back. The image `CONTAINS` every package; the operating
//! system `CONTAINS` its packages.

use std::collections::BTreeMap;

use bosun_model::{Inventory, Package};
use serde::{Deserialize, Serialize};

use crate::ids::{package_id, spdx_safe};
use crate::license::{LicenseKind, classify, license_ref};
use crate::{DocumentOptions, TOOL_NAME, subject_name};

pub const SPEC_VERSION: &str = "SPDX-2.3";
const NOASSERTION: &str = "NOASSERTION";
const DOC_ID: &str = "SPDXRef-DOCUMENT";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub spdx_version: String,
    pub data_license: String,
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    pub document_namespace: String,
    pub creation_info: CreationInfo,
    #[serde(default)]
    pub packages: Vec<SpdxPackage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationInfo {
    pub created: String,
    pub creators: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    pub download_location: String,
    #[serde(default)]
    pub files_analyzed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_concluded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_declared: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_package_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    pub reference_category: String,
    pub reference_type: String,
    pub reference_locator: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub annotation_date: String,
    pub annotation_type: String,
    pub annotator: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: String,
    pub related_spdx_element: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicense {
    pub license_id: String,
    pub extracted_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The SPDX id bosun gives a package.
pub fn package_spdx_id(pkg: &Package) -> String {
    format!(
        "SPDXRef-Package-{}-{}-{}",
        pkg.ecosystem.purl_type(),
        spdx_safe(&pkg.name),
        package_id(pkg)
    )
}

const SUBJECT_ID: &str = "SPDXRef-Subject";
const OS_ID: &str = "SPDXRef-OperatingSystem";

/// Writes an inventory as an SPDX 2.3 document.
pub fn from_inventory(inv: &Inventory, opts: &DocumentOptions) -> Document {
    let created = opts.timestamp(inv).to_owned();
    let tool = format!("Tool: {TOOL_NAME}-{}", inv.generator);
    let note = |comment: String| Annotation {
        annotation_date: created.clone(),
        annotation_type: "OTHER".into(),
        annotator: tool.clone(),
        comment,
    };

    let mut packages = Vec::with_capacity(inv.packages.len() + 2);
    let mut relationships = vec![Relationship {
        spdx_element_id: DOC_ID.into(),
        relationship_type: "DESCRIBES".into(),
        related_spdx_element: SUBJECT_ID.into(),
    }];
    let mut extracted: BTreeMap<String, ExtractedLicense> = BTreeMap::new();

    // The subject: image or directory.
    let s = &inv.source;
    let mut subject_notes = vec![
        note(format!("bosun:source:kind={}", s.kind.prefix())),
        note(format!("bosun:source:reference={}", s.reference)),
    ];
    if let Some(d) = &s.manifest_digest {
        subject_notes.push(note(format!("bosun:image:manifest-digest={d}")));
    }
    if let Some(d) = &s.config_digest {
        subject_notes.push(note(format!("bosun:image:config-digest={d}")));
    }
    if let Some(pl) = &s.platform {
        subject_notes.push(note(format!("bosun:image:platform={pl}")));
    }
    for t in &s.repo_tags {
        subject_notes.push(note(format!("bosun:image:repo-tag={t}")));
    }
    for l in &inv.layers {
        if let Ok(json) = serde_json::to_string(l) {
            subject_notes.push(note(format!("bosun:layer={json}")));
        }
    }
    for w in &inv.warnings {
        subject_notes.push(note(format!("bosun:warning={w}")));
    }
    if let Some(cfg) = &inv.config
        && let Ok(json) = serde_json::to_string(cfg)
    {
        subject_notes.push(note(format!("bosun:image:config={json}")));
    }
    packages.push(SpdxPackage {
        spdx_id: SUBJECT_ID.into(),
        name: subject_name(inv),
        version_info: s
            .manifest_digest
            .clone()
            .or_else(|| s.config_digest.clone()),
        download_location: NOASSERTION.into(),
        files_analyzed: false,
        license_concluded: None,
        license_declared: None,
        copyright_text: None,
        source_info: None,
        primary_package_purpose: Some(if s.kind.is_image() {
            "CONTAINER".into()
        } else {
            "FILE".into()
        }),
        external_refs: Vec::new(),
        annotations: subject_notes,
    });

    if let Some(d) = &inv.distro {
        let mut notes = Vec::new();
        if let Some(c) = &d.codename {
            notes.push(note(format!("bosun:distro:codename={c}")));
        }
        if !d.id_like.is_empty() {
            notes.push(note(format!(
                "bosun:distro:id-like={}",
                d.id_like.join(" ")
            )));
        }
        if let Some(pn) = &d.pretty_name {
            notes.push(note(format!("bosun:distro:pretty-name={pn}")));
        }
        if let Some(l) = &d.found_in {
            notes.push(note(format!("bosun:distro:found-in={}", l.path)));
            if let Some(i) = l.layer {
                notes.push(note(format!("bosun:distro:found-in-layer={i}")));
            }
        }
        packages.push(SpdxPackage {
            spdx_id: OS_ID.into(),
            name: d.id.clone(),
            version_info: d.version_id.clone(),
            download_location: NOASSERTION.into(),
            files_analyzed: false,
            license_concluded: None,
            license_declared: None,
            copyright_text: None,
            source_info: d.found_in.as_ref().map(|l| format!("from {}", l.path)),
            primary_package_purpose: Some("OPERATING_SYSTEM".into()),
            external_refs: Vec::new(),
            annotations: notes,
        });
        relationships.push(Relationship {
            spdx_element_id: SUBJECT_ID.into(),
            relationship_type: "CONTAINS".into(),
            related_spdx_element: OS_ID.into(),
        });
    }

    for pkg in &inv.packages {
        let id = package_spdx_id(pkg);
        let parent = if pkg.ecosystem.is_os() && inv.distro.is_some() {
            OS_ID
        } else {
            SUBJECT_ID
        };
        relationships.push(Relationship {
            spdx_element_id: parent.into(),
            relationship_type: "CONTAINS".into(),
            related_spdx_element: id.clone(),
        });
        let mut notes = vec![note(format!(
            "bosun:package:ecosystem={}",
            pkg.ecosystem.purl_type()
        ))];
        notes.push(note(format!(
            "bosun:package:found-in={}",
            pkg.found_in.path
        )));
        if let Some(l) = pkg.found_in.layer {
            notes.push(note(format!("bosun:package:found-in-layer={l}")));
        }
        if let Some(l) = pkg.introduced_in {
            notes.push(note(format!("bosun:package:introduced-in={l}")));
        }
        if let Some(l) = pkg.changed_in {
            notes.push(note(format!("bosun:package:changed-in={l}")));
        }
        if let Some(src) = &pkg.source {
            notes.push(note(format!("bosun:package:source-name={}", src.name)));
            if let Some(v) = &src.version {
                notes.push(note(format!("bosun:package:source-version={v}")));
            }
        }
        if let Some(a) = &pkg.arch {
            notes.push(note(format!("bosun:package:arch={a}")));
        }
        if pkg.dev {
            notes.push(note("bosun:package:dev=true".to_owned()));
        }
        for (k, v) in &pkg.properties {
            notes.push(note(format!("bosun:package:property:{k}={v}")));
        }
        let layer_note = pkg
            .introduced_in
            .and_then(|i| inv.layer(Some(i)))
            .map(|l| {
                format!(
                    " (layer {} {})",
                    l.index,
                    l.diff_id.as_deref().unwrap_or("without digest")
                )
            })
            .unwrap_or_default();
        packages.push(SpdxPackage {
            spdx_id: id,
            name: pkg.name.clone(),
            version_info: Some(pkg.version.clone()),
            download_location: NOASSERTION.into(),
            files_analyzed: false,
            license_concluded: Some(NOASSERTION.into()),
            license_declared: Some(declared(&pkg.licenses, &mut extracted)),
            copyright_text: Some(NOASSERTION.into()),
            source_info: Some(format!(
                "{} package found in {}{layer_note}",
                pkg.ecosystem, pkg.found_in.path
            )),
            primary_package_purpose: Some("LIBRARY".into()),
            external_refs: vec![ExternalRef {
                reference_category: "PACKAGE-MANAGER".into(),
                reference_type: "purl".into(),
                reference_locator: pkg.purl.clone(),
            }],
            annotations: notes,
        });
    }

    let name = subject_name(inv);
    Document {
        spdx_version: SPEC_VERSION.into(),
        data_license: "CC0-1.0".into(),
        spdx_id: DOC_ID.into(),
        name: name.clone(),
        document_namespace: format!(
            "https://bosun.invalid/spdx/{}-{}",
            spdx_safe(&name),
            opts.uuid()
        ),
        creation_info: CreationInfo {
            created,
            creators: vec![tool.clone()],
        },
        packages,
        relationships,
        has_extracted_licensing_infos: extracted.into_values().collect(),
    }
}

/// The `licenseDeclared` expression: SPDX ids and expressions as they are,
/// other strings as `LicenseRef-` ids recorded in `extracted`; several
/// licences are joined with AND (the package states all of them).
fn declared(raw: &[String], extracted: &mut BTreeMap<String, ExtractedLicense>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for l in raw {
        let part = match classify(l) {
            LicenseKind::Id(id) => id,
            LicenseKind::Expression(e) if raw.len() == 1 => e,
            LicenseKind::Expression(e) => format!("({e})"),
            LicenseKind::Other(o) => {
                let id = license_ref(&o);
                extracted.entry(id.clone()).or_insert(ExtractedLicense {
                    license_id: id.clone(),
                    extracted_text: o.clone(),
                    name: Some(o),
                });
                id
            }
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if parts.is_empty() {
        NOASSERTION.into()
    } else {
        parts.join(" AND ")
    }
}
