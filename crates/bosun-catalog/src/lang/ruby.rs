//! ruby packages (not written yet).

use crate::Analyzer;

/// The ruby analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
