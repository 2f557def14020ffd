//! Arbitrary bytes as the tar inside a gzip layer (so tar parsing runs
//! behind the decompression pipeline), and as the deflate data after a gzip
//! header: no panic, and a successful read reports the right diff_id.
#![no_main]

use std::io::Write;

use bosun_image::Limits;
use bosun_image::testing::read_layer_blob;
use bosun_tree::KeepIf;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        max_entries_per_layer: 100_000,
        ..Limits::default()
    };
    let sink = KeepIf(|p: &str, _: &bosun_tree::FileMeta| p.len() < 20);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(data);
    let blob = e.finish().unwrap_or_default();
    if let Ok((_, digest, diff_id)) = read_layer_blob(&mut blob.as_slice(), &limits, &sink, true) {
        assert_eq!(diff_id, format!("sha256:{}", hex::encode(Sha256::digest(data))));
        assert_eq!(digest, format!("sha256:{}", hex::encode(Sha256::digest(&blob))));
    }
    let mut raw = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    raw.extend_from_slice(data);
    let _ = read_layer_blob(&mut raw.as_slice(), &limits, &sink, true);
});
