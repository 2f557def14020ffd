//! rpm's sqlite database (`rpmdb.sqlite`, rpm >= 4.16): table
//! `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`.
//!
//! The bytes never touch the disk: they are copied into an in-memory,
//! read-only SQLite connection (`sqlite3_deserialize`). rpm keeps the
//! database in WAL mode; a deserialized database cannot use a WAL, so the
//! header's WAL flag is cleared in the copy, and committed frames of a
//! non-empty `rpmdb.sqlite-wal` beside it are applied first (normally rpm
//! checkpoints and empties the WAL when it exits). The connection is
//! hardened as SQLite advises for untrusted files: defensive mode, no trust
//! in the schema, `Packages` must be a real table, and blob lengths are
//! limited.

use std::borrow::Cow;

use rusqlite::limits::Limit;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::{DbError, DbRead, Record};
use crate::os::limits::{MAX_HEADER_LEN, MAX_PACKAGES};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn sql(e: rusqlite::Error) -> DbError {
    DbError::Format(format!("sqlite: {e}"))
}

/// Reads every header blob of an rpm sqlite database, applying `wal` (the
/// bytes of `rpmdb.sqlite-wal`) when given and not empty.
pub fn read(bytes: &[u8], wal: Option<&[u8]>) -> Result<DbRead<'static>, DbError> {
    if bytes.get(..16) != Some(SQLITE_MAGIC.as_slice()) {
        return Err(DbError::Format("not a SQLite 3 database".into()));
    }
    let mut warnings = Vec::new();
    let mut image = bytes.to_vec();
    if let Some(wal) = wal.filter(|w| !w.is_empty()) {
        match apply_wal(&mut image, wal) {
            Ok(0) => {}
            Ok(n) => warnings.push(format!("applied {n} committed pages from the WAL")),
            Err(e) => warnings.push(format!("WAL not applied: {e}")),
        }
    }
    // Bytes 18 and 19: file format write/read versions; 2 means WAL.
    if let Some(v) = image.get_mut(18..20) {
        for b in v {
            if *b == 2 {
                *b = 1;
            }
        }
    }
    let mut conn = Connection::open_with_flags(
        ":memory:",
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(sql)?;
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA,
        false,
    )
    .map_err(sql)?;
    let max_len = i32::try_from(MAX_HEADER_LEN).unwrap_or(i32::MAX);
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, max_len)
        .map_err(sql)?;
    let len = image.len();
    conn.deserialize_read_exact(MAIN_DB, &image[..], len, true)
        .map_err(sql)?;
    drop(image);
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                DbError::Format("the database has no Packages table".into())
            }
            e => sql(e),
        })
        .map(Some)?;
    if kind.as_deref() != Some("table") {
        return Err(DbError::Format(format!(
            "Packages is a {}, not a table",
            kind.unwrap_or_default()
        )));
    }
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut records = Vec::new();
    loop {
        let row = match rows.next() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                if records.is_empty() {
                    return Err(sql(e));
                }
                warnings.push(format!(
                    "stopped after {} records: sqlite: {e}",
                    records.len()
                ));
                break;
            }
        };
        let id: i64 = match row.get(0) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(format!("row {}: hnum: {e}", records.len() + 1));
                continue;
            }
        };
        let blob: Vec<u8> = match row.get(1) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(format!("hnum {id}: blob: {e}"));
                continue;
            }
        };
        records.push(Record {
            id: u32::try_from(id).unwrap_or(0),
            blob: Cow::Owned(blob),
        });
        if records.len() >= MAX_PACKAGES {
            warnings.push(format!("stopped after {MAX_PACKAGES} records (limit)"));
            break;
        }
    }
    Ok(DbRead { records, warnings })
}

const WAL_MAGIC_LE: u32 = 0x377f_0682;
const WAL_MAGIC_BE: u32 = 0x377f_0683;
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing
/// from `(s0, s1)`; words are read big-endian when `big`.
fn wal_checksum(data: &[u8], big: bool, (mut s0, mut s1): (u32, u32)) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let word = |i: usize| {
            let a = [pair[i], pair[i + 1], pair[i + 2], pair[i + 3]];
            if big {
                u32::from_be_bytes(a)
            } else {
                u32::from_le_bytes(a)
            }
        };
        s0 = s0.wrapping_add(word(0)).wrapping_add(s1);
        s1 = s1.wrapping_add(word(4)).wrapping_add(s0);
    }
    (s0, s1)
}

