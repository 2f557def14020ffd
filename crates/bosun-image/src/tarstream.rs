//! A streaming, bounded reader of tar archives.
//!
//! Why not the `tar` crate: it reads GNU long names and PAX extension headers
//! into memory whole, with no bound on their size, so a layer that declares a
//! 4 GiB "long name" (cheap to make with gzip) makes it allocate that much
//! before bosun's decompression limit can stop it. This reader bounds both,
//! never allocates per entry beyond the name it returns, skips data it is not
//! asked for without copying (through `BufRead::consume`, or a seek when the
//! input is a file), and reports the byte offset of every corrupt header. The
//! `tar` crate is still used by the tests, to write archives this reader must
//! understand.
//!
//! Supported: v7, ustar (with `prefix`), GNU (`L`/`K` long names, base-256
//! numbers) and PAX (`x` headers with `path`, `linkpath`, `size`, `uid`,
//! `gid`, `mtime`; `g` global headers are skipped). Like Go's `archive/tar`
//! (which Docker uses to write and read layers), links, devices, directories
//! and fifos carry no data, whatever their size field says.

use std::io::{self, BufRead, BufReader, Read, Seek};

use crate::error::LimitHit;

pub(crate) const BLOCK: u64 = 512;

/// The type of a tar entry, from its typeflag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Hardlink,
    Symlink,
    Char,
    Block,
    Dir,
    Fifo,
    /// A GNU sparse file: the stored bytes are not the file's contents.
    Sparse,
    /// A typeflag bosun does not know; POSIX says to treat it as a file.
    Other(u8),
}

impl Kind {
    fn from_flag(flag: u8, name: &[u8]) -> Kind {
        match flag {
            b'0' | b'7' => Kind::File,
            // v7 archives mark directories only by a trailing slash.
            0 if name.ends_with(b"/") => Kind::Dir,
            0 => Kind::File,
            b'1' => Kind::Hardlink,
            b'2' => Kind::Symlink,
            b'3' => Kind::Char,
            b'4' => Kind::Block,
            b'5' => Kind::Dir,
            b'6' => Kind::Fifo,
            b'S' => Kind::Sparse,
            other => Kind::Other(other),
        }
    }

    /// Whether the entry carries data blocks.
    fn has_data(self) -> bool {
        matches!(self, Kind::File | Kind::Sparse | Kind::Other(_))
    }
}

/// One entry, after its extension headers were applied.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The name as written (UTF-8, invalid bytes replaced).
    pub name: String,
    /// The link target as written; empty when there is none.
    pub link: String,
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    /// Bytes of data following the header.
    pub size: u64,
    /// Offset of the entry's data in the archive.
    pub data_offset: u64,
    /// Whether the name or link target had bytes that are not UTF-8.
    pub lossy: bool,
}

/// Bounds on the metadata an archive may make the reader hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TarLimits {
    /// Longest GNU long name or long link target.
    pub max_name: u64,
    /// Largest PAX extended header.
    pub max_pax: u64,
}

impl Default for TarLimits {
    fn default() -> Self {
        TarLimits {
            max_name: 64 * 1024,
            max_pax: 1024 * 1024,
        }
    }
}

/// What went wrong reading an archive.
#[derive(Debug)]
pub(crate) enum TarError {
    /// The input failed (including decompression errors below it).
    Io(io::Error),
    /// The archive itself is malformed at `offset`.
    Corrupt { offset: u64, message: String },
    /// A bounded value was too large.
    Limit(LimitHit),
}

impl std::fmt::Display for TarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TarError::Io(e) => write!(f, "{e}"),
            TarError::Corrupt { offset, message } => {
                write!(f, "corrupt tar at byte {offset}: {message}")
            }
            TarError::Limit(l) => write!(f, "{l}"),
        }
    }
}

impl From<io::Error> for TarError {
    fn from(e: io::Error) -> Self {
        match LimitHit::from_io(&e) {
            Some(l) => TarError::Limit(l.clone()),
            None => TarError::Io(e),
        }
    }
}

