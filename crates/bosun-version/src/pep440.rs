//! Python package versions: PEP 440, with the legacy fallback pip used.
//!
//! A string that matches PEP 440 (as Python's `packaging` reads it: case
//! insensitive, optional `v`, surrounding white space, the alternative
//! spellings `alpha`, `c`, `pre`, `preview`, `rev`, `r`, `-N` post releases,
//! optional separators and numbers) is ordered as `packaging.version.Version`
//! orders it: epoch, release (trailing zeros ignored), pre-release (a `.devN`
//! without pre or post release sorts before `aN`), post release, dev release,
//! local version (numeric segments above alphanumeric ones).
//!
//! Any other string is a legacy version, ordered as `packaging` 21 (and the
//! pip versions built on it) ordered `LegacyVersion`: below every PEP 440
//! version, and among themselves by setuptools' old component rules. Parsing
//! therefore never fails (except on over-long input);
//! [`Pep440Version::is_legacy`] tells which kind a version is.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{cmp_digits, digit_run, strip_zeros};

/// A number of any length, kept as its digits without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Num(Box<str>);

impl Num {
    fn new(digits: &[u8]) -> Num {
        Num(String::from_utf8_lossy(strip_zeros(digits)).into())
    }
    fn zero() -> Num {
        Num("".into())
    }
    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("0")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// Pre-release kinds, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKind {
    A,
    B,
    Rc,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSeg {
    // Alphanumeric segments sort below numeric ones.
    Alpha(Box<str>),
    Number(Num),
}

#[derive(Debug, Clone)]
struct Pep440 {
    epoch: Num,
    release: Vec<Num>,
    pre: Option<(PreKind, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Option<Vec<LocalSeg>>,
}

#[derive(Debug, Clone)]
enum Kind {
    Pep440(Pep440),
    Legacy(Vec<Box<str>>),
}

/// A parsed Python version.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    text: Box<str>,
    kind: Kind,
}

/// Python's white space (`str.isspace()`, what `\s` matches in `packaging`'s
/// regex): Unicode white space plus the ASCII separators 0x1c..0x1f.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat_sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn digits(&mut self) -> Option<Num> {
        let n = digit_run(self.s.get(self.i..).unwrap_or_default());
        if n == 0 {
            return None;
        }
        let num = Num::new(self.s.get(self.i..self.i + n).unwrap_or_default());
        self.i += n;
        Some(num)
    }
    /// Eats the first of `words` that follows (case-insensitively).
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = self.s.get(self.i..).unwrap_or_default();
        for w in words {
            if rest.len() >= w.len()
                && rest
                    .get(..w.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
            {
                self.i += w.len();
                return Some(w);
            }
        }
        None
    }
}

/// `[sep] word [sep] [number]` as one optional regex group: returns the word
/// and number, or leaves the reader untouched.
fn labelled(r: &mut Reader<'_>, words: &[&'static str]) -> Option<(&'static str, Num)> {
    let save = r.i;
    r.eat_sep();
    let Some(w) = r.word(words) else {
        r.i = save;
        return None;
    };
    let after_word = r.i;
    r.eat_sep();
    match r.digits() {
        Some(n) => Some((w, n)),
        None => {
            // The separator may stand alone (`1.0a.` reads as `1.0a0`).
            let _ = after_word;
            Some((w, Num::zero()))
        }
    }
}

