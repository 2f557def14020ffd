//! rpm's own "ndb" package database (`Packages.db`, SUSE since 2020).
//!
//! All integers little-endian. The file starts with a 32-byte header
//! (`RpmP`, version 0, generation, number of slot pages, next package index);
//! the slot pages (4096 bytes each, counted from the file start) hold 16-byte
//! slots after the header: `Slot`, package index (0 = free), block offset and
//! block count, in 16-byte blocks. A blob is `BlbS`, package index,
//! generation, length, the header bytes, padding, then a tail: Adler-32 of
//! everything before it, the length again, and `BlbE`. A blob whose magic,
//! index, length or checksum disagrees is skipped with a warning.

use std::borrow::Cow;

use super::{DbError, DbRead, Record};
use crate::os::limits::{MAX_HEADER_LEN, MAX_PACKAGES};

const DB_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD: &[u8; 4] = b"BlbS";
const BLOB_TAIL: &[u8; 4] = b"BlbE";
const HEADER_SIZE: usize = 32;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const SLOT_PAGE_SIZE: usize = 4096;
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Adler-32 (RFC 1950).
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow before the modulo.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Reads every header blob of an ndb `Packages.db`.
pub fn read(bytes: &[u8]) -> Result<DbRead<'_>, DbError> {
    let fmt = |s: String| DbError::Format(s);
    if bytes.len() < HEADER_SIZE || bytes.get(..4) != Some(DB_MAGIC.as_slice()) {
        return Err(fmt("no `RpmP` ndb header".into()));
    }
    let version = le32(bytes, 4).unwrap_or(u32::MAX);
    if version != 0 {
        return Err(fmt(format!("ndb version {version} is not 0")));
    }
    let slot_pages = le32(bytes, 12).unwrap_or(0) as usize;
    let slot_bytes = slot_pages
        .checked_mul(SLOT_PAGE_SIZE)
        .filter(|n| *n >= SLOT_PAGE_SIZE && *n <= bytes.len())
        .ok_or_else(|| {
            fmt(format!(
                "{slot_pages} slot pages do not fit in the {}-byte file",
                bytes.len()
            ))
        })?;
    let mut out = DbRead::default();
    for slot in (HEADER_SIZE / SLOT_SIZE)..(slot_bytes / SLOT_SIZE) {
        let at = slot * SLOT_SIZE;
        let (Some(magic), Some(pkg), Some(blk_off), Some(blk_cnt)) = (
            bytes.get(at..at + 4),
            le32(bytes, at + 4),
            le32(bytes, at + 8),
            le32(bytes, at + 12),
        ) else {
            break;
        };
        if magic != SLOT_MAGIC.as_slice() {
            out.warnings.push(format!(
                "slot {slot}: bad magic, rest of the slot table skipped"
            ));
            break;
        }
        if pkg == 0 {
            continue;
        }
        match blob(bytes, pkg, blk_off as usize, blk_cnt as usize) {
            Ok(b) => out.records.push(Record {
                id: pkg,
                blob: Cow::Borrowed(b),
            }),
            Err(e) => out.warnings.push(format!("package {pkg}: {e}")),
        }
        if out.records.len() >= MAX_PACKAGES {
            out.warnings
                .push(format!("stopped after {MAX_PACKAGES} records (limit)"));
            break;
        }
    }
    Ok(out)
}

fn blob(bytes: &[u8], pkg: u32, blk_off: usize, blk_cnt: usize) -> Result<&[u8], String> {
    let start = blk_off
        .checked_mul(BLOCK_SIZE)
        .ok_or("block offset overflows")?;
    let len = blk_cnt
        .checked_mul(BLOCK_SIZE)
        .ok_or("block count overflows")?;
    let end = start.checked_add(len).ok_or("blob end overflows")?;
    let area = bytes
        .get(start..end)
        .ok_or_else(|| format!("blocks {blk_off}+{blk_cnt} run past the file"))?;
    if len < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE {
        return Err(format!("{blk_cnt} blocks cannot hold a blob"));
    }
    if area.get(..4) != Some(BLOB_HEAD.as_slice()) {
        return Err("bad blob head magic".into());
    }
    if le32(area, 4) != Some(pkg) {
        return Err(format!(
            "blob belongs to package {}",
            le32(area, 4).unwrap_or(0)
        ));
    }
    let blob_len = le32(area, 12).unwrap_or(0) as usize;
    if blob_len > MAX_HEADER_LEN || BLOB_HEAD_SIZE + blob_len + BLOB_TAIL_SIZE > len {
        return Err(format!(
            "blob length {blob_len} does not fit its {len} bytes"
        ));
    }
    let tail = len - BLOB_TAIL_SIZE;
    if area.get(tail + 8..tail + 12) != Some(BLOB_TAIL.as_slice()) {
        return Err("bad blob tail magic".into());
    }
    if le32(area, tail + 4) != Some(blob_len as u32) {
        return Err("blob head and tail lengths differ".into());
    }
    let sum = le32(area, tail).unwrap_or(0);
    let computed = adler32(area.get(..tail).unwrap_or_default());
    if sum != computed {
        return Err(format!(
            "blob checksum {sum:#010x} does not match its content ({computed:#010x})"
        ));
    }
    area.get(BLOB_HEAD_SIZE..BLOB_HEAD_SIZE + blob_len)
        .ok_or_else(|| "blob out of range".into())
}

