use std::sync::Mutex;

use bosun_model::{Distro, Package};
use bosun_tree::{EntrySink, FileMeta, FileTree, Want};
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};

/// Limits for the bytes the catalog keeps.
#[derive(Debug, Clone)]
pub struct CatalogOptions {
    /// Files larger than this are not kept (a warning names them).
    pub max_file_size: u64,
}

impl Default for CatalogOptions {
    fn default() -> Self {
        CatalogOptions {
            max_file_size: 64 * 1024 * 1024,
        }
    }
}

/// A set of analyzers, the file selection they need, and the run over a tree.
pub struct Catalog {
    analyzers: Vec<Box<dyn Analyzer>>,
    globs: GlobSet,
    options: CatalogOptions,
    skipped: Mutex<Vec<String>>,
}

/// The distribution and packages found, with warnings.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CatalogResult {
    pub distro: Option<Distro>,
    pub packages: Vec<Package>,
    pub warnings: Vec<String>,
}

impl Catalog {
    /// A catalog of the given analyzers. Fails only if an analyzer declares
    /// an invalid glob (a programming error, reported with its name).
    pub fn new(
        analyzers: Vec<Box<dyn Analyzer>>,
        options: CatalogOptions,
    ) -> Result<Self, AnalyzeError> {
        let mut b = GlobSetBuilder::new();
        for a in &analyzers {
            for g in a.globs() {
                let glob = Glob::new(g).map_err(|e| AnalyzeError::new(a.name(), *g, e))?;
                b.add(glob);
            }
        }
        let globs = b
            .build()
            .map_err(|e| AnalyzeError::new("catalog", "<globs>", e))?;
        Ok(Catalog {
            analyzers,
            globs,
            options,
            skipped: Mutex::new(Vec::new()),
        })
    }

    /// Every analyzer bosun has, with default options.
    pub fn all() -> Self {
        // The analyzers' globs are constants checked by the tests below.
        match Catalog::new(crate::os::analyzers(), CatalogOptions::default()) {
            Ok(c) => c,
            Err(e) => unreachable!("built-in analyzer globs are valid: {e}"),
        }
    }

    pub fn analyzers(&self) -> impl Iterator<Item = &dyn Analyzer> {
        self.analyzers.iter().map(|a| a.as_ref())
    }

    /// A string that changes whenever any analyzer's version or file
    /// selection changes: part of the layer-cache key.
    pub fn fingerprint(&self) -> String {
        let mut parts: Vec<String> = self
            .analyzers
            .iter()
            .map(|a| format!("{}@{}:{}", a.name(), a.version(), a.globs().join(",")))
            .collect();
        parts.sort();
        format!("max={};{}", self.options.max_file_size, parts.join(";"))
    }

    /// Whether the bytes of this path are needed by some analyzer.
    pub fn selects(&self, path: &str) -> bool {
        self.globs.is_match(path)
    }

    /// Detects the distribution, then runs every analyzer over the tree in
    /// parallel. Packages come out sorted by ecosystem, name, version and
    /// location, so output is deterministic.
    pub fn run(&self, tree: &FileTree) -> Result<CatalogResult, AnalyzeError> {
        let distro = self.analyzers.iter().find_map(|a| a.distro(tree));
        let cx = Context {
            tree,
            distro: distro.as_ref(),
        };
        let outputs: Vec<Result<Output, AnalyzeError>> = self
            .analyzers
            .par_iter()
            .map(|a| {
                let mut out = Output::default();
                a.analyze(&cx, &mut out).map(|()| out)
            })
            .collect();
        let mut result = CatalogResult {
            distro,
            ..CatalogResult::default()
        };
        if let Ok(mut skipped) = self.skipped.lock() {
            result.warnings.append(&mut skipped);
        }
        for out in outputs {
            let mut out = out?;
            result.packages.append(&mut out.packages);
            result.warnings.append(&mut out.warnings);
        }
        result.packages.sort_by(|a, b| {
            (a.ecosystem, &a.name, &a.version, &a.found_in).cmp(&(
                b.ecosystem,
                &b.name,
                &b.version,
                &b.found_in,
            ))
        });
        Ok(result)
    }
}

impl EntrySink for Catalog {
    fn want(&self, path: &str, meta: &FileMeta) -> Want {
        if !self.globs.is_match(path) {
            return Want::SKIP;
        }
        if meta.size > self.options.max_file_size {
            if let Ok(mut s) = self.skipped.lock() {
                s.push(format!(
                    "skipped `{path}`: {} bytes is over the {}-byte limit for analyzed files",
                    meta.size, self.options.max_file_size
                ));
            }
            return Want::SKIP;
        }
        Want::KEEP
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_globs_compile() {
        let c = Catalog::new(crate::os::analyzers(), CatalogOptions::default());
        assert!(c.is_ok(), "{:?}", c.err());
    }
}
