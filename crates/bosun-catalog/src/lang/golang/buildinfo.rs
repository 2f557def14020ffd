//! Go build information: the blob the Go linker leaves in every binary
//! built with module support, and the module text (`modinfo`) it carries.
//!
//! The blob starts with the 14-byte magic `\xff Go buildinf:`, then one byte
//! of pointer size (4 or 8) and one byte of flags (bit 0: big endian, bit 1:
//! the strings follow inline). Go 1.18 and later write the toolchain version
//! and the modinfo inline, after a 32-byte header, each as a uvarint length
//! and the bytes ([`decode_inline`]). Go 1.13 to 1.17 write two pointers
//! instead: the virtual addresses of the `runtime.buildVersion` and
//! `runtime.modinfo` string headers ([`Header::Pointers`]); following them
//! needs the executable's segment table (see `exec.rs`).
//!
//! The modinfo is framed by two 16-byte sentinels ([`INFO_START`],
//! [`INFO_END`]) and is a list of tab-separated lines ([`parse_modinfo`]):
//! `path`, `mod` (the main module), `dep`, `=>` (the replacement of the
//! module on the line before) and, since Go 1.18, `build` settings.

use std::fmt;

/// The build-info magic, at the start of the `.go.buildinfo` section.
pub const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// The header the magic starts: magic, pointer size, flags, then two
/// pointer-sized fields (or padding, for the inline format).
pub const HEADER_LEN: usize = 32;
/// The sentinel before the modinfo text (cmd/go's `infoStart`).
pub const INFO_START: [u8; 16] = [
    0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
];
/// The sentinel after the modinfo text (cmd/go's `infoEnd`).
pub const INFO_END: [u8; 16] = [
    0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
];

/// Most bytes of the toolchain version string.
pub const MAX_VERSION_LEN: usize = 1024;
/// Most bytes of the modinfo (sentinels included). Real ones are a few
/// kilobytes; the largest binaries (Kubernetes, cloud CLIs) stay under
/// 100 KiB.
pub const MAX_MODINFO_LEN: usize = 4 * 1024 * 1024;
/// Most `dep` lines read from one modinfo.
pub const MAX_DEPS: usize = 100_000;
/// Most `build` settings kept.
pub const MAX_SETTINGS: usize = 256;

/// Why a build-info blob or modinfo could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildInfoError {
    #[error("build info header: pointer size {0} is not 4 or 8")]
    PointerSize(u8),
    #[error("build info header: truncated")]
    Truncated,
    #[error("build info: {what} length {len} is over the {max}-byte limit")]
    TooLong {
        what: &'static str,
        len: u64,
        max: usize,
    },
    #[error("build info: malformed {0} length")]
    BadLength(&'static str),
    #[error("build info: the toolchain version is empty or not text")]
    BadVersion,
    #[error("modinfo line {line}: {why}")]
    Modinfo { line: usize, why: String },
}

/// The fixed header after the magic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Go 1.18+: the version and modinfo follow the header inline.
    Inline,
    /// Go 1.13-1.17: virtual addresses of the two string headers.
    Pointers {
        ptr_size: u8,
        big_endian: bool,
        version_addr: u64,
        modinfo_addr: u64,
    },
}

/// Reads the 32-byte header at the start of `b` (which starts with the magic).
pub fn parse_header(b: &[u8]) -> Result<Header, BuildInfoError> {
    let head = b.get(..HEADER_LEN).ok_or(BuildInfoError::Truncated)?;
    if !head.starts_with(MAGIC) {
        return Err(BuildInfoError::Truncated);
    }
    let ptr_size = head[14];
    let flags = head[15];
    if flags & 2 != 0 {
        return Ok(Header::Inline);
    }
    if ptr_size != 4 && ptr_size != 8 {
        return Err(BuildInfoError::PointerSize(ptr_size));
    }
    let big_endian = flags & 1 != 0;
    let p = usize::from(ptr_size);
    let version_addr = read_ptr(&head[16..16 + p], big_endian).ok_or(BuildInfoError::Truncated)?;
    let modinfo_addr =
        read_ptr(&head[16 + p..16 + 2 * p], big_endian).ok_or(BuildInfoError::Truncated)?;
    Ok(Header::Pointers {
        ptr_size,
        big_endian,
        version_addr,
        modinfo_addr,
    })
}

