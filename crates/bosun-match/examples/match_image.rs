//! `cargo run --release -p bosun-match --example match_image -- DB IMAGE [INVENTORY_OUT.json]`:
//! inventories an image, matches it against the database and prints the findings with the
//! time matching took once the database was open.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(db), Some(image)) = (args.first(), args.get(1)) else {
        eprintln!("usage: match_image DB IMAGE [INVENTORY_OUT.json]");
        std::process::exit(2);
    };
    let inv = match bosun_scan::inventory(image, &bosun_scan::ScanOptions::default()) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if let Some(out) = args.get(2)
        && let Ok(json) = serde_json::to_string(&inv)
    {
        let _ = std::fs::write(out, json);
    }
    let db = match bosun_vulndb::Db::open(db) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let mut m = bosun_match::Matcher::new(&db);
    let outcome = match m.match_inventory(&inv) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let cold = t.elapsed();
    let t = Instant::now();
    let again = m
        .match_inventory(&inv)
        .map(|o| o.findings.len())
        .unwrap_or(0);
    let warm = t.elapsed();
    for f in &outcome.findings {
        println!(
            "{:<9} {:<20} {:<28} {:<22} fixed {:<24} {:?} [{}] {}",
            f.severity.as_str(),
            f.id,
            f.package.name,
            f.package.version,
            f.fixed_versions.join(","),
            f.status,
            f.matched.data_source,
            f.aliases.join(" ")
        );
    }
    for w in &outcome.warnings {
        println!("warning: {w}");
    }
    println!(
        "{} packages, {} findings; matching took {cold:.2?} (first), {warm:.2?} (again, {again} findings)",
        inv.packages.len(),
        outcome.findings.len()
    );
}
