//! A read-only reader for the Berkeley DB hash databases rpm < 4.16 used
//! (`/var/lib/rpm/Packages`).
//!
//! Only what rpm's `Packages` needs: the hash metadata page, bucket chains of
//! hash pages, key/data items stored inline (`H_KEYDATA`) or on overflow
//! pages (`H_OFFPAGE`), either byte order, and page checksums (which only
//! move the item index). Keys are 4-byte header instance numbers; key 0
//! holds rpm's next instance number and is skipped. Every page number,
//! offset and length is checked against the file, each page is visited at
//! most once, and overflow chains stop at the record's declared length.

use std::borrow::Cow;

use super::{DbError, DbRead, Record};
use crate::os::limits::{MAX_HEADER_LEN, MAX_PACKAGES};

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;
/// The generic page header: lsn, pgno, prev, next, entries, hf_offset, level, type.
const PAGE_HEADER: usize = 26;
/// With page checksums, two unused bytes and a 4-byte checksum follow it.
const PAGE_HEADER_CHKSUM: usize = 32;
const DBMETA_CHKSUM: u8 = 0x01;

#[derive(Clone, Copy)]
struct Order {
    big: bool,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let s = b.get(at..at.checked_add(2)?)?;
        let a = [s[0], s[1]];
        Some(if self.big {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let s = b.get(at..at.checked_add(4)?)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if self.big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }
}

struct Db<'a> {
    bytes: &'a [u8],
    order: Order,
    page_size: usize,
    pages: usize,
    overhead: usize,
}

struct Page<'a> {
    bytes: &'a [u8],
    next: u32,
    entries: usize,
    hf_offset: usize,
    kind: u8,
}

impl<'a> Db<'a> {
    fn page(&self, pgno: u32) -> Result<Page<'a>, String> {
        let n = pgno as usize;
        if n == 0 || n >= self.pages {
            return Err(format!("page {pgno} is outside the {} pages", self.pages));
        }
        let start = n * self.page_size;
        let bytes = self
            .bytes
            .get(start..start + self.page_size)
            .ok_or_else(|| format!("page {pgno} is past the end of the file"))?;
        let o = self.order;
        let (Some(next), Some(entries), Some(hf_offset), Some(&kind)) = (
            o.u32(bytes, 16),
            o.u16(bytes, 20),
            o.u16(bytes, 22),
            bytes.get(25),
        ) else {
            return Err(format!("page {pgno} header is truncated"));
        };
        Ok(Page {
            bytes,
            next,
            entries: entries as usize,
            hf_offset: hf_offset as usize,
            kind,
        })
    }

    /// Assembles an overflow item of `len` bytes starting at page `pgno`.
    fn overflow(&self, mut pgno: u32, len: usize, visited: &mut [bool]) -> Result<Vec<u8>, String> {
        if len > MAX_HEADER_LEN || len > self.bytes.len() {
            return Err(format!("overflow item claims {len} bytes"));
        }
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if pgno == 0 {
                return Err(format!(
                    "overflow chain ends after {} of {len} bytes",
                    out.len()
                ));
            }
            let page = self.page(pgno)?;
            if page.kind != P_OVERFLOW {
                return Err(format!(
                    "page {pgno} in an overflow chain has type {}",
                    page.kind
                ));
            }
            let seen = visited
                .get_mut(pgno as usize)
                .ok_or_else(|| format!("page {pgno} is outside the file"))?;
            if *seen {
                return Err(format!("overflow chain revisits page {pgno}"));
            }
            *seen = true;
            let chunk = page
                .bytes
                .get(self.overhead..self.overhead + page.hf_offset)
                .ok_or_else(|| format!("overflow page {pgno} claims {} bytes", page.hf_offset))?;
            let want = (len - out.len()).min(chunk.len());
            out.extend_from_slice(chunk.get(..want).unwrap_or_default());
            pgno = page.next;
        }
        Ok(out)
    }
}

