//! npm packages (not written yet).

use crate::Analyzer;

/// The npm analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
