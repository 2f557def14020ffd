//! Arbitrary bytes as the tar inside a zstd layer, and as a zstd frame after
//! the magic number: no panic, bounded window, right diff_id.
#![no_main]

use bosun_image::Limits;
use bosun_image::testing::read_layer_blob;
use bosun_tree::MetadataOnly;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        max_entries_per_layer: 100_000,
        zstd_window_log_max: 23,
        ..Limits::default()
    };
    let blob = zstd::encode_all(data, 1).unwrap_or_default();
    if let Ok((_, _, diff_id)) = read_layer_blob(&mut blob.as_slice(), &limits, &MetadataOnly, true) {
        assert_eq!(diff_id, format!("sha256:{}", hex::encode(Sha256::digest(data))));
    }
    let mut raw = vec![0x28, 0xb5, 0x2f, 0xfd];
    raw.extend_from_slice(data);
    let _ = read_layer_blob(&mut raw.as_slice(), &limits, &MetadataOnly, true);
});
