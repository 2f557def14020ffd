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

/// One image's entry in [`manifest`]; panics naming the image when the
/// build script did not make it.
pub fn image(name: &str) -> Value {
    manifest()
        .get("images")
        .and_then(|i| i.get(name))
        .cloned()
        .unwrap_or_else(|| {
            panic!("manifest.json has no image {name}; run scripts/build-test-images.sh")
        })
}

/// The path of one export of an image (`docker-archive`, `oci`,
/// `oci-uncompressed`, `oci-archive`, ...), absolute.
pub fn export(name: &str, kind: &str) -> PathBuf {
    let rel = image(name)["exports"][kind]["path"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("manifest.json has no {kind} export of {name}"));
    crate::repo_root().join(rel)
}

/// A `docker-archive:PATH` reference to an image.
pub fn docker_archive(name: &str) -> String {
    format!(
        "docker-archive:{}",
        export(name, "docker-archive").display()
    )
}

/// The image's OCI layout directory, the gunzipped copy when there is one
/// (it reads faster in debug builds).
pub fn oci_layout(name: &str) -> PathBuf {
    let exports = &image(name)["exports"];
    let rel = exports["oci-uncompressed"]["path"]
        .as_str()
        .or_else(|| exports["oci"]["path"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("manifest.json has no OCI layout of {name}"));
    crate::repo_root().join(rel)
}

/// The root filesystem the build script kept for an image, canonical.
pub fn rootfs(name: &str) -> PathBuf {
    let rel = image(name)["rootfs"]["path"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("manifest.json has no rootfs of {name}"));
    let dir = crate::repo_root().join(rel);
    dir.canonicalize().unwrap_or(dir)
}
