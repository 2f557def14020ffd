//! python packages (not written yet).

use crate::Analyzer;

/// The python analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