/// Input the reader can skip forward in.
pub(crate) trait TarInput: BufRead {
    fn skip_bytes(&mut self, n: u64) -> io::Result<()>;
}

/// A forward-only stream: skipping reads and drops the bytes.
pub(crate) struct StreamInput<R>(pub BufReader<R>);

impl<R: Read> Read for StreamInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> BufRead for StreamInput<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.0.consume(amt)
    }
}

impl<R: Read> TarInput for StreamInput<R> {
    fn skip_bytes(&mut self, mut n: u64) -> io::Result<()> {
        while n > 0 {
            let avail = self.0.fill_buf()?;
            if avail.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "archive ends inside an entry's data",
                ));
            }
            let take = avail.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            self.0.consume(take);
            n -= take as u64;
        }
        Ok(())
    }
}

/// A seekable input (a file): skipping seeks, so data is never read.
pub(crate) struct SeekInput<R> {
    inner: BufReader<R>,
    len: u64,
    pos: u64,
}

impl<R: Read + Seek> SeekInput<R> {
    pub(crate) fn new(inner: R, len: u64) -> Self {
        SeekInput {
            inner: BufReader::with_capacity(16 * 1024, inner),
            len,
            pos: 0,
        }
    }
}

impl<R: Read + Seek> Read for SeekInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> BufRead for SeekInput<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt)
    }
}

impl<R: Read + Seek> TarInput for SeekInput<R> {
    fn skip_bytes(&mut self, n: u64) -> io::Result<()> {
        let target = self.pos.checked_add(n).filter(|&t| t <= self.len);
        let Some(target) = target else {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "archive ends inside an entry's data",
            ));
        };
        let delta = i64::try_from(n)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "skip too large"))?;
        self.inner.seek_relative(delta)?;
        self.pos = target;
        Ok(())
    }
}

/// Reads a tar archive entry by entry.
pub(crate) struct TarReader<I> {
    input: I,
    /// Bytes of the archive consumed so far.
    pos: u64,
    /// Data bytes of the current entry not yet consumed.
    remaining: u64,
    /// Padding after the current entry's data.
    pad: u64,
    done: bool,
    /// The first error a data reader saw: every later call fails with it,
    /// so a sink that swallows an error cannot hide a corrupt stream.
    failed: Option<io::Error>,
    limits: TarLimits,
    header: [u8; 512],
}

impl<I: TarInput> TarReader<I> {
    pub(crate) fn new(input: I, limits: TarLimits) -> Self {
        TarReader {
            input,
            pos: 0,
            remaining: 0,
            pad: 0,
            done: false,
            failed: None,
            limits,
            header: [0; 512],
        }
    }

    pub(crate) fn into_inner(self) -> I {
        self.input
    }

    fn take_failure(&mut self) -> Result<(), TarError> {
        match self.failed.take() {
            Some(e) => {
                self.done = true;
                Err(TarError::from(e))
            }
            None => Ok(()),
        }
    }