/// An unsigned integer of 4 or 8 bytes.
pub fn read_ptr(b: &[u8], big_endian: bool) -> Option<u64> {
    match b.len() {
        4 => {
            let a: [u8; 4] = b.try_into().ok()?;
            Some(u64::from(if big_endian {
                u32::from_be_bytes(a)
            } else {
                u32::from_le_bytes(a)
            }))
        }
        8 => {
            let a: [u8; 8] = b.try_into().ok()?;
            Some(if big_endian {
                u64::from_be_bytes(a)
            } else {
                u64::from_le_bytes(a)
            })
        }
        _ => None,
    }
}

/// What decoding a prefix of a blob gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<T> {
    Done(T),
    /// The blob needs at least this many bytes (from the magic on).
    NeedMore(usize),
}

/// The raw strings of an inline (Go 1.18+) blob: the toolchain version and
/// the modinfo with its sentinels still on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBuildInfo {
    pub version: String,
    pub modinfo: Vec<u8>,
}

fn uvarint(b: &[u8]) -> Result<Option<(u64, usize)>, BuildInfoError> {
    let mut x: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        if i == 9 && byte > 1 {
            return Err(BuildInfoError::BadLength("string"));
        }
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Ok(Some((x, i + 1)));
        }
    }
    if b.len() >= 10 {
        return Err(BuildInfoError::BadLength("string"));
    }
    Ok(None)
}

/// Decodes the inline format from `b`, which starts with the magic. Asks
/// for more bytes until both strings are complete.
pub fn decode_inline(b: &[u8]) -> Result<Decoded<RawBuildInfo>, BuildInfoError> {
    if b.len() < HEADER_LEN {
        return Ok(Decoded::NeedMore(HEADER_LEN));
    }
    let mut at = HEADER_LEN;
    let mut strings: Vec<&[u8]> = Vec::with_capacity(2);
    for (what, max) in [("version", MAX_VERSION_LEN), ("modinfo", MAX_MODINFO_LEN)] {
        let rest = b.get(at..).unwrap_or_default();
        let Some((len, n)) = uvarint(rest)? else {
            return Ok(Decoded::NeedMore(at + rest.len() + 1));
        };
        if len > max as u64 {
            return Err(BuildInfoError::TooLong { what, len, max });
        }
        // `len <= max` fits in usize.
        let len = len as usize;
        let start = at + n;
        let end = start + len;
        match b.get(start..end) {
            Some(s) => strings.push(s),
            None => return Ok(Decoded::NeedMore(end)),
        }
        at = end;
    }
    let (Some(version), Some(modinfo)) = (strings.first(), strings.get(1)) else {
        return Err(BuildInfoError::Truncated);
    };
    let version = version_string(version)?;
    Ok(Decoded::Done(RawBuildInfo {
        version,
        modinfo: modinfo.to_vec(),
    }))
}

/// The toolchain version as text: non-empty, printable, bounded.
pub fn version_string(b: &[u8]) -> Result<String, BuildInfoError> {
    let s = std::str::from_utf8(b).map_err(|_| BuildInfoError::BadVersion)?;
    if s.is_empty()
        || s.len() > MAX_VERSION_LEN
        || s.chars().any(|c| c.is_control())
        || !(s.starts_with("go") || s.starts_with("devel"))
    {
        return Err(BuildInfoError::BadVersion);
    }
    Ok(s.to_owned())
}

/// The modinfo text between the sentinels, as Go's `debug/buildinfo`
/// takes it: at least 33 bytes with a newline just before the end sentinel;
/// anything else means "no module information".
pub fn strip_framing(modinfo: &[u8]) -> Option<&[u8]> {
    let n = modinfo.len();
    if n >= 33 && modinfo.get(n - 17) == Some(&b'\n') {
        modinfo.get(16..n - 16)
    } else {
        None
    }
}

