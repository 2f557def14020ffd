//! One streamed pass over an ELF executable that finds Go build information
//! and cargo-auditable dependency data, reading the file once, front to
//! back, in fixed-size windows: never the whole binary in memory.
//!
//! - ELF header and program headers come from the first window: they give
//!   the loadable segments (file range, virtual address, flags).
//! - Go (1.18+): the build-info magic is searched only inside writable,
//!   non-executable segments (where Go's `debug/buildinfo` looks; this keeps
//!   the copy of the magic that Go tools carry as a constant in `.rodata`
//!   out), and the inline strings that follow are captured as they stream by.
//! - Go (1.13-1.17, pointer format): the header's pointers lead to two
//!   string headers in `.data` (after the blob) whose data lies in `.rodata`
//!   (before it). So, in binaries with a Go build-ID note, the pass also
//!   remembers where `go1.` strings and the modinfo sentinel occur, and
//!   resolves the pointers against those once the string headers stream by.
//! - Rust: cargo-auditable's `.dep-v0` (and the older `.rust-deps-v0`)
//!   section is a zlib stream of JSON. Section headers sit at the end of an
//!   ELF file, after the data, so the section is found by content instead:
//!   each zlib header (`0x78` and a valid check byte) gets a trial inflate
//!   of its first bytes, and a stream that starts with `{"` is inflated in
//!   full (bounded) and parsed by `lang::rust::auditable`.

use std::io::{self, Read};

use flate2::{Decompress, FlushDecompress, Status};
use memchr::memmem::Finder;

use super::buildinfo::{
    self, BuildInfo, Decoded, HEADER_LEN, Header, INFO_END, INFO_START, MAGIC, MAX_MODINFO_LEN,
    MAX_VERSION_LEN,
};

/// Bytes read per window.
const CHUNK: usize = 256 * 1024;
/// Bytes carried from one window into the next, so a match or a trial
/// inflate near the end of a window sees what follows. A zlib stream's
/// first block header (its Huffman tables) fits in far less.
const OVERLAP: usize = 2048;
/// The ELF and program headers must lie in the first this many bytes.
const HEAD: usize = 64 * 1024;
/// Most program headers read.
const MAX_PHDRS: usize = 4096;
/// Most `go1.` positions remembered for the pointer format.
const MAX_CANDIDATES: usize = 8192;
/// Bytes remembered after each `go1.` position.
const CANDIDATE_LEN: usize = 64;
/// Most concurrent captures of each kind (false matches are dropped).
const MAX_CAPTURES: usize = 8;
/// Most concurrent modinfo-sentinel captures, and the most bytes each may
/// take before its end sentinel (real modinfo is a few kilobytes).
const MAX_INFO_CAPTURES: usize = 2;
const MAX_INFO_LEN: usize = 1024 * 1024;
/// Most bytes of decompressed cargo-auditable JSON (cargo-auditable's own
/// reader allows 8 MiB).
pub const MAX_AUDIT_JSON: usize = 8 * 1024 * 1024;
/// Most compressed bytes one zlib stream may take.
const MAX_AUDIT_COMPRESSED: u64 = 8 * 1024 * 1024;

const PT_LOAD: u32 = 1;
const PT_NOTE: u32 = 4;
const PF_X: u32 = 1;
const PF_W: u32 = 2;

/// What one pass over an executable found.
#[derive(Debug, Default)]
pub struct ExecFindings {
    /// Go build information, or why the build information that is there
    /// could not be read.
    pub go: Option<Result<BuildInfo, String>>,
    /// The decompressed cargo-auditable JSON.
    pub rust: Option<Vec<u8>>,
    /// Whether the file is ELF at all.
    pub elf: bool,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    offset: u64,
    vaddr: u64,
    filesz: u64,
    flags: u32,
}

#[derive(Debug, Default)]
struct Elf {
    big_endian: bool,
    loads: Vec<Segment>,
    /// A `.note.go.buildid` (owner `Go`, type 4) note is in the first window.
    go_note: bool,
}

impl Elf {
    fn u16(&self, b: &[u8], at: usize) -> Option<u16> {
        let a: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }
    fn u32(&self, b: &[u8], at: usize) -> Option<u32> {
        let a: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }
    fn u64(&self, b: &[u8], at: usize) -> Option<u64> {
        let a: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
        Some(if self.big_endian {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        })
    }

    /// The file offset of `len` bytes at virtual address `addr`, when one
    /// loadable segment holds them all in the file.
    fn file_offset(&self, addr: u64, len: u64) -> Option<u64> {
        self.loads.iter().find_map(|s| {
            let end = addr.checked_add(len)?;
            (addr >= s.vaddr && end <= s.vaddr.checked_add(s.filesz)?)
                .then(|| s.offset + (addr - s.vaddr))
        })
    }

