//! Shared by the tests that read the real test images
//! (`scripts/build-test-images.sh`).

use bosun_catalog::{Catalog, CatalogResult};
use bosun_image::{OpenOptions, open, parse_reference};
use bosun_tree::FileTree;

/// Reads every layer of a test image's OCI layout once through `catalog`
/// (the way a scan does), squashes them and runs the catalog on the result.
pub(crate) fn catalog_image(name: &str, catalog: &Catalog) -> CatalogResult {
    let layout = bosun_test::images::oci_layout(name);
    let reference = format!("oci-dir:{}:latest", layout.display());
    let spec = parse_reference(&reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let opened =
        open(&spec, &OpenOptions::default()).unwrap_or_else(|e| panic!("{reference}: {e}"));
    let which: Vec<usize> = (0..opened.layers().len()).collect();
    let layers = opened
        .read_layers(&which, catalog)
        .unwrap_or_else(|e| panic!("{reference}: read layers: {e}"));
    let tree = FileTree::squash(layers.into_iter().map(|(_, l)| l).collect());
    catalog
        .run(&tree)
        .unwrap_or_else(|e| panic!("{reference}: catalog: {e}"))
}