fn parse_pep440(s: &str) -> Option<Pep440> {
    let s = s.trim_matches(is_space).as_bytes();
    let mut r = Reader { s, i: 0 };
    if matches!(r.peek(), Some(b'v' | b'V')) {
        r.i += 1;
    }
    // Epoch and release.
    let first = r.digits()?;
    let epoch;
    let mut release = Vec::new();
    if r.peek() == Some(b'!') {
        r.i += 1;
        epoch = first;
        release.push(r.digits()?);
    } else {
        epoch = Num::zero();
        release.push(first);
    }
    while r.peek() == Some(b'.') && r.s.get(r.i + 1).is_some_and(u8::is_ascii_digit) {
        r.i += 1;
        release.push(r.digits()?);
    }
    // Pre-release.
    let pre = labelled(
        &mut r,
        &["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"],
    )
    .map(|(w, n)| {
        let kind = match w {
            "alpha" | "a" => PreKind::A,
            "beta" | "b" => PreKind::B,
            _ => PreKind::Rc,
        };
        (kind, n)
    });
    // Post release: `-N`, or `[sep](post|rev|r)[sep][N]`.
    let mut post = None;
    if r.peek() == Some(b'-') && r.s.get(r.i + 1).is_some_and(u8::is_ascii_digit) {
        r.i += 1;
        post = r.digits();
    } else if let Some((_, n)) = labelled(&mut r, &["post", "rev", "r"]) {
        post = Some(n);
    }
    // Dev release.
    let dev = labelled(&mut r, &["dev"]).map(|(_, n)| n);
    // Local version.
    let mut local = None;
    if r.peek() == Some(b'+') {
        r.i += 1;
        let rest = r.s.get(r.i..)?;
        if rest.is_empty() {
            return None;
        }
        let mut segs = Vec::new();
        for seg in rest.split(|&c| matches!(c, b'.' | b'-' | b'_')) {
            if seg.is_empty() || !seg.iter().all(u8::is_ascii_alphanumeric) {
                return None;
            }
            if seg.iter().all(u8::is_ascii_digit) {
                segs.push(LocalSeg::Number(Num::new(seg)));
            } else {
                segs.push(LocalSeg::Alpha(
                    String::from_utf8_lossy(seg).to_ascii_lowercase().into(),
                ));
            }
        }
        r.i = r.s.len();
        local = Some(segs);
    }
    if r.i != r.s.len() {
        return None;
    }
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// packaging 21's `_legacy_cmpkey` parts.
fn legacy_parts(s: &str) -> Vec<Box<str>> {
    let lower = s.to_lowercase();
    let b = lower.as_bytes();
    // re.split(r"(\d+|[a-z]+|\.|-)") keeps both the matches and the text between them.
    let mut pieces: Vec<&[u8]> = Vec::new();
    let (mut i, mut gap) = (0usize, 0usize);
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        let n = if c.is_ascii_digit() {
            digit_run(b.get(i..).unwrap_or_default())
        } else if c.is_ascii_lowercase() {
            b.get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count()
        } else if c == b'.' || c == b'-' {
            1
        } else {
            0
        };
        if n == 0 {
            // Step over one UTF-8 character of "between" text.
            let w = lower
                .get(i..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8);
            i += w;
            continue;
        }
        pieces.push(b.get(gap..i).unwrap_or_default());
        pieces.push(b.get(i..i + n).unwrap_or_default());
        i += n;
        gap = i;
    }
    pieces.push(b.get(gap..).unwrap_or_default());

    let mut parts: Vec<Box<str>> = Vec::new();
    let push = |part: String, parts: &mut Vec<Box<str>>| {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| &**p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| &**p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part.into());
    };
    for piece in pieces {
        let piece = String::from_utf8_lossy(piece);
        let mapped = match &*piece {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            other => other,
        };
        if mapped.is_empty() || mapped == "." {
            continue;
        }
        let part = if mapped.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{mapped:0>8}")
        } else {
            format!("*{mapped}")
        };
        push(part, &mut parts);
    }
    push("*final".to_owned(), &mut parts);
    parts
}

