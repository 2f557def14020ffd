//! Reads an image once (package catalog and secret scanner over the same
//! layer read) and prints the secrets (and, with `--checks`, the failed
//! checks) as JSON: the stand-in for `bosun scan` until it runs them.
//!
//! ```text
//! cargo run --release -p bosun-checks --example secrets -- [--checks] [--config secrets.yaml] REF
//! ```
//!
//! REF is any bosun reference: `docker-archive:PATH`, `oci-dir:PATH[:TAG]`,
//! `rootfs:DIR`, `registry:...`.

use bosun_catalog::Catalog;
use bosun_checks::{CheckOptions, SecretScanner, SecretsConfig, run_checks};
use bosun_image::{OpenOptions, open, parse_reference};
use bosun_model::{INVENTORY_SCHEMA, Inventory};
use bosun_tree::{Both, FileTree};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let with_checks = match args.iter().position(|a| a == "--checks") {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    let config = match args.iter().position(|a| a == "--config") {
        Some(i) if i + 1 < args.len() => {
            let path = args.remove(i + 1);
            args.remove(i);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| fail(&e));
            SecretsConfig::from_yaml(&text).unwrap_or_else(|e| fail(&e))
        }
        _ => SecretsConfig::default(),
    };
    let Some(reference) = args.first() else {
        eprintln!("usage: secrets [--checks] [--config FILE] REF");
        std::process::exit(2);
    };
    let scanner = SecretScanner::new(&config).unwrap_or_else(|e| fail(&e));
    let catalog = Catalog::all();
    let spec = parse_reference(reference).unwrap_or_else(|e| fail(&e));
    let image = open(&spec, &OpenOptions::default()).unwrap_or_else(|e| fail(&e));
    let which: Vec<usize> = (0..image.layers().len()).collect();
    let sink = Both {
        first: &catalog,
        second: &scanner,
        max_shared: 64 << 20,
    };
    let layers = image
        .read_layers(&which, &sink)
        .unwrap_or_else(|e| fail(&e));
    let tree = FileTree::squash(layers.into_iter().map(|(_, l)| l).collect());
    let secrets = scanner.finish(&tree, image.config());
    let mut out = serde_json::json!({
        "reference": reference,
        "secrets": secrets,
        "warnings": scanner.warnings(),
    });
    if with_checks {
        let found = catalog.run(&tree).unwrap_or_else(|e| fail(&e));
        let inventory = Inventory {
            schema: INVENTORY_SCHEMA.to_owned(),
            generator: "bosun-checks example".to_owned(),
            created: String::new(),
            source: image.source().clone(),
            config: image.config().cloned(),
            distro: found.distro,
            layers: image.layers().to_vec(),
            packages: found.packages,
            warnings: Vec::new(),
        };
        let checks = run_checks(&tree, &inventory, &secrets, &CheckOptions::default());
        out["checks"] = serde_json::to_value(&checks).unwrap_or_default();
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| fail(&e))
    );
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("error: {e}");
    std::process::exit(2);
}
