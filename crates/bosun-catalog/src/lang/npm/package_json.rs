//! `package.json`: an installed package's manifest (under `node_modules`),
//! or a project's own.
//!
//! Fields read: `name`, `version`, `private`, licences (`license` as a
//! string or `{type}`, the legacy `licenses` list) and the dependency maps
//! (the roots for telling development-only packages of a `yarn.lock` or
//! `pnpm-lock.yaml` beside it). Everything else (a bundled README can be
//! large) is skipped without being kept.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::lang::common::{Edges, LangError, MaybeString, license_value, with_budget};

/// What a `package.json` says.
#[derive(Debug, Default)]
pub struct Manifest {
    pub name: Option<String>,
    pub version: Option<String>,
    pub private: bool,
    pub licenses: Vec<String>,
    /// `dependencies`, `optionalDependencies` and `peerDependencies`: name and range.
    pub dependencies: Vec<(String, String)>,
    /// `devDependencies`.
    pub dev_dependencies: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    name: MaybeString,
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    private: MaybeString,
    #[serde(default)]
    license: Licenses,
    #[serde(default)]
    licenses: Licenses,
    #[serde(default)]
    dependencies: Edges,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Edges,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: Edges,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Edges,
}

/// Reads a `package.json`.
pub fn parse(bytes: &[u8]) -> Result<Manifest, LangError> {
    let raw: Raw = with_budget(|| serde_json::from_slice(bytes)).map_err(LangError::json)?;
    let mut licenses = raw.license.0;
    for l in raw.licenses.0 {
        if !licenses.contains(&l) {
            licenses.push(l);
        }
    }
    let mut dependencies = raw.dependencies.edges;
    dependencies.extend(raw.optional_dependencies.edges);
    dependencies.extend(raw.peer_dependencies.edges);
    Ok(Manifest {
        name: raw
            .name
            .0
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        version: raw
            .version
            .0
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        private: raw.private.as_deref() == Some("true"),
        licenses,
        dependencies,
        dev_dependencies: raw.dev_dependencies.edges,
    })
}

/// Licences in any of the shapes package.json and lockfiles use: a string,
/// `{"type": ...}`, or a list of either.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Licenses(pub Vec<String>);

impl<'de> Deserialize<'de> for Licenses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_ {
            depth: u8,
        }
        impl<'de> Visitor<'de> for V_ {
            type Value = Licenses;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a licence")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Licenses(license_value(v).into_iter().collect()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if k == "type" {
                        if let Some(v) = map.next_value::<MaybeString>()?.0 {
                            out.extend(license_value(&v));
                        }
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Licenses(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<String> = Vec::new();
                if self.depth > 0 {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    return Ok(Licenses(out));
                }
                while let Some(Licenses(ls)) = seq.next_element_seed(Seed {
                    depth: self.depth + 1,
                })? {
                    for l in ls {
                        if out.len() < 64 && !out.contains(&l) {
                            out.push(l);
                        }
                    }
                }
                Ok(Licenses(out))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Licenses::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Licenses::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Licenses::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Licenses::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Licenses::default())
            }
        }
        struct Seed {
            depth: u8,
        }
        impl<'de> de::DeserializeSeed<'de> for Seed {
            type Value = Licenses;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Licenses, D::Error> {
                d.deserialize_any(V_ { depth: self.depth })
            }
        }
        d.deserialize_any(V_ { depth: 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_shapes() {
        for (json, want) in [
            (r#"{"license": "MIT"}"#, vec!["MIT"]),
            (r#"{"license": {"type": "ISC", "url": "x"}}"#, vec!["ISC"]),
            (
                r#"{"licenses": [{"type": "MIT"}, "Apache-2.0", {"type": "MIT"}]}"#,
                vec!["MIT", "Apache-2.0"],
            ),
            (
                r#"{"license": "MIT", "licenses": [[["deep"]]]}"#,
                vec!["MIT"],
            ),
            (r#"{"license": 5}"#, vec![]),
        ] {
            let m = parse(json.as_bytes()).expect(json);
            assert_eq!(m.licenses, want, "{json}");
        }
    }

    #[test]
    fn fields_and_roots() {
        let m = parse(
            br#"{"name": " @s/n ", "version": "1.0.0", "private": true, "readme": "long",
                "dependencies": {"a": "^1"}, "peerDependencies": {"p": "*"},
                "devDependencies": {"d": "2"}, "optionalDependencies": {"o": "3"}}"#,
        )
        .expect("parse");
        assert_eq!(m.name.as_deref(), Some("@s/n"));
        assert!(m.private);
        assert_eq!(m.dependencies.len(), 3);
        assert_eq!(m.dev_dependencies, vec![("d".to_owned(), "2".to_owned())]);
        // serde reads a struct from an array by position: no version, no package.
        assert!(parse(b"[1]").is_ok_and(|m| m.version.is_none()));
        assert!(parse(b"{").is_err());
        assert!(parse(b"{\"name\": \"\\ud800\"}").is_err());
    }
}
