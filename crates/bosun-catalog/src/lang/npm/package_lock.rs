//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3.
//!
//! - v2 and v3: the `packages` map, keyed by install path. The root (`""`),
//!   workspace sources (keys without `node_modules/`) and links
//!   (`"link": true`) are the project's own code, not dependencies. The name
//!   is the entry's `name` (set for aliases) or the path after the last
//!   `node_modules/`; `dev: true` marks development-only packages
//!   (`devOptional` packages are also installed for optional dependencies
//!   of production packages, so they are not).
//! - v1: the nested `dependencies` tree; `npm:name@version` versions are
//!   aliases; versions that are URLs or paths (git, tarball, `file:`) are
//!   skipped.
//!
//! The same name and version installed at several paths is one package.

use std::collections::VecDeque;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::lang::common::{
    BoundedMap, Declared, LangError, MaybeString, Parsed, clip, cut_warning, plausible, with_budget,
};
use crate::lang::npm::package_json::Licenses;

#[derive(Deserialize)]
struct Probe {
    #[serde(default, rename = "lockfileVersion")]
    lockfile_version: MaybeString,
    #[serde(default)]
    packages: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct V2 {
    #[serde(default)]
    packages: BoundedMap<V2Entry>,
}

#[derive(Deserialize)]
struct V2Entry {
    #[serde(default)]
    name: MaybeString,
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    dev: MaybeString,
    #[serde(default)]
    link: MaybeString,
    #[serde(default)]
    license: Licenses,
}

#[derive(Deserialize)]
struct V1 {
    #[serde(default)]
    dependencies: BoundedMap<V1Entry>,
}

#[derive(Deserialize)]
struct V1Entry {
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    dev: MaybeString,
    #[serde(default)]
    dependencies: BoundedMap<V1Entry>,
}

/// Reads a package-lock.json or npm-shrinkwrap.json.
pub fn parse(bytes: &[u8]) -> Result<Parsed, LangError> {
    let probe: Probe = serde_json::from_slice(bytes).map_err(LangError::json)?;
    let mut out = Parsed::default();
    if probe.packages.is_some() {
        let lock: V2 = with_budget(|| serde_json::from_slice(bytes)).map_err(LangError::json)?;
        out.warnings
            .extend(cut_warning("packages", lock.packages.dropped));
        for (key, e) in lock.packages.entries {
            if e.link.as_deref() == Some("true") {
                continue;
            }
            let Some(idx) = key.rfind("node_modules/") else {
                // The root project and workspace sources.
                continue;
            };
            let dir_name = key.get(idx + "node_modules/".len()..).unwrap_or_default();
            let name = e.name.0.as_deref().unwrap_or(dir_name);
            let Some(version) = e.version.as_deref() else {
                out.warnings
                    .push(format!("packages: `{}`: no version", clip(&key)));
                continue;
            };
            if let Some(d) = declared(name, version, e.dev.as_deref() == Some("true"), &mut out) {
                let mut d = d;
                d.licenses = e.license.0;
                out.packages.push(d);
            }
        }
    } else {
        let lock: V1 = with_budget(|| serde_json::from_slice(bytes)).map_err(LangError::json)?;
        let version = probe.lockfile_version.as_deref().unwrap_or("1").to_owned();
        if version != "1" {
            out.warnings.push(format!(
                "lockfileVersion {} without `packages`; read as version 1",
                clip(&version)
            ));
        }
        let mut dropped = lock.dependencies.dropped;
        // Breadth first: the file's top-level order, then nested copies.
        let mut queue: VecDeque<(String, V1Entry)> = lock.dependencies.entries.into();
        while let Some((name, e)) = queue.pop_front() {
            dropped += e.dependencies.dropped;
            if let Some(v) = e.version.as_deref() {
                let (name, v) = match v.strip_prefix("npm:") {
                    Some(alias) => match split_name_version(alias) {
                        Some((n, v)) => (n.to_owned(), v.to_owned()),
                        None => (name.clone(), String::new()),
                    },
                    None => (name.clone(), v.to_owned()),
                };
                if let Some(d) = declared(&name, &v, e.dev.as_deref() == Some("true"), &mut out) {
                    out.packages.push(d);
                }
            }
            queue.extend(e.dependencies.entries);
        }
        out.warnings.extend(cut_warning("dependencies", dropped));
    }
    out.dedup();
    Ok(out)
}

/// `name@version` (the name may be scoped: `@s/n@1.0.0`).
pub fn split_name_version(s: &str) -> Option<(&str, &str)> {
    let at = s.get(1..)?.rfind('@')? + 1;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// Whether a lockfile version string is a registry version (not a git URL,
/// a tarball, a path or a workspace link).
pub fn registry_version(v: &str) -> bool {
    plausible(v) && !v.contains(':') && !v.contains('/')
}

fn declared(name: &str, version: &str, dev: bool, out: &mut Parsed) -> Option<Declared> {
    if !registry_version(version) {
        return None;
    }
    if !valid_name(name) {
        out.warnings
            .push(format!("`{}`: not a package name", clip(name)));
        return None;
    }
    let mut d = Declared::new(name, version);
    d.dev = dev;
    Some(d)
}

/// An npm package name: `name` or `@scope/name`, without spaces.
pub fn valid_name(name: &str) -> bool {
    if !plausible(name) {
        return false;
    }
    match name.strip_prefix('@') {
        Some(rest) => {
            matches!(rest.split_once('/'), Some((s, n)) if !s.is_empty() && !n.is_empty() && !n.contains('/'))
        }
        None => !name.contains('/'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        assert_eq!(split_name_version("@s/n@1.2.3"), Some(("@s/n", "1.2.3")));
        assert_eq!(split_name_version("n@1"), Some(("n", "1")));
        assert_eq!(split_name_version("@s/n"), None);
        assert!(valid_name("@babel/core") && valid_name("lodash"));
        assert!(!valid_name("@babel") && !valid_name("a/b") && !valid_name("@s/n/x"));
        assert!(!registry_version("github:a/b#c") && !registry_version("file:../x"));
    }

    #[test]
    fn v1_aliases_dev_and_nesting() {
        let p = parse(
            br#"{"lockfileVersion": 1, "dependencies": {
                "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}},
                "al": {"version": "npm:@s/real@3.0.0"},
                "g": {"version": "github:u/r#abc"},
                "d": {"version": "1.0.0", "dev": true, "dependencies": {"a": {"version": "1.0.0", "dev": true}}}
            }}"#,
        )
        .expect("parse");
        let got: Vec<(&str, &str, bool)> = p
            .packages
            .iter()
            .map(|d| (d.name.as_str(), d.version.as_str(), d.dev))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", "1.0.0", false),
                ("@s/real", "3.0.0", false),
                ("d", "1.0.0", true),
                ("b", "2.0.0", false),
            ]
        );
    }

    #[test]
    fn not_json_is_an_error() {
        assert!(parse(b"{\"packages\": ").is_err());
        assert!(parse(b"\xff").is_err());
    }
}
