//! Rust crates: `Cargo.lock` files (kept and parsed after the squash) and
//! binaries built with cargo-auditable (their embedded dependency list is
//! found by the executable pass in `lang::golang`, which reads each
//! executable once for Go and Rust evidence; [`auditable`] parses it).
//!
//! Properties: `cargo-source` (the lockfile's `source`, or cargo-auditable's
//! `crates.io`/`git`/`local`/`registry`; `local` for lockfile packages without
//! a source: the workspace's own crates and path dependencies), `checksum`
//! (lockfile), `root` (the binary's own crate), `evidence` (`Cargo.lock` or
//! `cargo-auditable`). See docs/INVENTORY.md, "Application packages".

pub mod auditable;
pub mod cargolock;

use bosun_model::{Ecosystem, Location, Package};

use crate::Analyzer;
use crate::analyzer::{AnalyzeError, Context, Output};

/// The cargo purl of a crate.
pub fn cargo_purl(name: &str, version: &str) -> Option<String> {
    crate::purl::build("cargo", None, name, Some(version), &[])
}

/// The Rust analyzers (cargo-auditable binaries are read by the
/// executable analyzer in `lang::golang`).
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(CargoLockAnalyzer)]
}

const LOCK_NAME: &str = "cargo-lock";

/// Directories whose lockfiles belong to downloaded crate sources, not to
/// anything built in the image.
const SKIP_DIRS: &[&str] = &["/.cargo/registry/", "/.cargo/git/"];

/// `Cargo.lock` files.
#[derive(Debug, Clone, Copy, Default)]
pub struct CargoLockAnalyzer;

impl Analyzer for CargoLockAnalyzer {
    fn name(&self) -> &'static str {
        LOCK_NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        &["**/Cargo.lock"]
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError> {
        for (path, node) in cx.tree.iter() {
            if !path.ends_with("/Cargo.lock") || SKIP_DIRS.iter().any(|d| path.contains(d)) {
                continue;
            }
            let Some(bytes) = node.content.as_deref() else {
                continue;
            };
            let lock = cargolock::parse(bytes);
            for w in &lock.warnings {
                out.warnings.push(format!("{LOCK_NAME}: `{path}`: {w}"));
            }
            let loc = Location::new(path, Some(node.layer));
            for p in lock.packages {
                let Some(purl) = cargo_purl(&p.name, &p.version) else {
                    out.warnings.push(format!(
                        "{LOCK_NAME}: `{path}`: line {}: no purl for `{}` `{}`",
                        p.line, p.name, p.version
                    ));
                    continue;
                };
                let mut pkg =
                    Package::new(Ecosystem::Cargo, &p.name, &p.version, purl, loc.clone());
                pkg.introduced_in = Some(node.layer);
                pkg.changed_in = Some(node.layer);
                pkg.properties.insert(
                    "cargo-source".into(),
                    p.source.unwrap_or_else(|| "local".into()),
                );
                if let Some(c) = p.checksum {
                    pkg.properties.insert("checksum".into(), c);
                }
                pkg.properties
                    .insert("evidence".into(), "Cargo.lock".into());
                out.packages.push(pkg);
            }
        }
        Ok(())
    }
}
