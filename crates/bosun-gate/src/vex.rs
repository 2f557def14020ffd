//! OpenVEX documents: statements from a supplier or the team that a
//! vulnerability does not affect a product (`not_affected`) or is fixed in
//! it (`fixed`). Both suppress the matching findings, recording the
//! statement, its justification and impact statement. `affected` and
//! `under_investigation` change nothing.
//!
//! A statement applies to a finding when its vulnerability (name or any
//! alias) is the finding's id or one of its aliases, and one of its
//! products names the finding's package: a package purl that covers the
//! package's purl (type, namespace, name; version and qualifiers when
//! given), or the image itself (`pkg:oci/...` whose version is the image's
//! manifest or config digest) with no subcomponents, or with a subcomponent
//! that covers the package. Both the current (v0.2) shapes and the older
//! string forms of `vulnerability` and `products` are read.

use std::path::Path;

use bosun_model::purl::{Purl, parse_purl};
use bosun_model::{Finding, SourceInfo, Suppression};
use serde::Deserialize;

use crate::GateError;

const MAX_BYTES: u64 = 64 << 20;

#[derive(Debug, Deserialize)]
struct RawDoc {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Debug, Deserialize)]
struct RawStatement {
    vulnerability: RawVuln,
    #[serde(default)]
    products: Vec<RawProduct>,
    status: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawVuln {
    Name(String),
    Object {
        #[serde(default)]
        name: Option<String>,
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawProduct {
    Id(String),
    Object {
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        identifiers: Option<RawIdentifiers>,
        #[serde(default)]
        subcomponents: Vec<RawProduct>,
    },
}

#[derive(Debug, Deserialize)]
struct RawIdentifiers {
    #[serde(default)]
    purl: Option<String>,
}

impl RawProduct {
    fn purl(&self) -> Option<&str> {
        match self {
            RawProduct::Id(s) => Some(s),
            RawProduct::Object {
                id, identifiers, ..
            } => identifiers
                .as_ref()
                .and_then(|i| i.purl.as_deref())
                .or(id.as_deref()),
        }
    }

    fn subcomponents(&self) -> &[RawProduct] {
        match self {
            RawProduct::Id(_) => &[],
            RawProduct::Object { subcomponents, .. } => subcomponents,
        }
    }
}

struct Product {
    purl: Option<Purl>,
    subcomponents: Vec<Purl>,
}

struct Statement {
    number: usize,
    vulns: Vec<String>,
    products: Vec<Product>,
    status: String,
    reason: Option<String>,
}

/// The statements of one or more OpenVEX documents.
pub struct Vex {
    source: String,
    statements: Vec<Statement>,
}

impl Vex {
    pub fn load(path: &Path) -> Result<Self, GateError> {
        let text = crate::read_file(path, MAX_BYTES)?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, source: &str) -> Result<Self, GateError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let doc: RawDoc = serde_path_to_error::deserialize(de).map_err(|e| GateError::Invalid {
            path: source.to_owned(),
            message: format!("field `{}`: {}", e.path(), e.inner()),
        })?;
        let mut statements = Vec::new();
        for (i, s) in doc.statements.into_iter().enumerate() {
            let number = i + 1;
            let status = s.status.to_ascii_lowercase();
            if !matches!(
                status.as_str(),
                "not_affected" | "affected" | "fixed" | "under_investigation"
            ) {
                return Err(GateError::Invalid {
                    path: source.to_owned(),
                    message: format!("statement {number}: unknown status `{}`", s.status),
                });
            }
            let vulns = match s.vulnerability {
                RawVuln::Name(n) => vec![n],
                RawVuln::Object { name, id, aliases } => {
                    name.into_iter().chain(id).chain(aliases).collect()
                }
            };
            let products = s
                .products
                .iter()
                .map(|p| Product {
                    purl: p.purl().and_then(parse_purl),
                    subcomponents: p
                        .subcomponents()
                        .iter()
                        .filter_map(|c| c.purl().and_then(parse_purl))
                        .collect(),
                })
                .collect();
            let reason = [s.justification, s.impact_statement, s.status_notes]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            statements.push(Statement {
                number,
                vulns,
                products,
                status,
                reason: (!reason.is_empty()).then(|| reason.join(": ")),
            });
        }
        let source = match doc.id {
            Some(id) => format!("{source} ({id})"),
            None => source.to_owned(),
        };
        Ok(Vex { source, statements })
    }

    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Suppresses findings that a `not_affected` or `fixed` statement covers.
    pub fn apply(&self, findings: &mut [Finding], image: &SourceInfo) {
        for s in self
            .statements
            .iter()
            .filter(|s| s.status == "not_affected" || s.status == "fixed")
        {
            for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
                let names_vuln = s.vulns.iter().any(|v| {
                    f.id.eq_ignore_ascii_case(v)
                        || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(v))
                });
                if !names_vuln {
                    continue;
                }
                let Some(pkg) = parse_purl(&f.package.purl) else {
                    continue;
                };
                if s.products.iter().any(|p| names_package(p, &pkg, image)) {
                    f.suppressed = Some(Suppression {
                        kind: "vex".into(),
                        by: format!("{} statement {} ({})", self.source, s.number, s.status),
                        reason: s.reason.clone(),
                        expires: None,
                    });
                }
            }
        }
    }
}

fn is_this_image(p: &Purl, image: &SourceInfo) -> bool {
    if p.ty != "oci" {
        return false;
    }
    if p.version.is_empty() {
        // No digest: match by repository name.
        return image
            .name
            .as_deref()
            .map(|n| n.split([':', '@']).next().unwrap_or(n))
            .is_some_and(|n| n.rsplit('/').next() == Some(p.name.as_str()));
    }
    [&image.manifest_digest, &image.config_digest]
        .into_iter()
        .flatten()
        .any(|d| *d == p.version)
}

fn names_package(p: &Product, pkg: &Purl, image: &SourceInfo) -> bool {
    let Some(purl) = &p.purl else {
        return false;
    };
    if purl.ty == "oci" {
        return is_this_image(purl, image)
            && (p.subcomponents.is_empty() || p.subcomponents.iter().any(|c| c.covers(pkg)));
    }
    purl.covers(pkg) || p.subcomponents.iter().any(|c| c.covers(pkg))
}
