//! Arbitrary bytes as an image archive file: indexing the tar in place,
//! then reading it as a docker-archive and as an OCI archive (manifests,
//! configs, layers). Errors, never panics, nothing written but the input.
#![no_main]

use std::sync::OnceLock;

use bosun_image::{Limits, OpenOptions, SourceSpec};
use bosun_tree::MetadataOnly;
use libfuzzer_sys::fuzz_target;

fn path() -> &'static std::path::PathBuf {
    static P: OnceLock<std::path::PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("bosun-fuzz-archive-{}.tar", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    if std::fs::write(path(), data).is_err() {
        return;
    }
    let opts = OpenOptions {
        no_ambient_credentials: true,
        limits: Limits {
            max_layer_bytes: 64 << 20,
            max_entries_per_layer: 100_000,
            max_archive_entries: 10_000,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    for spec in [
        SourceSpec::DockerArchive { path: path().clone(), image: None },
        SourceSpec::OciArchive { path: path().clone(), tag: None },
    ] {
        if let Ok(img) = bosun_image::open(&spec, &opts) {
            let which: Vec<usize> = (0..img.layers().len()).collect();
            let _ = img.read_layers(&which, &MetadataOnly);
        }
    }
});
