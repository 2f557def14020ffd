//! `pnpm-lock.yaml`, lockfile versions 5 (`/name/1.0.0_peer`), 6
//! (`/name@1.0.0(peer)`) and 9 (`name@1.0.0`, with `snapshots`).
//!
//! Every entry of `packages` is a package (its `name` and `version` fields
//! win over the key, for tarball and git dependencies); versions that are
//! links or paths are skipped. Versions 5 and 6 mark development-only
//! packages with `dev: true`; version 9 does not, so the importers'
//! `devDependencies` and other maps are the roots of the `snapshots` graph
//! and a package reachable only from `devDependencies` is development-only.
//! pnpm 10 can put the package manager's own lock (an importer with only
//! `packageManagerDependencies`/`configDependencies`) in a first YAML
//! document: that document is the tool, not the project, and is skipped.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::lang::common::{
    BoundedMap, Declared, Edges, LangError, MAX_ENTRIES, MaybeString, Parsed, clip, cut_warning,
    dev_only, utf8, with_budget, yaml_error, yaml_options,
};
use crate::lang::npm::package_lock::{registry_version, valid_name};

#[derive(Deserialize)]
struct Doc {
    #[serde(default, rename = "lockfileVersion")]
    lockfile_version: MaybeString,
    #[serde(default)]
    importers: BoundedMap<Importer>,
    /// Versions 5 and 6 of a single project: the importer's maps at the top.
    #[serde(default)]
    dependencies: Edges,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Edges,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Edges,
    #[serde(default)]
    packages: BoundedMap<Package>,
    #[serde(default)]
    snapshots: BoundedMap<Snapshot>,
}

#[derive(Deserialize, Default)]
struct Importer {
    #[serde(default)]
    dependencies: Edges,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Edges,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Edges,
    #[serde(default, rename = "packageManagerDependencies")]
    package_manager_dependencies: Option<IgnoredAny>,
    #[serde(default, rename = "configDependencies")]
    config_dependencies: Option<IgnoredAny>,
}

impl Importer {
    fn declares_dependencies(&self) -> bool {
        !(self.dependencies.edges.is_empty()
            && self.dev_dependencies.edges.is_empty()
            && self.optional_dependencies.edges.is_empty())
    }
}

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    name: MaybeString,
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    dev: MaybeString,
    #[serde(default)]
    dependencies: Edges,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Edges,
}

#[derive(Deserialize)]
struct Snapshot {
    #[serde(default)]
    dependencies: Edges,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Edges,
}

/// A node of the dependency graph: name, full version (with peers) and
/// dependencies (name and version).
type Node = (String, String, Vec<(String, String)>);

/// Key syntax: `/name/version` (lockfile 5) or `name@version` (6 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Slash,
    At,
}

/// Name and full version (with the peer suffix) of a package key.
fn parse_key(key: &str, syntax: Syntax) -> Option<(String, String)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    match syntax {
        Syntax::Slash => {
            let parts: Vec<&str> = key.split('/').collect();
            let n = parts.len();
            let version = parts.last()?;
            let name = match (
                n.checked_sub(3).and_then(|i| parts.get(i)),
                parts.get(n.checked_sub(2)?),
            ) {
                (Some(scope), Some(name)) if scope.starts_with('@') => format!("{scope}/{name}"),
                (_, Some(name)) => (*name).to_owned(),
                _ => return None,
            };
            Some((name, (*version).to_owned()))
        }
        Syntax::At => {
            let pre = key.split('(').next()?;
            let at = pre.get(1..)?.rfind('@')? + 1;
            Some((key.get(..at)?.to_owned(), key.get(at + 1..)?.to_owned()))
        }
    }
}

/// The version without its peer-dependency suffix.
fn base_version(v: &str, syntax: Syntax) -> &str {
    let cut = match syntax {
        Syntax::Slash => v.find('_'),
        Syntax::At => v.find('('),
    };
    cut.and_then(|i| v.get(..i)).unwrap_or(v)
}

