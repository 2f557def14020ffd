//! Hostile Java archives through the catalog, as a layer streams them: a
//! zip bomb ends in a warning naming the archive, within the decompression
//! budget, and what was found before it is kept; an entry that only claims
//! a huge size is skipped without being inflated.

use std::time::Instant;

use bosun_catalog::lang::java::JavaArchiveAnalyzer;
use bosun_catalog::{Catalog, CatalogOptions, CatalogResult};
use bosun_tree::{EntrySink, FileMeta, TreeBuilder};

/// Runs the catalog over one archive from `tests/fixtures/lang/java`, placed
/// at `path`, the way a layer read streams it.
fn catalog_one(fixture: &str, path: &str) -> CatalogResult {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang/java")
        .join(fixture);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(bytes.len() < 8 << 10, "a few KiB that unpack to 1 GiB");
    let catalog = Catalog::new(
        vec![Box::new(JavaArchiveAnalyzer)],
        CatalogOptions::default(),
    )
    .expect("catalog");
    let meta = FileMeta::file(bytes.len() as u64, 0o644);
    assert!(catalog.want(path, &meta).inspect);
    let start = Instant::now();
    catalog.inspect(0, path, &meta, &mut bytes.as_slice());
    // Bounded by the 512 MiB budget, not the 1 GiB inside: a generous bound
    // even for a debug build on a busy machine.
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    let tree = TreeBuilder::new().entry(path, meta).build();
    catalog.run(&tree).expect("run")
}

fn found(r: &CatalogResult) -> Vec<(&str, &str, &str)> {
    r.packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.properties
                    .get("archive-path")
                    .map(String::as_str)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_nested_zip_bomb_ends_with_a_warning_and_keeps_what_came_before_it() {
    let path = "/opt/app/deploy/nested-bomb.ear";
    let r = catalog_one("nested-bomb.ear", path);
    assert_eq!(
        found(&r),
        vec![
            (
                "org.example:inner",
                "6.6.6",
                "/opt/app/deploy/nested-bomb.ear!/app.war!/WEB-INF/lib/inner.jar"
            ),
            (
                "org.example:war",
                "1.0.0",
                "/opt/app/deploy/nested-bomb.ear!/app.war"
            ),
        ]
    );
    for p in &r.packages {
        assert_eq!(p.found_in.path, path);
        // The walk stopped before the end: no digest of a partial read.
        assert!(!p.properties.contains_key("sha1"), "{p:?}");
    }
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains(path) && w.contains("zip bomb")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn an_entry_that_only_claims_a_huge_size_is_skipped_without_inflating() {
    let path = "/opt/app/lib/descriptor-bomb.jar";
    let r = catalog_one("descriptor-bomb.jar", path);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        found(&r),
        vec![
            (
                "org.example:inner",
                "6.6.6",
                "/opt/app/lib/descriptor-bomb.jar!/lib/bomb.jar"
            ),
            (
                "org.example:outer",
                "1.0.0",
                "/opt/app/lib/descriptor-bomb.jar"
            ),
        ]
    );
    // Read to the end: both archives have their SHA-1.
    assert!(r.packages.iter().all(|p| p.properties.contains_key("sha1")));
}