impl Pep440Version {
    /// Reads a version: PEP 440 when it is one, a legacy version otherwise.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let kind = match parse_pep440(s) {
            Some(v) => Kind::Pep440(v),
            None => Kind::Legacy(legacy_parts(s)),
        };
        Ok(Pep440Version {
            text: s.into(),
            kind,
        })
    }

    /// Reads a version and refuses anything that is not PEP 440.
    pub fn parse_strict(s: &str) -> Result<Self, &'static str> {
        let v = Self::parse(s)?;
        if v.is_legacy() {
            Err("not a PEP 440 version")
        } else {
            Ok(v)
        }
    }

    /// Whether this is a legacy (non PEP 440) version.
    pub fn is_legacy(&self) -> bool {
        matches!(self.kind, Kind::Legacy(_))
    }

    /// Whether this is a pre-release or dev release (`packaging`'s
    /// `is_prerelease`).
    pub fn is_prerelease(&self) -> bool {
        match &self.kind {
            Kind::Pep440(v) => v.pre.is_some() || v.dev.is_some(),
            Kind::Legacy(_) => false,
        }
    }

    /// The normalized form (`str(packaging.version.Version(s))`), for PEP 440
    /// versions.
    pub fn normalized(&self) -> Option<String> {
        let Kind::Pep440(v) = &self.kind else {
            return None;
        };
        let mut out = String::new();
        if !v.epoch.is_zero() {
            out.push_str(&format!("{}!", v.epoch));
        }
        let release: Vec<String> = v.release.iter().map(ToString::to_string).collect();
        out.push_str(&release.join("."));
        if let Some((kind, n)) = &v.pre {
            let k = match kind {
                PreKind::A => "a",
                PreKind::B => "b",
                PreKind::Rc => "rc",
            };
            out.push_str(&format!("{k}{n}"));
        }
        if let Some(n) = &v.post {
            out.push_str(&format!(".post{n}"));
        }
        if let Some(n) = &v.dev {
            out.push_str(&format!(".dev{n}"));
        }
        if let Some(local) = &v.local {
            let segs: Vec<String> = local
                .iter()
                .map(|s| match s {
                    LocalSeg::Alpha(a) => a.to_string(),
                    LocalSeg::Number(n) => n.to_string(),
                })
                .collect();
            out.push('+');
            out.push_str(&segs.join("."));
        }
        Some(out)
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn cmp_pep440(a: &Pep440, b: &Pep440) -> Ordering {
    // Release without trailing zeros.
    let trim = |r: &[Num]| r.len() - r.iter().rev().take_while(|n| n.is_zero()).count();
    let (ra, rb) = (
        a.release.get(..trim(&a.release)).unwrap_or_default(),
        b.release.get(..trim(&b.release)).unwrap_or_default(),
    );
    // Pre-release key: -inf for a bare dev release, +inf for none.
    fn pre_key(v: &Pep440) -> (u8, Option<(PreKind, &Num)>) {
        match (&v.pre, &v.post, &v.dev) {
            (None, None, Some(_)) => (0, None),
            (None, _, _) => (2, None),
            (Some((k, n)), _, _) => (1, Some((*k, n))),
        }
    }
    // Dev key: none is +inf.
    fn dev_key(v: &Pep440) -> (u8, Option<&Num>) {
        match &v.dev {
            Some(n) => (0, Some(n)),
            None => (1, None),
        }
    }
    a.epoch
        .cmp(&b.epoch)
        .then_with(|| ra.cmp(rb))
        .then_with(|| pre_key(a).cmp(&pre_key(b)))
        .then_with(|| a.post.cmp(&b.post))
        .then_with(|| dev_key(a).cmp(&dev_key(b)))
        .then_with(|| a.local.cmp(&b.local))
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.kind, &other.kind) {
            (Kind::Legacy(a), Kind::Legacy(b)) => a.cmp(b),
            (Kind::Legacy(_), Kind::Pep440(_)) => Ordering::Less,
            (Kind::Pep440(_), Kind::Legacy(_)) => Ordering::Greater,
            (Kind::Pep440(a), Kind::Pep440(b)) => cmp_pep440(a, b),
        }
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pep440Version {
        Pep440Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn normalizes_like_packaging() {
        for (input, norm) in [
            ("1.0a.", "1.0a0"),
            ("1.0a-", "1.0a0"),
            ("1.0.post", "1.0.post0"),
            ("1.0a-1", "1.0a1"),
            ("1.0-r1", "1.0.post1"),
            (" 1.0 ", "1.0"),
            ("v1.0", "1.0"),
            ("1.0.r", "1.0.post0"),
            ("1.0a1-1", "1.0a1.post1"),
            ("1!01.02C3", "1!1.2rc3"),
        ] {
            assert_eq!(p(input).normalized().as_deref(), Some(norm), "{input}");
        }
        for legacy in ["1.0-", "1.0_1", "french toast", "1..0"] {
            assert!(p(legacy).is_legacy(), "{legacy}");
        }
    }

    #[test]
    fn dev_before_pre_and_legacy_below_all() {
        assert!(p("1.0.dev0") < p("1.0a0"));
        assert!(p("1.0a0.dev0") < p("1.0a0"));
        assert!(p("1.0.post0.dev0") < p("1.0.post0"));
        assert!(p("1.0+abc") < p("1.0+1"));
        assert!(p("junk") < p("0.0.dev0"));
    }
}
