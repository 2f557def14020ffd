//! The real test images built by `scripts/build-test-images.sh`.

use std::path::PathBuf;

use serde_json::Value;

/// `.test-images/` at the repository root.
pub fn dir() -> PathBuf {
    crate::repo_root().join(".test-images")
}

/// The build script's description of every image (`.test-images/manifest.json`).
/// Panics with the command to run when the images were not built.
pub fn manifest() -> Value {
    let path = dir().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "test images missing ({}: {e}); run scripts/build-test-images.sh",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}
