//! Alpine (apk-tools), Wolfi and Chainguard package versions.
//!
//! Syntax: `number{.number}...{letter}{_suffix{number}}...{~hash}{-rN}`, with
//! suffixes ordered `alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`.
//!
//! The version is read as a sequence of tokens and compared token by token,
//! as apk-tools 3 does (`apk version -t`). A version that breaks the grammar
//! is not refused: tokens are read up to the first one that breaks it, which
//! becomes an "invalid" token. Comparison then works as in apk-tools: two
//! versions that agree up to the point where both turn invalid are equal;
//! otherwise the invalid one is older than a version that goes on with a valid
//! token or ends. [`ApkVersion::is_valid`] tells whether the whole string follows
//! the grammar.
//!
//! Numbers compare by value whatever their length (apk-tools wraps at 2^64; no
//! real version reaches that). A number with a leading zero after the first
//! one compares as a string against its counterpart, as in apk-tools.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{Span, cmp_digits};

/// Token kinds, in apk-tools' order (the order matters for comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix values, in sort order; `None` is the position of "no suffix".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Invalid,
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    kind: Kind,
    suffix: Suffix,
    value: Span,
}

/// A parsed apk version.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: Box<str>,
    /// apk-tools 3 tokens up to and including the terminal `End` or
    /// `Invalid` one (grammar and fuzzy matching).
    tokens: Vec<Token>,
    /// apk-tools 2 (value, next type) pairs.
    v2: Vec<(i64, i8)>,
    /// Whether apk-tools 2 reads the string cleanly.
    v2_clean: bool,
}

fn suffix_value(s: &[u8]) -> Suffix {
    let (want, suffix): (&[u8], Suffix) = match s.first() {
        Some(b'a') => (b"alpha", Suffix::Alpha),
        Some(b'b') => (b"beta", Suffix::Beta),
        Some(b'c') => (b"cvs", Suffix::Cvs),
        Some(b'g') => (b"git", Suffix::Git),
        Some(b'h') => (b"hg", Suffix::Hg),
        Some(b'p') if s.len() > 1 => (b"pre", Suffix::Pre),
        Some(b'p') => (b"p", Suffix::P),
        Some(b'r') => (b"rc", Suffix::Rc),
        Some(b's') => (b"svn", Suffix::Svn),
        _ => return Suffix::Invalid,
    };
    if s == want { suffix } else { Suffix::Invalid }
}

