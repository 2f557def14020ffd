//! `bosun cache`: where the layer cache is, what it holds, and emptying it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use bosun_scan::{DEFAULT_MAX_BYTES, LayerCache};

use crate::cli::{CacheArgs, CacheCommand};

/// The layer cache directory: the flag, else the default.
pub(crate) fn dir(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf).or_else(LayerCache::default_dir)
}

pub(crate) fn run(args: &CacheArgs) -> anyhow::Result<ExitCode> {
    let dir = dir(args.cache_dir.as_deref())
        .context("no cache directory: set BOSUN_CACHE_DIR or HOME, or pass --cache-dir")?;
    let cache = LayerCache::new(&dir, DEFAULT_MAX_BYTES);
    match args.command {
        CacheCommand::Info => {
            let u = cache.usage();
            println!(
                "{}: {} layers, {} bytes (bound {} bytes)",
                dir.display(),
                u.entries,
                u.bytes,
                DEFAULT_MAX_BYTES
            );
        }
        CacheCommand::Clean => {
            let removed = cache.clean()?;
            println!(
                "removed {} cached layers ({} bytes) from {}",
                removed.entries,
                removed.bytes,
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
