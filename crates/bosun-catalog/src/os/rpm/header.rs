//! The rpm header blob, as package databases store it (no lead, no magic).
//!
//! Layout (all integers big-endian): `il: u32` index entries, `dl: u32`
//! bytes of data, then `il` entries of `(tag: i32, type: u32, offset: i32,
//! count: u32)`, then the data store. Every offset and count is checked
//! against the data store before it is read; the counts rpm itself accepts
//! (at most 0xffff entries and 256 MiB of data) bound the rest. When a tag
//! appears twice, the later entry wins (rpm lets "dribble" entries appended
//! after install replace those of the signed region).

use crate::os::limits::{MAX_FILES_PER_PACKAGE, MAX_HEADER_LEN};

/// Tag numbers bosun reads.
pub mod tag {
    pub const NAME: i32 = 1000;
    pub const VERSION: i32 = 1001;
    pub const RELEASE: i32 = 1002;
    pub const EPOCH: i32 = 1003;
    pub const SIZE: i32 = 1009;
    pub const VENDOR: i32 = 1011;
    pub const LICENSE: i32 = 1014;
    pub const PACKAGER: i32 = 1015;
    pub const URL: i32 = 1020;
    pub const ARCH: i32 = 1022;
    pub const OLDFILENAMES: i32 = 1027;
    pub const FILEMODES: i32 = 1030;
    pub const SOURCERPM: i32 = 1044;
    pub const DIRINDEXES: i32 = 1116;
    pub const BASENAMES: i32 = 1117;
    pub const DIRNAMES: i32 = 1118;
    pub const LONGSIZE: i32 = 5009;
    pub const MODULARITYLABEL: i32 = 5096;
}

/// Entry data types.
pub mod ty {
    pub const INT16: u32 = 3;
    pub const INT32: u32 = 4;
    pub const INT64: u32 = 5;
    pub const STRING: u32 = 6;
    pub const STRING_ARRAY: u32 = 8;
    pub const I18NSTRING: u32 = 9;
}

/// Most index entries in a header (rpm's own limit).
pub const MAX_INDEX_ENTRIES: usize = 0xffff;
/// Most bytes of a header's data store (rpm's own limit).
pub const MAX_DATA_LEN: usize = 0x0fff_ffff;

