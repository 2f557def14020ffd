use bosun_model::{Distro, Package};
use bosun_tree::FileTree;

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

    /// Finds packages in the tree. Return an error only when evidence the
    /// analyzer is responsible for is unreadable as a whole (a corrupt package
    /// database): the scan then fails rather than report a false all-clear.
    /// Skip single bad records with a warning instead.
    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError>;
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