fn tokenize(s: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(8);
    let mut pos = 0usize;
    let invalid = |pos: usize| Token {
        kind: Kind::Invalid,
        suffix: Suffix::Invalid,
        value: Span::new(pos, pos),
    };
    let digits_at = |pos: usize| crate::num::digit_run(s.get(pos..).unwrap_or_default());

    // First token: the initial number.
    let n = digits_at(0);
    if n == 0 {
        tokens.push(invalid(0));
        return tokens;
    }
    tokens.push(Token {
        kind: Kind::InitialDigit,
        suffix: Suffix::Invalid,
        value: Span::new(0, n),
    });
    pos += n;
    let mut prev = Kind::InitialDigit;

    loop {
        let Some(&c) = s.get(pos) else {
            tokens.push(Token {
                kind: Kind::End,
                suffix: Suffix::Invalid,
                value: Span::new(pos, pos),
            });
            return tokens;
        };
        let token = match c {
            b'a'..=b'z' => {
                if prev > Kind::Digit {
                    None
                } else {
                    pos += 1;
                    Some(Token {
                        kind: Kind::Letter,
                        suffix: Suffix::Invalid,
                        value: Span::new(pos - 1, pos),
                    })
                }
            }
            b'.' | b'0'..=b'9' => {
                let mut ok = true;
                if c == b'.' {
                    if prev > Kind::Digit {
                        ok = false;
                    } else {
                        pos += 1;
                    }
                }
                let kind = match prev {
                    Kind::InitialDigit | Kind::Digit => Some(Kind::Digit),
                    Kind::Suffix => Some(Kind::SuffixNo),
                    _ => None,
                };
                match (ok, kind) {
                    (true, Some(kind)) => {
                        let n = digits_at(pos);
                        if n == 0 {
                            None
                        } else {
                            pos += n;
                            Some(Token {
                                kind,
                                suffix: Suffix::Invalid,
                                value: Span::new(pos - n, pos),
                            })
                        }
                    }
                    _ => None,
                }
            }
            b'_' => {
                if prev > Kind::SuffixNo {
                    None
                } else {
                    pos += 1;
                    let n = s
                        .get(pos..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|c| c.is_ascii_lowercase())
                        .count();
                    let value = Span::new(pos, pos + n);
                    pos += n;
                    let suffix = suffix_value(value.get(s));
                    if suffix == Suffix::Invalid {
                        None
                    } else {
                        Some(Token {
                            kind: Kind::Suffix,
                            suffix,
                            value,
                        })
                    }
                }
            }
            b'~' => {
                if prev >= Kind::CommitHash {
                    None
                } else {
                    pos += 1;
                    let n = s
                        .get(pos..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                        .count();
                    if n == 0 {
                        None
                    } else {
                        pos += n;
                        Some(Token {
                            kind: Kind::CommitHash,
                            suffix: Suffix::Invalid,
                            value: Span::new(pos - n, pos),
                        })
                    }
                }
            }
            b'-' => {
                if prev >= Kind::RevisionNo || s.get(pos + 1) != Some(&b'r') {
                    None
                } else {
                    pos += 2;
                    let n = digits_at(pos);
                    if n == 0 {
                        None
                    } else {
                        pos += n;
                        Some(Token {
                            kind: Kind::RevisionNo,
                            suffix: Suffix::Invalid,
                            value: Span::new(pos - n, pos),
                        })
                    }
                }
            }
            _ => None,
        };
        match token {
            Some(t) => {
                prev = t.kind;
                tokens.push(t);
            }
            None => {
                tokens.push(invalid(pos));
                return tokens;
            }
        }
    }
}

/// apk-tools 2 token types (`TOKEN_*` in its version.c), in its order.
const T_INVALID: i8 = -1;
const T_DIGIT_OR_ZERO: i8 = 0;
const T_DIGIT: i8 = 1;
const T_LETTER: i8 = 2;
const T_SUFFIX: i8 = 3;
const T_SUFFIX_NO: i8 = 4;
const T_REVISION_NO: i8 = 5;
const T_END: i8 = 6;

/// apk-tools 2's `next_token`: the type of the token at `pos`, consuming a
/// separator.
fn v2_next_token(ty: i8, s: &[u8], pos: &mut usize) -> i8 {
    let c = s.get(*pos).copied().unwrap_or(0);
    let mut n = T_INVALID;
    if c == 0 {
        n = T_END;
    } else if (ty == T_DIGIT || ty == T_DIGIT_OR_ZERO) && c.is_ascii_lowercase() {
        n = T_LETTER;
    } else if ty == T_LETTER && c.is_ascii_digit() {
        n = T_DIGIT;
    } else if ty == T_SUFFIX && c.is_ascii_digit() {
        n = T_SUFFIX_NO;
    } else {
        match c {
            b'.' => n = T_DIGIT_OR_ZERO,
            b'_' => n = T_SUFFIX,
            b'-' if s.get(*pos + 1) == Some(&b'r') => {
                n = T_REVISION_NO;
                *pos += 1;
            }
            _ => {}
        }
        *pos += 1;
    }
    if n < ty
        && !((n == T_DIGIT_OR_ZERO && ty == T_DIGIT)
            || (n == T_SUFFIX && ty == T_SUFFIX_NO)
            || (n == T_DIGIT && ty == T_LETTER))
    {
        n = T_INVALID;
    }
    n
}

/// apk-tools 2's `get_token`: the value of the token of type `*ty` at `pos`;
/// `*ty` becomes the type of the following token.
fn v2_get_token(ty: &mut i8, s: &[u8], pos: &mut usize) -> i64 {
    const PRE: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
    const POST: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];
    let rest = s.get(*pos..).unwrap_or_default();
    if rest.is_empty() || rest.first() == Some(&0) {
        *ty = T_END;
        return 0;
    }
    let mut i = 0usize;
    let mut nt = T_INVALID;
    let v: i64;
    let digits = |i: &mut usize| -> Option<i64> {
        let mut v: i64 = 0;
        while let Some(&c) = rest.get(*i) {
            if !c.is_ascii_digit() {
                break;
            }
            v = v.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
            *i += 1;
        }
        if *i >= 18 { None } else { Some(v) }
    };
    match *ty {
        T_DIGIT_OR_ZERO if rest.first() == Some(&b'0') => {
            while i + 1 < rest.len() && rest.get(i + 1) == Some(&b'0') {
                i += 1;
            }
            nt = T_DIGIT;
            v = -(i as i64);
        }
        T_DIGIT_OR_ZERO | T_DIGIT | T_SUFFIX_NO | T_REVISION_NO => match digits(&mut i) {
            Some(x) => v = x,
            None => {
                *ty = T_INVALID;
                return -1;
            }
        },
        T_LETTER => {
            v = i64::from(rest.first().copied().unwrap_or(0));
            i = 1;
        }
        T_SUFFIX => {
            if let Some(k) = PRE.iter().position(|p| rest.starts_with(p)) {
                i = PRE.get(k).map_or(0, |p| p.len());
                v = k as i64 - PRE.len() as i64;
            } else if let Some(k) = POST.iter().position(|p| rest.starts_with(p)) {
                i = POST.get(k).map_or(0, |p| p.len());
                v = k as i64;
            } else {
                *ty = T_INVALID;
                return -1;
            }
        }
        _ => {
            *ty = T_INVALID;
            return -1;
        }
    }
    *pos += i;
    if *pos >= s.len() {
        *ty = T_END;
    } else if nt != T_INVALID {
        *ty = nt;
    } else {
        *ty = v2_next_token(*ty, s, pos);
    }
    v
}

