//! Times one scan of an image through `bosun_scan::scan` (the path `bosun
//! scan` takes), without the layer cache, in one of three modes:
//!
//! - `catalog`: the package catalog alone (what `bosun sbom` reads);
//! - `secrets`: the catalog and the secret scanner over the same layer read;
//! - `all`: the same plus the compliance checks after the squash.
//!
//! ```text
//! cargo run --release -p bosun-checks --example scan-pass -- MODE [--repeat N] REF
//! ```
//!
//! Prints one line per run: `MODE SECONDS packages=N secrets=N checks=N`.
//! `scripts/bench/checks.sh` runs it as separate processes, modes
//! interleaved, and reports medians.

use std::time::Instant;

use bosun_catalog::Catalog;
use bosun_checks::{CheckOptions, SecretScanner};
use bosun_scan::{Extras, ScanOptions, scan};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 1usize;
    if let Some(i) = args.iter().position(|a| a == "--repeat") {
        let n = args.get(i + 1).and_then(|n| n.parse().ok());
        let Some(n) = n else {
            fail("--repeat needs a number");
        };
        repeat = n;
        args.drain(i..i + 2);
    }
    let (Some(mode), Some(reference)) = (args.first(), args.get(1)) else {
        fail("usage: scan-pass catalog|secrets|all [--repeat N] REF");
    };
    let (secrets, checks) = match mode.as_str() {
        "catalog" => (false, false),
        "secrets" => (true, false),
        "all" => (true, true),
        other => fail(&format!("unknown mode {other}")),
    };
    let opts = ScanOptions {
        created: Some("2026-01-01T00:00:00Z".into()),
        ..ScanOptions::default()
    };
    let check_options = CheckOptions::default();
    for _ in 0..repeat {
        let t = Instant::now();
        // Built inside the timed part: a scan compiles its rules once.
        let scanner = secrets.then(SecretScanner::builtin);
        let catalog = Catalog::all();
        let extras = Extras {
            secrets: scanner.as_ref(),
            checks: checks.then_some(&check_options),
        };
        let out =
            scan(reference, &opts, &catalog, &extras).unwrap_or_else(|e| fail(&e.to_string()));
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{mode} {secs:.4} packages={} secrets={} checks={}",
            out.inventory.packages.len(),
            out.secrets.map_or(0, |s| s.len()),
            out.checks.map_or(0, |c| c.len()),
        );
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2);
}
