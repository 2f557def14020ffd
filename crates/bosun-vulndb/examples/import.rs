//! `cargo run --release -p bosun-vulndb --example import -- DB PATH...`: imports
//! feed files and prints the report and the time taken.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((db, inputs)) = args.split_first() else {
        eprintln!("usage: import DB PATH...");
        std::process::exit(2);
    };
    let inputs: Vec<PathBuf> = inputs.iter().map(PathBuf::from).collect();
    let t = Instant::now();
    match bosun_vulndb::import(
        PathBuf::from(db).as_path(),
        &inputs,
        &bosun_vulndb::ImportOptions::default(),
    ) {
        Ok(r) => {
            for s in &r.sources {
                println!(
                    "{:<22} files {:>6} records {:>7} affected {:>7} skipped {:>5}",
                    s.name, s.files, s.records, s.affected, s.skipped
                );
                for k in s.skips.iter().take(3) {
                    println!("    skip {} {}: {}", k.file, k.field, k.reason);
                }
            }
            println!("ignored files: {}", r.ignored.len());
            let size = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
            println!("import took {:.2?}; {db} is {size} bytes", t.elapsed());
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
