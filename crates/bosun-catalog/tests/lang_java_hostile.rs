//! Hostile Java archives through the catalog, as a layer streams them: a
//! zip bomb ends in a warning naming the archive, within the decompression
//! budget, and what was found before it is kept.

use std::time::Instant;

use bosun_catalog::lang::java::JavaArchiveAnalyzer;
use bosun_catalog::{Catalog, CatalogOptions};
use bosun_tree::{EntrySink, FileMeta, TreeBuilder};

#[test]
fn a_zip_bomb_jar_ends_with_a_warning_and_keeps_what_came_before_it() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang/java/zip-bomb.jar");
    let bytes = std::fs::read(&fixture).expect("tests/fixtures/lang/java/zip-bomb.jar");
    assert!(bytes.len() < 8 << 10, "a few KiB that claim 1 GiB");
    let catalog = Catalog::new(
        vec![Box::new(JavaArchiveAnalyzer)],
        CatalogOptions::default(),
    )
    .expect("catalog");
    let path = "/opt/app/lib/zip-bomb.jar";
    let meta = FileMeta::file(bytes.len() as u64, 0o644);
    assert!(catalog.want(path, &meta).inspect);

    let start = Instant::now();
    catalog.inspect(0, path, &meta, &mut bytes.as_slice());
    // Bounded by the 512 MiB budget, not the 1 GiB the entry claims: a
    // generous bound even for a debug build on a busy machine.
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());

    let tree = TreeBuilder::new().entry(path, meta).build();
    let r = catalog.run(&tree).expect("run");
    let found: Vec<(&str, &str, &str)> = r
        .packages
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
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "org.example:inner",
                "6.6.6",
                "/opt/app/lib/zip-bomb.jar!/lib/bomb.jar"
            ),
            ("org.example:outer", "1.0.0", "/opt/app/lib/zip-bomb.jar"),
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
