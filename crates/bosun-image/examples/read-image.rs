//! Reads an image (or one layer blob) and prints timings.
//!
//! ```text
//! cargo run --release -p bosun-image --example read-image -- [--decompress-only] [--repeat N] REF
//! cargo run --release -p bosun-image --example read-image -- --blob [--decompress-only] FILE
//! ```
//!
//! The sink keeps the files bosun's package analyzers ask for (dpkg, apk,
//! rpm, os-release, Python/npm/Ruby/Java metadata), the realistic workload of
//! `bosun sbom`. `--decompress-only` reads the same blobs with the same
//! parallelism but only decompresses them: the floor the reader is measured
//! against.

use std::io::{self, Read};
use std::time::Instant;

use bosun_image::{Compression, Limits, OpenOptions, open, parse_reference, testing};
use bosun_tree::{EntrySink, FileMeta, Want};
use rayon::prelude::*;

struct PackageDbs;

impl EntrySink for PackageDbs {
    fn want(&self, path: &str, _meta: &FileMeta) -> Want {
        let keep = path == "/etc/os-release"
            || path == "/usr/lib/os-release"
            || path == "/var/lib/dpkg/status"
            || path.starts_with("/var/lib/dpkg/status.d/")
            || (path.starts_with("/var/lib/dpkg/info/") && path.ends_with(".md5sums"))
            || path == "/lib/apk/db/installed"
            || path.starts_with("/var/lib/rpm/")
            || path.ends_with(".dist-info/METADATA")
            || path.ends_with(".egg-info/PKG-INFO")
            || path.ends_with("/package.json")
            || path.ends_with("/package-lock.json")
            || path.ends_with(".gemspec")
            || path.ends_with("/pom.properties")
            || path.ends_with("/Cargo.lock");
        if keep { Want::KEEP } else { Want::SKIP }
    }
}

fn decompress(mut r: impl Read) -> io::Result<u64> {
    let mut head = Vec::new();
    (&mut r).take(4).read_to_end(&mut head)?;
    let c = Compression::sniff(&head);
    let r = io::BufReader::with_capacity(64 * 1024, io::Cursor::new(head).chain(r));
    match c {
        Compression::Gzip => io::copy(
            &mut flate2::bufread::MultiGzDecoder::new(r),
            &mut io::sink(),
        ),
        Compression::Zstd => io::copy(
            &mut zstd::stream::read::Decoder::with_buffer(r)?,
            &mut io::sink(),
        ),
        Compression::None => io::copy(&mut { r }, &mut io::sink()),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut take_flag = |f: &str| {
        let found = args.iter().position(|a| a == f);
        if let Some(i) = found {
            args.remove(i);
        }
        found.is_some()
    };
    let blob = take_flag("--blob");
    let only = take_flag("--decompress-only");
    let serial = take_flag("--serial");
    let repeat = match args.iter().position(|a| a == "--repeat") {
        Some(i) => {
            let n = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1);
            args.drain(i..(i + 2).min(args.len()));
            n
        }
        None => 1usize,
    };
    let Some(target) = args.first().cloned() else {
        eprintln!("usage: read-image [--blob] [--decompress-only] [--repeat N] REF|FILE");
        std::process::exit(2);
    };
    for _ in 0..repeat {
        let t0 = Instant::now();
        if blob {
            let f = std::fs::File::open(&target).unwrap_or_else(|e| fail(&e));
            if only {
                let n = decompress(f).unwrap_or_else(|e| fail(&e));
                println!(
                    "decompress-only {n} bytes in {:.3}s",
                    t0.elapsed().as_secs_f64()
                );
            } else {
                let (layer, d, diff) =
                    testing::read_layer_blob(&mut { f }, &Limits::default(), &PackageDbs, !serial)
                        .unwrap_or_else(|e| fail(&e));
                println!(
                    "read {} entries, kept {} bytes, digest {d}, diff_id {diff} in {:.3}s",
                    layer.len(),
                    layer.kept_bytes(),
                    t0.elapsed().as_secs_f64()
                );
            }
            continue;
        }
        let spec = parse_reference(&target).unwrap_or_else(|e| fail(&e));
        let img = open(&spec, &OpenOptions::default()).unwrap_or_else(|e| fail(&e));
        let t_open = t0.elapsed();
        let which: Vec<usize> = (0..img.layers().len()).collect();
        if only {
            let total: u64 = which
                .par_iter()
                .map(|&i| {
                    let r = testing::open_layer_blob(&img, i).unwrap_or_else(|e| fail(&e));
                    decompress(r).unwrap_or_else(|e| fail(&e))
                })
                .sum();
            println!(
                "{target}: open {:.3}s, decompress-only {} layers ({total} bytes) total {:.3}s",
                t_open.as_secs_f64(),
                which.len(),
                t0.elapsed().as_secs_f64()
            );
        } else {
            let layers = img
                .read_layers(&which, &PackageDbs)
                .unwrap_or_else(|e| fail(&e));
            let entries: usize = layers.iter().map(|(_, l)| l.len()).sum();
            let kept: usize = layers.iter().map(|(_, l)| l.kept_bytes()).sum();
            let t_read = t0.elapsed();
            let tree = bosun_tree::FileTree::squash(layers.into_iter().map(|(_, l)| l).collect());
            for w in img.warnings() {
                eprintln!("warning: {w}");
            }
            println!(
                "{target}: open {:.3}s, read {} layers ({entries} entries, {kept} kept bytes) {:.3}s, squash {} paths total {:.3}s",
                t_open.as_secs_f64(),
                which.len(),
                (t_read - t_open).as_secs_f64(),
                tree.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    }
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("error: {e}");
    std::process::exit(2);
}