/// The (value, type of the next token) pairs apk-tools 2 reads from a
/// version, up to the first terminal type, plus one more value when the
/// last type is a suffix (apk peeks at it).
///
/// Also tells whether apk-tools 2 reads the whole string cleanly: it ends
/// without an invalid token and has no empty number except right before the
/// revision (a version that starts with, or has a `.` followed by, a letter
/// or another `.`, is not clean).
fn v2_tokens(s: &[u8]) -> (Vec<(i64, i8)>, bool) {
    let mut out = Vec::with_capacity(8);
    let mut ty = T_DIGIT;
    let mut pos = 0usize;
    let mut clean = true;
    loop {
        let before = pos;
        let numeric = ty == T_DIGIT || ty == T_DIGIT_OR_ZERO;
        let v = v2_get_token(&mut ty, s, &mut pos);
        // An empty number reads as 0 in apk 2. Accept it only right before
        // the revision or at the end (`1.0.4.-r0`, a typo found in Alpine's
        // secdb), not before letters (`0.r1`) or at the start (`.1`, `a`).
        if numeric && before > 0 && !matches!(s.get(before), Some(b'0'..=b'9' | b'-') | None) {
            clean = false;
        }
        if numeric && before == 0 && !s.first().is_some_and(u8::is_ascii_digit) {
            clean = false;
        }
        out.push((v, ty));
        if ty == T_END || ty == T_INVALID || out.len() > s.len() + 2 {
            break;
        }
    }
    let clean = clean && ty == T_END;
    (out, clean)
}

