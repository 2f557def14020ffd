//! CycloneDX 1.6 JSON.
//!
//! Layout: `metadata.component` is the image (type `container`) or directory
//! (type `file`); the distribution, when known, is a component of type
//! `operating-system`; every package is a `library` component with its purl,
//! licences, `evidence.occurrences` (the file it was found in) and `bosun:*`
//! properties (ecosystem, source package, layers) that let bosun read the
//! document back into the same inventory. `dependencies` says the image
//! contains the operating system and the packages, and the operating system
//! contains its packages.

use bosun_model::{Inventory, Package};
use serde::{Deserialize, Serialize};

use crate::ids::package_id;
use crate::license::{LicenseKind, classify};
use crate::{DocumentOptions, TOOL_NAME, subject_name};

/// The spec version written.
pub const SPEC_VERSION: &str = "1.6";

pub(crate) mod prop {
    pub(crate) const ECOSYSTEM: &str = "bosun:package:ecosystem";
    pub(crate) const FOUND_IN: &str = "bosun:package:found-in";
    pub(crate) const FOUND_IN_LAYER: &str = "bosun:package:found-in-layer";
    pub(crate) const INTRODUCED_IN: &str = "bosun:package:introduced-in";
    pub(crate) const CHANGED_IN: &str = "bosun:package:changed-in";
    pub(crate) const LAYER_DIFF_ID: &str = "bosun:package:layer-diff-id";
    pub(crate) const SOURCE_NAME: &str = "bosun:package:source-name";
    pub(crate) const SOURCE_VERSION: &str = "bosun:package:source-version";
    pub(crate) const ARCH: &str = "bosun:package:arch";
    pub(crate) const DEV: &str = "bosun:package:dev";
    pub(crate) const PROPERTY_PREFIX: &str = "bosun:package:property:";
    pub(crate) const SOURCE_KIND: &str = "bosun:source:kind";
    pub(crate) const SOURCE_REFERENCE: &str = "bosun:source:reference";
    pub(crate) const MANIFEST_DIGEST: &str = "bosun:image:manifest-digest";
    pub(crate) const CONFIG_DIGEST: &str = "bosun:image:config-digest";
    pub(crate) const PLATFORM: &str = "bosun:image:platform";
    pub(crate) const REPO_TAG: &str = "bosun:image:repo-tag";
    pub(crate) const CONFIG: &str = "bosun:image:config";
    pub(crate) const LAYER_PREFIX: &str = "bosun:layer:";
    pub(crate) const DISTRO_CODENAME: &str = "bosun:distro:codename";
    pub(crate) const DISTRO_ID_LIKE: &str = "bosun:distro:id-like";
    pub(crate) const DISTRO_FOUND_IN_LAYER: &str = "bosun:distro:found-in-layer";
    pub(crate) const WARNING: &str = "bosun:warning";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    pub bom_format: String,
    pub spec_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Vulnerabilities, written by the vulnerability report (kept as JSON here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<serde_json::Value>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Tools>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tools {
    #[serde(default)]
    pub components: Vec<Component>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    License { license: License },
    Expression { expression: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct License {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occurrence {
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

fn p(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: name.to_owned(),
        value: value.into(),
    }
}

const SUBJECT_REF: &str = "subject";
const OS_REF: &str = "os";

/// The bom-ref bosun gives a package.
pub fn package_ref(pkg: &Package) -> String {
    format!("pkg:{}", package_id(pkg))
}

/// Writes an inventory as a CycloneDX 1.6 BOM.
pub fn from_inventory(inv: &Inventory, opts: &DocumentOptions) -> Bom {
    let mut components = Vec::with_capacity(inv.packages.len() + 1);
    let mut subject_deps = Vec::new();
    let mut os_deps = Vec::new();

    if let Some(d) = &inv.distro {
        let mut props = Vec::new();
        if let Some(c) = &d.codename {
            props.push(p(prop::DISTRO_CODENAME, c));
        }
        if !d.id_like.is_empty() {
            props.push(p(prop::DISTRO_ID_LIKE, d.id_like.join(" ")));
        }
        if let Some(l) = d.found_in.as_ref().and_then(|l| l.layer) {
            props.push(p(prop::DISTRO_FOUND_IN_LAYER, l.to_string()));
        }
        components.push(Component {
            kind: "operating-system".into(),
            bom_ref: Some(OS_REF.into()),
            name: d.id.clone(),
            version: d.version_id.clone(),
            description: d.pretty_name.clone(),
            purl: None,
            licenses: Vec::new(),
            evidence: d.found_in.as_ref().map(|l| Evidence {
                occurrences: vec![Occurrence {
                    location: l.path.clone(),
                }],
            }),
            properties: props,
        });
        subject_deps.push(OS_REF.to_owned());
    }

    for pkg in &inv.packages {
        let bom_ref = package_ref(pkg);
        if pkg.ecosystem.is_os() && inv.distro.is_some() {
            os_deps.push(bom_ref.clone());
        } else {
            subject_deps.push(bom_ref.clone());
        }
        components.push(package_component(inv, pkg, bom_ref));
    }

    let mut dependencies = vec![Dependency {
        reference: SUBJECT_REF.into(),
        depends_on: subject_deps,
    }];
    if inv.distro.is_some() {
        dependencies.push(Dependency {
            reference: OS_REF.into(),
            depends_on: os_deps,
        });
    }

    Bom {
        bom_format: "CycloneDX".into(),
        spec_version: SPEC_VERSION.into(),
        serial_number: Some(format!("urn:uuid:{}", opts.uuid())),
        version: 1,
        metadata: Some(Metadata {
            timestamp: Some(opts.timestamp(inv).to_owned()),
            tools: Some(Tools {
                components: vec![Component {
                    kind: "application".into(),
                    bom_ref: None,
                    name: TOOL_NAME.into(),
                    version: Some(inv.generator.clone()),
                    description: None,
                    purl: None,
                    licenses: Vec::new(),
                    evidence: None,
                    properties: Vec::new(),
                }],
            }),
            component: Some(subject_component(inv)),
        }),
        components,
        dependencies,
        vulnerabilities: Vec::new(),
    }
}

fn subject_component(inv: &Inventory) -> Component {
    let s = &inv.source;
    let mut props = vec![
        p(prop::SOURCE_KIND, s.kind.prefix()),
        p(prop::SOURCE_REFERENCE, &s.reference),
    ];
    if let Some(d) = &s.manifest_digest {
        props.push(p(prop::MANIFEST_DIGEST, d));
    }
    if let Some(d) = &s.config_digest {
        props.push(p(prop::CONFIG_DIGEST, d));
    }
    if let Some(pl) = &s.platform {
        props.push(p(prop::PLATFORM, pl));
    }
    for t in &s.repo_tags {
        props.push(p(prop::REPO_TAG, t));
    }
    for l in &inv.layers {
        let pre = format!("{}{}:", prop::LAYER_PREFIX, l.index);
        if let Some(d) = &l.digest {
            props.push(p(&format!("{pre}digest"), d));
        }
        if let Some(d) = &l.diff_id {
            props.push(p(&format!("{pre}diff-id"), d));
        }
        if let Some(m) = &l.media_type {
            props.push(p(&format!("{pre}media-type"), m));
        }
        props.push(p(&format!("{pre}size"), l.size.to_string()));
        if let Some(c) = &l.created_by {
            props.push(p(&format!("{pre}created-by"), c));
        }
    }
    if let Some(cfg) = &inv.config
        && let Ok(json) = serde_json::to_string(cfg)
    {
        props.push(p(prop::CONFIG, json));
    }
    for w in &inv.warnings {
        props.push(p(prop::WARNING, w));
    }
    Component {
        kind: if s.kind.is_image() {
            "container".into()
        } else {
            "file".into()
        },
        bom_ref: Some(SUBJECT_REF.into()),
        name: subject_name(inv),
        version: s
            .manifest_digest
            .clone()
            .or_else(|| s.config_digest.clone()),
        description: None,
        purl: None,
        licenses: Vec::new(),
        evidence: None,
        properties: props,
    }
}

fn package_component(inv: &Inventory, pkg: &Package, bom_ref: String) -> Component {
    let mut props = vec![
        p(prop::ECOSYSTEM, pkg.ecosystem.purl_type()),
        p(prop::FOUND_IN, &pkg.found_in.path),
    ];
    if let Some(l) = pkg.found_in.layer {
        props.push(p(prop::FOUND_IN_LAYER, l.to_string()));
    }
    if let Some(l) = pkg.introduced_in {
        props.push(p(prop::INTRODUCED_IN, l.to_string()));
        if let Some(d) = inv.layer(Some(l)).and_then(|l| l.diff_id.as_ref()) {
            props.push(p(prop::LAYER_DIFF_ID, d));
        }
    }
    if let Some(l) = pkg.changed_in {
        props.push(p(prop::CHANGED_IN, l.to_string()));
    }
    if let Some(src) = &pkg.source {
        props.push(p(prop::SOURCE_NAME, &src.name));
        if let Some(v) = &src.version {
            props.push(p(prop::SOURCE_VERSION, v));
        }
    }
    if let Some(a) = &pkg.arch {
        props.push(p(prop::ARCH, a));
    }
    if pkg.dev {
        props.push(p(prop::DEV, "true"));
    }
    for (k, v) in &pkg.properties {
        props.push(p(&format!("{}{k}", prop::PROPERTY_PREFIX), v));
    }
    Component {
        kind: "library".into(),
        bom_ref: Some(bom_ref),
        name: pkg.name.clone(),
        version: Some(pkg.version.clone()),
        description: None,
        purl: Some(pkg.purl.clone()),
        licenses: licenses(&pkg.licenses),
        evidence: Some(Evidence {
            occurrences: vec![Occurrence {
                location: pkg.found_in.path.clone(),
            }],
        }),
        properties: props,
    }
}

/// CycloneDX allows either licence objects or one expression, not both: a
/// single valid expression is written as such, everything else as licence
/// objects (SPDX id when there is one, else a name).
fn licenses(raw: &[String]) -> Vec<LicenseChoice> {
    if let [only] = raw
        && let LicenseKind::Expression(e) = classify(only)
    {
        return vec![LicenseChoice::Expression { expression: e }];
    }
    let mut out: Vec<License> = Vec::new();
    for l in raw {
        let lic = match classify(l) {
            LicenseKind::Id(id) => License {
                id: Some(id),
                name: None,
            },
            LicenseKind::Expression(e) | LicenseKind::Other(e) => License {
                id: None,
                name: Some(e),
            },
        };
        if !out.contains(&lic) {
            out.push(lic);
        }
    }
    out.into_iter()
        .map(|license| LicenseChoice::License { license })
        .collect()
}