    fn skip(&mut self, n: u64) -> Result<(), TarError> {
        if n == 0 {
            return Ok(());
        }
        self.input.skip_bytes(n).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                TarError::Corrupt {
                    offset: self.pos,
                    message: "archive is truncated inside an entry's data".into(),
                }
            } else {
                TarError::from(e)
            }
        })?;
        self.pos += n;
        Ok(())
    }

    /// Reads exactly `n` bytes of extension data (bounded by the caller).
    fn read_ext(&mut self, n: u64) -> Result<Vec<u8>, TarError> {
        let len = usize::try_from(n).map_err(|_| TarError::Corrupt {
            offset: self.pos,
            message: "extension header too large".into(),
        })?;
        let mut v = vec![0u8; len];
        self.input.read_exact(&mut v).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                TarError::Corrupt {
                    offset: self.pos,
                    message: "archive is truncated inside an extension header".into(),
                }
            } else {
                TarError::from(e)
            }
        })?;
        self.pos += n;
        self.skip(padding(n))?;
        Ok(v)
    }

    /// Fills the header block. Returns false at a clean end of input.
    fn read_header(&mut self) -> Result<bool, TarError> {
        let mut filled = 0usize;
        while filled < self.header.len() {
            let Some(dst) = self.header.get_mut(filled..) else {
                break;
            };
            match self.input.read(dst) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(TarError::from(e)),
            }
        }
        if filled == 0 {
            return Ok(false);
        }
        if filled < self.header.len() {
            return Err(TarError::Corrupt {
                offset: self.pos,
                message: format!("archive ends inside a header ({filled} of 512 bytes)"),
            });
        }
        self.pos += BLOCK;
        Ok(true)
    }

    /// The next entry, or `None` at the end of the archive. Data of the
    /// previous entry that was not read is skipped.
    pub(crate) fn next_entry(&mut self) -> Result<Option<Entry>, TarError> {
        self.take_failure()?;
        if self.done {
            return Ok(None);
        }
        let rest = self.remaining.saturating_add(self.pad);
        self.remaining = 0;
        self.pad = 0;
        self.skip(rest)?;

        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax = Pax::default();
        loop {
            let offset = self.pos;
            if !self.read_header()? {
                // End of input without the end-of-archive blocks: accept it
                // unless an extension header promised another entry.
                self.done = true;
                if long_name.is_some() || long_link.is_some() || pax.any() {
                    return Err(TarError::Corrupt {
                        offset,
                        message: "archive ends after an extension header".into(),
                    });
                }
                return Ok(None);
            }
            if self.header.iter().all(|&b| b == 0) {
                self.done = true;
                return Ok(None);
            }
            let h = self.header;
            verify_checksum(&h).map_err(|message| TarError::Corrupt { offset, message })?;
            let flag = h[156];
            let size = numeric(field(&h, 124, 12))
                .map_err(|m| TarError::Corrupt {
                    offset,
                    message: format!("size field: {m}"),
                })?
                .unwrap_or(0);
            match flag {
                b'L' | b'K' => {
                    if size > self.limits.max_name {
                        return Err(TarError::Limit(LimitHit {
                            limit: "max_tar_name_bytes",
                            max: self.limits.max_name,
                            detail: format!(
                                "GNU long name header of {size} bytes at byte {offset}"
                            ),
                        }));
                    }
                    let mut v = self.read_ext(size)?;
                    trim_nuls(&mut v);
                    if flag == b'L' {
                        long_name = Some(v);
                    } else {
                        long_link = Some(v);
                    }
                }
                b'x' => {
                    if size > self.limits.max_pax {
                        return Err(TarError::Limit(LimitHit {
                            limit: "max_tar_pax_bytes",
                            max: self.limits.max_pax,
                            detail: format!("PAX header of {size} bytes at byte {offset}"),
                        }));
                    }
                    let data = self.read_ext(size)?;
                    pax.parse(&data)
                        .map_err(|message| TarError::Corrupt { offset, message })?;
                }
                b'g' => {
                    // Global PAX headers: nothing bosun uses.
                    self.skip(size.saturating_add(padding(size)))?;
                }
                _ => {
                    return self
                        .finish_entry(&h, flag, size, long_name, long_link, pax)
                        .map(Some);
                }
            }
        }
    }

    fn finish_entry(
        &mut self,
        h: &[u8; 512],
        flag: u8,
        header_size: u64,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
        pax: Pax,
    ) -> Result<Entry, TarError> {
        let offset = self.pos - BLOCK;
        let corrupt = |field: &str, m: String| TarError::Corrupt {
            offset,
            message: format!("{field} field: {m}"),
        };
        let raw_name: Vec<u8> = match (pax.path, long_name) {
            (Some(p), _) => p,
            (None, Some(l)) => l,
            (None, None) => {
                let name = cstr(field(h, 0, 100));
                let is_posix = field(h, 257, 6) == b"ustar\0";
                let prefix = if is_posix {
                    cstr(field(h, 345, 155))
                } else {
                    &[]
                };
                if prefix.is_empty() {
                    name.to_vec()
                } else {
                    let mut v = Vec::with_capacity(prefix.len() + 1 + name.len());
                    v.extend_from_slice(prefix);
                    v.push(b'/');
                    v.extend_from_slice(name);
                    v
                }
            }
        };
        let raw_link: Vec<u8> = match (pax.linkpath, long_link) {
            (Some(p), _) => p,
            (None, Some(l)) => l,
            (None, None) => cstr(field(h, 157, 100)).to_vec(),
        };
        let kind = Kind::from_flag(flag, &raw_name);
        let mode = numeric(field(h, 100, 8))
            .map_err(|m| corrupt("mode", m))?
            .unwrap_or(0);
        let uid = match pax.uid {
            Some(u) => u,
            None => numeric(field(h, 108, 8))
                .map_err(|m| corrupt("uid", m))?
                .unwrap_or(0),
        };
        let gid = match pax.gid {
            Some(g) => g,
            None => numeric(field(h, 116, 8))
                .map_err(|m| corrupt("gid", m))?
                .unwrap_or(0),
        };
        let mtime = match pax.mtime {
            Some(t) => t,
            // A negative (pre-1970) base-256 time reads as 0.
            None => numeric(field(h, 136, 12)).unwrap_or(Some(0)).unwrap_or(0),
        };
        let size = if kind.has_data() {
            pax.size.unwrap_or(header_size)
        } else {
            0
        };
        let (name, lossy_name) = to_string(raw_name);
        let (link, lossy_link) = to_string(raw_link);
        self.remaining = size;
        self.pad = padding(size);
        Ok(Entry {
            name,
            link,
            kind,
            mode: u32::try_from(mode & 0o7777).unwrap_or(0),
            uid,
            gid,
            mtime,
            size,
            data_offset: self.pos,
            lossy: lossy_name || lossy_link,
        })
    }

    /// Reads the current entry's data.
    pub(crate) fn data(&mut self) -> Data<'_, I> {
        Data { tar: self }
    }

    /// Reads the rest of the input after the end of the archive (trailing
    /// blocks), so a digest over the whole stream can be checked.
    pub(crate) fn drain(&mut self) -> Result<u64, TarError> {
        self.take_failure()?;
        let rest = self.remaining.saturating_add(self.pad);
        self.remaining = 0;
        self.pad = 0;
        self.skip(rest)?;
        let mut total = 0u64;
        loop {
            let n = {
                let buf = self.input.fill_buf()?;
                buf.len()
            };
            if n == 0 {
                return Ok(total);
            }
            self.input.consume(n);
            self.pos += n as u64;
            total += n as u64;
        }
    }
}

