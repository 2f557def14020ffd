//! Test support shared by bosun's crates (a dev-dependency only).
//!
//! - [`repo_root`]: the repository, for fixtures and scripts.
//! - [`schema`]: validation against the published CycloneDX 1.6 and SPDX 2.3
//!   JSON schemas, installed by `scripts/fetch-schemas.sh`.
//! - [`images`]: the real test images `scripts/build-test-images.sh` builds.
//! - [`sample`]: a small realistic inventory for golden tests of output formats.
//!
//! Helpers that need something installed fail with the command that installs
//! it: a test that depends on real material never passes without it.

pub mod images;
pub mod sample;
pub mod schema;

use std::path::PathBuf;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(here)
}
