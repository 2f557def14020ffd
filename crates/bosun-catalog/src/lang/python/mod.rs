//! Python packages: installed distributions and application lockfiles.
//!
//! - Installed: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, `*.egg-info`
//!   files and `EGG-INFO/PKG-INFO`, wherever they are (site-packages,
//!   dist-packages, `pip install --target` and `--prefix` directories,
//!   virtual environments). See [`metadata`].
//! - Declared: pinned `requirements*.txt` (and `requirements/*.txt`),
//!   `Pipfile.lock`, `poetry.lock` (with the `pyproject.toml` beside it for
//!   development groups) and `uv.lock`, outside third-party package trees.
//!   See [`requirements`] and [`locks`].
//!
//! Names are PEP 503 normalized (the name as written is the `declared-name`
//! property when it differs), and so is the purl name. A lockfile package
//! with the same name and version as an installed distribution anywhere in
//! the image is folded into it (see [`crate::lang::common::fold`]): one
//! package, found in the installed metadata, with the lockfile recorded in
//! its `lockfile` property.

pub mod locks;
pub mod metadata;
pub mod requirements;

use std::collections::HashMap;

use bosun_model::{Ecosystem, Package};
use bosun_tree::{EntryKind, path as tpath};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};
use crate::lang::common::{
    Declared, LangError, Origin, Parsed, fold, inside_package_tree, to_package,
};

const NAME: &str = "python";

const GLOBS: &[&str] = &[
    "**/*.dist-info/METADATA",
    "**/*.egg-info/PKG-INFO",
    "**/*.egg-info",
    "**/EGG-INFO/PKG-INFO",
    "**/*requirements*.txt",
    "**/Pipfile.lock",
    "**/poetry.lock",
    "**/uv.lock",
    "**/pyproject.toml",
];

/// The Python analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct PythonAnalyzer;

/// The Python analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(PythonAnalyzer)]
}

/// What kind of Python evidence a path is, from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Core metadata of an installed distribution.
    Installed,
    Requirements,
    PipfileLock,
    PoetryLock,
    UvLock,
}

/// Classifies a path; `None` for paths that are not Python evidence (or are
/// lockfiles inside a third-party package tree).
pub fn classify(path: &str) -> Option<Evidence> {
    let name = tpath::file_name(path);
    let parent = tpath::file_name(tpath::parent(path));
    if (name == "METADATA" && parent.ends_with(".dist-info"))
        || (name == "PKG-INFO" && (parent.ends_with(".egg-info") || parent == "EGG-INFO"))
        || (name.ends_with(".egg-info") && name.len() > ".egg-info".len())
    {
        return Some(Evidence::Installed);
    }
    let lock = match name {
        "Pipfile.lock" => Evidence::PipfileLock,
        "poetry.lock" => Evidence::PoetryLock,
        "uv.lock" => Evidence::UvLock,
        _ if name.ends_with(".txt")
            && (name.contains("requirements") || parent == "requirements") =>
        {
            Evidence::Requirements
        }
        _ => return None,
    };
    (!inside_package_tree(path)).then_some(lock)
}

fn purl(d: &Declared) -> Option<String> {
    crate::purl::build("pypi", None, &d.name, Some(&d.version), &[])
}

impl Analyzer for PythonAnalyzer {
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
        let mut pyprojects: HashMap<&str, &[u8]> = HashMap::new();
        let mut files = Vec::new();
        for (path, node) in cx.tree.iter() {
            let Some(content) = node.content.as_deref() else {
                continue;
            };
            if node.meta.kind != EntryKind::File {
                continue;
            }
            if tpath::file_name(path) == "pyproject.toml" {
                pyprojects.insert(tpath::parent(path), content);
            } else if let Some(kind) = classify(path) {
                files.push((path, node.layer, content, kind));
            }
        }
        let mut installed: Vec<Package> = Vec::new();
        let mut locked: Vec<Package> = Vec::new();
        for (path, layer, bytes, kind) in files {
            let at = Origin { path, layer };
            let parsed: Result<Parsed, LangError> = match kind {
                Evidence::Installed => metadata::parse(bytes).map(|md| Parsed {
                    packages: vec![metadata::declared(md)],
                    warnings: Vec::new(),
                }),
                Evidence::Requirements => Ok(requirements::parse(bytes)),
                Evidence::PipfileLock => locks::parse_pipfile_lock(bytes),
                Evidence::PoetryLock => {
                    locks::parse_poetry_lock(bytes, pyprojects.get(tpath::parent(path)).copied())
                }
                Evidence::UvLock => locks::parse_uv_lock(bytes),
            };
            let parsed = match parsed {
                Ok(p) => p,
                Err(e) => {
                    out.warnings.push(format!("{NAME}: skipped `{path}`: {e}"));
                    continue;
                }
            };
            for w in parsed.warnings {
                out.warnings.push(format!("{NAME}: `{path}`: {w}"));
            }
            let into = if kind == Evidence::Installed {
                &mut installed
            } else {
                &mut locked
            };
            for d in parsed.packages {
                let label = format!("{} {}", d.name, d.version);
                let purl = purl(&d);
                match to_package(Ecosystem::Pypi, d, purl, at) {
                    Some(p) => into.push(p),
                    None => out
                        .warnings
                        .push(format!("{NAME}: `{path}`: no purl for `{label}`")),
                }
            }
        }
        // Installed anywhere in the image: Python installs into a shared
        // site-packages, not beside the requirement file.
        let rest = fold(&mut installed, locked, |_, _| true);
        out.packages.append(&mut installed);
        out.packages.extend(rest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_path() {
        use Evidence::*;
        for (path, want) in [
            (
                "/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
                Some(Installed),
            ),
            ("/opt/v/requests-2.19.1.dist-info/METADATA", Some(Installed)),
            (
                "/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info",
                Some(Installed),
            ),
            ("/x/foo.egg-info/PKG-INFO", Some(Installed)),
            ("/x/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO", Some(Installed)),
            ("/x/foo.dist-info/RECORD", None),
            ("/x/.egg-info", None),
            ("/app/requirements.txt", Some(Requirements)),
            ("/app/dev-requirements.txt", Some(Requirements)),
            ("/app/requirements/base.txt", Some(Requirements)),
            ("/app/requirements-notes/readme.txt", None),
            ("/usr/lib/python3/dist-packages/x/requirements.txt", None),
            ("/app/node_modules/x/poetry.lock", None),
            ("/app/poetry.lock", Some(PoetryLock)),
            ("/app/Pipfile.lock", Some(PipfileLock)),
            ("/app/uv.lock", Some(UvLock)),
        ] {
            assert_eq!(classify(path), want, "{path}");
        }
    }

    #[test]
    fn globs_select_what_classify_accepts() {
        let c =
            crate::Catalog::new(analyzers(), crate::CatalogOptions::default()).expect("catalog");
        for p in [
            "/opt/v/requests-2.19.1.dist-info/METADATA",
            "/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info",
            "/x/foo.egg-info/PKG-INFO",
            "/x/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO",
            "/app/requirements/base.txt",
            "/app/requirements-dev.txt",
            "/app/poetry.lock",
            "/app/pyproject.toml",
        ] {
            assert!(c.selects(p), "{p}");
        }
        assert!(!c.selects("/x/foo.dist-info/RECORD"));
    }
}
