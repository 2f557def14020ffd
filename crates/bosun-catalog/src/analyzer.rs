use std::io::Read;

use bosun_model::{Distro, Package};
use bosun_tree::{FileMeta, FileTree};

/// What an analyzer sees: the squashed tree (with per-layer history) and the
/// distribution found in it, if any.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub tree: &'a FileTree,
    pub distro: Option<&'a Distro>,
}

/// What an analyzer found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Output {
    pub packages: Vec<Package>,
    /// Records or files skipped, each naming the file and why.
    pub warnings: Vec<String>,
}

/// One kind of package evidence (a package database, a lockfile format, a
/// binary format).
pub trait Analyzer: Send + Sync {
    /// Stable short name, e.g. `dpkg`; used in warnings and cache keys.
    fn name(&self) -> &'static str;

    /// Bumped whenever the output for the same input changes, so cached
    /// layer analyses made by an older version are not reused.
    fn version(&self) -> u32;

    /// Globs (globset syntax, matched against absolute image paths such as
    /// `/var/lib/dpkg/status`) naming the regular files whose bytes this
    /// analyzer reads.
    fn globs(&self) -> &'static [&'static str];

    /// The distribution, for the analyzer that can tell (os-release).
    /// The catalog asks every analyzer before running any `analyze`.
    fn distro(&self, tree: &FileTree) -> Option<Distro> {
        let _ = tree;
        None
    }

    /// Globs of files whose bytes are streamed to [`Analyzer::inspect`]
    /// while their layer is read, instead of being kept (binaries, archives).
    fn inspect_globs(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a regular file no glob names should be inspected too, judged
    /// from its metadata (e.g. every executable, for Go build info).
    fn inspects(&self, path: &str, meta: &FileMeta) -> bool {
        let _ = (path, meta);
        false
    }

    /// Finds packages in one file of one layer, reading as little of `data`
    /// as it needs. Packages must set `found_in` to `file.location()`; the
    /// catalog keeps them only if the file is still in the squashed tree.
    /// An error becomes a warning naming the file: one odd binary never stops
    /// a scan.
    fn inspect(
        &self,
        file: &InspectedFile<'_>,
        data: &mut dyn Read,
        out: &mut Output,
    ) -> Result<(), AnalyzeError> {
        let _ = (file, data, out);
        Ok(())
    }

    /// Finds packages in the tree. Return an error only when evidence the
    /// analyzer is responsible for is unreadable as a whole (a corrupt package
    /// database): the scan then fails rather than report a false all-clear.
    /// Skip single bad records with a warning instead.
    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError>;
}

/// A file streamed to [`Analyzer::inspect`].
#[derive(Debug, Clone, Copy)]
pub struct InspectedFile<'a> {
    pub path: &'a str,
    pub meta: &'a FileMeta,
    /// Index of the layer the file is in.
    pub layer: usize,
}

impl InspectedFile<'_> {
    /// Where packages found in this file were found.
    pub fn location(&self) -> bosun_model::Location {
        bosun_model::Location::new(self.path, Some(self.layer))
    }
}

/// Evidence an analyzer is responsible for could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{analyzer}: cannot read `{path}`: {message}")]
pub struct AnalyzeError {
    pub analyzer: &'static str,
    /// The file inside the image.
    pub path: String,
    pub message: String,
}

impl AnalyzeError {
    pub fn new(analyzer: &'static str, path: impl Into<String>, message: impl ToString) -> Self {
        AnalyzeError {
            analyzer,
            path: path.into(),
            message: message.to_string(),
        }
    }
}