    /// File ranges of writable, non-executable segments (all of the file
    /// when the segment table could not be read).
    fn data_ranges(&self) -> Vec<(u64, u64)> {
        let r: Vec<(u64, u64)> = self
            .loads
            .iter()
            .filter(|s| s.flags & (PF_W | PF_X) == PF_W)
            .map(|s| (s.offset, s.offset.saturating_add(s.filesz)))
            .collect();
        if self.loads.is_empty() {
            vec![(0, u64::MAX)]
        } else {
            r
        }
    }
}

/// Reads the ELF header and program headers from the first bytes. `None`
/// when the bytes are not ELF.
fn parse_elf(head: &[u8]) -> Option<Elf> {
    if !head.starts_with(b"\x7fELF") {
        return None;
    }
    let class64 = match head.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let mut elf = Elf {
        big_endian: match head.get(5)? {
            1 => false,
            2 => true,
            _ => return None,
        },
        ..Elf::default()
    };
    // The rest is best effort: an odd segment table just means "search the
    // whole file".
    let (phoff, phentsize, phnum) = if class64 {
        (
            elf.u64(head, 0x20),
            elf.u16(head, 0x36),
            elf.u16(head, 0x38),
        )
    } else {
        (
            elf.u32(head, 0x1c).map(u64::from),
            elf.u16(head, 0x2a),
            elf.u16(head, 0x2c),
        )
    };
    let (Some(phoff), Some(phentsize), Some(phnum)) = (phoff, phentsize, phnum) else {
        return Some(elf);
    };
    let (phentsize, phnum) = (usize::from(phentsize), usize::from(phnum));
    let min_ent = if class64 { 56 } else { 32 };
    if phentsize < min_ent || phnum > MAX_PHDRS {
        return Some(elf);
    }
    let Ok(phoff) = usize::try_from(phoff) else {
        return Some(elf);
    };
    let mut loads = Vec::new();
    let mut notes = Vec::new();
    for i in 0..phnum {
        let Some(at) = phoff.checked_add(i * phentsize) else {
            break;
        };
        if at.saturating_add(phentsize) > head.len() {
            // Program headers beyond the first window: give up on them.
            return Some(elf);
        }
        let seg = if class64 {
            (
                elf.u32(head, at),
                elf.u32(head, at + 4),
                elf.u64(head, at + 8),
                elf.u64(head, at + 16),
                elf.u64(head, at + 32),
            )
        } else {
            (
                elf.u32(head, at),
                elf.u32(head, at + 24),
                elf.u32(head, at + 4).map(u64::from),
                elf.u32(head, at + 8).map(u64::from),
                elf.u32(head, at + 16).map(u64::from),
            )
        };
        let (Some(ty), Some(flags), Some(offset), Some(vaddr), Some(filesz)) = seg else {
            return Some(elf);
        };
        let s = Segment {
            offset,
            vaddr,
            filesz,
            flags,
        };
        match ty {
            PT_LOAD => loads.push(s),
            PT_NOTE => notes.push(s),
            _ => {}
        }
    }
    elf.go_note = notes.iter().any(|n| elf.has_go_note(head, n));
    elf.loads = loads;
    Some(elf)
}

impl Elf {
    fn has_go_note(&self, head: &[u8], seg: &Segment) -> bool {
        let (Ok(start), Ok(len)) = (usize::try_from(seg.offset), usize::try_from(seg.filesz))
        else {
            return false;
        };
        let Some(notes) = head.get(start..start.saturating_add(len)) else {
            return false;
        };
        let mut at = 0usize;
        while at + 12 <= notes.len() {
            let (Some(namesz), Some(descsz), Some(ty)) = (
                self.u32(notes, at),
                self.u32(notes, at + 4),
                self.u32(notes, at + 8),
            ) else {
                return false;
            };
            let namesz = namesz as usize;
            let descsz = descsz as usize;
            let name_end = at + 12 + namesz;
            if notes.get(at + 12..name_end) == Some(b"Go\0\0") && ty == 4 {
                return true;
            }
            let align = |n: usize| n.div_ceil(4) * 4;
            let next = at
                .saturating_add(12)
                .saturating_add(align(namesz))
                .saturating_add(align(descsz));
            if next <= at {
                return false;
            }
            at = next;
        }
        false
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Version,
    Modinfo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The build-info blob, from the magic on.
    Blob,
    /// A Go string header (data pointer, length) for the pointer format.
    StrHeader(Which),
    /// The bytes of a Go string, for the pointer format.
    StrData(Which),
    /// Modinfo text from its start sentinel until its end sentinel.
    InfoStart,
}

#[derive(Debug)]
struct Capture {
    kind: Kind,
    start: u64,
    /// Bytes wanted, from `start` on (may grow for `Blob`).
    want: usize,
    bytes: Vec<u8>,
    done: bool,
}

impl Capture {
    fn new(kind: Kind, start: u64, want: usize) -> Self {
        Capture {
            kind,
            start,
            want,
            bytes: Vec::new(),
            done: false,
        }
    }

