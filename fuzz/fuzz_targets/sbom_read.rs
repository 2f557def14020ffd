//! bosun_sbom::read_inventory on arbitrary bytes (CycloneDX, SPDX, Syft, bosun JSON).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_fuzz::sbom::read_inventory(data);
});
