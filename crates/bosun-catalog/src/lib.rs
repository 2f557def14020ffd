//! Analyzers: find the distribution and the packages in a squashed image tree.
//!
//! Each [`Analyzer`] declares the files it needs as globs; the [`Catalog`]
//! compiles every analyzer's globs into one set and acts as the
//! [`bosun_tree::EntrySink`] while layers are read, so only those files'
//! bytes are kept. After the squash, the catalog detects the distribution,
//! then runs the analyzers in parallel over the tree. Analyzers only ever see
//! the [`bosun_tree::FileTree`]: never the real filesystem.

mod analyzer;
mod catalog;
pub mod lang;
pub mod os;
pub mod purl;

pub use analyzer::{AnalyzeError, Analyzer, Context, InspectedFile, Output};
pub use catalog::{Catalog, CatalogOptions, CatalogResult, LayerFindings};

/// Every analyzer bosun has: the OS ones (os-release first), then the
/// application-package ones.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    let mut all = os::analyzers();
    all.extend(lang::analyzers());
    all
}
