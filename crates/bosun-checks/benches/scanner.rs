//! Secret-scanner throughput on real files: the text files of the
//! bookworm-app test image's kept root filesystem that the scanner reads
//! (the paths `wants_path` accepts, up to the size limit, not binary), held
//! in memory. Without the test images (`scripts/build-test-images.sh`) the
//! benchmarks say so and measure nothing.
//!
//! `cargo bench -p bosun-checks --bench scanner`

use std::hint::black_box;
use std::path::Path;
use std::sync::LazyLock;

use bosun_checks::{DEFAULT_MAX_FILE_SIZE, SecretScanner};
use divan::counter::BytesCount;

fn main() {
    divan::main();
}

/// (path in the image, bytes) of every file the scanner would read.
static CORPUS: LazyLock<Vec<(String, Vec<u8>)>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.test-images/rootfs/bookworm-app");
    let scanner = SecretScanner::builtin();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let path = e.path();
            let Ok(md) = path.symlink_metadata() else {
                continue;
            };
            if md.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = match path.strip_prefix(&root) {
                Ok(r) => format!("/{}", r.display()),
                Err(_) => continue,
            };
            if !md.is_file() || md.len() == 0 || md.len() > DEFAULT_MAX_FILE_SIZE {
                continue;
            }
            if !scanner.wants_path(&rel) {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                out.push((rel, bytes));
            }
        }
    }
    out.sort();
    if out.is_empty() {
        eprintln!(
            "no corpus: {} is missing (run scripts/build-test-images.sh)",
            root.display()
        );
    }
    out
});

fn corpus_bytes() -> usize {
    CORPUS.iter().map(|(_, b)| b.len()).sum()
}

/// Every candidate file through `scan_file` (binary sniffing included).
#[divan::bench(sample_count = 20)]
fn scan_rootfs_files(b: divan::Bencher) {
    let scanner = SecretScanner::builtin();
    b.counter(BytesCount::new(corpus_bytes())).bench(|| {
        let mut n = 0usize;
        for (path, bytes) in CORPUS.iter() {
            n += scanner.scan_file(black_box(path), black_box(bytes)).len();
        }
        n
    });
}

/// Building the scanner: compiling every built-in rule and the keyword
/// automaton (once per scan).
#[divan::bench]
fn build_builtin_scanner() -> SecretScanner {
    SecretScanner::builtin()
}