    /// Appends the bytes of `buf` (which starts at file offset `base`) this
    /// capture has not seen yet.
    fn feed(&mut self, base: u64, buf: &[u8]) {
        if self.done {
            return;
        }
        let next = self.start + self.bytes.len() as u64;
        if next < base {
            return;
        }
        let Ok(from) = usize::try_from(next - base) else {
            return;
        };
        let need = self.want.saturating_sub(self.bytes.len());
        if let Some(avail) = buf.get(from..) {
            let take = avail.len().min(need);
            self.bytes.extend_from_slice(&avail[..take]);
        }
        if self.bytes.len() >= self.want {
            self.done = true;
        }
    }
}

/// The pointer-format state: the header, then what its pointers resolved to.
#[derive(Debug, Default)]
struct Pointers {
    ptr_size: u8,
    big_endian: bool,
    version: Option<String>,
    modinfo: Option<Vec<u8>>,
    error: Option<String>,
}

#[derive(Debug)]
struct Inflate {
    start: u64,
    consumed: u64,
    dec: Decompress,
    out: Vec<u8>,
    done: bool,
    failed: bool,
}

struct Scan {
    elf: Elf,
    data_ranges: Vec<(u64, u64)>,
    magic: Finder<'static>,
    info_start: Finder<'static>,
    go1: Finder<'static>,
    captures: Vec<Capture>,
    candidates: Vec<(u64, Vec<u8>)>,
    go: Option<Result<BuildInfo, String>>,
    go_error: Option<String>,
    pointers: Option<Pointers>,
    trial: Decompress,
    inflates: Vec<Inflate>,
    rust: Option<Vec<u8>>,
}

impl Scan {
    fn old_format_possible(&self) -> bool {
        self.elf.go_note && self.go.is_none()
    }

    fn count(&self, kind: Kind) -> usize {
        self.captures.iter().filter(|c| c.kind == kind).count()
    }

    /// Looks for new evidence at positions `from..end` of `buf`.
    fn detect(&mut self, base: u64, buf: &[u8], from: usize, end: usize) {
        if from >= end {
            return;
        }
        let win_end = base + end as u64;
        if self.go.is_none() && self.pointers.is_none() {
            for (a, b) in self.data_ranges.clone() {
                let lo = a.max(base + from as u64);
                let hi = b.min(win_end);
                if lo >= hi {
                    continue;
                }
                let lo_i = (lo - base) as usize;
                let hi_i = (hi - base) as usize;
                // Let the match run past `hi` into the overlap.
                let hay = buf.get(lo_i..).unwrap_or_default();
                for p in self.magic.find_iter(hay) {
                    let at = lo_i + p;
                    if at >= hi_i {
                        break;
                    }
                    if self.count(Kind::Blob) < MAX_CAPTURES {
                        self.captures
                            .push(Capture::new(Kind::Blob, base + at as u64, HEADER_LEN));
                    }
                }
            }
        }
        if self.old_format_possible() {
            let hay = buf.get(from..).unwrap_or_default();
            for p in self.info_start.find_iter(hay) {
                let at = from + p;
                if at >= end {
                    break;
                }
                if self.count(Kind::InfoStart) < MAX_INFO_CAPTURES {
                    self.captures.push(Capture::new(
                        Kind::InfoStart,
                        base + at as u64,
                        MAX_INFO_LEN,
                    ));
                }
            }
            for p in self.go1.find_iter(hay) {
                let at = from + p;
                if at >= end || self.candidates.len() >= MAX_CANDIDATES {
                    break;
                }
                let b = &buf[at..buf.len().min(at + CANDIDATE_LEN)];
                self.candidates.push((base + at as u64, b.to_vec()));
            }
        }
        if self.rust.is_none() {
            self.detect_zlib(base, buf, from, end);
        }
    }

    fn detect_zlib(&mut self, base: u64, buf: &[u8], from: usize, end: usize) {
        let Some(hay) = buf.get(from..end) else {
            return;
        };
        for p in memchr::memchr_iter(0x78, hay) {
            let at = from + p;
            // CMF 0x78 (deflate, 32K window) and FLG with FDICT clear and a
            // valid check: 0x01, 0x5e, 0x9c, 0xda.
            if !matches!(buf.get(at + 1), Some(0x01 | 0x5e | 0x9c | 0xda)) {
                continue;
            }
            if self.inflates.len() >= MAX_CAPTURES {
                return;
            }
            let input = &buf[at..buf.len().min(at + OVERLAP)];
            if self.trial_starts_json(input) {
                self.inflates.push(Inflate {
                    start: base + at as u64,
                    consumed: 0,
                    dec: Decompress::new(true),
                    out: Vec::new(),
                    done: false,
                    failed: false,
                });
            }
        }
    }

    /// Whether the zlib stream at the start of `input` inflates to text
    /// starting with `{"`.
    fn trial_starts_json(&mut self, input: &[u8]) -> bool {
        self.trial.reset(true);
        let mut out = [0u8; 2];
        let mut got = 0usize;
        let mut used = 0usize;
        // Each call may stop early; bound the calls as well as the input.
        for _ in 0..8 {
            let before_in = self.trial.total_in();
            let before_out = self.trial.total_out();
            let status = self.trial.decompress(
                input.get(used..).unwrap_or_default(),
                &mut out[got..],
                FlushDecompress::None,
            );
            used += (self.trial.total_in() - before_in) as usize;
            got += (self.trial.total_out() - before_out) as usize;
            match status {
                Ok(_) if got >= out.len() => return &out == b"{\"",
                Ok(Status::StreamEnd) | Err(_) => return false,
                Ok(_) => {
                    if self.trial.total_in() == before_in && self.trial.total_out() == before_out {
                        return false;
                    }
                }
            }
        }
        false
    }