/// A module as the modinfo records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub version: String,
    /// The `h1:` checksum from go.sum, when recorded.
    pub sum: Option<String>,
    pub replace: Option<Box<Module>>,
}

/// The parsed build information.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain version, e.g. `go1.21.5` or `go1.22.0 X:boringcrypto`.
    pub go_version: String,
    /// The main package's import path (`path` line).
    pub path: Option<String>,
    /// The main module (`mod` line).
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    /// `build` settings in order (Go 1.18+).
    pub settings: Vec<(String, String)>,
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.version.is_empty() {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}@{}", self.path, self.version)
        }
    }
}

fn module_fields(rest: &str, line: usize) -> Result<Module, BuildInfoError> {
    let fields: Vec<&str> = rest.split('\t').collect();
    let bad = |why: &str| BuildInfoError::Modinfo {
        line,
        why: why.to_owned(),
    };
    let (path, version, sum) = match fields.as_slice() {
        [p] => (*p, "", None),
        [p, v] => (*p, *v, None),
        [p, v, s] => (*p, *v, Some(*s)),
        _ => return Err(bad("a module line has more than three fields")),
    };
    if path.is_empty() {
        return Err(bad("a module line has an empty path"));
    }
    Ok(Module {
        path: path.to_owned(),
        version: version.to_owned(),
        sum: sum.filter(|s| !s.is_empty()).map(str::to_owned),
        replace: None,
    })
}

