//! A zip archive read front to back through its local file headers, the
//! way a stream delivers it: no seeking to the central directory, no whole
//! archive in memory.
//!
//! Each entry is a local header (`PK\3\4`, sizes, name, extra field), its
//! data (stored or deflated), and, when flag bit 3 is set, a data
//! descriptor after the data. An entry whose compressed size the header
//! gives is skipped without inflating. A deflated entry whose sizes are only
//! in the descriptor (what `jar`, Maven and Java's `ZipOutputStream` write)
//! is read by inflating it when its data is wanted; when it is skipped, its
//! end is found without inflating: the descriptor (with or without its
//! optional `PK\7\8` signature) is the first one whose compressed size
//! equals its distance from the entry's start and that the next record's
//! signature (or the end of the input) follows. The walk ends at the first central-directory
//! record. Zip64 sizes are read from the zip64 extra field and descriptor.
//!
//! Every decompressed byte read counts against a [`Budget`] shared by an
//! archive and the archives nested in it: a zip bomb (an entry, or a nested
//! archive, that inflates to more than the budget) ends the walk with
//! [`ZipError::Budget`]. Skipped entries are not decompressed and cost
//! nothing.

use std::cell::Cell;
use std::io::{self, BufRead, Read};

use flate2::bufread::DeflateDecoder;

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const END64_LOCATOR: u32 = 0x0706_4b50;
const SIGNATURE: u32 = 0x0505_4b50;
const EXTRA_DATA: u32 = 0x0806_4b50;
const DESCRIPTOR: u32 = 0x0807_4b50;

/// Most bytes before the first local header (a launch script prepended to
/// an executable jar).
pub const MAX_PREFIX: u64 = 1024 * 1024;

/// Why a walk stopped.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("not a zip archive: no local file header in the first {0} bytes")]
    NotZip(u64),
    #[error("entry `{name}`: {why}")]
    Entry { name: String, why: String },
    #[error("truncated archive: {0}")]
    Truncated(String),
    #[error(
        "over the limit of {0} decompressed bytes for one archive and what it nests (a zip bomb?)"
    )]
    Budget(u64),
    #[error("over the limit of {0} entries for one archive and what it nests")]
    TooManyEntries(u64),
    #[error("read error: {0}")]
    Io(io::Error),
}

impl From<io::Error> for ZipError {
    /// A read that ran out of budget (in this archive's stream or in the
    /// one it is nested in) is a [`ZipError::Budget`], whatever read it.
    fn from(e: io::Error) -> Self {
        match e.get_ref().and_then(|i| i.downcast_ref::<BudgetHit>()) {
            Some(hit) => ZipError::Budget(hit.0),
            None => ZipError::Io(e),
        }
    }
}

/// Decompressed bytes and entries still allowed, shared by an archive and
/// the archives nested in it.
#[derive(Debug)]
pub struct Budget {
    bytes_left: Cell<u64>,
    bytes_max: u64,
    entries_left: Cell<u64>,
    entries_max: u64,
}

impl Budget {
    pub fn new(bytes: u64, entries: u64) -> Self {
        Budget {
            bytes_left: Cell::new(bytes),
            bytes_max: bytes,
            entries_left: Cell::new(entries),
            entries_max: entries,
        }
    }

    pub fn bytes_left(&self) -> u64 {
        self.bytes_left.get()
    }

    pub fn entries_left(&self) -> u64 {
        self.entries_left.get()
    }

    fn take_bytes(&self, n: u64) -> bool {
        match self.bytes_left.get().checked_sub(n) {
            Some(left) => {
                self.bytes_left.set(left);
                true
            }
            None => {
                self.bytes_left.set(0);
                false
            }
        }
    }

    fn take_entry(&self) -> bool {
        match self.entries_left.get().checked_sub(1) {
            Some(left) => {
                self.entries_left.set(left);
                true
            }
            None => false,
        }
    }
}

