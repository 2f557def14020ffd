//! The layer reader on arbitrary bytes as a blob (sniffed as gzip, zstd or a
//! plain tar by its first bytes): no panic, no unbounded allocation, and the
//! threaded and single-threaded readers agree.
#![no_main]

use bosun_image::Limits;
use bosun_image::testing::read_layer_blob;
use bosun_tree::{EntrySink, FileMeta, Want};
use libfuzzer_sys::fuzz_target;

struct Sink;

impl EntrySink for Sink {
    fn want(&self, path: &str, _meta: &FileMeta) -> Want {
        match path.len() % 3 {
            0 => Want::KEEP,
            1 => Want { keep: true, inspect: true },
            _ => Want::INSPECT,
        }
    }
    fn inspect(&self, _layer: usize, _path: &str, _meta: &FileMeta, data: &mut dyn std::io::Read) {
        let mut buf = [0u8; 100];
        let _ = data.read(&mut buf);
    }
}

fn limits() -> Limits {
    Limits {
        max_layer_bytes: 64 << 20,
        max_entries_per_layer: 100_000,
        max_kept_file_bytes: 1 << 20,
        zstd_window_log_max: 23,
        ..Limits::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let a = read_layer_blob(&mut { data }, &limits(), &Sink, true);
    let b = read_layer_blob(&mut { data }, &limits(), &Sink, false);
    match (&a, &b) {
        (Ok(x), Ok(y)) => assert_eq!(x, y),
        (Err(_), Err(_)) => {}
        _ => panic!("threaded and serial readers disagree: {:?} vs {:?}", a.map(|x| x.1), b.map(|x| x.1)),
    }
});