/// Parses the modinfo text (without sentinels). Unknown line kinds are
/// skipped, as Go does for forward compatibility; a malformed `mod`, `dep`
/// or `=>` line is an error (the text is machine written).
pub fn parse_modinfo(text: &[u8], go_version: &str) -> Result<BuildInfo, BuildInfoError> {
    let text = String::from_utf8_lossy(text);
    let mut info = BuildInfo {
        go_version: go_version.to_owned(),
        ..BuildInfo::default()
    };
    // Which module the next `=>` line replaces: None (nothing yet), the
    // main module, or the last dep.
    #[derive(Clone, Copy, PartialEq)]
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    for (i, line) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let (kind, rest) = line.split_once('\t').unwrap_or((line, ""));
        match kind {
            "path" => info.path = Some(rest.to_owned()),
            "mod" => {
                info.main = Some(module_fields(rest, n)?);
                last = Last::Main;
            }
            "dep" => {
                if info.deps.len() >= MAX_DEPS {
                    return Err(BuildInfoError::Modinfo {
                        line: n,
                        why: format!("more than {MAX_DEPS} dependencies"),
                    });
                }
                info.deps.push(module_fields(rest, n)?);
                last = Last::Dep;
            }
            "=>" => {
                let r = module_fields(rest, n)?;
                let target = match last {
                    Last::Main => info.main.as_mut(),
                    Last::Dep => info.deps.last_mut(),
                    Last::None => None,
                };
                let Some(m) = target else {
                    return Err(BuildInfoError::Modinfo {
                        line: n,
                        why: "a replacement (`=>`) before any module".to_owned(),
                    });
                };
                if m.replace.is_some() {
                    return Err(BuildInfoError::Modinfo {
                        line: n,
                        why: format!("a second replacement for `{}`", m.path),
                    });
                }
                m.replace = Some(Box::new(r));
                last = Last::None;
            }
            "build" => {
                if info.settings.len() < MAX_SETTINGS
                    && let Some(kv) = parse_setting(rest)
                {
                    info.settings.push(kv);
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// One `build` line: `key=value`, either side possibly Go-quoted.
fn parse_setting(rest: &str) -> Option<(String, String)> {
    let (key, value) = if rest.starts_with('"') {
        let (k, used) = go_unquote_prefix(rest)?;
        let value = rest.get(used..)?.strip_prefix('=')?;
        (k, value)
    } else {
        let (k, v) = rest.split_once('=')?;
        (k.to_owned(), v)
    };
    let value = if value.starts_with('"') {
        match go_unquote_prefix(value) {
            Some((v, used)) if used == value.len() => v,
            _ => value.to_owned(),
        }
    } else {
        value.to_owned()
    };
    Some((key, value))
}

/// Unquotes a Go double-quoted string at the start of `s`; returns the
/// value and the number of bytes the quoted form took.
fn go_unquote_prefix(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' | '"' | '\'' => out.push(e),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v: u32 = 0;
                        for _ in 0..n {
                            let (_, h) = chars.next()?;
                            v = v * 16 + h.to_digit(16)?;
                        }
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    None
}

/// The toolchain version as a semantic version with a `v` prefix, the way
/// Go writes module versions (and Trivy writes `stdlib`): `go1.21.5` is
/// `v1.21.5`, `go1.20` is `v1.20.0`, `go1.21rc2` is `v1.21.0-rc.2`
/// (golang.org/x/vuln's conversion). GOEXPERIMENT suffixes
/// (`go1.22.0 X:boringcrypto`) are dropped. Development toolchains
/// (`devel ...`) and anything else give `None`.
pub fn stdlib_version(go_version: &str) -> Option<String> {
    let v = go_version.split(' ').next()?;
    let v = v.strip_prefix("go")?;
    // Split off a pre-release: the first letter.
    let (num, pre) = match v.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (v.get(..i)?, Some(v.get(i..)?)),
        None => (v, None),
    };
    let parts: Vec<&str> = num.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |i: usize| -> u64 {
        parts
            .get(i)
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut out = format!("v{}.{}.{}", n(0), n(1), n(2));
    if let Some(pre) = pre {
        let (tag, count) = ["rc", "beta", "alpha"]
            .iter()
            .find_map(|t| pre.strip_prefix(t).map(|rest| (*t, rest)))?;
        if count.is_empty() || count.len() > 9 || !count.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(&format!("-{tag}.{count}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.push(8);
        b.push(2);
        b.resize(HEADER_LEN, 0);
        for s in [version.as_bytes(), modinfo] {
            let mut n = s.len() as u64;
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    b.push(byte);
                    break;
                }
                b.push(byte | 0x80);
            }
            b.extend_from_slice(s);
        }
        b
    }

    fn framed(text: &str) -> Vec<u8> {
        let mut m = INFO_START.to_vec();
        m.extend_from_slice(text.as_bytes());
        m.extend_from_slice(&INFO_END);
        m
    }

    #[test]
    fn inline_blob_decodes_in_pieces() {
        let text =
            "path\tex.com/a\nmod\tex.com/a\t(devel)\t\ndep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n";
        let blob = inline_blob("go1.22.1", &framed(text));
        // Every prefix either asks for more or (the whole) decodes.
        for cut in 0..blob.len() {
            match decode_inline(&blob[..cut]).expect("prefix") {
                Decoded::NeedMore(n) => assert!(n > cut, "cut {cut}: need {n}"),
                Decoded::Done(_) => panic!("decoded from {cut} of {} bytes", blob.len()),
            }
        }
        let Decoded::Done(raw) = decode_inline(&blob).expect("blob") else {
            panic!("incomplete");
        };
        assert_eq!(raw.version, "go1.22.1");
        let text2 = strip_framing(&raw.modinfo).expect("framed");
        assert_eq!(text2, text.as_bytes());
        let info = parse_modinfo(text2, &raw.version).expect("modinfo");
        assert_eq!(info.path.as_deref(), Some("ex.com/a"));
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("(devel)")
        );
        assert_eq!(info.deps.len(), 1);
        assert_eq!(info.deps[0].sum.as_deref(), Some("h1:abc="));
    }

    #[test]
    fn oversized_lengths_are_errors_not_allocations() {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[8, 2]);
        b.resize(HEADER_LEN, 0);
        // 2^40 as a uvarint.
        b.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
        assert!(matches!(
            decode_inline(&b),
            Err(BuildInfoError::TooLong { .. })
        ));
        let mut c = b[..HEADER_LEN].to_vec();
        c.extend_from_slice(&[0xff; 11]);
        assert!(decode_inline(&c).is_err());
    }

    #[test]
    fn pointer_header() {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&[8, 0]);
        b.extend_from_slice(&0x4d_1000u64.to_le_bytes());
        b.extend_from_slice(&0x4d_1010u64.to_le_bytes());
        assert_eq!(
            parse_header(&b).expect("header"),
            Header::Pointers {
                ptr_size: 8,
                big_endian: false,
                version_addr: 0x4d_1000,
                modinfo_addr: 0x4d_1010
            }
        );
        let mut be = MAGIC.to_vec();
        be.extend_from_slice(&[4, 1]);
        be.extend_from_slice(&0x1000u32.to_be_bytes());
        be.extend_from_slice(&0x2000u32.to_be_bytes());
        be.resize(HEADER_LEN, 0);
        assert!(matches!(
            parse_header(&be),
            Ok(Header::Pointers {
                ptr_size: 4,
                big_endian: true,
                version_addr: 0x1000,
                modinfo_addr: 0x2000
            })
        ));
        b[14] = 5;
        assert_eq!(parse_header(&b), Err(BuildInfoError::PointerSize(5)));
    }

    #[test]
    fn replacements_attach_to_the_module_before() {
        let text = "path\tex.com/cmd/x\nmod\tex.com\tv1.0.0\th1:m=\n=>\t../local\t\t\ndep\ta.com/b\tv1.2.0\th1:x=\n=>\tfork.com/b\tv1.2.1\th1:y=\ndep\tc.com/d\tv0.3.0\n";
        let info = parse_modinfo(text.as_bytes(), "go1.17").expect("modinfo");
        let main = info.main.expect("main");
        assert_eq!(
            main.replace.as_ref().map(|r| r.path.as_str()),
            Some("../local")
        );
        assert_eq!(info.deps.len(), 2);
        let r = info.deps[0].replace.as_ref().expect("replace");
        assert_eq!(
            (r.path.as_str(), r.version.as_str()),
            ("fork.com/b", "v1.2.1")
        );
        assert!(info.deps[1].replace.is_none());
        assert!(parse_modinfo(b"=>\tx\tv1\n", "go1.17").is_err());
        assert!(parse_modinfo(b"dep\ta\tb\tc\td\n", "go1.17").is_err());
    }

    #[test]
    fn build_settings_unquote() {
        let text = "build\t-ldflags=\"-s -w -X main.version=1.2.3\"\nbuild\tCGO_ENABLED=0\nbuild\t\"we=ird\"=\"a\\tb\"\n";
        let info = parse_modinfo(text.as_bytes(), "go1.22.0").expect("modinfo");
        assert_eq!(
            info.settings,
            vec![
                ("-ldflags".into(), "-s -w -X main.version=1.2.3".into()),
                ("CGO_ENABLED".into(), "0".into()),
                ("we=ird".into(), "a\tb".into()),
            ]
        );
    }

    #[test]
    fn stdlib_versions() {
        for (go, want) in [
            ("go1.19.8", Some("v1.19.8")),
            ("go1.20", Some("v1.20.0")),
            ("go1", Some("v1.0.0")),
            ("go1.21rc2", Some("v1.21.0-rc.2")),
            ("go1.18beta1", Some("v1.18.0-beta.1")),
            ("go1.22.0 X:boringcrypto", Some("v1.22.0")),
            ("devel go1.23-abc123 Mon Jan 1", None),
            ("go1.x", None),
            ("go1.2.3.4", None),
            ("go1.21rc", None),
            ("go1.21foo1", None),
            ("1.21.0", None),
        ] {
            assert_eq!(stdlib_version(go).as_deref(), want, "{go}");
        }
    }

    #[test]
    fn framing_needs_the_newline_before_the_end_sentinel() {
        assert_eq!(strip_framing(&framed("path\tx\n")), Some(&b"path\tx\n"[..]));
        assert_eq!(strip_framing(&framed("path\tx")), None);
        assert_eq!(strip_framing(&framed("")), None);
    }
}