/// Why a header blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("header is {0} bytes, shorter than its 8-byte preamble")]
    TooShort(usize),
    #[error("header claims {il} index entries and {dl} data bytes, more than its {len} bytes hold")]
    Truncated { il: u32, dl: u32, len: usize },
    #[error("header claims {0} index entries (limit {MAX_INDEX_ENTRIES})")]
    TooManyEntries(u32),
    #[error("header claims {0} data bytes (limit {MAX_DATA_LEN})")]
    TooMuchData(u32),
    #[error("tag {tag}: {what}")]
    BadTag { tag: i32, what: String },
    #[error("header has no {0} tag")]
    Missing(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: i32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// A parsed header: the index and the data store, borrowed from the blob.
#[derive(Debug, Clone)]
pub struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Header<'a> {
    /// Reads the preamble and the index of a header blob.
    pub fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        if blob.len() > MAX_HEADER_LEN {
            return Err(HeaderError::TooMuchData(
                u32::try_from(blob.len()).unwrap_or(u32::MAX),
            ));
        }
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(HeaderError::TooShort(blob.len()));
        };
        if il as usize > MAX_INDEX_ENTRIES {
            return Err(HeaderError::TooManyEntries(il));
        }
        if dl as usize > MAX_DATA_LEN {
            return Err(HeaderError::TooMuchData(dl));
        }
        let index_len = il as usize * 16;
        let data_start = 8 + index_len;
        let data_end = data_start + dl as usize;
        if data_end > blob.len() {
            return Err(HeaderError::Truncated {
                il,
                dl,
                len: blob.len(),
            });
        }
        let data = blob.get(data_start..data_end).unwrap_or_default();
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * 16;
            let (Some(tag), Some(ty), Some(offset), Some(count)) = (
                be32(blob, at),
                be32(blob, at + 4),
                be32(blob, at + 8),
                be32(blob, at + 12),
            ) else {
                return Err(HeaderError::TooShort(blob.len()));
            };
            entries.push(Entry {
                tag: tag as i32,
                ty,
                // Negative offsets (region trailers) become huge and fail
                // the bounds checks when read.
                offset: offset as usize,
                count: count as usize,
            });
        }
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: i32) -> Option<Entry> {
        self.entries.iter().rev().find(|e| e.tag == tag).copied()
    }

    fn bad(tag: i32, what: impl Into<String>) -> HeaderError {
        HeaderError::BadTag {
            tag,
            what: what.into(),
        }
    }

    /// The string at `offset`, up to its NUL.
    fn cstr(&self, tag: i32, offset: usize) -> Result<(String, usize), HeaderError> {
        let rest = self
            .data
            .get(offset..)
            .ok_or_else(|| Self::bad(tag, format!("offset {offset} is outside the data store")))?;
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| Self::bad(tag, "string runs past the data store"))?;
        let s = rest.get(..end).unwrap_or_default();
        Ok((String::from_utf8_lossy(s).into_owned(), offset + end + 1))
    }

    /// A string tag (for arrays, the first element). `Ok(None)` when absent.
    pub fn string(&self, tag: i32) -> Result<Option<String>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        match e.ty {
            ty::STRING | ty::STRING_ARRAY | ty::I18NSTRING => {
                if e.count == 0 {
                    return Ok(None);
                }
                self.cstr(tag, e.offset).map(|(s, _)| Some(s))
            }
            t => Err(Self::bad(tag, format!("type {t} is not a string"))),
        }
    }

    /// A string-array tag. `Ok(None)` when absent.
    pub fn strings(&self, tag: i32) -> Result<Option<Vec<String>>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if !matches!(e.ty, ty::STRING | ty::STRING_ARRAY | ty::I18NSTRING) {
            return Err(Self::bad(
                tag,
                format!("type {} is not a string array", e.ty),
            ));
        }
        // Every string takes at least its NUL.
        if e.count > self.data.len() {
            return Err(Self::bad(
                tag,
                format!(
                    "{} strings cannot fit in {} bytes",
                    e.count,
                    self.data.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(e.count);
        let mut at = e.offset;
        for _ in 0..e.count {
            let (s, next) = self.cstr(tag, at)?;
            out.push(s);
            at = next;
        }
        Ok(Some(out))
    }

    fn ints(&self, tag: i32, want: u32, width: usize) -> Result<Option<&'a [u8]>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if e.ty != want {
            return Err(Self::bad(
                tag,
                format!("type {} where {want} was expected", e.ty),
            ));
        }
        let len = e
            .count
            .checked_mul(width)
            .ok_or_else(|| Self::bad(tag, "count overflows"))?;
        let end = e
            .offset
            .checked_add(len)
            .ok_or_else(|| Self::bad(tag, "offset overflows"))?;
        self.data.get(e.offset..end).map(Some).ok_or_else(|| {
            Self::bad(
                tag,
                format!("{len} bytes at offset {} run past the data store", e.offset),
            )
        })
    }

    /// An INT32 array tag.
    pub fn u32s(&self, tag: i32) -> Result<Option<Vec<u32>>, HeaderError> {
        Ok(self.ints(tag, ty::INT32, 4)?.map(|b| {
            b.chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }))
    }

    /// An INT16 array tag.
    pub fn u16s(&self, tag: i32) -> Result<Option<Vec<u16>>, HeaderError> {
        Ok(self.ints(tag, ty::INT16, 2)?.map(|b| {
            b.chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect()
        }))
    }

    /// The first value of an INT32 tag.
    pub fn u32(&self, tag: i32) -> Result<Option<u32>, HeaderError> {
        Ok(self.u32s(tag)?.and_then(|v| v.first().copied()))
    }

    /// The first value of an INT64 tag.
    pub fn u64(&self, tag: i32) -> Result<Option<u64>, HeaderError> {
        Ok(self.ints(tag, ty::INT64, 8)?.and_then(|b| {
            b.get(..8)
                .map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        }))
    }
}