/// Applies the committed frames of a WAL file to a database image. Returns
/// how many pages were written. Frames after the last valid commit (or after
/// the first frame whose salt or checksum breaks the chain) are ignored, as
/// SQLite does.
pub fn apply_wal(image: &mut Vec<u8>, wal: &[u8]) -> Result<usize, String> {
    let magic = be32(wal, 0).ok_or("WAL header is truncated")?;
    let big = match magic {
        WAL_MAGIC_BE => true,
        WAL_MAGIC_LE => false,
        m => return Err(format!("bad WAL magic {m:#x}")),
    };
    let page_size = be32(wal, 8).ok_or("WAL header is truncated")? as usize;
    let page_size = if page_size == 1 { 65536 } else { page_size };
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("WAL page size {page_size} is invalid"));
    }
    let salt = wal.get(16..24).ok_or("WAL header is truncated")?;
    let header = wal.get(..24).ok_or("WAL header is truncated")?;
    let mut sum = wal_checksum(header, big, (0, 0));
    if (be32(wal, 24), be32(wal, 28)) != (Some(sum.0), Some(sum.1)) {
        return Err("WAL header checksum does not match".into());
    }
    // Pages of the transaction being read, and of the last complete one.
    let mut pending: Vec<(u32, usize)> = Vec::new();
    let mut committed: Vec<(u32, usize)> = Vec::new();
    let mut final_size: Option<u32> = None;
    let frame_len = FRAME_HEADER + page_size;
    let mut at = WAL_HEADER;
    while let Some(frame) = wal.get(at..at + frame_len) {
        if frame.get(8..16) != Some(salt) {
            break;
        }
        let (Some(pgno), Some(commit)) = (be32(frame, 0), be32(frame, 4)) else {
            break;
        };
        sum = wal_checksum(frame.get(..8).unwrap_or_default(), big, sum);
        sum = wal_checksum(frame.get(FRAME_HEADER..).unwrap_or_default(), big, sum);
        if (be32(frame, 16), be32(frame, 20)) != (Some(sum.0), Some(sum.1)) || pgno == 0 {
            break;
        }
        pending.push((pgno, at + FRAME_HEADER));
        if commit != 0 {
            committed.append(&mut pending);
            final_size = Some(commit);
        }
        at += frame_len;
    }
    let Some(pages) = final_size else {
        return Ok(0);
    };
    // The database's page size (bytes 16-17, big-endian; 1 means 65536).
    let db_page = match image.get(16..18).map(|b| u16::from_be_bytes([b[0], b[1]])) {
        Some(1) => 65536,
        Some(n) => n as usize,
        None => 0,
    };
    if db_page != page_size {
        return Err(format!(
            "WAL page size {page_size} differs from the database's {db_page}"
        ));
    }
    // Every page of the result comes from the database or the WAL.
    let new_len = (pages as usize)
        .checked_mul(page_size)
        .filter(|n| *n <= image.len() + wal.len())
        .ok_or("WAL commit size is implausible")?;
    image.resize(new_len, 0);
    let mut written = 0;
    for (pgno, data_at) in committed {
        let start = (pgno as usize - 1) * page_size;
        if let (Some(dst), Some(src)) = (
            image.get_mut(start..start + page_size),
            wal.get(data_at..data_at + page_size),
        ) {
            dst.copy_from_slice(src);
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_sqlite_is_an_error() {
        assert!(read(b"not a database at all", None).is_err());
        let mut fake = SQLITE_MAGIC.to_vec();
        fake.extend_from_slice(&[0u8; 84]);
        assert!(read(&fake, None).is_err());
    }

    #[test]
    fn wal_checksum_chain_is_checked() {
        assert!(apply_wal(&mut Vec::new(), b"").is_err());
        let mut hdr = Vec::new();
        hdr.extend_from_slice(&WAL_MAGIC_LE.to_be_bytes());
        hdr.extend_from_slice(&3_007_000u32.to_be_bytes());
        hdr.extend_from_slice(&4096u32.to_be_bytes());
        hdr.extend_from_slice(&[0u8; 12]);
        let (a, b) = wal_checksum(&hdr, false, (0, 0));
        hdr.extend_from_slice(&a.to_be_bytes());
        hdr.extend_from_slice(&b.to_be_bytes());
        // A valid header with no frames applies nothing.
        let mut db = vec![0u8; 4096];
        db[16..18].copy_from_slice(&4096u16.to_be_bytes());
        assert_eq!(apply_wal(&mut db.clone(), &hdr), Ok(0));
        let mut bad = hdr.clone();
        bad[31] ^= 1;
        assert!(apply_wal(&mut db, &bad).is_err());
    }
}