/// BDB's `__db_log2`: the smallest `i` with `2^i >= n`.
fn log2(n: u32) -> usize {
    let mut i = 0;
    let mut limit: u64 = 1;
    while limit < u64::from(n) {
        limit <<= 1;
        i += 1;
    }
    i
}

/// Reads every header blob of a Berkeley DB hash `Packages` database.
pub fn read(bytes: &[u8]) -> Result<DbRead<'_>, DbError> {
    let head = |what: &str| DbError::Format(format!("metadata page: {what}"));
    let raw_magic = bytes
        .get(12..16)
        .ok_or_else(|| head("file is shorter than a metadata page"))?;
    let le = u32::from_le_bytes([raw_magic[0], raw_magic[1], raw_magic[2], raw_magic[3]]);
    let be = u32::from_be_bytes([raw_magic[0], raw_magic[1], raw_magic[2], raw_magic[3]]);
    let order = match (le, be) {
        (HASH_MAGIC, _) => Order { big: false },
        (_, HASH_MAGIC) => Order { big: true },
        (BTREE_MAGIC, _) | (_, BTREE_MAGIC) => {
            return Err(head("a Btree database, not the Hash database rpm uses"));
        }
        _ => return Err(head(&format!("magic {le:#x} is not a Berkeley DB hash"))),
    };
    let field = |at: usize| order.u32(bytes, at).ok_or_else(|| head("truncated"));
    let version = field(16)?;
    if !(8..=10).contains(&version) {
        return Err(head(&format!("hash version {version} is not 8, 9 or 10")));
    }
    let page_size = field(20)? as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(head(&format!("page size {page_size} is invalid")));
    }
    if bytes.get(24).copied().unwrap_or(0) != 0 {
        return Err(head("the database is encrypted"));
    }
    if bytes.get(25).copied() != Some(P_HASHMETA) {
        return Err(head("page 0 is not a hash metadata page"));
    }
    let overhead = if bytes.get(26).copied().unwrap_or(0) & DBMETA_CHKSUM != 0 {
        PAGE_HEADER_CHKSUM
    } else {
        PAGE_HEADER
    };
    let pages = bytes.len() / page_size;
    let max_bucket = field(72)?;
    if max_bucket as usize >= pages.max(1) {
        return Err(head(&format!(
            "{} buckets cannot fit in {pages} pages",
            u64::from(max_bucket) + 1
        )));
    }
    let mut spares = [0u32; 32];
    for (i, s) in spares.iter_mut().enumerate() {
        *s = field(96 + 4 * i)?;
    }
    let db = Db {
        bytes,
        order,
        page_size,
        pages,
        overhead,
    };
    let mut out = DbRead::default();
    let mut visited = vec![false; pages];
    for bucket in 0..=max_bucket {
        let spare = spares
            .get(log2(bucket.saturating_add(1)))
            .copied()
            .unwrap_or(0);
        let mut pgno = bucket.wrapping_add(spare);
        while pgno != 0 {
            let Some(seen) = visited.get_mut(pgno as usize) else {
                out.warnings.push(format!(
                    "bucket {bucket}: page {pgno} is outside the {pages} pages"
                ));
                break;
            };
            if *seen {
                out.warnings
                    .push(format!("bucket {bucket}: page {pgno} is visited twice"));
                break;
            }
            *seen = true;
            let page = match db.page(pgno) {
                Ok(p) => p,
                Err(e) => {
                    out.warnings.push(format!("bucket {bucket}: {e}"));
                    break;
                }
            };
            if page.kind != P_HASH && page.kind != P_HASH_UNSORTED {
                out.warnings.push(format!(
                    "bucket {bucket}: page {pgno} has type {}, not a hash page",
                    page.kind
                ));
                break;
            }
            read_hash_page(&db, pgno, &page, &mut visited, &mut out);
            if out.records.len() >= MAX_PACKAGES {
                out.warnings
                    .push(format!("stopped after {MAX_PACKAGES} records (limit)"));
                return Ok(out);
            }
            pgno = page.next;
        }
    }
    Ok(out)
}

