//! The secret scanner on arbitrary file bytes (the first byte picks the file's path): no panics, findings inside the file, the streamed read agrees with scan_file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::checks::scan_file(data);
});