/// One entry's local header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub flags: u16,
    pub method: u16,
    /// None when the header defers the sizes to a data descriptor.
    pub compressed: Option<u64>,
    pub uncompressed: Option<u64>,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
    fn has_descriptor(&self) -> bool {
        self.flags & 8 != 0
    }
    pub fn encrypted(&self) -> bool {
        self.flags & 1 != 0
    }
    /// Whether the data can be read (stored or deflated, not encrypted).
    pub fn readable(&self) -> bool {
        !self.encrypted() && matches!(self.method, 0 | 8)
    }
}

fn le16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
        .unwrap_or(0)
}
fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0)
}
fn le64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0)
}

/// Reads exactly `n` bytes, or fails with "truncated".
fn read_exact_or(r: &mut dyn Read, buf: &mut [u8], what: &str) -> Result<(), ZipError> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ZipError::Truncated(what.to_owned())
        } else {
            ZipError::from(e)
        }
    })
}

/// Counts the bytes an entry yields against the budget.
struct Counted<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.budget.take_bytes(n as u64) {
            return Err(io::Error::other(BudgetHit(self.budget.bytes_max)));
        }
        Ok(n)
    }
}

#[derive(Debug)]
struct BudgetHit(u64);
impl std::fmt::Display for BudgetHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompressed-size budget exhausted")
    }
}
impl std::error::Error for BudgetHit {}

fn is_budget(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<BudgetHit>())
}

/// Buffer of a [`Peek`] reader.
const PEEK_CAPACITY: usize = 64 * 1024;

/// Bytes a data-descriptor candidate needs to be checked: signature, CRC,
/// two 8-byte (zip64) sizes and the next record's signature.
const DESCRIPTOR_LOOKAHEAD: usize = 4 + 4 + 16 + 4;

/// A buffered reader that can look ahead: unlike std's `BufReader`, which
/// refills only when empty, [`Peek::fill_at_least`] moves what is left to
/// the front and reads more.
pub struct Peek<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> Peek<R> {
    pub fn new(inner: R) -> Self {
        Peek {
            inner,
            buf: vec![0; PEEK_CAPACITY],
            pos: 0,
            end: 0,
            eof: false,
        }
    }

    /// The buffered bytes, at least `n` of them (at most the capacity)
    /// unless the input ends first.
    pub fn fill_at_least(&mut self, n: usize) -> io::Result<&[u8]> {
        let want = n.min(self.buf.len());
        if self.end - self.pos < want && !self.eof {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            while self.end < want {
                let Some(space) = self.buf.get_mut(self.end..) else {
                    break;
                };
                match self.inner.read(space) {
                    Ok(0) => {
                        self.eof = true;
                        break;
                    }
                    Ok(k) => self.end += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(self.buf.get(self.pos..self.end).unwrap_or_default())
    }
}

impl<R: Read> Read for Peek<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.end {
            if out.len() >= self.buf.len() && !self.eof {
                return self.inner.read(out);
            }
            self.fill_at_least(1)?;
        }
        let avail = self.buf.get(self.pos..self.end).unwrap_or_default();
        let k = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..k), avail.get(..k)) {
            dst.copy_from_slice(src);
        }
        self.pos += k;
        Ok(k)
    }
}

impl<R: Read> BufRead for Peek<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.fill_at_least(1)
    }

    fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.end);
    }
}

/// Whether `sig` starts a zip record that may follow an entry.
fn record_follows(sig: &[u8]) -> bool {
    sig.len() >= 4
        && matches!(
            le32(sig, 0),
            LOCAL | CENTRAL | END | END64 | END64_LOCATOR | SIGNATURE | EXTRA_DATA
        )
}

