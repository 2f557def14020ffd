//! Origin layers on a real multi-layer image: `bookworm-app` (built by
//! `scripts/build-test-images.sh`) read through bosun-image's layer reader
//! with the catalog as the sink, squashed, and analyzed. Layer 0 is a
//! debootstrap of bookworm; layer 1 installs packages with apt and purges
//! e2fsprogs; later layers touch other files (and delete /usr/share/doc/curl).
//! The manifest records which packages layer 1 added and removed.

mod common;

use std::collections::BTreeSet;

use bosun_catalog::Catalog;
use bosun_model::Ecosystem;

#[test]
fn bookworm_app_packages_come_from_the_layers_that_installed_them() {
    let image = bosun_test::images::image("bookworm-app");
    let list = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_array()
            .expect("array")
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let changes = &image["dpkg"]["changes_vs_base"];
    let added = list(&changes["added"]);
    let removed = list(&changes["removed"]);
    let count = image["dpkg"]["package_count"].as_u64().expect("count") as usize;
    assert!(!added.is_empty() && removed.contains("e2fsprogs"));

    let result = common::catalog_image("bookworm-app", &Catalog::all());
    let debs: Vec<_> = result
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb)
        .collect();
    assert_eq!(debs.len(), count);

    for p in &debs {
        let want = if added.contains(&p.name) { 1 } else { 0 };
        assert_eq!(
            (p.introduced_in, p.changed_in),
            (Some(want), Some(want)),
            "{} {}",
            p.name,
            p.version
        );
        // The status file was last written by layer 1.
        assert_eq!(p.found_in.layer, Some(1), "{}", p.name);
        assert!(!removed.contains(&p.name), "{} was purged", p.name);
    }
    // Layer 1's packages have files; curl's copyright went in layer 9.
    let curl = debs.iter().find(|p| p.name == "curl").expect("curl");
    assert!(
        curl.files.iter().any(|f| f == "/usr/bin/curl"),
        "{:?}",
        curl.files
    );
    assert!(curl.licenses.is_empty(), "{:?}", curl.licenses);
    let libcurl = debs
        .iter()
        .find(|p| p.name == "libcurl4")
        .expect("libcurl4");
    assert!(!libcurl.licenses.is_empty());
}
