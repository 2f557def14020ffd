//! Shared by the tests that read the real test images
//! (`scripts/build-test-images.sh`).

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use bosun_catalog::Catalog;
use bosun_checks::SecretScanner;
use bosun_image::{OpenOptions, OpenedImage, open, parse_reference};
use bosun_tree::{Both, FileTree};

/// An image read the way a scan reads it: the package catalog and the
/// secret scanner over one read of every layer, then the squash.
pub(crate) struct Read {
    pub(crate) image: OpenedImage,
    pub(crate) tree: FileTree,
    pub(crate) catalog: Catalog,
    pub(crate) scanner: SecretScanner,
    /// The indices of the layers read (all of them).
    pub(crate) layers: Vec<usize>,
}

pub(crate) fn read(reference: &str) -> Read {
    let scanner = SecretScanner::builtin();
    let catalog = Catalog::all();
    let spec = parse_reference(reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let image = open(&spec, &OpenOptions::default()).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let which: Vec<usize> = (0..image.layers().len()).collect();
    let sink = Both {
        first: &catalog,
        second: &scanner,
        max_shared: 64 << 20,
    };
    let layers = image
        .read_layers(&which, &sink)
        .unwrap_or_else(|e| panic!("{reference}: {e}"));
    let tree = FileTree::squash(layers.into_iter().map(|(_, l)| l).collect());
    Read {
        image,
        tree,
        catalog,
        scanner,
        layers: which,
    }
}