/// What bosun takes from one rpm header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    pub name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<u32>,
    /// `None` when the header has no ARCH (gpg-pubkey pseudo-packages).
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    pub packager: Option<String>,
    pub url: Option<String>,
    /// Installed size in bytes (LONGSIZE, else SIZE).
    pub size: Option<u64>,
    pub modularity_label: Option<String>,
    /// Files the package owns, absolute, without directories.
    pub files: Vec<String>,
    /// Problems with optional tags (the package is still usable).
    pub warnings: Vec<String>,
}

impl RpmPackage {
    /// `[epoch:]version-release`, the epoch only when it is not 0.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) if e != 0 => format!("{e}:{}-{}", self.version, self.release),
            _ => format!("{}-{}", self.version, self.release),
        }
    }

    /// `name.arch`, the key rpm tells package instances apart by.
    pub fn key(&self) -> String {
        match &self.arch {
            Some(a) => format!("{}.{a}", self.name),
            None => self.name.clone(),
        }
    }
}

const S_IFMT: u16 = 0o170000;
const S_IFDIR: u16 = 0o040000;

/// Reads the package facts bosun needs from a header blob. Missing NAME,
/// VERSION or RELEASE is an error; a broken optional tag becomes a warning.
pub fn parse_package(blob: &[u8]) -> Result<RpmPackage, HeaderError> {
    let h = Header::parse(blob)?;
    let required = |tag: i32, name: &'static str| -> Result<String, HeaderError> {
        h.string(tag)?.ok_or(HeaderError::Missing(name))
    };
    let mut p = RpmPackage {
        name: required(tag::NAME, "NAME")?,
        version: required(tag::VERSION, "VERSION")?,
        release: required(tag::RELEASE, "RELEASE")?,
        ..RpmPackage::default()
    };
    let mut warn = |r: Result<(), HeaderError>| {
        if let Err(e) = r {
            p.warnings.push(e.to_string());
        }
    };
    let mut epoch = None;
    let mut arch = None;
    let mut strings: [(i32, Option<String>); 6] = [
        (tag::SOURCERPM, None),
        (tag::LICENSE, None),
        (tag::VENDOR, None),
        (tag::PACKAGER, None),
        (tag::URL, None),
        (tag::MODULARITYLABEL, None),
    ];
    warn(h.u32(tag::EPOCH).map(|v| epoch = v));
    warn(h.string(tag::ARCH).map(|v| arch = v));
    for (t, slot) in strings.iter_mut() {
        warn(h.string(*t).map(|v| *slot = v.filter(|s| !s.is_empty())));
    }
    let mut size = None;
    warn(h.u64(tag::LONGSIZE).map(|v| size = v));
    if size.is_none() {
        warn(h.u32(tag::SIZE).map(|v| size = v.map(u64::from)));
    }
    let files = file_list(&h);
    let mut files = match files {
        Ok(f) => f,
        Err(e) => {
            warn(Err(e));
            Vec::new()
        }
    };
    files.truncate(MAX_FILES_PER_PACKAGE);
    let [src, lic, vendor, packager, url, modularity] = strings.map(|(_, v)| v);
    p.epoch = epoch;
    p.arch = arch;
    p.source_rpm = src;
    p.license = lic;
    p.vendor = vendor;
    p.packager = packager;
    p.url = url;
    p.size = size;
    p.modularity_label = modularity;
    p.files = files;
    Ok(p)
}

/// Absolute paths of the package's files (not its directories), from
/// DIRNAMES/BASENAMES/DIRINDEXES or, in old headers, OLDFILENAMES.
fn file_list(h: &Header<'_>) -> Result<Vec<String>, HeaderError> {
    let modes = h.u16s(tag::FILEMODES)?.unwrap_or_default();
    let is_dir = |i: usize| modes.get(i).is_some_and(|m| m & S_IFMT == S_IFDIR);
    if let Some(base) = h.strings(tag::BASENAMES)? {
        let dirs = h
            .strings(tag::DIRNAMES)?
            .ok_or(HeaderError::Missing("DIRNAMES"))?;
        let idx = h
            .u32s(tag::DIRINDEXES)?
            .ok_or(HeaderError::Missing("DIRINDEXES"))?;
        if idx.len() != base.len() {
            return Err(Header::bad(
                tag::DIRINDEXES,
                format!("{} indexes for {} basenames", idx.len(), base.len()),
            ));
        }
        let mut out = Vec::with_capacity(base.len().min(MAX_FILES_PER_PACKAGE));
        for (i, (b, d)) in base.iter().zip(idx).enumerate().take(MAX_FILES_PER_PACKAGE) {
            let dir = dirs.get(d as usize).ok_or_else(|| {
                Header::bad(
                    tag::DIRINDEXES,
                    format!("index {d} is past the {} dirnames", dirs.len()),
                )
            })?;
            if is_dir(i) {
                continue;
            }
            out.push(format!("{dir}{b}"));
        }
        return Ok(out);
    }
    if let Some(old) = h.strings(tag::OLDFILENAMES)? {
        return Ok(old
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !is_dir(*i))
            .map(|(_, f)| f)
            .take(MAX_FILES_PER_PACKAGE)
            .collect());
    }
    Ok(Vec::new())
}