    fn feed(&mut self, base: u64, buf: &[u8]) {
        for c in &mut self.captures {
            c.feed(base, buf);
        }
        self.feed_inflates(base, buf);
        self.advance_captures(base, buf);
    }

    fn feed_inflates(&mut self, base: u64, buf: &[u8]) {
        if self.inflates.is_empty() {
            return;
        }
        let mut chunk = vec![0u8; 64 * 1024];
        for inf in &mut self.inflates {
            if inf.done || inf.failed {
                continue;
            }
            let next = inf.start + inf.consumed;
            if next < base {
                continue;
            }
            let Some(mut input) = usize::try_from(next - base).ok().and_then(|i| buf.get(i..))
            else {
                continue;
            };
            while !input.is_empty() {
                let before_in = inf.dec.total_in();
                let before_out = inf.dec.total_out();
                let status = inf.dec.decompress(input, &mut chunk, FlushDecompress::None);
                let used = (inf.dec.total_in() - before_in) as usize;
                let made = (inf.dec.total_out() - before_out) as usize;
                inf.consumed += used as u64;
                input = &input[used.min(input.len())..];
                if inf.out.len() + made > MAX_AUDIT_JSON || inf.consumed > MAX_AUDIT_COMPRESSED {
                    inf.failed = true;
                    break;
                }
                inf.out.extend_from_slice(&chunk[..made]);
                match status {
                    Ok(Status::StreamEnd) => {
                        inf.done = true;
                        break;
                    }
                    Err(_) => {
                        inf.failed = true;
                        break;
                    }
                    Ok(_) if used == 0 && made == 0 => break,
                    Ok(_) => {}
                }
            }
        }
        // A finished stream that holds the JSON ends the Rust search.
        if let Some(i) = self
            .inflates
            .iter()
            .position(|i| i.done && crate::lang::rust::auditable::looks_like_audit_json(&i.out))
        {
            let inf = self.inflates.swap_remove(i);
            self.rust = Some(inf.out);
            self.inflates.clear();
        } else {
            self.inflates.retain(|i| !i.failed && !i.done);
        }
    }

    fn advance_captures(&mut self, base: u64, buf: &[u8]) {
        let mut i = 0;
        while i < self.captures.len() {
            let kind = self.captures[i].kind;
            match kind {
                Kind::Blob => self.advance_blob(i, base, buf),
                Kind::InfoStart => {
                    let c = &mut self.captures[i];
                    let n = c.bytes.len();
                    if let Some(p) = memchr::memmem::find(&c.bytes[16.min(n)..], &INFO_END) {
                        c.bytes.truncate(16 + p + INFO_END.len());
                        c.done = true;
                        c.want = c.bytes.len();
                    }
                }
                Kind::StrHeader(_) | Kind::StrData(_) => {
                    if self.captures[i].done {
                        let c = self.captures.swap_remove(i);
                        self.resolve_pointer_part(c, base, buf);
                        continue;
                    }
                }
            }
            i += 1;
        }
        // Drop blob captures that turned out not to be build info, and
        // sentinel captures that never ended.
        self.captures
            .retain(|c| !(c.kind == Kind::InfoStart && c.done && c.bytes.len() >= MAX_INFO_LEN));
        self.finish_pointers();
    }

    fn advance_blob(&mut self, i: usize, base: u64, buf: &[u8]) {
        let c = &mut self.captures[i];
        if c.bytes.len() < HEADER_LEN {
            return;
        }
        let header = buildinfo::parse_header(&c.bytes);
        match header {
            Ok(Header::Inline) => match buildinfo::decode_inline(&c.bytes) {
                Ok(Decoded::Done(raw)) => {
                    let result = match buildinfo::strip_framing(&raw.modinfo) {
                        Some(text) => {
                            buildinfo::parse_modinfo(text, &raw.version).map_err(|e| e.to_string())
                        }
                        // A binary built without module support.
                        None => Ok(BuildInfo {
                            go_version: raw.version.clone(),
                            ..BuildInfo::default()
                        }),
                    };
                    self.go = Some(result);
                    self.captures.retain(|c| c.kind != Kind::Blob);
                }
                Ok(Decoded::NeedMore(n)) => {
                    // The bytes may already be in this window: take them and
                    // decode again, until the window runs out.
                    let before = c.bytes.len();
                    c.want = n;
                    c.done = false;
                    c.feed(base, buf);
                    if c.bytes.len() > before {
                        self.advance_blob(i, base, buf);
                    }
                }
                Err(e) => {
                    self.go_error = Some(e.to_string());
                    self.captures.swap_remove(i);
                }
            },
            Ok(Header::Pointers {
                ptr_size,
                big_endian,
                version_addr,
                modinfo_addr,
            }) => {
                self.captures.retain(|c| c.kind != Kind::Blob);
                let mut p = Pointers {
                    ptr_size,
                    big_endian,
                    ..Pointers::default()
                };
                let hdr_len = 2 * u64::from(ptr_size);
                for (which, addr) in [
                    (Which::Version, version_addr),
                    (Which::Modinfo, modinfo_addr),
                ] {
                    match self.elf.file_offset(addr, hdr_len) {
                        Some(off) if off >= base => {
                            let mut c = Capture::new(Kind::StrHeader(which), off, hdr_len as usize);
                            c.feed(base, buf);
                            self.captures.push(c);
                        }
                        _ => {
                            p.error.get_or_insert_with(|| {
                                format!(
                                    "build info (Go 1.17 or older): the string header at {addr:#x} is not in the file after the build info"
                                )
                            });
                        }
                    }
                }
                self.pointers = Some(p);
                // Parts already complete resolve on the next advance.
            }
            Err(e) => {
                self.go_error = Some(e.to_string());
                self.captures.swap_remove(i);
            }
        }
    }

