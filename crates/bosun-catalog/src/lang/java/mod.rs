//! java packages (not written yet).

use crate::Analyzer;

/// The java analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
