use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;

use bosun_model::{Distro, Package};
use bosun_tree::{EntrySink, FileMeta, FileTree, Want};
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyzer::{AnalyzeError, Analyzer, Context, InspectedFile, Output};

/// Limits for the bytes the catalog keeps or inspects.
#[derive(Debug, Clone)]
pub struct CatalogOptions {
    /// Files larger than this are not kept (a warning names them).
    pub max_file_size: u64,
    /// Files larger than this are not inspected (a warning names them).
    pub max_inspect_size: u64,
}

impl Default for CatalogOptions {
    fn default() -> Self {
        CatalogOptions {
            max_file_size: 64 * 1024 * 1024,
            max_inspect_size: 1024 * 1024 * 1024,
        }
    }
}

/// What inspecting one layer's files found: packages (with `found_in`
/// naming the file and the layer) and warnings. This is the per-layer
/// analysis the layer cache stores.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerFindings {
    pub packages: Vec<Package>,
    pub warnings: Vec<String>,
}

impl LayerFindings {
    /// Rewrites the layer index every package refers to, for findings
    /// cached from an image where the same layer sat at another position.
    pub fn at_layer(mut self, layer: usize) -> Self {
        for p in &mut self.packages {
            p.found_in.layer = Some(layer);
            p.introduced_in = p.introduced_in.map(|_| layer);
            p.changed_in = p.changed_in.map(|_| layer);
        }
        self
    }
}

