//! `yarn.lock`: Yarn 1 (its own indented format) and Yarn 2+ ("berry",
//! YAML with a `__metadata` entry).
//!
//! Each entry names the descriptors (`name@range`) it resolves and the
//! version it resolved to. Yarn 1 entries are reported unless their range is
//! a local `file:`/`link:` one; berry entries only when their `resolution`
//! is an npm registry one (`name@npm:version`): workspaces, patches (a
//! second copy of a registry package), links and git checkouts are not. An
//! alias (`alias@npm:real@^1`) is reported under the real name.
//!
//! The lockfile does not say which packages are development-only. When the
//! `package.json` beside it is given, its `devDependencies` and other
//! dependency maps are the roots, the lock's `dependencies` the edges, and
//! a package reachable only from `devDependencies` is development-only.

use std::collections::HashMap;

use serde::Deserialize;

use crate::lang::common::{
    BoundedMap, Declared, Edges, LangError, MAX_EDGES, MAX_ENTRIES, MaybeString, Parsed, clip,
    cut_warning, dev_only, utf8, with_budget, yaml_error, yaml_options,
};
use crate::lang::npm::package_json::Manifest;
use crate::lang::npm::package_lock::{registry_version, split_name_version, valid_name};

/// One resolved entry of a yarn.lock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub version: String,
    /// The `name@range` descriptors of the entry's key.
    pub descriptors: Vec<String>,
    /// `dependencies` and `optionalDependencies`: name and range.
    pub dependencies: Vec<(String, String)>,
    /// Whether the entry is a package (not a workspace, patch or link).
    pub reported: bool,
}

/// The entries of a yarn.lock and what was skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub berry: bool,
    pub entries: Vec<Entry>,
    pub warnings: Vec<String>,
}