/// `glibc-2.34-2.cm2.src.rpm` -> (`glibc`, `2.34-2.cm2`).
pub fn split_source_rpm(srpm: &str) -> Option<(&str, &str)> {
    let base = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))
        .unwrap_or(srpm);
    let release_at = base.rfind('-')?;
    let version_at = base.get(..release_at)?.rfind('-')?;
    let name = base.get(..version_at)?;
    let vr = base.get(version_at + 1..)?;
    (!name.is_empty()).then_some((name, vr))
}

/// Builds a header blob (for tests and fuzz seeds): `(tag, type, payload,
/// count)` entries, laid out in order with 4-byte alignment for integers.
pub fn build_blob(entries: &[(i32, u32, Vec<u8>, u32)]) -> Vec<u8> {
    let mut data: Vec<u8> = Vec::new();
    let mut index: Vec<u8> = Vec::new();
    for (tag, ty, payload, count) in entries {
        let align = match *ty {
            ty::INT16 => 2,
            ty::INT32 => 4,
            ty::INT64 => 8,
            _ => 1,
        };
        while !data.len().is_multiple_of(align) {
            data.push(0);
        }
        index.extend_from_slice(&tag.to_be_bytes());
        index.extend_from_slice(&ty.to_be_bytes());
        index.extend_from_slice(&(data.len() as u32).to_be_bytes());
        index.extend_from_slice(&count.to_be_bytes());
        data.extend_from_slice(payload);
    }
    let mut blob = Vec::with_capacity(8 + index.len() + data.len());
    blob.extend_from_slice(&((index.len() / 16) as u32).to_be_bytes());
    blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
    blob.extend_from_slice(&index);
    blob.extend_from_slice(&data);
    blob
}

/// Test helpers for building entries.
pub mod build {
    use super::ty;

    pub fn string(tag: i32, s: &str) -> (i32, u32, Vec<u8>, u32) {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        (tag, ty::STRING, v, 1)
    }

    pub fn strings(tag: i32, items: &[&str]) -> (i32, u32, Vec<u8>, u32) {
        let mut v = Vec::new();
        for s in items {
            v.extend_from_slice(s.as_bytes());
            v.push(0);
        }
        (tag, ty::STRING_ARRAY, v, items.len() as u32)
    }

    pub fn u32s(tag: i32, items: &[u32]) -> (i32, u32, Vec<u8>, u32) {
        let v = items.iter().flat_map(|i| i.to_be_bytes()).collect();
        (tag, ty::INT32, v, items.len() as u32)
    }