/// The data of the current entry, as a `Read` that stops at its end.
pub(crate) struct Data<'a, I> {
    tar: &'a mut TarReader<I>,
}

impl<I: TarInput> Read for Data<'_, I> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let t = &mut *self.tar;
        if let Some(e) = &t.failed {
            return Err(io::Error::new(e.kind(), e.to_string()));
        }
        if t.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(t.remaining).unwrap_or(usize::MAX));
        let Some(dst) = buf.get_mut(..want) else {
            return Ok(0);
        };
        match t.input.read(dst) {
            Ok(0) => {
                let e = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "archive is truncated inside an entry's data (byte {})",
                        t.pos
                    ),
                );
                t.failed = Some(io::Error::new(e.kind(), e.to_string()));
                Err(e)
            }
            Ok(n) => {
                t.remaining -= n as u64;
                t.pos += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let copy = match LimitHit::from_io(&e) {
                    Some(l) => l.clone().into_io(),
                    None => io::Error::new(e.kind(), e.to_string()),
                };
                t.failed = Some(copy);
                Err(e)
            }
        }
    }
}

/// Padding after `size` bytes of data, to the next 512-byte block.
pub(crate) fn padding(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

fn field(h: &[u8; 512], start: usize, len: usize) -> &[u8] {
    h.get(start..start + len).unwrap_or(&[])
}

/// The bytes of a NUL-terminated field.
fn cstr(f: &[u8]) -> &[u8] {
    match f.iter().position(|&b| b == 0) {
        Some(i) => f.get(..i).unwrap_or(f),
        None => f,
    }
}

fn trim_nuls(v: &mut Vec<u8>) {
    if let Some(i) = v.iter().position(|&b| b == 0) {
        v.truncate(i);
    }
}

fn to_string(v: Vec<u8>) -> (String, bool) {
    match String::from_utf8(v) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    }
}