/// Reads a yarn.lock of either generation.
pub fn parse(bytes: &[u8]) -> Result<Lock, LangError> {
    let is_berry = bytes
        .split(|&b| b == b'\n')
        .take(64)
        .any(|l| l.starts_with(b"__metadata:"));
    if is_berry {
        parse_berry(bytes)
    } else {
        Ok(parse_v1(&crate::lang::common::text(bytes)))
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// Name and range of a descriptor `name@range` (the name may be scoped).
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    Some((d.get(..at)?, d.get(at + 1..)?))
}

/// Splits `key value` or `"key" "value"` of a Yarn 1 line.
fn key_value(line: &str) -> (&str, &str) {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix('"')
        && let Some(end) = rest.find('"')
    {
        let key = rest.get(..end).unwrap_or_default();
        let value = rest.get(end + 1..).unwrap_or_default();
        return (key, unquote(value));
    }
    match line.split_once(char::is_whitespace) {
        Some((k, v)) => (k, unquote(v)),
        None => (line.trim_end_matches(':'), ""),
    }
}

fn parse_v1(text: &str) -> Lock {
    let mut lock = Lock::default();
    let mut current: Option<Entry> = None;
    let mut in_deps = false;
    let mut edges = 0usize;
    let mut cut = false;
    let finish = |e: Option<Entry>, lock: &mut Lock| {
        if let Some(e) = e {
            lock.entries.push(e);
        }
    };
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with('#') || trimmed.trim().is_empty() {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        if indent == 0 {
            finish(current.take(), &mut lock);
            if lock.entries.len() >= MAX_ENTRIES {
                cut = true;
                break;
            }
            in_deps = false;
            let Some(header) = trimmed.strip_suffix(':') else {
                lock.warnings
                    .push(format!("`{}`: not an entry header", clip(trimmed)));
                continue;
            };
            let descriptors: Vec<String> = header
                .split(',')
                .map(|d| unquote(d).to_owned())
                .filter(|d| !d.is_empty())
                .collect();
            let Some((name, range)) = descriptors.first().and_then(|d| split_descriptor(d)) else {
                lock.warnings
                    .push(format!("`{}`: no name@range descriptor", clip(header)));
                continue;
            };
            let (name, local) = match range.strip_prefix("npm:").and_then(split_name_version) {
                Some((real, _)) => (real.to_owned(), false),
                None => (
                    name.to_owned(),
                    range.starts_with("file:") || range.starts_with("link:"),
                ),
            };
            current = Some(Entry {
                name,
                descriptors,
                reported: !local,
                ..Entry::default()
            });
            continue;
        }
        let Some(e) = current.as_mut() else {
            continue;
        };
        if indent <= 2 {
            in_deps = false;
            let (key, value) = key_value(trimmed);
            match key {
                "version" => e.version = value.to_owned(),
                "dependencies" | "optionalDependencies" if trimmed.ends_with(':') => in_deps = true,
                _ => {}
            }
        } else if in_deps {
            let (name, range) = key_value(trimmed);
            if edges < MAX_EDGES {
                edges += 1;
                e.dependencies.push((name.to_owned(), range.to_owned()));
            }
        }
    }
    finish(current, &mut lock);
    if cut {
        lock.warnings
            .push(format!("stopped after {MAX_ENTRIES} entries (limit)"));
    }
    lock
}

#[derive(Deserialize)]
struct BerryEntry {
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    resolution: MaybeString,
    #[serde(default)]
    dependencies: Edges,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Edges,
}

fn parse_berry(bytes: &[u8]) -> Result<Lock, LangError> {
    let text = utf8(bytes)?;
    let map: BoundedMap<BerryEntry> =
        with_budget(|| serde_saphyr::from_str_with_options(text, yaml_options()))
            .map_err(yaml_error)?;
    let mut lock = Lock {
        berry: true,
        ..Lock::default()
    };
    lock.warnings.extend(cut_warning("entries", map.dropped));
    for (key, e) in map.entries {
        if key == "__metadata" {
            continue;
        }
        let descriptors: Vec<String> = key
            .split(',')
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        let resolution = e.resolution.as_deref().unwrap_or_default();
        let (name, version, reported) = match resolution.split_once("@npm:") {
            Some((name, v)) if !name.is_empty() => (
                name.to_owned(),
                e.version.0.clone().unwrap_or_else(|| v.to_owned()),
                true,
            ),
            _ => (
                descriptors
                    .first()
                    .and_then(|d| split_descriptor(d))
                    .map(|(n, _)| n.to_owned())
                    .unwrap_or_default(),
                e.version.0.clone().unwrap_or_default(),
                false,
            ),
        };
        let mut dependencies = e.dependencies.edges;
        dependencies.extend(e.optional_dependencies.edges);
        lock.entries.push(Entry {
            name,
            version,
            descriptors,
            dependencies,
            reported,
        });
    }
    Ok(lock)
}

/// The packages of a lock, development-only as the manifest's roots say.
pub fn declared(lock: Lock, manifest: Option<&Manifest>) -> Parsed {
    let mut out = Parsed {
        warnings: lock.warnings,
        ..Parsed::default()
    };
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, e) in lock.entries.iter().enumerate() {
        for d in &e.descriptors {
            index.entry(d.as_str()).or_insert(i);
        }
    }
    let lookup = |name: &str, range: &str| -> Option<usize> {
        let plain = format!("{name}@{range}");
        if let Some(i) = index.get(plain.as_str()) {
            return Some(*i);
        }
        if !range.contains(':') {
            return index.get(format!("{name}@npm:{range}").as_str()).copied();
        }
        None
    };
    let dev = match manifest {
        Some(m) => {
            let edges: Vec<Vec<usize>> = lock
                .entries
                .iter()
                .map(|e| {
                    e.dependencies
                        .iter()
                        .filter_map(|(n, r)| lookup(n, r))
                        .collect()
                })
                .collect();
            let roots = |deps: &[(String, String)]| -> Vec<usize> {
                deps.iter().filter_map(|(n, r)| lookup(n, r)).collect()
            };
            dev_only(&edges, &roots(&m.dependencies), &roots(&m.dev_dependencies))
        }
        None => vec![false; lock.entries.len()],
    };
    for (i, e) in lock.entries.into_iter().enumerate() {
        if !e.reported {
            continue;
        }
        if !registry_version(&e.version) || !valid_name(&e.name) {
            out.warnings.push(format!(
                "`{}`: unusable name or version `{}` `{}`",
                clip(
                    e.descriptors
                        .first()
                        .map(String::as_str)
                        .unwrap_or_default()
                ),
                clip(&e.name),
                clip(&e.version)
            ));
            continue;
        }
        let mut d = Declared::new(e.name, e.version);
        d.dev = dev.get(i).copied().unwrap_or(false);
        out.packages.push(d);
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(p: &Parsed) -> Vec<(&str, &str, bool)> {
        p.packages
            .iter()
            .map(|d| (d.name.as_str(), d.version.as_str(), d.dev))
            .collect()
    }

    const V1: &str = r#"# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.8.3":
  version "7.8.3"
  resolved "https://r/x.tgz#abc"
  dependencies:
    "@babel/highlight" "^7.8.3"

"@babel/highlight@^7.8.3":
  version "7.9.0"

alias@npm:real@^1.0.0:
  version "1.2.0"

local@file:../local:
  version "0.0.1"

devonly@^2:
  version "2.0.0"
  dependencies:
    "@babel/highlight" "^7.8.3"
"#;

    #[test]
    fn v1_entries_aliases_and_dev() {
        let lock = parse(V1.as_bytes()).expect("parse");
        assert!(!lock.berry);
        let m = Manifest {
            dependencies: vec![
                ("@babel/code-frame".into(), "^7.8.3".into()),
                ("alias".into(), "npm:real@^1.0.0".into()),
            ],
            dev_dependencies: vec![("devonly".into(), "^2".into())],
            ..Manifest::default()
        };
        let p = declared(lock.clone(), Some(&m));
        assert_eq!(
            list(&p),
            vec![
                ("@babel/code-frame", "7.8.3", false),
                ("@babel/highlight", "7.9.0", false),
                ("real", "1.2.0", false),
                ("devonly", "2.0.0", true),
            ]
        );
        assert!(declared(lock, None).packages.iter().all(|d| !d.dev));
    }

    #[test]
    fn berry_resolutions() {
        let text = r#"
__metadata:
  version: 6
  cacheKey: 8

"a@npm:^1.0.0, a@npm:^1.1.0":
  version: 1.1.0
  resolution: "a@npm:1.1.0"
  dependencies:
    b: ^2.0.0
  languageName: node
  linkType: hard

"b@npm:^2.0.0":
  version: 2.0.1
  resolution: "b@npm:2.0.1"
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b"
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    a: ^1.0.0
  languageName: unknown
  linkType: soft
"#;
        let lock = parse(text.as_bytes()).expect("parse");
        assert!(lock.berry);
        let m = Manifest {
            dev_dependencies: vec![("a".into(), "^1.0.0".into())],
            ..Manifest::default()
        };
        let p = declared(lock, Some(&m));
        assert_eq!(list(&p), vec![("a", "1.1.0", true), ("b", "2.0.1", true)]);
    }

    #[test]
    fn broken_yaml_is_an_error() {
        assert!(parse(b"__metadata:\n  version: [\n").is_err());
    }
}