/// The package a dependency edge points at: its name and full version.
/// `name` is the key in the dependency map, which for an npm alias
/// (`"my-strip": "npm:strip-ansi@6.0.1"`) is the alias; the value then names
/// the real package: `/strip-ansi/6.0.1` (lockfile 5), `/strip-ansi@6.0.1`
/// (6) or `strip-ansi@6.0.1` (9). A plain version (`6.0.1`,
/// `18.2.0(react@18.2.0)`, `18.2.0_react@18.2.0`) belongs to `name`.
fn target(name: &str, version: &str, syntax: Syntax) -> Option<(String, String)> {
    if version.starts_with('/') {
        return parse_key(version, syntax);
    }
    // `name@version` (lockfile 9 aliases): an `@` before any peer suffix,
    // other than a scope's leading one.
    let pre = version.split('(').next().unwrap_or(version);
    if syntax == Syntax::At && pre.get(1..).is_some_and(|r| r.contains('@')) {
        return parse_key(version, syntax);
    }
    Some((name.to_owned(), version.to_owned()))
}

/// Reads a pnpm-lock.yaml (every YAML document in it).
pub fn parse(bytes: &[u8]) -> Result<Parsed, LangError> {
    let text = utf8(bytes)?;
    let docs: Vec<Doc> =
        with_budget(|| serde_saphyr::from_multiple_with_options(text, yaml_options()))
            .map_err(yaml_error)?;
    let mut out = Parsed::default();
    for doc in docs {
        read_doc(doc, &mut out);
    }
    out.dedup();
    Ok(out)
}

