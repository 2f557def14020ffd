//! Stable identifiers for packages inside a document.

use bosun_model::Package;

/// A short identifier that stays the same for the same package found in the
/// same place, across runs: 64-bit FNV-1a over the fields that make a
/// package distinct, in hex.
pub(crate) fn package_id(p: &Package) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        p.ecosystem.purl_type(),
        &p.name,
        &p.version,
        p.arch.as_deref().unwrap_or(""),
        &p.found_in.path,
    ] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Characters SPDX allows in an `SPDXRef-` identifier: letters, digits, `.` and `-`.
pub(crate) fn spdx_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
