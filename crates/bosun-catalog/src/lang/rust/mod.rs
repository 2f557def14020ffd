//! rust packages (not written yet).

use crate::Analyzer;

/// The rust analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
