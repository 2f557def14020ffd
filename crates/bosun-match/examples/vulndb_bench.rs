//! Timings for scripts/bench/vulndb.sh (never a test):
//!
//! - `vulndb_bench match DB INVENTORY.json [RUNS]`: opens the database once,
//!   then matches the inventory RUNS times, each with a fresh `Matcher`
//!   (empty caches: what one `bosun scan` pays after opening the database),
//!   and once more with a reused one; prints min / median / max.
//! - `vulndb_bench write-sboms OUT_DIR COUNT INVENTORY.json...`: writes COUNT
//!   SBOMs (CycloneDX, SPDX and bosun JSON in turn) of the given
//!   inventories, round robin.
//! - `vulndb_bench rescan DB DIR`: reads every SBOM in DIR with
//!   `bosun_sbom::read_inventory` and matches it, with one matcher per thread
//!   (what a registry rescan does), and prints the total and the split;
//!   `--fresh` uses a new matcher for every SBOM (no cache shared between
//!   SBOMs: the bound for images that share no package).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bosun_model::Inventory;
use rayon::prelude::*;

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

fn read_inventory_json(path: &str) -> Inventory {
    let bytes = std::fs::read(path).unwrap_or_else(|e| die(format!("{path}: {e}")));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| die(format!("{path}: {e}")))
}

fn open(db: &str) -> bosun_vulndb::Db {
    bosun_vulndb::Db::open(db).unwrap_or_else(|e| die(e))
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let n = v.len();
    format!(
        "min {:.2?} median {:.2?} max {:.2?} ({n} runs)",
        v.first().copied().unwrap_or_default(),
        v.get(n / 2).copied().unwrap_or_default(),
        v.last().copied().unwrap_or_default()
    )
}

fn bench_match(db: &str, inv: &str, runs: usize) {
    let db = open(db);
    let inv = read_inventory_json(inv);
    let mut cold = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = bosun_match::Matcher::new(&db)
            .match_inventory(&inv)
            .unwrap_or_else(|e| die(e));
        cold.push(t.elapsed());
        findings = out.findings.len();
    }
    let mut m = bosun_match::Matcher::new(&db);
    let _ = m.match_inventory(&inv);
    let mut warm = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let _ = m.match_inventory(&inv);
        warm.push(t.elapsed());
    }
    println!(
        "{} packages, {findings} findings\nfresh matcher: {}\nreused matcher: {}",
        inv.packages.len(),
        stats(cold),
        stats(warm)
    );
}

fn write_sboms(out: &str, count: usize, invs: &[String]) {
    let invs: Vec<Inventory> = invs.iter().map(|p| read_inventory_json(p)).collect();
    if invs.is_empty() {
        die("no inventory given");
    }
    std::fs::create_dir_all(out).unwrap_or_else(|e| die(format!("{out}: {e}")));
    let mut bytes = 0usize;
    for i in 0..count {
        let inv = invs.get(i % invs.len()).unwrap_or_else(|| die("index"));
        let opts = bosun_sbom::DocumentOptions::default();
        let (name, json) = match i % 3 {
            0 => (
                format!("{i:05}.cdx.json"),
                serde_json::to_vec(&bosun_sbom::cyclonedx::from_inventory(inv, &opts)),
            ),
            1 => (
                format!("{i:05}.spdx.json"),
                serde_json::to_vec(&bosun_sbom::spdx::from_inventory(inv, &opts)),
            ),
            _ => (format!("{i:05}.bosun.json"), serde_json::to_vec(inv)),
        };
        let json = json.unwrap_or_else(|e| die(e));
        bytes += json.len();
        std::fs::write(Path::new(out).join(name), json).unwrap_or_else(|e| die(e));
    }
    println!("wrote {count} SBOMs, {bytes} bytes, to {out}");
}

fn rescan(db: &str, dir: &str, fresh: bool) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| die(format!("{dir}: {e}")))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let t = Instant::now();
    // One open database and matcher per worker thread (`Db` is not `Sync`).
    let per_file: Vec<(Duration, Duration, usize, usize)> = files
        .par_iter()
        .map_init(
            || {
                let db: &'static bosun_vulndb::Db = Box::leak(Box::new(open(db)));
                (db, bosun_match::Matcher::new(db))
            },
            |(db, reused), f| {
                // `fresh`: a new matcher (empty caches) for every SBOM, the
                // bound for SBOMs that share no package with one another.
                let mut own;
                let m = if fresh {
                    own = bosun_match::Matcher::new(db);
                    &mut own
                } else {
                    reused
                };
                let t0 = Instant::now();
                let bytes =
                    std::fs::read(f).unwrap_or_else(|e| die(format!("{}: {e}", f.display())));
                let (_, inv) = bosun_sbom::read_inventory(&bytes, &f.display().to_string())
                    .unwrap_or_else(|e| die(format!("{}: {e}", f.display())));
                let read = t0.elapsed();
                let t1 = Instant::now();
                let out = m.match_inventory(&inv).unwrap_or_else(|e| die(e));
                (read, t1.elapsed(), inv.packages.len(), out.findings.len())
            },
        )
        .collect();
    let total = t.elapsed();
    // What one untyped JSON parse of every file costs (read_inventory does
    // one to detect the format, then a typed one).
    let probe: Duration = files
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            let t = Instant::now();
            let _ = serde_json::from_slice::<serde_json::Value>(&bytes);
            t.elapsed()
        })
        .sum();
    let read: Duration = per_file.iter().map(|r| r.0).sum();
    let matched: Duration = per_file.iter().map(|r| r.1).sum();
    let pkgs: usize = per_file.iter().map(|r| r.2).sum();
    let findings: usize = per_file.iter().map(|r| r.3).sum();
    println!(
        "{} SBOMs, {pkgs} packages, {findings} findings: {total:.2?} wall on {} threads \
         (CPU time in reading {read:.2?}, in matching {matched:.2?}; \
         one untyped JSON parse of every file alone takes {probe:.2?})",
        files.len(),
        rayon::current_num_threads()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["match", db, inv] => bench_match(db, inv, 20),
        ["match", db, inv, runs] => bench_match(db, inv, runs.parse().unwrap_or(20)),
        ["write-sboms", out, count, invs @ ..] => {
            let invs: Vec<String> = invs.iter().map(|s| s.to_string()).collect();
            write_sboms(out, count.parse().unwrap_or(1000), &invs)
        }
        ["rescan", db, dir] => rescan(db, dir, false),
        ["rescan", db, dir, "--fresh"] => rescan(db, dir, true),
        _ => die(
            "usage: vulndb_bench match DB INVENTORY.json [RUNS] | write-sboms OUT_DIR COUNT INVENTORY.json... | rescan DB DIR [--fresh]",
        ),
    }
}