    fn resolve_pointer_part(&mut self, c: Capture, base: u64, buf: &[u8]) {
        let Some(p) = self.pointers.as_mut() else {
            return;
        };
        match c.kind {
            Kind::StrHeader(which) => {
                let ps = usize::from(p.ptr_size);
                let (Some(addr), Some(len)) = (
                    c.bytes
                        .get(..ps)
                        .and_then(|b| buildinfo::read_ptr(b, p.big_endian)),
                    c.bytes
                        .get(ps..2 * ps)
                        .and_then(|b| buildinfo::read_ptr(b, p.big_endian)),
                ) else {
                    p.error
                        .get_or_insert_with(|| "build info: truncated string header".into());
                    return;
                };
                let max = match which {
                    Which::Version => MAX_VERSION_LEN,
                    Which::Modinfo => MAX_MODINFO_LEN,
                };
                if len > max as u64 {
                    p.error.get_or_insert_with(|| {
                        format!("build info: string length {len} is over the {max}-byte limit")
                    });
                    return;
                }
                let len = len as usize;
                let Some(off) = self.elf.file_offset(addr, len as u64) else {
                    p.error.get_or_insert_with(|| {
                        format!("build info: string data at {addr:#x} is not in a loadable segment")
                    });
                    return;
                };
                if off >= base {
                    let mut d = Capture::new(Kind::StrData(which), off, len);
                    d.feed(base, buf);
                    if d.done || len == 0 {
                        set_part(p, which, d.bytes);
                    } else {
                        self.captures.push(d);
                    }
                    return;
                }
                // Behind us: look for it among what the pass remembered.
                let found = match which {
                    Which::Version => self
                        .candidates
                        .iter()
                        .find(|(o, b)| *o == off && b.len() >= len)
                        .map(|(_, b)| b[..len].to_vec()),
                    Which::Modinfo => self
                        .captures
                        .iter()
                        .find(|c| {
                            c.kind == Kind::InfoStart && c.start == off && c.bytes.len() >= len
                        })
                        .map(|c| c.bytes[..len].to_vec()),
                };
                match found {
                    Some(b) => set_part(p, which, b),
                    None => {
                        p.error.get_or_insert_with(|| {
                            format!(
                                "build info (Go 1.17 or older): the {} string at file offset {off:#x} was not recognised while streaming",
                                match which {
                                    Which::Version => "version",
                                    Which::Modinfo => "modinfo",
                                }
                            )
                        });
                    }
                }
            }
            Kind::StrData(which) => set_part(p, which, c.bytes),
            _ => {}
        }
    }

    fn finish_pointers(&mut self) {
        let Some(p) = self.pointers.as_ref() else {
            return;
        };
        if self.go.is_some() {
            return;
        }
        if let Some(e) = &p.error {
            self.go = Some(Err(e.clone()));
            return;
        }
        let (Some(v), Some(m)) = (&p.version, &p.modinfo) else {
            return;
        };
        let result = buildinfo::version_string(v.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|version| match buildinfo::strip_framing(m) {
                Some(text) => buildinfo::parse_modinfo(text, &version).map_err(|e| e.to_string()),
                None => Ok(BuildInfo {
                    go_version: version,
                    ..BuildInfo::default()
                }),
            });
        self.go = Some(result);
        self.captures.retain(|c| c.kind == Kind::InfoStart);
    }

    fn finished(&self) -> bool {
        self.go.is_some() && self.rust.is_some()
    }

