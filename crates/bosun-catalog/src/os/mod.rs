//! Operating-system evidence: os-release and the dpkg, apk and rpm databases.

use crate::Analyzer;

/// The OS analyzers, os-release first.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    Vec::new()
}
