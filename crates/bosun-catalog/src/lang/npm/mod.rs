//! npm packages: installed `node_modules` trees, projects' own manifests
//! and lockfiles.
//!
//! - Installed: `node_modules/NAME/package.json` and
//!   `node_modules/@SCOPE/NAME/package.json`, at any depth (nested
//!   `node_modules`, pnpm's `node_modules/.pnpm/...`, global
//!   `/usr/lib/node_modules`). Other `package.json` files inside an installed
//!   package (`dist/esm/package.json`, test fixtures) are not packages.
//! - Projects: a `package.json` outside any `node_modules` that has both a
//!   name and a version is reported too, with the `project` property (Syft
//!   and Trivy report these; a project's name can be an npm package name).
//! - Lockfiles: `package-lock.json` and `npm-shrinkwrap.json` (v1 to v3),
//!   `yarn.lock` (Yarn 1 and berry), `pnpm-lock.yaml` (v5, v6, v9), outside
//!   third-party package trees; see [`package_lock`], [`yarn`], [`pnpm`].
//!
//! A lockfile package with the same name and version as a package installed
//! under the lockfile's own `node_modules` is folded into the installed one
//! ([`crate::lang::common::fold`]): one package per installed copy, found in
//! its `package.json`, with `dev` from the lockfile and the `lockfile`
//! property. Lockfile packages with no installed copy are reported from the
//! lockfile.

pub mod package_json;
pub mod package_lock;
pub mod pnpm;
pub mod yarn;

use std::collections::HashMap;

use bosun_model::{Ecosystem, Package};
use bosun_tree::{EntryKind, path as tpath};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};
use crate::lang::common::{
    Declared, LangError, Origin, Parsed, fold, inside_package_tree, plausible, to_package,
};
use package_json::Manifest;

const NAME: &str = "npm";

const GLOBS: &[&str] = &[
    "**/package.json",
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/yarn.lock",
    "**/pnpm-lock.yaml",
];

/// The npm analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct NpmAnalyzer;

/// The npm analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(NpmAnalyzer)]
}

/// What kind of npm evidence a path is, from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// The manifest of a package installed in a `node_modules` directory.
    Installed,
    /// A `package.json` outside every `node_modules`.
    Project,
    PackageLock,
    YarnLock,
    PnpmLock,
}

/// Classifies a path; `None` for paths that are not npm evidence (among
/// them `package.json` files nested inside an installed package, and
/// lockfiles inside third-party package trees).
pub fn classify(path: &str) -> Option<Evidence> {
    let comps: Vec<&str> = path.split('/').collect();
    let n = comps.len();
    let at = |back: usize| n.checked_sub(back).and_then(|i| comps.get(i)).copied();
    let name = at(1)?;
    if name == "package.json" {
        let (parent, grand) = (at(2).unwrap_or_default(), at(3).unwrap_or_default());
        let dir_ok = |d: &str| !d.is_empty() && !d.starts_with('.') && !d.starts_with('@');
        if grand == "node_modules" && dir_ok(parent) {
            return Some(Evidence::Installed);
        }
        if at(4) == Some("node_modules")
            && grand.len() > 1
            && grand.starts_with('@')
            && dir_ok(parent)
        {
            return Some(Evidence::Installed);
        }
        if !comps.contains(&"node_modules") {
            return Some(Evidence::Project);
        }
        return None;
    }
    let lock = match name {
        "package-lock.json" | "npm-shrinkwrap.json" => Evidence::PackageLock,
        "yarn.lock" => Evidence::YarnLock,
        "pnpm-lock.yaml" => Evidence::PnpmLock,
        _ => return None,
    };
    (!inside_package_tree(path)).then_some(lock)
}

/// The purl of an npm package (`@scope/name` puts the scope in the namespace).
pub fn purl(name: &str, version: &str) -> Option<String> {
    match name.strip_prefix('@').and_then(|r| r.split_once('/')) {
        Some((scope, n)) => {
            crate::purl::build("npm", Some(&format!("@{scope}")), n, Some(version), &[])
        }
        None => crate::purl::build("npm", None, name, Some(version), &[]),
    }
}

/// The package a manifest declares, if it names one.
fn from_manifest(m: &Manifest, kind: Evidence) -> Result<Option<Declared>, LangError> {
    let (name, version) = match (&m.name, &m.version) {
        (Some(n), Some(v)) => (n, v),
        // A project without a version (an application) is no package; an
        // installed package without one cannot be identified.
        _ if kind == Evidence::Project => return Ok(None),
        (None, _) => return Err(LangError::Missing("name")),
        (_, None) => return Err(LangError::Missing("version")),
    };
    if !package_lock::valid_name(name) || !plausible(version) {
        return Err(LangError::BadField {
            field: "name",
            why: "not a package name and version".into(),
        });
    }
    let mut d = Declared::new(name.clone(), version.clone());
    d.licenses = m.licenses.clone();
    if m.private {
        d.properties.insert("private".into(), "true".into());
    }
    if kind == Evidence::Project {
        d.properties.insert("project".into(), "true".into());
    }
    Ok(Some(d))
}