    fn finish(mut self, elf: bool) -> ExecFindings {
        if self.go.is_none() {
            if let Some(p) = &self.pointers {
                let what = match (&p.version, &p.modinfo) {
                    (None, _) => "version",
                    _ => "modinfo",
                };
                self.go = Some(Err(format!(
                    "build info (Go 1.17 or older): the {what} string was not found"
                )));
            } else if self.elf.go_note {
                // No build-info blob (Go 1.12 and older, or a stripped
                // section), but a complete modinfo: the modules without a
                // toolchain version.
                self.go = self
                    .captures
                    .iter()
                    .filter(|c| c.kind == Kind::InfoStart && c.done)
                    .find_map(|c| {
                        let text = buildinfo::strip_framing(&c.bytes)?;
                        let info = buildinfo::parse_modinfo(text, "").ok()?;
                        info.main.is_some().then_some(Ok(info))
                    });
            }
            if self.go.is_none()
                && let Some(e) = self.go_error.take()
            {
                self.go = Some(Err(e));
            }
        }
        ExecFindings {
            go: self.go,
            rust: self.rust,
            elf,
        }
    }
}

fn set_part(p: &mut Pointers, which: Which, bytes: Vec<u8>) {
    match which {
        Which::Version => p.version = Some(String::from_utf8_lossy(&bytes).into_owned()),
        Which::Modinfo => p.modinfo = Some(bytes),
    }
}

/// Fills `buf` up to `target` bytes; returns whether the input ended.
fn fill(data: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> io::Result<bool> {
    let mut len = buf.len();
    if len >= target {
        return Ok(false);
    }
    buf.resize(target, 0);
    let result = loop {
        if len >= target {
            break Ok(false);
        }
        match data.read(&mut buf[len..]) {
            Ok(0) => break Ok(true),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    buf.truncate(len);
    result
}

/// Streams an executable once and returns the Go and Rust evidence in it.
/// Files that are not ELF are left after their first bytes.
pub fn scan(data: &mut dyn Read) -> io::Result<ExecFindings> {
    let mut buf: Vec<u8> = Vec::with_capacity(4);
    let mut eof = fill(data, &mut buf, 4)?;
    if !buf.starts_with(b"\x7fELF") {
        return Ok(ExecFindings::default());
    }
    buf.reserve_exact(HEAD.max(CHUNK + OVERLAP) - buf.len());
    if !eof {
        eof = fill(data, &mut buf, HEAD)?;
    }
    let Some(elf) = parse_elf(&buf) else {
        return Ok(ExecFindings::default());
    };
    let data_ranges = elf.data_ranges();
    let mut s = Scan {
        elf,
        data_ranges,
        magic: Finder::new(MAGIC).into_owned(),
        info_start: Finder::new(&INFO_START).into_owned(),
        go1: Finder::new(b"go1.").into_owned(),
        captures: Vec::new(),
        candidates: Vec::new(),
        go: None,
        go_error: None,
        pointers: None,
        trial: Decompress::new(true),
        inflates: Vec::new(),
        rust: None,
    };
    let mut base: u64 = 0;
    let mut scanned: u64 = 0;
    loop {
        if !eof {
            eof = fill(data, &mut buf, CHUNK + OVERLAP)?;
        }
        let end = if eof {
            buf.len()
        } else {
            buf.len().saturating_sub(OVERLAP)
        };
        let from = usize::try_from(scanned - base).unwrap_or(usize::MAX);
        s.detect(base, &buf, from, end);
        s.feed(base, &buf);
        scanned = base + end as u64;
        if eof || s.finished() {
            break;
        }
        buf.drain(..end);
        base += end as u64;
    }
    Ok(s.finish(true))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal little-endian ELF64 with one writable PT_LOAD segment
    /// covering `[data_off, data_off + data.len())` at `vaddr`, a read-only
    /// one covering `[ro_off, ro_off + ro.len())`, and a Go note.
    pub(crate) fn elf64(
        ro_off: usize,
        ro: &[u8],
        data_off: usize,
        data: &[u8],
        vaddr: u64,
    ) -> Vec<u8> {
        let mut f = vec![0u8; data_off.max(ro_off) + data.len().max(ro.len()) + 64];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2;
        f[5] = 1;
        f[6] = 1;
        f[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        f[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        f[0x38..0x3a].copy_from_slice(&3u16.to_le_bytes());
        let ph = |f: &mut Vec<u8>, i: usize, ty: u32, flags: u32, off: u64, va: u64, sz: u64| {
            let at = 64 + i * 56;
            f[at..at + 4].copy_from_slice(&ty.to_le_bytes());
            f[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
            f[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
            f[at + 16..at + 24].copy_from_slice(&va.to_le_bytes());
            f[at + 32..at + 40].copy_from_slice(&sz.to_le_bytes());
        };
        let ro_va = vaddr - data_off as u64 + ro_off as u64;
        ph(&mut f, 0, PT_LOAD, 4, ro_off as u64, ro_va, ro.len() as u64);
        ph(
            &mut f,
            1,
            PT_LOAD,
            6,
            data_off as u64,
            vaddr,
            data.len() as u64,
        );
        // A Go build-ID note at 0x200.
        ph(&mut f, 2, PT_NOTE, 4, 0x200, 0, 24);
        f[0x200..0x204].copy_from_slice(&4u32.to_le_bytes());
        f[0x204..0x208].copy_from_slice(&8u32.to_le_bytes());
        f[0x208..0x20c].copy_from_slice(&4u32.to_le_bytes());
        f[0x20c..0x210].copy_from_slice(b"Go\0\0");
        f[ro_off..ro_off + ro.len()].copy_from_slice(ro);
        f[data_off..data_off + data.len()].copy_from_slice(data);
        f
    }

    /// Reads `r` a few bytes at a time, to cross every window boundary.
    pub(crate) struct Dribble<'a>(pub &'a [u8], pub usize);
    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(self.1).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn framed(text: &str) -> Vec<u8> {
        let mut m = INFO_START.to_vec();
        m.extend_from_slice(text.as_bytes());
        m.extend_from_slice(&INFO_END);
        m
    }

    fn uvarint(mut n: u64, out: &mut Vec<u8>) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    pub(crate) fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[8, 2]);
        b.resize(HEADER_LEN, 0);
        for s in [version.as_bytes(), modinfo] {
            uvarint(s.len() as u64, &mut b);
            b.extend_from_slice(s);
        }
        b
    }

    const TEXT: &str = "path\texample.com/cmd/app\nmod\texample.com\tv1.2.3\th1:aaa=\ndep\tgithub.com/x/y\tv0.4.0\th1:bbb=\nbuild\tGOOS=linux\n";

    #[test]
    fn inline_build_info_across_window_boundaries() {
        let blob = inline_blob("go1.22.1", &framed(TEXT));
        // The magic also sits in read-only data (as in Go tools): ignored.
        let mut ro = vec![0u8; 4096];
        ro[100..100 + MAGIC.len()].copy_from_slice(MAGIC);
        let f = elf64(0x1000, &ro, CHUNK - 7, &blob, 0x50_0000);
        for step in [1, 13, 4096, usize::MAX] {
            let r = scan(&mut Dribble(&f, step)).expect("scan");
            let info = r.go.expect("go").expect("build info");
            assert_eq!(info.go_version, "go1.22.1", "step {step}");
            assert_eq!(info.deps.len(), 1);
            assert!(r.rust.is_none());
        }
    }

    #[test]
    fn big_endian_32_bit_elf() {
        // ELF32, big endian (e.g. linux/ppc, mips): one writable segment.
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[4, 3]);
        blob.resize(HEADER_LEN, 0);
        let modinfo = framed(TEXT);
        for s in [&b"go1.21.0"[..], &modinfo[..]] {
            uvarint(s.len() as u64, &mut blob);
            blob.extend_from_slice(s);
        }
        let mut f = vec![0u8; 0x1000];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 1;
        f[5] = 2;
        f[0x1c..0x20].copy_from_slice(&52u32.to_be_bytes());
        f[0x2a..0x2c].copy_from_slice(&32u16.to_be_bytes());
        f[0x2c..0x2e].copy_from_slice(&1u16.to_be_bytes());
        let at = 52;
        f[at..at + 4].copy_from_slice(&PT_LOAD.to_be_bytes());
        f[at + 4..at + 8].copy_from_slice(&0x1000u32.to_be_bytes());
        f[at + 8..at + 12].copy_from_slice(&0x10000u32.to_be_bytes());
        f[at + 16..at + 20].copy_from_slice(&(blob.len() as u32).to_be_bytes());
        f[at + 24..at + 28].copy_from_slice(&6u32.to_be_bytes());
        f.extend_from_slice(&blob);
        let r = scan(&mut f.as_slice()).expect("scan");
        let info = r.go.expect("go").expect("build info");
        assert_eq!(info.go_version, "go1.21.0");
        assert_eq!(info.deps.len(), 1);
        // The same blob outside the writable segment is not read.
        f[at + 24..at + 28].copy_from_slice(&4u32.to_be_bytes());
        assert!(scan(&mut f.as_slice()).expect("scan").go.is_none());
    }

    #[test]
    fn magic_outside_writable_segments_is_not_build_info() {
        // (Unframed modinfo, so the Go 1.12 fallback has nothing to find.)
        let blob = inline_blob("go1.22.1", TEXT.as_bytes());
        let f = elf64(0x1000, &blob, 0x4000, &[0u8; 64], 0x50_4000);
        let r = scan(&mut f.as_slice()).expect("scan");
        assert!(r.go.is_none(), "{:?}", r.go);
    }

    #[test]
    fn pointer_format_resolves_through_remembered_strings() {
        // Layout as Go 1.13-1.17 links it: .rodata (version and modinfo
        // bytes) first, then .go.buildinfo, then .data with the string
        // headers.
        let vaddr: u64 = 0x60_0000;
        let ro_off = 0x3000usize;
        let data_off = 0x9000usize;
        let modinfo = framed(TEXT);
        let mut ro = vec![b'x'; 0x2000];
        let ver_at = 0x40;
        ro[ver_at..ver_at + 7].copy_from_slice(b"go1.16.");
        ro[ver_at + 7..ver_at + 9].copy_from_slice(b"15");
        // A decoy `go1.` string the pointers do not name.
        ro[0x10..0x18].copy_from_slice(b"go1.99.9");
        let mod_at = 0x400;
        ro[mod_at..mod_at + modinfo.len()].copy_from_slice(&modinfo);
        let ro_va = vaddr - data_off as u64 + ro_off as u64;
        let mut data = vec![0u8; 0x200];
        data[..14].copy_from_slice(MAGIC);
        data[14] = 8;
        data[15] = 0;
        let hdr_ver = vaddr + 0x100;
        let hdr_mod = vaddr + 0x110;
        data[16..24].copy_from_slice(&hdr_ver.to_le_bytes());
        data[24..32].copy_from_slice(&hdr_mod.to_le_bytes());
        data[0x100..0x108].copy_from_slice(&(ro_va + ver_at as u64).to_le_bytes());
        data[0x108..0x110].copy_from_slice(&9u64.to_le_bytes());
        data[0x110..0x118].copy_from_slice(&(ro_va + mod_at as u64).to_le_bytes());
        data[0x118..0x120].copy_from_slice(&(modinfo.len() as u64).to_le_bytes());
        let f = elf64(ro_off, &ro, data_off, &data, vaddr);
        for step in [3, 1000, usize::MAX] {
            let r = scan(&mut Dribble(&f, step)).expect("scan");
            let info = r.go.expect("go").expect("build info");
            assert_eq!(info.go_version, "go1.16.15", "step {step}");
            assert_eq!(info.main.expect("main").version, "v1.2.3");
            assert_eq!(info.deps[0].path, "github.com/x/y");
        }
        // Without the Go note the old format cannot be followed: a warning,
        // not a guess.
        let mut no_note = f.clone();
        no_note[0x20c..0x210].copy_from_slice(b"Xx\0\0");
        let r = scan(&mut no_note.as_slice()).expect("scan");
        assert!(matches!(r.go, Some(Err(_))), "{:?}", r.go);
    }

    fn zlib(data: &[u8], level: u32) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
        e.write_all(data).expect("zlib");
        e.finish().expect("zlib")
    }

    #[test]
    fn cargo_auditable_json_is_found_by_content() {
        let json = br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","root":true},{"name":"serde","version":"1.0.190","source":"crates.io"}],"format":1}"#;
        // Decoys: zlib headers followed by garbage, a zlib stream of other
        // JSON, a zlib stream of text; then the section near a window edge.
        let mut body = Vec::new();
        for i in 0..2000u32 {
            body.extend_from_slice(&[0x78, 0x9c, (i * 7) as u8, (i * 13) as u8, 0xff]);
            body.extend_from_slice(&i.to_le_bytes());
        }
        body.extend(zlib(br#"{"other":1}"#, 6));
        body.extend(zlib(b"plain text, not json", 9));
        body.resize(CHUNK - 40, 0x78);
        let section = zlib(json, 6);
        body.extend(&section);
        body.extend(vec![0u8; 5000]);
        let f = elf64(0x1000, &[0u8; 16], 0x2000, &body, 0x40_0000);
        for step in [5, 4096, usize::MAX] {
            let r = scan(&mut Dribble(&f, step)).expect("scan");
            assert_eq!(r.rust.as_deref(), Some(&json[..]), "step {step}");
            assert!(r.go.is_none());
        }
        // Every zlib level cargo-auditable or a rebuild might use.
        for level in [0, 1, 6, 9] {
            let mut g = vec![0u8; 300];
            g.extend(zlib(json, level));
            let f = elf64(0x1000, &[0u8; 16], 0x2000, &g, 0x40_0000);
            let r = scan(&mut f.as_slice()).expect("scan");
            assert_eq!(r.rust.as_deref(), Some(&json[..]), "level {level}");
        }
    }

    #[test]
    fn oversized_auditable_json_is_not_kept() {
        let mut json = br#"{"packages":["#.to_vec();
        json.resize(MAX_AUDIT_JSON + 10, b' ');
        let f = elf64(0x1000, &[0u8; 16], 0x2000, &zlib(&json, 9), 0x40_0000);
        let r = scan(&mut f.as_slice()).expect("scan");
        assert!(r.rust.is_none());
    }

    #[test]
    fn not_elf_reads_four_bytes() {
        let mut src: &[u8] = b"#!/bin/sh\necho hi\n";
        let r = scan(&mut src).expect("scan");
        assert!(!r.elf && r.go.is_none());
        assert_eq!(src.len(), b"#!/bin/sh\necho hi\n".len() - 4);
    }

    #[test]
    fn truncated_and_garbage_elves_do_not_panic() {
        let blob = inline_blob("go1.22.1", &framed(TEXT));
        let f = elf64(0x1000, &[1, 2, 3], 0x2000, &blob, 0x50_2000);
        for cut in (0..f.len()).step_by(97) {
            let _ = scan(&mut &f[..cut]);
        }
        let mut g = f.clone();
        for i in (0..g.len()).step_by(7) {
            g[i] ^= 0x5a;
        }
        let _ = scan(&mut g.as_slice());
    }
}
