//! One module per command.

pub(crate) mod cache;
pub(crate) mod db;
pub(crate) mod policy;
pub(crate) mod sbom;
pub(crate) mod scan;
pub(crate) mod version;

use anyhow::Context;
use bosun_model::Inventory;

use crate::cli::{GlobalArgs, ImageArgs};

/// Reads the image the arguments name and inventories it, drawing progress
/// on stderr when it is a terminal and `--quiet` is off.
pub(crate) fn inventory(global: &GlobalArgs, args: &ImageArgs) -> anyhow::Result<Inventory> {
    Ok(scan_image(global, args, &bosun_scan::Extras::default())?.inventory)
}

/// Reads the image once for the inventory and what `extras` asks for.
pub(crate) fn scan_image(
    global: &GlobalArgs,
    args: &ImageArgs,
    extras: &bosun_scan::Extras<'_>,
) -> anyhow::Result<bosun_scan::Scanned> {
    let progress = crate::progress::Bars::new(global.quiet);
    let mut opts = bosun_scan::ScanOptions::default();
    crate::progress::configure(&mut opts.open, args, progress.clone())?;
    opts.created = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(bosun_scan::timestamp);
    if !args.no_cache {
        opts.cache = cache::dir(args.cache_dir.as_deref())
            .map(|d| bosun_scan::LayerCache::new(d, bosun_scan::DEFAULT_MAX_BYTES));
    }
    let catalog = bosun_catalog::Catalog::all();
    let result = bosun_scan::scan(&args.image, &opts, &catalog, extras)
        .with_context(|| format!("cannot scan {}", args.image));
    progress.finish();
    result
}
