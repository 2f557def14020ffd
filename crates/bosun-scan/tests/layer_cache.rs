//! On the real test image: a second scan with a warm layer cache reads no
//! layer and produces the same inventory; an image that shares the base
//! layer reads only its own layers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bosun_image::Progress;
use bosun_scan::{LayerCache, ScanOptions};

#[derive(Default)]
struct CountReads(AtomicUsize);

impl Progress for CountReads {
    fn layer_started(&self, _index: usize, _size: Option<u64>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn export(image: &str, kind: &str) -> String {
    let m = bosun_test::images::manifest();
    let path = m["images"][image]["exports"][kind]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("manifest has no {kind} export of {image}"));
    let prefix = if kind == "docker-archive" {
        "docker-archive"
    } else {
        "oci-dir"
    };
    format!("{prefix}:{}", bosun_test::repo_root().join(path).display())
}

fn scan(reference: &str, cache: &LayerCache) -> (bosun_model::Inventory, usize) {
    let reads = Arc::new(CountReads::default());
    let mut opts = ScanOptions {
        created: Some("2026-01-01T00:00:00Z".into()),
        cache: Some(cache.clone()),
        ..ScanOptions::default()
    };
    opts.open.progress = Some(reads.clone());
    let inv = bosun_scan::inventory(reference, &opts).expect("scan");
    (inv, reads.0.load(Ordering::SeqCst))
}

#[test]
fn a_warm_cache_reads_no_layer_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = LayerCache::new(dir.path(), bosun_scan::DEFAULT_MAX_BYTES);
    let app = export("bookworm-app", "docker-archive");

    let (cold, cold_reads) = scan(&app, &cache);
    assert_eq!(
        cold_reads,
        cold.layers.len(),
        "a cold scan reads every layer"
    );
    assert_eq!(cache.usage().entries, cold.layers.len());

    let (warm, warm_reads) = scan(&app, &cache);
    assert_eq!(warm_reads, 0, "a warm scan must not read any layer");
    assert_eq!(warm, cold);

    // bookworm-nonroot shares the base layer (same diff_id): only its own
    // layer is read, and the base packages keep their origin layer.
    let nonroot = export("bookworm-nonroot", "oci");
    let (inv, reads) = scan(&nonroot, &cache);
    assert_eq!(inv.layers[0].diff_id, cold.layers[0].diff_id);
    assert_eq!(reads, inv.layers.len() - 1);
    let base_pkgs = inv
        .packages
        .iter()
        .filter(|p| p.introduced_in == Some(0))
        .count();
    assert!(
        base_pkgs >= 80,
        "base packages from the cached layer: {base_pkgs}"
    );
}

/// With the secret scanner and the checks: the warm scan reads no layer and
/// gives the same secrets (the deleted one included) and the same failed
/// checks; a cache filled without the scanner is not used for a scan with it.
#[test]
fn secrets_and_checks_come_back_from_the_cache() {
    use bosun_checks::{CheckOptions, SecretScanner};
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = LayerCache::new(dir.path(), bosun_scan::DEFAULT_MAX_BYTES);
    let app = export("bookworm-app", "docker-archive");
    let catalog = bosun_catalog::Catalog::all();
    let run = |with_extras: bool| {
        let scanner = SecretScanner::builtin();
        let checks = CheckOptions::default();
        let extras = if with_extras {
            bosun_scan::Extras {
                secrets: Some(&scanner),
                checks: Some(&checks),
            }
        } else {
            bosun_scan::Extras::default()
        };
        let reads = Arc::new(CountReads::default());
        let mut opts = ScanOptions {
            created: Some("2026-01-01T00:00:00Z".into()),
            cache: Some(cache.clone()),
            ..ScanOptions::default()
        };
        opts.open.progress = Some(reads.clone());
        let s = bosun_scan::scan(&app, &opts, &catalog, &extras).expect("scan");
        (s, reads.0.load(Ordering::SeqCst))
    };
    let (plain, plain_reads) = run(false);
    assert_eq!(plain_reads, plain.inventory.layers.len());
    assert!(plain.secrets.is_none() && plain.checks.is_none());

    let (cold, cold_reads) = run(true);
    assert_eq!(
        cold_reads,
        cold.inventory.layers.len(),
        "entries without secret results are misses"
    );
    let secrets = cold.secrets.clone().expect("secrets ran");
    assert!(
        secrets.iter().any(|s| s.deleted),
        "the planted deleted secret: {secrets:#?}"
    );
    assert!(!cold.checks.as_ref().expect("checks ran").is_empty());

    let (warm, warm_reads) = run(true);
    assert_eq!(warm_reads, 0, "a warm scan must not read any layer");
    assert_eq!(warm.secrets, cold.secrets);
    assert_eq!(warm.checks, cold.checks);
    assert_eq!(warm.inventory, cold.inventory);
}