/// Parses a numeric header field: octal text, or GNU base-256 when the high
/// bit of the first byte is set. `Ok(None)` for a negative base-256 value.
fn numeric(f: &[u8]) -> Result<Option<u64>, String> {
    let Some(&first) = f.first() else {
        return Ok(Some(0));
    };
    if first & 0x80 != 0 {
        if first == 0xff {
            return Ok(None);
        }
        let mut v: u64 = u64::from(first & 0x7f);
        for &b in f.get(1..).unwrap_or(&[]) {
            v = v
                .checked_mul(256)
                .and_then(|v| v.checked_add(u64::from(b)))
                .ok_or_else(|| "base-256 number overflows".to_owned())?;
        }
        return Ok(Some(v));
    }
    let mut v: u64 = 0;
    let mut started = false;
    for &b in f {
        match b {
            b' ' | 0 if !started => {}
            b' ' | 0 => break,
            b'0'..=b'7' => {
                started = true;
                v = v
                    .checked_mul(8)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')))
                    .ok_or_else(|| "octal number overflows".to_owned())?;
            }
            _ => return Err(format!("byte {b:#04x} in an octal number")),
        }
    }
    Ok(Some(v))
}

fn verify_checksum(h: &[u8; 512]) -> Result<(), String> {
    let stored = numeric(field(h, 148, 8))
        .map_err(|m| format!("checksum field: {m}"))?
        .unwrap_or(u64::MAX);
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || i64::try_from(stored).ok() == Some(signed) {
        Ok(())
    } else {
        Err(format!(
            "header checksum mismatch (stored {stored}, computed {unsigned}): not a tar archive or a corrupt one"
        ))
    }
}

/// The PAX records bosun uses.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    mtime: Option<u64>,
}

impl Pax {
    fn any(&self) -> bool {
        self.path.is_some()
            || self.linkpath.is_some()
            || self.size.is_some()
            || self.uid.is_some()
            || self.gid.is_some()
            || self.mtime.is_some()
    }