    pub fn u16s(tag: i32, items: &[u16]) -> (i32, u32, Vec<u8>, u32) {
        let v = items.iter().flat_map(|i| i.to_be_bytes()).collect();
        (tag, ty::INT16, v, items.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    fn sample() -> Vec<u8> {
        build_blob(&[
            string(tag::NAME, "bash"),
            string(tag::VERSION, "5.1.8"),
            string(tag::RELEASE, "6.el9"),
            u32s(tag::EPOCH, &[1]),
            string(tag::ARCH, "x86_64"),
            string(tag::SOURCERPM, "bash-5.1.8-6.el9.src.rpm"),
            string(tag::LICENSE, "GPLv3+"),
            u32s(tag::SIZE, &[7_000_000]),
            strings(tag::BASENAMES, &["bin", "bash", "sh"]),
            strings(tag::DIRNAMES, &["/usr/", "/usr/bin/"]),
            u32s(tag::DIRINDEXES, &[0, 1, 1]),
            u16s(tag::FILEMODES, &[0o040755, 0o100755, 0o120777]),
        ])
    }

    #[test]
    fn reads_the_tags_bosun_needs() {
        let p = parse_package(&sample()).expect("parse");
        assert_eq!(p.name, "bash");
        assert_eq!(p.evr(), "1:5.1.8-6.el9");
        assert_eq!(p.key(), "bash.x86_64");
        assert_eq!(p.source_rpm.as_deref(), Some("bash-5.1.8-6.el9.src.rpm"));
        assert_eq!(p.license.as_deref(), Some("GPLv3+"));
        assert_eq!(p.size, Some(7_000_000));
        assert_eq!(p.files, vec!["/usr/bin/bash", "/usr/bin/sh"]);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn later_duplicate_tags_win() {
        let mut entries = vec![
            string(tag::NAME, "a"),
            string(tag::VERSION, "1"),
            string(tag::RELEASE, "1"),
        ];
        entries.push(string(tag::NAME, "b"));
        assert_eq!(
            parse_package(&build_blob(&entries)).expect("parse").name,
            "b"
        );
    }

    #[test]
    fn rejects_lying_preambles() {
        assert_eq!(parse_package(&[0, 0, 0]), Err(HeaderError::TooShort(3)));
        let mut blob = sample();
        blob[3] = 0xff; // il
        assert!(matches!(
            parse_package(&blob),
            Err(HeaderError::Truncated { .. })
        ));
        let mut blob = sample();
        blob[0] = 0x7f;
        assert!(matches!(
            parse_package(&blob),
            Err(HeaderError::TooManyEntries(_))
        ));
        let mut blob = sample();
        blob[4] = 0x7f;
        assert!(matches!(
            parse_package(&blob),
            Err(HeaderError::TooMuchData(_))
        ));
    }

    #[test]
    fn broken_optional_tags_become_warnings() {
        let blob = build_blob(&[
            string(tag::NAME, "x"),
            string(tag::VERSION, "1"),
            string(tag::RELEASE, "1"),
            strings(tag::BASENAMES, &["a", "b"]),
            strings(tag::DIRNAMES, &["/"]),
            u32s(tag::DIRINDEXES, &[0, 7]),
            (tag::EPOCH, 6, b"notanint\0".to_vec(), 1),
        ]);
        let p = parse_package(&blob).expect("parse");
        assert!(p.files.is_empty());
        assert_eq!(p.epoch, None);
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
    }

    #[test]
    fn strings_must_end_inside_the_store() {
        let mut blob = build_blob(&[
            string(tag::NAME, "x"),
            string(tag::VERSION, "1"),
            string(tag::RELEASE, "1"),
        ]);
        let last = blob.len() - 1;
        blob[last] = b'y'; // RELEASE loses its NUL
        assert!(matches!(
            parse_package(&blob),
            Err(HeaderError::BadTag { .. })
        ));
        let blob = build_blob(&[string(tag::NAME, "x"), string(tag::VERSION, "1")]);
        assert_eq!(parse_package(&blob), Err(HeaderError::Missing("RELEASE")));
    }

    #[test]
    fn huge_counts_do_not_allocate() {
        let blob = build_blob(&[
            string(tag::NAME, "x"),
            string(tag::VERSION, "1"),
            string(tag::RELEASE, "1"),
            (tag::BASENAMES, 8, vec![0; 4], u32::MAX),
            (tag::FILEMODES, 3, vec![0; 4], u32::MAX),
        ]);
        let p = parse_package(&blob).expect("parse");
        assert!(p.files.is_empty());
        assert!(!p.warnings.is_empty());
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("glibc-2.34-2.cm2.src.rpm"),
            Some(("glibc", "2.34-2.cm2"))
        );
        assert_eq!(
            split_source_rpm("python3-dnf-plugins-core-4.0-1.nosrc.rpm"),
            Some(("python3-dnf-plugins-core", "4.0-1"))
        );
        assert_eq!(split_source_rpm("nodashes.src.rpm"), None);
        assert_eq!(split_source_rpm("-1-2.src.rpm"), None);
    }
}
