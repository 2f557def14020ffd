//! bosun-sbom: `read_inventory` on arbitrary bytes (any SBOM a user hands
//! to `bosun scan sbom:FILE`). Errors, never panics; what it reads has
//! packages with names.

pub fn read_inventory(data: &[u8]) {
    if let Ok((_, inv)) = bosun_sbom::read_inventory(data, "sbom:fuzz.json") {
        for p in &inv.packages {
            assert!(!p.name.is_empty(), "{p:?}");
        }
    }
}