/// apk-tools' `apk_blob_sort`: bytes, then length.
fn blob_sort(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

impl ApkVersion {
    /// Reads a version. Never fails except on strings longer than
    /// [`crate::MAX_VERSION_LEN`] (checked by the caller); see the module
    /// documentation for how versions that break the grammar are ordered.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let (v2, v2_clean) = v2_tokens(s.as_bytes());
        Ok(ApkVersion {
            tokens: tokenize(s.as_bytes()),
            v2,
            v2_clean,
            text: s.into(),
        })
    }

    /// Whether the whole string follows apk's version grammar
    /// (`apk version --check`).
    pub fn is_valid(&self) -> bool {
        self.tokens.last().is_some_and(|t| t.kind == Kind::End)
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn token_cmp(&self, ta: &Token, other: &Self, tb: &Token) -> Ordering {
        let (a, b) = (self.text.as_bytes(), other.text.as_bytes());
        let (va, vb) = (ta.value.get(a), tb.value.get(b));
        match ta.kind {
            Kind::Digit => {
                if va.first() == Some(&b'0') || vb.first() == Some(&b'0') {
                    blob_sort(va, vb)
                } else {
                    cmp_digits(va, vb)
                }
            }
            Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => cmp_digits(va, vb),
            Kind::Letter => va.first().cmp(&vb.first()),
            Kind::Suffix => ta.suffix.cmp(&tb.suffix),
            _ => blob_sort(va, vb),
        }
    }

    /// Compares as `apk version -t` does; with `fuzzy`, a version matches any
    /// version it starts with (`other` ends first), as apk's `~` operator.
    pub fn compare(&self, other: &Self, fuzzy: bool) -> Ordering {
        let mut i = 0usize;
        let (ta, tb) = loop {
            let (Some(ta), Some(tb)) = (self.tokens.get(i), other.tokens.get(i)) else {
                // Unreachable: both lists end with a terminal token.
                return Ordering::Equal;
            };
            if ta.kind != tb.kind || ta.kind >= Kind::End {
                break (ta, tb);
            }
            let r = self.token_cmp(ta, other, tb);
            if r != Ordering::Equal {
                return r;
            }
            i += 1;
        };
        if ta.kind == tb.kind {
            return Ordering::Equal;
        }
        if tb.kind == Kind::End && fuzzy {
            return Ordering::Equal;
        }
        if ta.kind == Kind::Suffix && ta.suffix < Suffix::None {
            return Ordering::Less;
        }
        if tb.kind == Kind::Suffix && tb.suffix < Suffix::None {
            return Ordering::Greater;
        }
        tb.kind.cmp(&ta.kind)
    }

    /// apk's fuzzy match (`~`): `self` starts with `prefix` token by token.
    pub fn fuzzy_matches(&self, prefix: &Self) -> bool {
        self.compare(prefix, true) == Ordering::Equal
    }
}

/// apk-tools 2's `apk_version_compare_blob_fuzzy` over pre-read tokens; the
/// flag tells whether token values (rather than only token types) decided.
fn compare_v2(a: &[(i64, i8)], b: &[(i64, i8)], fuzzy: bool) -> (Ordering, bool) {
    let (mut av, mut at, mut bv, mut bt) = (0i64, T_DIGIT, 0i64, T_DIGIT);
    let mut k = 0usize;
    while at == bt && at != T_END && at != T_INVALID && av == bv {
        let (Some(&x), Some(&y)) = (a.get(k), b.get(k)) else {
            break;
        };
        (av, at) = x;
        (bv, bt) = y;
        k += 1;
    }
    if av != bv {
        return (av.cmp(&bv), true);
    }
    if at == bt || fuzzy {
        return (Ordering::Equal, false);
    }
    if at == T_SUFFIX && a.get(k).is_some_and(|t| t.0 < 0) {
        return (Ordering::Less, true);
    }
    if bt == T_SUFFIX && b.get(k).is_some_and(|t| t.0 < 0) {
        return (Ordering::Greater, true);
    }
    (bt.cmp(&at), false)
}

impl Ord for ApkVersion {
    /// See the module documentation: apk-tools 3's order for valid versions,
    /// apk-tools 2's for versions only it reads, a fixed rule for the rest.
    fn cmp(&self, other: &Self) -> Ordering {
        if self.is_valid() && other.is_valid() {
            return self.compare(other, false);
        }
        match (self.v2_clean, other.v2_clean) {
            (true, true) => compare_v2(&self.v2, &other.v2, false).0,
            (true, false) | (false, true) => self.compare(other, false),
            (false, false) => {
                let (o, by_value) = compare_v2(&self.v2, &other.v2, false);
                if !by_value && self.compare(other, false) == Ordering::Equal {
                    Ordering::Equal
                } else {
                    o
                }
            }
        }
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ApkVersion {
        ApkVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn suffixes_and_revisions() {
        assert!(v("1.2.3_rc1-r0") < v("1.2.3-r0"));
        assert!(v("1.2.3_p1-r0") > v("1.2.3-r5"));
        assert!(v("1.2.3-r10") > v("1.2.3-r9"));
        assert!(v("1.2.3a") > v("1.2.3"));
        assert!(v("0.1_pre2~1234abcd").is_valid());
        assert!(!v("0.1_foobar").is_valid());
    }
}