    /// Parses `"<len> <key>=<value>\n"` records.
    fn parse(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            // Some writers pad the header with NULs.
            if data.iter().all(|&b| b == 0) {
                break;
            }
            let sp = data
                .iter()
                .position(|&b| b == b' ')
                .filter(|&i| i > 0 && i <= 20)
                .ok_or("PAX record without a length")?;
            let len: usize = std::str::from_utf8(data.get(..sp).unwrap_or(&[]))
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or("PAX record length is not a number")?;
            if len <= sp + 1 || len > data.len() {
                return Err(format!("PAX record length {len} out of range"));
            }
            let record = data.get(sp + 1..len).ok_or("PAX record out of range")?;
            data = data.get(len..).unwrap_or(&[]);
            let record = record
                .strip_suffix(b"\n")
                .ok_or("PAX record does not end with a newline")?;
            let eq = record
                .iter()
                .position(|&b| b == b'=')
                .ok_or("PAX record without `=`")?;
            let key = record.get(..eq).unwrap_or(&[]);
            let value = record.get(eq + 1..).unwrap_or(&[]);
            match key {
                b"path" => self.path = Some(value.to_vec()),
                b"linkpath" => self.linkpath = Some(value.to_vec()),
                b"size" => self.size = Some(decimal(value, "size")?),
                b"uid" => self.uid = Some(decimal(value, "uid")?),
                b"gid" => self.gid = Some(decimal(value, "gid")?),
                b"mtime" => {
                    // Seconds with an optional fraction; negative means before 1970.
                    let secs = value.split(|&b| b == b'.').next().unwrap_or(&[]);
                    self.mtime = Some(if secs.first() == Some(&b'-') {
                        0
                    } else {
                        decimal(secs, "mtime")?
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn decimal(v: &[u8], key: &str) -> Result<u64, String> {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| format!("PAX `{key}` is not a non-negative integer"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn reader(bytes: Vec<u8>) -> TarReader<StreamInput<Cursor<Vec<u8>>>> {
        TarReader::new(
            StreamInput(BufReader::new(Cursor::new(bytes))),
            TarLimits::default(),
        )
    }

    fn header(name: &str, size: u64, kind: tar::EntryType) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).expect("path");
        h.set_size(size);
        h.set_entry_type(kind);
        h.set_mode(0o644);
        h.set_cksum();
        h
    }

    #[test]
    fn reads_names_kinds_and_data() {
        let mut b = tar::Builder::new(Vec::new());
        b.append(&header("etc/", 0, tar::EntryType::Directory), &[][..])
            .expect("dir");
        b.append(
            &header("etc/hosts", 5, tar::EntryType::Regular),
            &b"hello"[..],
        )
        .expect("file");
        let long = format!("usr/{}/file", "x".repeat(300));
        b.append_data(
            &mut header("placeholder", 3, tar::EntryType::Regular),
            &long,
            &b"abc"[..],
        )
        .expect("long");
        let mut h = header("lnk", 0, tar::EntryType::Symlink);
        h.set_link_name("../etc/hosts").expect("link");
        h.set_cksum();
        b.append(&h, &[][..]).expect("symlink");
        let bytes = b.into_inner().expect("finish");

        let mut r = reader(bytes);
        let e = r.next_entry().expect("ok").expect("dir");
        assert_eq!((e.name.as_str(), e.kind), ("etc/", Kind::Dir));
        let e = r.next_entry().expect("ok").expect("file");
        assert_eq!(
            (e.name.as_str(), e.kind, e.size),
            ("etc/hosts", Kind::File, 5)
        );
        let mut s = String::new();
        r.data().read_to_string(&mut s).expect("data");
        assert_eq!(s, "hello");
        let e = r.next_entry().expect("ok").expect("long");
        assert_eq!(e.name, long);
        let e = r.next_entry().expect("ok").expect("symlink");
        assert_eq!((e.kind, e.link.as_str()), (Kind::Symlink, "../etc/hosts"));
        assert!(r.next_entry().expect("ok").is_none());
        assert!(r.drain().expect("drain") > 0);
    }

    #[test]
    fn pax_headers_override_name_and_size() {
        let mut b = tar::Builder::new(Vec::new());
        let long = format!("opt/{}", "y".repeat(200));
        let mut h = tar::Header::new_ustar();
        h.set_size(4);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_pax_extensions([("path", long.as_bytes()), ("uid", b"123456789")])
            .expect("pax");
        h.set_path("short").expect("path");
        h.set_cksum();
        b.append(&h, &b"data"[..]).expect("file");
        let bytes = b.into_inner().expect("finish");
        let mut r = reader(bytes);
        let e = r.next_entry().expect("ok").expect("entry");
        assert_eq!(e.name, long);
        assert_eq!(e.uid, 123_456_789);
        assert_eq!(e.mode, 0o600);
        assert!(r.next_entry().expect("ok").is_none());
    }

    #[test]
    fn corrupt_checksum_names_the_offset() {
        let mut b = tar::Builder::new(Vec::new());
        b.append(&header("a", 1, tar::EntryType::Regular), &b"x"[..])
            .expect("a");
        b.append(&header("b", 1, tar::EntryType::Regular), &b"y"[..])
            .expect("b");
        let mut bytes = b.into_inner().expect("finish");
        bytes[1024 + 3] ^= 0x55; // second header, inside its name
        let mut r = reader(bytes);
        assert!(r.next_entry().expect("first").is_some());
        match r.next_entry() {
            Err(TarError::Corrupt { offset, message }) => {
                assert_eq!(offset, 1024);
                assert!(message.contains("checksum"), "{message}");
            }
            other => panic!("want corrupt, got {other:?}"),
        }
    }

    #[test]
    fn huge_long_name_is_refused_before_allocating() {
        let mut h = tar::Header::new_gnu();
        h.set_path("././@LongLink").expect("path");
        h.set_entry_type(tar::EntryType::GNULongName);
        h.set_size(1 << 40);
        h.set_cksum();
        let bytes = h.as_bytes().to_vec();
        match reader(bytes).next_entry() {
            Err(TarError::Limit(l)) => assert_eq!(l.limit, "max_tar_name_bytes"),
            other => panic!("want limit, got {other:?}"),
        }
    }

    #[test]
    fn truncated_data_is_an_error() {
        let mut b = tar::Builder::new(Vec::new());
        b.append(
            &header("a", 1000, tar::EntryType::Regular),
            &[7u8; 1000][..],
        )
        .expect("a");
        let mut bytes = b.into_inner().expect("finish");
        bytes.truncate(700);
        let mut r = reader(bytes);
        assert!(r.next_entry().expect("header").is_some());
        assert!(r.next_entry().is_err());
    }

    #[test]
    fn a_size_near_u64_max_is_an_error_not_an_overflow() {
        let mut h = header("huge", 0, tar::EntryType::Regular);
        let size = &mut h.as_gnu_mut().expect("gnu").size;
        size.copy_from_slice(&[
            0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        h.set_cksum();
        let mut bytes = h.as_bytes().to_vec();
        bytes.extend_from_slice(&[0u8; 1024]);
        let mut r = reader(bytes.clone());
        let e = r.next_entry().expect("header parses").expect("entry");
        assert_eq!(e.size, u64::MAX);
        assert!(r.next_entry().is_err());
        let len = bytes.len() as u64;
        let mut r = TarReader::new(
            SeekInput::new(Cursor::new(bytes), len),
            TarLimits::default(),
        );
        assert!(r.next_entry().expect("header").is_some());
        assert!(r.next_entry().is_err());
    }

    #[test]
    fn numbers_octal_and_base256() {
        assert_eq!(numeric(b"0000644\0"), Ok(Some(0o644)));
        assert_eq!(numeric(b"   17 \0"), Ok(Some(0o17)));
        assert_eq!(numeric(b"\0\0\0"), Ok(Some(0)));
        assert_eq!(
            numeric(&[0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
            Ok(Some(1 << 32))
        );
        assert_eq!(numeric(&[0xff; 8]), Ok(None));
        assert!(numeric(b"12x").is_err());
        assert!(
            numeric(&[
                0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ])
            .is_err()
        );
    }

    #[test]
    fn seek_input_skips_without_reading() {
        let mut b = tar::Builder::new(Vec::new());
        b.append(
            &header("big", 100_000, tar::EntryType::Regular),
            &vec![1u8; 100_000][..],
        )
        .expect("big");
        b.append(&header("small", 2, tar::EntryType::Regular), &b"ok"[..])
            .expect("small");
        let bytes = b.into_inner().expect("finish");
        let len = bytes.len() as u64;
        let mut r = TarReader::new(
            SeekInput::new(Cursor::new(bytes), len),
            TarLimits::default(),
        );
        let big = r.next_entry().expect("ok").expect("big");
        assert_eq!(big.data_offset, 512);
        let small = r.next_entry().expect("ok").expect("small");
        assert_eq!(small.name, "small");
        assert_eq!(small.data_offset, 512 + 100_352 + 512);
    }
}