/// The end (in `buf`) of the first data descriptor that starts in
/// `buf[..span]` and ends the entry whose data began `dist` bytes before
/// `buf`: its compressed size equals its own distance from the entry's
/// start, and the next record's signature (or, at the end of the input,
/// nothing) follows it. Descriptors come with the `PK\7\8` signature or
/// without it (it is optional), with 4- or 8-byte (zip64) sizes: 16, 24, 12
/// or 20 bytes. The caller keeps [`DESCRIPTOR_LOOKAHEAD`] bytes in view
/// past `span` unless `eof`.
fn find_descriptor(buf: &[u8], span: usize, dist: u64, eof: bool) -> Option<usize> {
    // (start, end) of the candidates that check out.
    let mut best: Option<(usize, usize)> = None;
    let mut take = |start: usize, end: usize| {
        if start < span && best.is_none_or(|(s, _)| start < s) {
            best = Some((start, end));
        }
    };
    let ends_here = |end: usize| {
        record_follows(buf.get(end..).unwrap_or_default()) || (eof && end == buf.len())
    };
    let hay = buf
        .get(..(span + DESCRIPTOR_LOOKAHEAD).min(buf.len()))
        .unwrap_or_default();
    for k in memchr::memmem::find_iter(hay, b"PK") {
        if le32(buf, k) == DESCRIPTOR {
            // Signed: signature, CRC, sizes; the size at +8.
            for (len, size) in [(16, u64::from(le32(buf, k + 8))), (24, le64(buf, k + 8))] {
                if buf.len() >= k + len && size == dist + k as u64 && ends_here(k + len) {
                    take(k, k + len);
                    break;
                }
            }
        } else if record_follows(buf.get(k..).unwrap_or_default()) {
            // Unsigned, ending where this record starts: CRC, sizes.
            unsigned(buf, k, dist, &mut take);
        }
    }
    if eof {
        // Unsigned, at the very end of the input.
        unsigned(buf, buf.len(), dist, &mut take);
    }
    best.map(|(_, end)| end)
}

/// Checks for an unsigned descriptor (CRC, then 4- or 8-byte sizes) that
/// ends at `end`.
fn unsigned(buf: &[u8], end: usize, dist: u64, take: &mut impl FnMut(usize, usize)) {
    for (len, wide) in [(12usize, false), (20usize, true)] {
        let Some(start) = end.checked_sub(len) else {
            continue;
        };
        let size = if wide {
            le64(buf, start + 4)
        } else {
            u64::from(le32(buf, start + 4))
        };
        if size == dist + start as u64 {
            take(start, end);
        }
    }
}

/// The entries of a zip stream, in order.
pub struct ZipStream<R> {
    r: Peek<R>,
    started: bool,
    ended: bool,
}

impl<R: Read> ZipStream<R> {
    pub fn new(r: R) -> Self {
        ZipStream {
            r: Peek::new(r),
            started: false,
            ended: false,
        }
    }

    /// Skips to the first local header (a prefix such as a launch script is
    /// allowed, up to [`MAX_PREFIX`] bytes).
    fn find_start(&mut self) -> Result<(), ZipError> {
        let mut skipped: u64 = 0;
        loop {
            let buf = self.r.fill_at_least(4)?;
            if buf.len() < 4 {
                return Err(ZipError::NotZip(MAX_PREFIX));
            }
            if let Some(p) = memchr::memmem::find(buf, b"PK\x03\x04") {
                self.r.consume(p);
                return Ok(());
            }
            // Keep the last 3 bytes: a signature may straddle the refill.
            let n = buf.len() - 3;
            self.r.consume(n);
            skipped += n as u64;
            if skipped > MAX_PREFIX {
                return Err(ZipError::NotZip(MAX_PREFIX));
            }
        }
    }