fn read_doc(mut doc: Doc, out: &mut Parsed) {
    let root = Importer {
        dependencies: std::mem::take(&mut doc.dependencies),
        dev_dependencies: std::mem::take(&mut doc.dev_dependencies),
        optional_dependencies: std::mem::take(&mut doc.optional_dependencies),
        ..Importer::default()
    };
    let tool_only = !doc.importers.entries.is_empty()
        && doc
            .importers
            .entries
            .iter()
            .all(|(_, i)| !i.declares_dependencies())
        && doc.importers.entries.iter().any(|(_, i)| {
            i.package_manager_dependencies.is_some() || i.config_dependencies.is_some()
        });
    if tool_only {
        return;
    }
    let major: u32 = doc
        .lockfile_version
        .as_deref()
        .unwrap_or("9")
        .trim_matches(|c: char| c == '\'' || c == '"')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(9);
    let syntax = if major <= 5 {
        Syntax::Slash
    } else {
        Syntax::At
    };
    out.warnings
        .extend(cut_warning("packages", doc.packages.dropped));
    out.warnings
        .extend(cut_warning("snapshots", doc.snapshots.dropped));

    // The dependency graph: snapshots (v9) or packages (v5, v6), keyed
    // `name@full-version`.
    let graph: Vec<Node> = if doc.snapshots.entries.is_empty() {
        doc.packages
            .entries
            .iter()
            .filter_map(|(k, p)| {
                let (n, v) = parse_key(k, syntax)?;
                let deps = p
                    .dependencies
                    .edges
                    .iter()
                    .chain(&p.optional_dependencies.edges)
                    .cloned()
                    .collect();
                Some((n, v, deps))
            })
            .collect()
    } else {
        doc.snapshots
            .entries
            .into_iter()
            .filter_map(|(k, s)| {
                let (n, v) = parse_key(&k, syntax)?;
                let mut deps = s.dependencies.edges;
                deps.extend(s.optional_dependencies.edges);
                Some((n, v, deps))
            })
            .collect()
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, (n, v, _)) in graph.iter().enumerate() {
        index.entry(format!("{n}@{v}")).or_insert(i);
    }
    let lookup = |name: &str, version: &str| -> Option<usize> {
        let (n, v) = target(name, version, syntax)?;
        index.get(&format!("{n}@{v}")).copied()
    };
    let importers: Vec<&Importer> = if doc.importers.entries.is_empty() {
        vec![&root]
    } else {
        doc.importers.entries.iter().map(|(_, i)| i).collect()
    };
    let has_dev_flags = doc.packages.entries.iter().any(|(_, p)| p.dev.0.is_some());
    let mut dev_by_base: HashMap<(String, String), bool> = HashMap::new();
    if !has_dev_flags {
        let edges: Vec<Vec<usize>> = graph
            .iter()
            .map(|(_, _, deps)| deps.iter().filter_map(|(n, v)| lookup(n, v)).collect())
            .collect();
        let mut main = Vec::new();
        let mut dev = Vec::new();
        for imp in &importers {
            for (n, v) in imp
                .dependencies
                .edges
                .iter()
                .chain(&imp.optional_dependencies.edges)
            {
                main.extend(lookup(n, v));
            }
            for (n, v) in &imp.dev_dependencies.edges {
                dev.extend(lookup(n, v));
            }
        }
        let flags = dev_only(&edges, &main, &dev);
        for ((n, v, _), d) in graph.iter().zip(flags) {
            let key = (n.clone(), base_version(v, syntax).to_owned());
            let e = dev_by_base.entry(key).or_insert(true);
            *e &= d;
        }
    }
    // Every package the `packages` map names, by its key and by its fields.
    let mut listed: HashSet<(String, String)> = HashSet::new();
    for (key, p) in &doc.packages.entries {
        let from_key = parse_key(key, syntax);
        if let Some((n, v)) = &from_key {
            listed.insert((n.clone(), base_version(v, syntax).to_owned()));
        }
        if let (Some(n), Some(v)) = (&p.name.0, &p.version.0) {
            listed.insert((n.clone(), v.clone()));
        }
    }
    let unlisted = unlisted_importer_dependencies(&importers, syntax, &listed);
    for (key, p) in doc.packages.entries {
        let from_key = parse_key(&key, syntax);
        let name = p
            .name
            .0
            .clone()
            .or_else(|| from_key.as_ref().map(|(n, _)| n.clone()));
        let version = p.version.0.clone().or_else(|| {
            from_key
                .as_ref()
                .map(|(_, v)| base_version(v, syntax).to_owned())
        });
        let (Some(name), Some(version)) = (name, version) else {
            out.warnings
                .push(format!("packages: `{}`: no name or version", clip(&key)));
            continue;
        };
        if !registry_version(&version) {
            // link:, file: and tarball keys without a version field.
            continue;
        }
        if !valid_name(&name) {
            out.warnings
                .push(format!("packages: `{}`: not a package name", clip(&name)));
            continue;
        }
        let dev = if has_dev_flags {
            p.dev.as_deref() == Some("true")
        } else {
            dev_by_base
                .get(&(name.clone(), version.clone()))
                .copied()
                .unwrap_or(false)
        };
        let mut d = Declared::new(name, version);
        d.dev = dev;
        out.packages.push(d);
    }
    if !unlisted.is_empty() {
        let room = MAX_ENTRIES.saturating_sub(out.packages.len());
        let n = unlisted.len();
        out.warnings.push(format!(
            "{n} dependencies of the importers have no `packages` entry (a cut or \
             hand-edited lockfile); reported from the importers"
        ));
        out.warnings
            .extend(cut_warning("importers", n.saturating_sub(room)));
        out.packages.extend(unlisted.into_iter().take(room));
    }
}

