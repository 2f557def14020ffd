//! golang packages (not written yet).

use crate::Analyzer;

/// The golang analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