    /// The next entry's header, with the stream at its data. `None` at the
    /// central directory or the end of the input.
    pub fn next_entry(&mut self, budget: &Budget) -> Result<Option<Entry>, ZipError> {
        if self.ended {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.find_start()?;
        }
        let mut sig = [0u8; 4];
        match self.r.read(&mut sig[..1])? {
            0 => {
                self.ended = true;
                return Ok(None);
            }
            _ => read_exact_or(&mut self.r, &mut sig[1..], "local header signature")?,
        }
        match u32::from_le_bytes(sig) {
            LOCAL => {}
            CENTRAL | END | END64 | END64_LOCATOR | SIGNATURE | EXTRA_DATA => {
                self.ended = true;
                return Ok(None);
            }
            other => {
                self.ended = true;
                return Err(ZipError::Truncated(format!(
                    "unexpected record {other:#010x} where a local header should be"
                )));
            }
        }
        if !budget.take_entry() {
            return Err(ZipError::TooManyEntries(budget.entries_max));
        }
        let mut h = [0u8; 26];
        read_exact_or(&mut self.r, &mut h, "local header")?;
        let flags = le16(&h, 2);
        let method = le16(&h, 4);
        let mut csize = u64::from(le32(&h, 14));
        let mut usize_ = u64::from(le32(&h, 18));
        let name_len = usize::from(le16(&h, 22));
        let extra_len = usize::from(le16(&h, 24));
        let mut name = vec![0u8; name_len];
        read_exact_or(&mut self.r, &mut name, "entry name")?;
        let mut extra = vec![0u8; extra_len];
        read_exact_or(&mut self.r, &mut extra, "extra field")?;
        let name = String::from_utf8_lossy(&name).into_owned();
        if csize == 0xffff_ffff || usize_ == 0xffff_ffff {
            // Zip64 extra field: uncompressed then compressed size (8 bytes each).
            let mut at = 0;
            while at + 4 <= extra.len() {
                let id = le16(&extra, at);
                let len = usize::from(le16(&extra, at + 2));
                if id == 1 {
                    let body = extra.get(at + 4..at + 4 + len).unwrap_or_default();
                    let mut f = 0;
                    if usize_ == 0xffff_ffff && body.len() >= f + 8 {
                        usize_ = le64(body, f);
                        f += 8;
                    }
                    if csize == 0xffff_ffff && body.len() >= f + 8 {
                        csize = le64(body, f);
                    }
                    break;
                }
                at += 4 + len;
            }
        }
        let deferred = flags & 8 != 0 && csize == 0;
        Ok(Some(Entry {
            name,
            flags,
            method,
            compressed: (!deferred).then_some(csize),
            uncompressed: (!deferred).then_some(usize_),
        }))
    }

