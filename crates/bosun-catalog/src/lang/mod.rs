//! Application packages: Python, npm, Ruby, Go, Rust and Java.
//!
//! Text evidence (package metadata, lockfiles) is kept and parsed after the
//! squash; binaries and archives (Go build info, cargo-auditable data, jars)
//! are inspected as their layer streams. See docs/INVENTORY.md, section
//! "Application packages".

pub mod common;
pub mod golang;
pub mod java;
pub mod npm;
pub mod python;
pub mod ruby;
pub mod rust;

use crate::Analyzer;

/// Every application-package analyzer.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    let mut all = Vec::new();
    all.extend(python::analyzers());
    all.extend(npm::analyzers());
    all.extend(ruby::analyzers());
    all.extend(golang::analyzers());
    all.extend(rust::analyzers());
    all.extend(java::analyzers());
    all
}
