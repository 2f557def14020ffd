//! The executable pass (Go build info and cargo-auditable data in one
//! stream): never panics, never keeps more than its limits, on raw input
//! and on input behind a valid ELF header whose segments cover it.
#![no_main]

use std::io::Read;

use bosun_catalog::lang::golang::exec::{MAX_AUDIT_JSON, scan};
use libfuzzer_sys::fuzz_target;

/// A little-endian ELF64 header with two PT_LOAD segments (read-only, then
/// writable) and a Go build-ID note, followed by `body`.
fn elf(body: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 0x200];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2;
    f[5] = 1;
    f[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
    f[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
    f[0x38..0x3a].copy_from_slice(&3u16.to_le_bytes());
    let half = (body.len() / 2) as u64;
    let total = body.len() as u64;
    let mut ph = |i: usize, ty: u32, flags: u32, off: u64, va: u64, sz: u64| {
        let at = 64 + i * 56;
        f[at..at + 4].copy_from_slice(&ty.to_le_bytes());
        f[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
        f[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
        f[at + 16..at + 24].copy_from_slice(&va.to_le_bytes());
        f[at + 32..at + 40].copy_from_slice(&sz.to_le_bytes());
    };
    ph(0, 1, 4, 0x200, 0x40_0200, half);
    ph(1, 1, 6, 0x200 + half, 0x40_0200 + half, total - half);
    ph(2, 4, 4, 0x1c0, 0, 16);
    f[0x1c0..0x1c4].copy_from_slice(&4u32.to_le_bytes());
    f[0x1c4..0x1c8].copy_from_slice(&0u32.to_le_bytes());
    f[0x1c8..0x1cc].copy_from_slice(&4u32.to_le_bytes());
    f[0x1cc..0x1d0].copy_from_slice(b"Go\0\0");
    f.extend_from_slice(body);
    f
}

/// Reads in small, uneven pieces to cross window boundaries.
struct Pieces<'a>(&'a [u8], usize);
impl Read for Pieces<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.1 = self.1 % 7 + 1;
        let n = out.len().min(self.0.len()).min(self.1 * 997);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode & 1 == 0 { elf(rest) } else { rest.to_vec() };
    let found = if mode & 2 == 0 {
        scan(&mut file.as_slice())
    } else {
        scan(&mut Pieces(&file, 0))
    };
    if let Ok(f) = found {
        if let Some(json) = &f.rust {
            assert!(json.len() <= MAX_AUDIT_JSON);
        }
    }
});