/// Builds an ndb file from blobs (tests and fuzz seeds).
pub fn build(blobs: &[&[u8]]) -> Vec<u8> {
    let mut file = vec![0u8; SLOT_PAGE_SIZE];
    file[..4].copy_from_slice(DB_MAGIC);
    file[12..16].copy_from_slice(&1u32.to_le_bytes());
    file[16..20].copy_from_slice(&(blobs.len() as u32 + 1).to_le_bytes());
    for (i, b) in blobs.iter().enumerate() {
        let pkg = i as u32 + 1;
        let mut area = Vec::new();
        area.extend_from_slice(BLOB_HEAD);
        area.extend_from_slice(&pkg.to_le_bytes());
        area.extend_from_slice(&1u32.to_le_bytes());
        area.extend_from_slice(&(b.len() as u32).to_le_bytes());
        area.extend_from_slice(b);
        while !(area.len() + BLOB_TAIL_SIZE).is_multiple_of(BLOCK_SIZE) {
            area.push(0);
        }
        let sum = adler32(&area);
        area.extend_from_slice(&sum.to_le_bytes());
        area.extend_from_slice(&(b.len() as u32).to_le_bytes());
        area.extend_from_slice(BLOB_TAIL);
        let blk_off = file.len() / BLOCK_SIZE;
        let blk_cnt = area.len() / BLOCK_SIZE;
        let slot = (HEADER_SIZE + i * SLOT_SIZE).min(SLOT_PAGE_SIZE - SLOT_SIZE);
        file[slot..slot + 4].copy_from_slice(SLOT_MAGIC);
        file[slot + 4..slot + 8].copy_from_slice(&pkg.to_le_bytes());
        file[slot + 8..slot + 12].copy_from_slice(&(blk_off as u32).to_le_bytes());
        file[slot + 12..slot + 16].copy_from_slice(&(blk_cnt as u32).to_le_bytes());
        file.extend_from_slice(&area);
    }
    // Free slots still carry their magic.
    let mut slot = HEADER_SIZE + blobs.len() * SLOT_SIZE;
    while slot + SLOT_SIZE <= SLOT_PAGE_SIZE {
        file[slot..slot + 4].copy_from_slice(SLOT_MAGIC);
        slot += SLOT_SIZE;
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 100_000];
        // Reference computed with Python's zlib.adler32.
        assert_eq!(adler32(&big), 0x149a_302c);
    }

    #[test]
    fn round_trips_built_files_and_checks_every_field() {
        let file = build(&[b"first blob", b"second"]);
        let r = read(&file).expect("read");
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let got: Vec<(u32, &[u8])> = r.records.iter().map(|r| (r.id, &*r.blob)).collect();
        assert_eq!(got, vec![(1, &b"first blob"[..]), (2, &b"second"[..])]);

        // Corrupt one byte of the first blob: checksum mismatch, skipped.
        let mut bad = file.clone();
        bad[SLOT_PAGE_SIZE + BLOB_HEAD_SIZE] ^= 1;
        let r = read(&bad).expect("read");
        assert_eq!(r.records.len(), 1);
        assert!(r.warnings[0].contains("checksum"), "{:?}", r.warnings);

        let mut bad = file.clone();
        bad[12..16].copy_from_slice(&1000u32.to_le_bytes());
        assert!(read(&bad).is_err());
        assert!(read(b"RpmX").is_err());
    }
}