fn read_hash_page<'a>(
    db: &Db<'a>,
    pgno: u32,
    page: &Page<'a>,
    visited: &mut [bool],
    out: &mut DbRead<'a>,
) {
    let index_end = db.overhead + 2 * page.entries;
    if index_end > db.page_size {
        out.warnings.push(format!(
            "page {pgno}: {} entries overflow the page",
            page.entries
        ));
        return;
    }
    let item = |i: usize| -> Option<&'a [u8]> {
        let off = db.order.u16(page.bytes, db.overhead + 2 * i)? as usize;
        let end = if i == 0 {
            db.page_size
        } else {
            db.order.u16(page.bytes, db.overhead + 2 * (i - 1))? as usize
        };
        if off < index_end || off >= end {
            return None;
        }
        page.bytes.get(off..end)
    };
    if !page.entries.is_multiple_of(2) {
        out.warnings.push(format!(
            "page {pgno}: odd number of items ({})",
            page.entries
        ));
    }
    for pair in 0..page.entries / 2 {
        let (Some(key), Some(data)) = (item(2 * pair), item(2 * pair + 1)) else {
            out.warnings.push(format!(
                "page {pgno}: item {} has an invalid offset",
                2 * pair
            ));
            continue;
        };
        let id = match (key.first(), key.get(1..)) {
            (Some(&H_KEYDATA), Some(k)) if k.len() == 4 => db.order.u32(k, 0).unwrap_or(0),
            _ => {
                out.warnings.push(format!(
                    "page {pgno}: item {} is not a 4-byte key",
                    2 * pair
                ));
                continue;
            }
        };
        if id == 0 {
            // rpm's "next instance number" record.
            continue;
        }
        let blob: Cow<'a, [u8]> = match data.first().copied() {
            Some(H_KEYDATA) => Cow::Borrowed(data.get(1..).unwrap_or_default()),
            Some(H_OFFPAGE) => {
                let (Some(first), Some(len)) = (db.order.u32(data, 4), db.order.u32(data, 8))
                else {
                    out.warnings.push(format!(
                        "page {pgno}: record {id}: truncated overflow reference"
                    ));
                    continue;
                };
                match db.overflow(first, len as usize, visited) {
                    Ok(v) => Cow::Owned(v),
                    Err(e) => {
                        out.warnings.push(format!("page {pgno}: record {id}: {e}"));
                        continue;
                    }
                }
            }
            Some(t @ (H_DUPLICATE | H_OFFDUP)) => {
                out.warnings.push(format!(
                    "page {pgno}: record {id}: duplicate items (type {t}) are not rpm records"
                ));
                continue;
            }
            t => {
                out.warnings
                    .push(format!("page {pgno}: record {id}: unknown item type {t:?}"));
                continue;
            }
        };
        out.records.push(Record { id, blob });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_matches_berkeley_db() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(log2), [0, 1, 2, 2, 3, 3, 4]);
        assert_eq!(log2(u32::MAX), 32);
    }

    #[test]
    fn rejects_what_is_not_a_hash_database() {
        assert!(read(b"short").is_err());
        let mut meta = vec![0u8; 4096];
        meta[12..16].copy_from_slice(&BTREE_MAGIC.to_le_bytes());
        assert!(
            read(&meta)
                .expect_err("error")
                .to_string()
                .contains("Btree")
        );
        meta[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
        meta[16..20].copy_from_slice(&9u32.to_le_bytes());
        meta[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(
            read(&meta)
                .expect_err("error")
                .to_string()
                .contains("page size")
        );
        meta[20..24].copy_from_slice(&4096u32.to_le_bytes());
        meta[25] = P_HASHMETA;
        meta[72..76].copy_from_slice(&5u32.to_le_bytes());
        assert!(
            read(&meta)
                .expect_err("error")
                .to_string()
                .contains("buckets")
        );
        meta[72..76].copy_from_slice(&0u32.to_le_bytes());
        // One bucket whose page (0 + spares[0] = 0) is the end of the chain: empty.
        let r = read(&meta).expect("empty database");
        assert!(r.records.is_empty());
    }
}