impl Analyzer for NpmAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        GLOBS
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError> {
        let mut manifests: Vec<(&str, usize, Evidence, Manifest)> = Vec::new();
        let mut locks = Vec::new();
        for (path, node) in cx.tree.iter() {
            let Some(content) = node.content.as_deref() else {
                continue;
            };
            if node.meta.kind != EntryKind::File {
                continue;
            }
            match classify(path) {
                Some(kind @ (Evidence::Installed | Evidence::Project)) => {
                    match package_json::parse(content) {
                        Ok(m) => manifests.push((path, node.layer, kind, m)),
                        // A project's broken package.json is not a package
                        // bosun could have missed; an installed one is.
                        Err(e) if kind == Evidence::Installed => {
                            out.warnings.push(format!("{NAME}: skipped `{path}`: {e}"))
                        }
                        Err(_) => {}
                    }
                }
                Some(kind) => locks.push((path, node.layer, kind, content)),
                None => {}
            }
        }
        let mut installed: Vec<Package> = Vec::new();
        let mut project_manifests: HashMap<&str, &Manifest> = HashMap::new();
        for (path, layer, kind, m) in &manifests {
            if *kind == Evidence::Project {
                project_manifests.insert(tpath::parent(path), m);
            }
            match from_manifest(m, *kind) {
                Ok(Some(d)) => push(
                    &mut installed,
                    d,
                    Origin {
                        path,
                        layer: *layer,
                    },
                    out,
                ),
                Ok(None) => {}
                Err(e) => out.warnings.push(format!("{NAME}: skipped `{path}`: {e}")),
            }
        }
        let mut locked: Vec<Package> = Vec::new();
        for (path, layer, kind, bytes) in locks {
            let manifest = project_manifests.get(tpath::parent(path)).copied();
            let parsed: Result<Parsed, LangError> = match kind {
                Evidence::PackageLock => package_lock::parse(bytes),
                Evidence::YarnLock => yarn::parse(bytes).map(|l| yarn::declared(l, manifest)),
                Evidence::PnpmLock => pnpm::parse(bytes),
                Evidence::Installed | Evidence::Project => continue,
            };
            match parsed {
                Ok(p) => {
                    for w in p.warnings {
                        out.warnings.push(format!("{NAME}: `{path}`: {w}"));
                    }
                    for d in p.packages {
                        push(&mut locked, d, Origin { path, layer }, out);
                    }
                }
                Err(e) => out.warnings.push(format!("{NAME}: skipped `{path}`: {e}")),
            }
        }
        let rest = fold(&mut installed, locked, |lock, inst| {
            let dir = tpath::parent(lock);
            let prefix = if dir == "/" {
                "/node_modules/".to_owned()
            } else {
                format!("{dir}/node_modules/")
            };
            inst.starts_with(&prefix)
        });
        out.packages.append(&mut installed);
        out.packages.extend(rest);
        Ok(())
    }
}

fn push(into: &mut Vec<Package>, d: Declared, at: Origin<'_>, out: &mut Output) {
    let label = format!("{}@{}", d.name, d.version);
    let purl = purl(&d.name, &d.version);
    match to_package(Ecosystem::Npm, d, purl, at) {
        Some(p) => into.push(p),
        None => out
            .warnings
            .push(format!("{NAME}: `{}`: no purl for `{label}`", at.path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_path() {
        use Evidence::*;
        for (path, want) in [
            ("/app/node_modules/lodash/package.json", Some(Installed)),
            ("/app/node_modules/@hapi/hoek/package.json", Some(Installed)),
            (
                "/app/node_modules/a/node_modules/b/package.json",
                Some(Installed),
            ),
            (
                "/app/node_modules/.pnpm/x@1.0.0/node_modules/x/package.json",
                Some(Installed),
            ),
            ("/app/node_modules/lodash/fp/package.json", None),
            ("/app/node_modules/@hapi/package.json", None),
            ("/app/node_modules/.bin/package.json", None),
            ("/app/node_modules/package.json", None),
            ("/app/package.json", Some(Project)),
            ("/package.json", Some(Project)),
            ("/app/package-lock.json", Some(PackageLock)),
            ("/app/node_modules/x/package-lock.json", None),
            ("/app/npm-shrinkwrap.json", Some(PackageLock)),
            ("/app/yarn.lock", Some(YarnLock)),
            ("/app/pnpm-lock.yaml", Some(PnpmLock)),
            ("/app/node_modules/.package-lock.json", None),
        ] {
            assert_eq!(classify(path), want, "{path}");
        }
    }

    #[test]
    fn scoped_purls() {
        assert_eq!(
            purl("@hapi/hoek", "8.2.0").as_deref(),
            Some("pkg:npm/%40hapi/hoek@8.2.0")
        );
        assert_eq!(
            purl("lodash", "4.17.11").as_deref(),
            Some("pkg:npm/lodash@4.17.11")
        );
    }
}