/// Registry dependencies the importers (projects) declare that the
/// `packages` map does not list. pnpm writes every resolved dependency into
/// `packages`, so these come only from cut or hand-edited lockfiles; Syft
/// reports them, and so does bosun (development-only when only
/// `devDependencies` name them), with a warning.
fn unlisted_importer_dependencies(
    importers: &[&Importer],
    syntax: Syntax,
    listed: &HashSet<(String, String)>,
) -> Vec<Declared> {
    let mut found: Vec<Declared> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    for imp in importers {
        let main = imp
            .dependencies
            .edges
            .iter()
            .chain(&imp.optional_dependencies.edges)
            .map(|e| (e, false));
        let dev = imp.dev_dependencies.edges.iter().map(|e| (e, true));
        for ((alias, value), is_dev) in main.chain(dev) {
            let Some((name, full)) = target(alias, value, syntax) else {
                continue;
            };
            let version = base_version(&full, syntax).to_owned();
            if !registry_version(&version) || !valid_name(&name) {
                continue;
            }
            let key = (name, version);
            if listed.contains(&key) {
                continue;
            }
            match at.get(&key) {
                Some(&i) => {
                    if let Some(d) = found.get_mut(i) {
                        d.dev &= is_dev;
                    }
                }
                None => {
                    at.insert(key.clone(), found.len());
                    let mut d = Declared::new(key.0, key.1);
                    d.dev = is_dev;
                    found.push(d);
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_syntaxes() {
        assert_eq!(
            parse_key("/@babel/core/7.21.4_abc", Syntax::Slash),
            Some(("@babel/core".into(), "7.21.4_abc".into()))
        );
        assert_eq!(
            parse_key("registry.example/acorn/8.8.0", Syntax::Slash),
            Some(("acorn".into(), "8.8.0".into()))
        );
        assert_eq!(
            parse_key("/@b/h@7.24.7(@b/core@7.24.7)", Syntax::At),
            Some(("@b/h".into(), "7.24.7(@b/core@7.24.7)".into()))
        );
        assert_eq!(base_version("7.24.7(@b/core@7.24.7)", Syntax::At), "7.24.7");
        assert_eq!(base_version("5.3.2_acorn@8.8.0", Syntax::Slash), "5.3.2");
        assert_eq!(parse_key("x", Syntax::At), None);
    }

    #[test]
    fn alias_targets() {
        let t = |n: &str, v: &str, s| target(n, v, s);
        assert_eq!(
            t("my-strip", "strip-ansi@6.0.1", Syntax::At),
            Some(("strip-ansi".into(), "6.0.1".into()))
        );
        assert_eq!(
            t("x", "@b/h@7.24.7(@b/core@7.24.7)", Syntax::At),
            Some(("@b/h".into(), "7.24.7(@b/core@7.24.7)".into()))
        );
        assert_eq!(
            t("old-ms", "/ms@2.0.0", Syntax::At),
            Some(("ms".into(), "2.0.0".into()))
        );
        assert_eq!(
            t("old-ms", "/ms/2.0.0", Syntax::Slash),
            Some(("ms".into(), "2.0.0".into()))
        );
        assert_eq!(
            t("react-dom", "18.2.0(react@18.2.0)", Syntax::At),
            Some(("react-dom".into(), "18.2.0(react@18.2.0)".into()))
        );
        assert_eq!(
            t("react-dom", "18.2.0_react@18.2.0", Syntax::Slash),
            Some(("react-dom".into(), "18.2.0_react@18.2.0".into()))
        );
        assert_eq!(
            t("lib", "link:packages/lib", Syntax::At),
            Some(("lib".into(), "link:packages/lib".into()))
        );
    }

    #[test]
    fn v9_dev_from_importers() {
        let p = parse(
            br#"lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1
        version: 1.0.0
    devDependencies:
      t:
        specifier: ^2
        version: 2.0.0(a@1.0.0)
packages:
  a@1.0.0:
    resolution: {integrity: x}
  t@2.0.0:
    resolution: {integrity: y}
  u@3.0.0:
    resolution: {integrity: z}
  local@link:../local:
    resolution: {directory: ../local}
snapshots:
  a@1.0.0: {}
  t@2.0.0(a@1.0.0):
    dependencies:
      a: 1.0.0
      u: 3.0.0
  u@3.0.0: {}
"#,
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
                ("t", "2.0.0", true),
                ("u", "3.0.0", true)
            ]
        );
    }

    #[test]
    fn not_yaml_is_an_error() {
        assert!(parse(b"packages: [\n").is_err());
        assert!(parse(b"\xff\xfe").is_err());
    }
}