/// A set of analyzers, the file selection they need, and the run over a
/// tree. One catalog serves one scan: it collects what inspection finds
/// while the layers are read.
pub struct Catalog {
    analyzers: Vec<Box<dyn Analyzer>>,
    keep: GlobSet,
    inspect: GlobSet,
    /// For each glob of `inspect`, the analyzer that declared it.
    inspect_owner: Vec<usize>,
    options: CatalogOptions,
    skipped: Mutex<Vec<String>>,
    found: Mutex<BTreeMap<usize, LayerFindings>>,
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
        let mut keep = GlobSetBuilder::new();
        let mut inspect = GlobSetBuilder::new();
        let mut inspect_owner = Vec::new();
        for (i, a) in analyzers.iter().enumerate() {
            for g in a.globs() {
                keep.add(Glob::new(g).map_err(|e| AnalyzeError::new(a.name(), *g, e))?);
            }
            for g in a.inspect_globs() {
                inspect.add(Glob::new(g).map_err(|e| AnalyzeError::new(a.name(), *g, e))?);
                inspect_owner.push(i);
            }
        }
        let build = |b: GlobSetBuilder| {
            b.build()
                .map_err(|e| AnalyzeError::new("catalog", "<globs>", e))
        };
        Ok(Catalog {
            analyzers,
            keep: build(keep)?,
            inspect: build(inspect)?,
            inspect_owner,
            options,
            skipped: Mutex::new(Vec::new()),
            found: Mutex::new(BTreeMap::new()),
        })
    }

    /// Every analyzer bosun has, with default options.
    pub fn all() -> Self {
        // The analyzers' globs are constants checked by the tests below.
        match Catalog::new(crate::analyzers(), CatalogOptions::default()) {
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
            .map(|a| {
                format!(
                    "{}@{}:{}|{}",
                    a.name(),
                    a.version(),
                    a.globs().join(","),
                    a.inspect_globs().join(",")
                )
            })
            .collect();
        parts.sort();
        format!(
            "max={},{};{}",
            self.options.max_file_size,
            self.options.max_inspect_size,
            parts.join(";")
        )
    }

    /// Whether the bytes of this path are kept for some analyzer.
    pub fn selects(&self, path: &str) -> bool {
        self.keep.is_match(path)
    }

    /// What inspecting a layer found so far (for the layer cache).
    pub fn layer_findings(&self, layer: usize) -> LayerFindings {
        self.found
            .lock()
            .ok()
            .and_then(|f| f.get(&layer).cloned())
            .unwrap_or_default()
    }

    /// Puts back findings of a layer that was not read (a layer-cache hit).
    pub fn restore_layer_findings(&self, layer: usize, findings: LayerFindings) {
        if let Ok(mut f) = self.found.lock() {
            f.insert(layer, findings.at_layer(layer));
        }
    }

    fn inspectors(&self, path: &str, meta: &FileMeta) -> Vec<usize> {
        let mut owners: Vec<usize> = self
            .inspect
            .matches(path)
            .into_iter()
            .filter_map(|g| self.inspect_owner.get(g).copied())
            .collect();
        for (i, a) in self.analyzers.iter().enumerate() {
            if !owners.contains(&i) && a.inspects(path, meta) {
                owners.push(i);
            }
        }
        owners.sort_unstable();
        owners.dedup();
        owners
    }

    fn skip(&self, message: String) {
        if let Ok(mut s) = self.skipped.lock() {
            s.push(message);
        }
    }

    /// Detects the distribution, then runs every analyzer over the tree in
    /// parallel, and adds what inspection found in files that are still in
    /// the squashed tree. Packages come out sorted by ecosystem, name,
    /// version and location, so output is deterministic.
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
        if let Ok(found) = self.found.lock() {
            for (layer, f) in found.iter() {
                result.warnings.extend(f.warnings.iter().cloned());
                // A file a later layer deleted or replaced no longer ships.
                result.packages.extend(
                    f.packages
                        .iter()
                        .filter(|p| tree.get(&p.found_in.path).map(|n| n.layer) == Some(*layer))
                        .cloned()
                        .map(|mut p| {
                            p.introduced_in.get_or_insert(*layer);
                            p.changed_in.get_or_insert(*layer);
                            p
                        }),
                );
            }
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
        let mut want = Want::SKIP;
        if self.keep.is_match(path) {
            if meta.size > self.options.max_file_size {
                self.skip(format!(
                    "skipped `{path}`: {} bytes is over the {}-byte limit for analyzed files",
                    meta.size, self.options.max_file_size
                ));
            } else {
                want.keep = true;
            }
        }
        if !self.inspectors(path, meta).is_empty() {
            if meta.size > self.options.max_inspect_size {
                self.skip(format!(
                    "skipped `{path}`: {} bytes is over the {}-byte limit for inspected files",
                    meta.size, self.options.max_inspect_size
                ));
            } else {
                want.inspect = true;
            }
        }
        want
    }

    fn inspect(&self, layer: usize, path: &str, meta: &FileMeta, data: &mut dyn Read) {
        let owners = self.inspectors(path, meta);
        let file = InspectedFile { path, meta, layer };
        let mut out = Output::default();
        let run = |a: &dyn Analyzer, data: &mut dyn Read, out: &mut Output| {
            if let Err(e) = a.inspect(&file, data, out) {
                out.warnings.push(e.to_string());
            }
        };
        match owners.as_slice() {
            [] => return,
            [only] => {
                if let Some(a) = self.analyzers.get(*only) {
                    run(a.as_ref(), data, &mut out);
                }
            }
            many => {
                // Several analyzers want the same stream: read it once, bounded.
                let mut bytes = Vec::new();
                if let Err(e) = data
                    .take(self.options.max_inspect_size)
                    .read_to_end(&mut bytes)
                {
                    out.warnings.push(format!("cannot read `{path}`: {e}"));
                } else {
                    for i in many {
                        if let Some(a) = self.analyzers.get(*i) {
                            run(a.as_ref(), &mut bytes.as_slice(), &mut out);
                        }
                    }
                }
            }
        }
        if out.packages.is_empty() && out.warnings.is_empty() {
            return;
        }
        if let Ok(mut found) = self.found.lock() {
            let f = found.entry(layer).or_default();
            f.packages.append(&mut out.packages);
            f.warnings.append(&mut out.warnings);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_model::{Ecosystem, Location};
    use bosun_tree::{Change, Layer, LayerEntry, TreeBuilder};

    #[test]
    fn built_in_globs_compile() {
        let c = Catalog::new(crate::analyzers(), CatalogOptions::default());
        assert!(c.is_ok(), "{:?}", c.err());
    }

    /// Reports one package per inspected `*.bin` file, named after its first line.
    struct FirstLine;

    impl Analyzer for FirstLine {
        fn name(&self) -> &'static str {
            "first-line"
        }
        fn version(&self) -> u32 {
            1
        }
        fn globs(&self) -> &'static [&'static str] {
            &[]
        }
        fn inspect_globs(&self) -> &'static [&'static str] {
            &["**/*.bin"]
        }
        fn inspect(
            &self,
            file: &InspectedFile<'_>,
            data: &mut dyn Read,
            out: &mut Output,
        ) -> Result<(), AnalyzeError> {
            let mut s = String::new();
            data.read_to_string(&mut s)
                .map_err(|e| AnalyzeError::new("first-line", file.path, e))?;
            if s.is_empty() {
                return Err(AnalyzeError::new("first-line", file.path, "empty"));
            }
            out.packages.push(Package::new(
                Ecosystem::Golang,
                s.trim(),
                "1.0.0",
                format!("pkg:golang/{}@1.0.0", s.trim()),
                file.location(),
            ));
            Ok(())
        }
        fn analyze(&self, _: &Context<'_>, _: &mut Output) -> Result<(), AnalyzeError> {
            Ok(())
        }
    }

    fn feed(c: &Catalog, layer: usize, path: &str, content: &str) {
        let meta = FileMeta::file(content.len() as u64, 0o755);
        let want = c.want(path, &meta);
        assert!(want.inspect && !want.keep, "{path}");
        c.inspect(layer, path, &meta, &mut content.as_bytes());
    }

    #[test]
    fn inspected_files_count_only_while_they_survive_the_squash() {
        let c =
            Catalog::new(vec![Box::new(FirstLine)], CatalogOptions::default()).expect("catalog");
        assert_eq!(
            c.want("/x/readme.txt", &FileMeta::file(1, 0o644)),
            Want::SKIP
        );
        feed(&c, 0, "/app/kept.bin", "kept");
        feed(&c, 0, "/app/deleted.bin", "deleted");
        feed(&c, 0, "/app/replaced.bin", "old");
        feed(&c, 1, "/app/replaced.bin", "new");
        feed(&c, 1, "/app/empty.bin", "");
        let tree = TreeBuilder::new()
            .entry("/app/kept.bin", FileMeta::file(4, 0o755))
            .entry("/app/deleted.bin", FileMeta::file(7, 0o755))
            .entry("/app/replaced.bin", FileMeta::file(3, 0o755))
            .layer()
            .whiteout("/app/deleted.bin")
            .entry("/app/replaced.bin", FileMeta::file(3, 0o755))
            .entry("/app/empty.bin", FileMeta::file(0, 0o755))
            .build();
        let r = c.run(&tree).expect("run");
        let names: Vec<(&str, Option<usize>, Option<usize>)> = r
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.found_in.layer, p.introduced_in))
            .collect();
        assert_eq!(
            names,
            vec![("kept", Some(0), Some(0)), ("new", Some(1), Some(1))]
        );
        assert!(
            r.warnings.iter().any(|w| w.contains("/app/empty.bin")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn restored_findings_move_to_the_layer_they_are_restored_at() {
        let c =
            Catalog::new(vec![Box::new(FirstLine)], CatalogOptions::default()).expect("catalog");
        let cached = LayerFindings {
            packages: vec![Package::new(
                Ecosystem::Golang,
                "cached",
                "1.0.0",
                "pkg:golang/cached@1.0.0",
                Location::new("/app/c.bin", Some(7)),
            )],
            warnings: vec![],
        };
        c.restore_layer_findings(2, cached);
        let layers = vec![
            Layer::new(),
            Layer::new(),
            Layer::from_entries(vec![LayerEntry {
                path: "/app/c.bin".into(),
                change: Change::Add(FileMeta::file(1, 0o755)),
                content: None,
            }]),
        ];
        let r = c.run(&FileTree::squash(layers)).expect("run");
        assert_eq!(r.packages.len(), 1);
        assert_eq!(r.packages[0].found_in.layer, Some(2));
        assert_eq!(c.layer_findings(2).packages.len(), 1);
    }
}
