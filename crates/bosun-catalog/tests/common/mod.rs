//! Shared by the tests that read the real test images
//! (`scripts/build-test-images.sh`), and by those that compare with
//! Trivy's golden outputs.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

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

/// The packages a Trivy golden output lists, as (name after `name`,
/// version, dev), the project itself (`Relationship: root`) left out.
/// Panics when there are none: a golden file that lists nothing tests
/// nothing.
pub(crate) fn trivy_packages(
    golden: &serde_json::Value,
    what: &str,
    name: impl Fn(&str) -> String,
) -> std::collections::BTreeSet<(String, String, bool)> {
    let mut out = std::collections::BTreeSet::new();
    for r in golden["Results"].as_array().expect("Results") {
        for p in r["Packages"].as_array().into_iter().flatten() {
            if p["Relationship"].as_str() == Some("root") {
                continue;
            }
            out.insert((
                name(p["Name"].as_str().expect("Name")),
                p["Version"].as_str().expect("Version").to_owned(),
                p["Dev"].as_bool().unwrap_or(false),
            ));
        }
    }
    assert!(!out.is_empty(), "{what}: no packages");
    out
}