    /// Calls `f` with the entry's decompressed data (every byte `f` reads
    /// counts against the budget), then moves past the rest of the entry
    /// and its data descriptor.
    pub fn with_data<T>(
        &mut self,
        e: &Entry,
        budget: &Budget,
        f: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<T, ZipError> {
        if !e.readable() {
            self.skip(e, budget)?;
            return Err(ZipError::Entry {
                name: e.name.clone(),
                why: if e.encrypted() {
                    "encrypted data cannot be read".to_owned()
                } else {
                    format!("compression method {} cannot be read", e.method)
                },
            });
        }
        let wrap = |err: io::Error| -> ZipError {
            if is_budget(&err) {
                ZipError::Budget(budget.bytes_max)
            } else if err.kind() == io::ErrorKind::UnexpectedEof {
                ZipError::Truncated(format!("entry `{}`", e.name))
            } else {
                ZipError::Entry {
                    name: e.name.clone(),
                    why: err.to_string(),
                }
            }
        };
        let out = match (e.method, e.compressed) {
            (0, Some(c)) => {
                let mut take = (&mut self.r).take(c);
                let out = f(&mut Counted {
                    inner: &mut take,
                    budget,
                });
                // Stored bytes left unread are skipped, not counted.
                io::copy(&mut take, &mut io::sink()).map_err(wrap)?;
                if take.limit() > 0 {
                    return Err(ZipError::Truncated(format!("entry `{}`", e.name)));
                }
                out
            }
            (0, None) => {
                return Err(ZipError::Entry {
                    name: e.name.clone(),
                    why: "stored data whose size only a data descriptor gives cannot be streamed"
                        .into(),
                });
            }
            (_, Some(c)) => {
                let mut dec = DeflateDecoder::new((&mut self.r).take(c));
                let out = f(&mut Counted {
                    inner: &mut dec,
                    budget,
                });
                // The compressed bytes left are skipped without inflating.
                let mut take = dec.into_inner();
                io::copy(&mut take, &mut io::sink()).map_err(wrap)?;
                if take.limit() > 0 {
                    return Err(ZipError::Truncated(format!("entry `{}`", e.name)));
                }
                out
            }
            (_, None) => {
                // Only the deflate stream's own end tells where the entry
                // ends: inflate all of it, through the budget.
                let mut dec = DeflateDecoder::new(&mut self.r);
                let out = f(&mut Counted {
                    inner: &mut dec,
                    budget,
                });
                io::copy(
                    &mut Counted {
                        inner: &mut dec,
                        budget,
                    },
                    &mut io::sink(),
                )
                .map_err(wrap)?;
                out
            }
        };
        self.skip_descriptor(e)?;
        Ok(out)
    }

    /// Moves past an entry without looking at its data (nothing is
    /// decompressed, so skipping costs no budget).
    pub fn skip(&mut self, e: &Entry, _budget: &Budget) -> Result<(), ZipError> {
        match e.compressed {
            Some(c) => {
                let n = io::copy(&mut (&mut self.r).take(c), &mut io::sink())?;
                if n < c {
                    return Err(ZipError::Truncated(format!("entry `{}`", e.name)));
                }
            }
            // Whatever the method, and encrypted or not: the descriptor is
            // outside the data.
            None => return self.skip_to_descriptor(e),
        }
        self.skip_descriptor(e)
    }

    /// Moves past a deflated entry whose size only its data descriptor
    /// gives, without inflating it: to the end of the first descriptor
    /// candidate that [`descriptor_at`] accepts.
    fn skip_to_descriptor(&mut self, e: &Entry) -> Result<(), ZipError> {
        let mut dist: u64 = 0;
        loop {
            let buf = self.r.fill_at_least(DESCRIPTOR_LOOKAHEAD)?;
            let eof = buf.len() < DESCRIPTOR_LOOKAHEAD;
            if buf.is_empty() {
                return Err(ZipError::Truncated(format!(
                    "entry `{}`: no data descriptor before the end",
                    e.name
                )));
            }
            // Candidates whose whole descriptor is in view (all of them at
            // the end of the input).
            let span = if eof {
                buf.len()
            } else {
                buf.len() + 1 - DESCRIPTOR_LOOKAHEAD
            };
            let found = find_descriptor(buf, span, dist, eof);
            if let Some(n) = found {
                self.r.consume(n);
                return Ok(());
            }
            self.r.consume(span);
            dist += span as u64;
        }
    }

    fn skip_descriptor(&mut self, e: &Entry) -> Result<(), ZipError> {
        if !e.has_descriptor() {
            return Ok(());
        }
        // Optional signature, CRC-32, then 4- or 8-byte sizes. Zip64
        // descriptors (8-byte sizes) follow zip64 local headers; bosun
        // tells them apart by what follows: the next record's signature.
        let mut d = [0u8; 4];
        read_exact_or(&mut self.r, &mut d, "data descriptor")?;
        let rest = if u32::from_le_bytes(d) == DESCRIPTOR {
            12
        } else {
            8
        };
        let mut skip = vec![0u8; rest];
        read_exact_or(&mut self.r, &mut skip, "data descriptor")?;
        // A zip64 descriptor has 8 more bytes; they would not start a
        // `PK` record.
        let buf = self.r.fill_at_least(10)?;
        if buf.len() >= 8 && !buf.starts_with(b"PK") && buf.get(8..10) == Some(b"PK") {
            self.r.consume(8);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::DeflateEncoder;
    use std::io::Write;

    /// A zip writer for tests: stored or deflated entries, with or without
    /// data descriptors, plus a central directory (which the walk ignores).
    pub(crate) struct ZipWriter {
        pub(crate) out: Vec<u8>,
        central: Vec<u8>,
        count: u16,
    }

    impl ZipWriter {
        pub(crate) fn new() -> Self {
            ZipWriter {
                out: Vec::new(),
                central: Vec::new(),
                count: 0,
            }
        }

        pub(crate) fn add(&mut self, name: &str, data: &[u8], deflate: bool, descriptor: bool) {
            let crc = crc32(data);
            let body = if deflate {
                let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
                e.write_all(data).expect("deflate");
                e.finish().expect("deflate")
            } else {
                data.to_vec()
            };
            let offset = self.out.len() as u32;
            let flags: u16 = if descriptor { 8 } else { 0 };
            let method: u16 = if deflate { 8 } else { 0 };
            let (hc, hs, hu) = if descriptor {
                (0, 0, 0)
            } else {
                (crc, body.len() as u32, data.len() as u32)
            };
            let o = &mut self.out;
            o.extend_from_slice(&LOCAL.to_le_bytes());
            o.extend_from_slice(&20u16.to_le_bytes());
            o.extend_from_slice(&flags.to_le_bytes());
            o.extend_from_slice(&method.to_le_bytes());
            o.extend_from_slice(&[0; 4]);
            o.extend_from_slice(&hc.to_le_bytes());
            o.extend_from_slice(&hs.to_le_bytes());
            o.extend_from_slice(&hu.to_le_bytes());
            o.extend_from_slice(&(name.len() as u16).to_le_bytes());
            o.extend_from_slice(&0u16.to_le_bytes());
            o.extend_from_slice(name.as_bytes());
            o.extend_from_slice(&body);
            if descriptor {
                o.extend_from_slice(&DESCRIPTOR.to_le_bytes());
                o.extend_from_slice(&crc.to_le_bytes());
                o.extend_from_slice(&(body.len() as u32).to_le_bytes());
                o.extend_from_slice(&(data.len() as u32).to_le_bytes());
            }
            let c = &mut self.central;
            c.extend_from_slice(&CENTRAL.to_le_bytes());
            c.extend_from_slice(&[20, 0, 20, 0]);
            c.extend_from_slice(&flags.to_le_bytes());
            c.extend_from_slice(&method.to_le_bytes());
            c.extend_from_slice(&[0; 4]);
            c.extend_from_slice(&crc.to_le_bytes());
            c.extend_from_slice(&(body.len() as u32).to_le_bytes());
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(&(name.len() as u16).to_le_bytes());
            c.extend_from_slice(&[0; 12]);
            c.extend_from_slice(&offset.to_le_bytes());
            c.extend_from_slice(name.as_bytes());
            self.count += 1;
        }

        pub(crate) fn finish(mut self) -> Vec<u8> {
            let cd_off = self.out.len() as u32;
            let cd_len = self.central.len() as u32;
            self.out.extend_from_slice(&self.central);
            self.out.extend_from_slice(&END.to_le_bytes());
            self.out.extend_from_slice(&[0; 4]);
            self.out.extend_from_slice(&self.count.to_le_bytes());
            self.out.extend_from_slice(&self.count.to_le_bytes());
            self.out.extend_from_slice(&cd_len.to_le_bytes());
            self.out.extend_from_slice(&cd_off.to_le_bytes());
            self.out.extend_from_slice(&[0; 2]);
            self.out
        }
    }

    pub(crate) fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn names_and_data(zip: &[u8], budget: &Budget) -> Result<Vec<(String, Vec<u8>)>, ZipError> {
        let mut zs = ZipStream::new(io::BufReader::with_capacity(7, zip));
        let mut out = Vec::new();
        while let Some(e) = zs.next_entry(budget)? {
            let data = zs.with_data(&e, budget, |r| {
                let mut v = Vec::new();
                r.read_to_end(&mut v).map(|_| v)
            })?;
            out.push((e.name, data?));
        }
        Ok(out)
    }

    #[test]
    fn every_kind_of_entry_reads_back() {
        let mut w = ZipWriter::new();
        w.add("stored.txt", b"stored bytes", false, false);
        w.add("deflated.txt", &b"deflated ".repeat(100), true, false);
        w.add(
            "descriptor.txt",
            &b"with a descriptor ".repeat(50),
            true,
            true,
        );
        w.add("dir/", b"", false, false);
        let mut zip = b"#!/bin/sh\nexec java -jar \"$0\"\n".to_vec();
        zip.extend(w.finish());
        let budget = Budget::new(1 << 20, 100);
        let got = names_and_data(&zip, &budget).expect("walk");
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["stored.txt", "deflated.txt", "descriptor.txt", "dir/"]
        );
        assert_eq!(got[1].1, b"deflated ".repeat(100));
        assert_eq!(got[2].1, b"with a descriptor ".repeat(50));
        assert_eq!(budget.entries_left(), 96);
    }

    #[test]
    fn skipping_costs_no_budget_reading_does() {
        let big = vec![0u8; 1 << 20];
        for descriptor in [false, true] {
            let mut w = ZipWriter::new();
            w.add("big.bin", &big, true, descriptor);
            w.add("after.txt", b"x", false, false);
            let zip = w.finish();
            let budget = Budget::new(1000, 10);
            let mut zs = ZipStream::new(zip.as_slice());
            let e = zs.next_entry(&budget).expect("entry").expect("some");
            zs.skip(&e, &budget).expect("skip");
            assert_eq!(budget.bytes_left(), 1000, "descriptor {descriptor}");
            let e = zs.next_entry(&budget).expect("entry").expect("some");
            assert_eq!(e.name, "after.txt");

            let budget = Budget::new(1000, 10);
            let mut zs = ZipStream::new(zip.as_slice());
            let e = zs.next_entry(&budget).expect("entry").expect("some");
            let r = zs.with_data(&e, &budget, |r| io::copy(r, &mut io::sink()));
            assert!(
                matches!(r, Ok(Err(_)) | Err(ZipError::Budget(1000))),
                "descriptor {descriptor}: {r:?}"
            );
        }
    }

    /// Entries of `zip` after skipping every one, through a reader that
    /// hands out `chunk` bytes per read.
    fn skip_all(zip: &[u8], chunk: usize) -> Result<Vec<String>, ZipError> {
        struct Chunky<'a>(&'a [u8], usize);
        impl Read for Chunky<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let budget = Budget::new(0, 100);
        let mut zs = ZipStream::new(Chunky(zip, chunk));
        let mut names = Vec::new();
        while let Some(e) = zs.next_entry(&budget)? {
            zs.skip(&e, &budget)?;
            names.push(e.name);
        }
        Ok(names)
    }

    #[test]
    fn descriptors_are_found_by_size_and_what_follows() {
        // Stored data behind descriptors: the data holds decoy descriptor
        // signatures (wrong size; right size but no record after), and the
        // real descriptors land on every offset around the 64 KiB buffer.
        let decoys = |n: usize| {
            let mut d = Vec::new();
            d.extend_from_slice(b"PK\x07\x08\0\0\0\0\x10\0\0\0\x10\0\0\0PK\x03\x04");
            d.extend_from_slice(b"PK\x07\x08\0\0\0\0");
            d.extend_from_slice(&(d.len() as u32 - 4).to_le_bytes());
            d.extend_from_slice(b"\0\0\0\0xx");
            d.resize(n, b'.');
            d
        };
        for size in [0usize, 1, 27, 100, PEEK_CAPACITY - 60, PEEK_CAPACITY - 16]
            .into_iter()
            .chain(PEEK_CAPACITY - 40..PEEK_CAPACITY + 8)
        {
            let mut w = ZipWriter::new();
            w.add("a.bin", &decoys(size.max(40)), false, true);
            w.add("b.txt", &b"b".repeat(size), true, true);
            w.add("c.txt", b"c", false, false);
            let zip = w.finish();
            for chunk in [1usize, 7, 4096, 1 << 20] {
                assert_eq!(
                    skip_all(&zip, chunk).expect("walk"),
                    ["a.bin", "b.txt", "c.txt"],
                    "size {size}, chunk {chunk}"
                );
            }
            // Without the central directory: the last descriptor ends the input.
            let mut w = ZipWriter::new();
            w.add("a.bin", &decoys(size.max(40)), false, true);
            let zip = w.out;
            assert_eq!(skip_all(&zip, 4096).expect("walk"), ["a.bin"]);
            // A descriptor that never comes is a truncation.
            let cut = &zip[..zip.len() - 16];
            assert!(matches!(skip_all(cut, 4096), Err(ZipError::Truncated(_))));
        }
    }

    /// A stored entry with a data descriptor without its (optional)
    /// signature; `wide`: 8-byte sizes.
    fn unsigned_entry(name: &str, data: &[u8], wide: bool) -> Vec<u8> {
        let mut o = Vec::new();
        o.extend_from_slice(&LOCAL.to_le_bytes());
        o.extend_from_slice(&[20, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
        o.extend_from_slice(&[0; 12]);
        o.extend_from_slice(&(name.len() as u16).to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(name.as_bytes());
        o.extend_from_slice(data);
        o.extend_from_slice(&crc32(data).to_le_bytes());
        if wide {
            o.extend_from_slice(&(data.len() as u64).to_le_bytes());
            o.extend_from_slice(&(data.len() as u64).to_le_bytes());
        } else {
            o.extend_from_slice(&(data.len() as u32).to_le_bytes());
            o.extend_from_slice(&(data.len() as u32).to_le_bytes());
        }
        o
    }

    #[test]
    fn descriptors_without_a_signature_are_found_too() {
        // Decoys: a record signature inside the data whose preceding bytes
        // do not hold the right size.
        let data = |n: usize| {
            let mut d = b"..........PK\x03\x04....\x05\0\0\0PK\x01\x02".to_vec();
            d.resize(n, b'u');
            d
        };
        for size in [30usize, 100, PEEK_CAPACITY - 30, PEEK_CAPACITY + 3] {
            for wide in [false, true] {
                let mut zip = unsigned_entry("u.bin", &data(size), wide);
                zip.extend(unsigned_entry("v.bin", &data(size / 2 + 20), wide));
                let mut w = ZipWriter::new();
                w.add("w.txt", b"w", false, false);
                zip.extend(w.finish());
                for chunk in [1usize, 5, 4096, 1 << 20] {
                    assert_eq!(
                        skip_all(&zip, chunk).expect("walk"),
                        ["u.bin", "v.bin", "w.txt"],
                        "size {size}, wide {wide}, chunk {chunk}"
                    );
                }
                // The last thing in the input.
                let zip = unsigned_entry("u.bin", &data(size), wide);
                assert_eq!(skip_all(&zip, 4096).expect("walk"), ["u.bin"]);
            }
        }
    }

    #[test]
    fn zip64_descriptors_are_found() {
        let data = b"zip64 descriptor ahead".repeat(10);
        let mut w = ZipWriter::new();
        w.add("x.bin", &data, false, true);
        let mut zip = w.out;
        // Rewrite the 16-byte descriptor as a zip64 one (8-byte sizes).
        zip.truncate(zip.len() - 8);
        zip.extend_from_slice(&(data.len() as u64).to_le_bytes());
        zip.extend_from_slice(&(data.len() as u64).to_le_bytes());
        let mut w = ZipWriter::new();
        w.add("y.txt", b"y", false, false);
        zip.extend(w.finish());
        assert_eq!(skip_all(&zip, 4096).expect("walk"), ["x.bin", "y.txt"]);
    }

    #[test]
    fn truncation_and_garbage_are_errors() {
        let mut w = ZipWriter::new();
        w.add("a.txt", &b"aaaa".repeat(300), true, true);
        w.add("b.txt", b"bbbb", false, false);
        let zip = w.finish();
        for cut in 0..zip.len() {
            let budget = Budget::new(1 << 20, 100);
            let _ = names_and_data(&zip[..cut], &budget);
        }
        let budget = Budget::new(1 << 20, 100);
        assert!(matches!(
            names_and_data(b"not a zip at all", &budget),
            Err(ZipError::NotZip(_))
        ));
        let budget = Budget::new(1 << 20, 1);
        assert!(matches!(
            names_and_data(&zip, &budget),
            Err(ZipError::TooManyEntries(1))
        ));
    }
}
