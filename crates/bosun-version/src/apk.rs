//! Alpine (apk-tools), Wolfi and Chainguard package versions.
//!
//! Syntax: `number{.number}...{letter}{_suffix{number}}...{~hash}{-rN}`, with
//! suffixes ordered `alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`.
//!
//! The version is read as a sequence of tokens and compared token by token,
//! as apk-tools does (`apk version -t`); on versions valid for apk-tools 3
//! (Alpine 3.23 on) the order is exactly apk's, and so is apk-tools 2's
//! (Alpine up to 3.22) on the versions it accepts.
//!
//! A string that breaks the grammar is not refused; it is ordered by a rule
//! that is a total order (needed for sorting) and agrees with both apk-tools:
//! - what apk-tools 2 accepts and apk-tools 3 refuses is read as apk 2 reads it:
//!   digits after the letter (OpenSSH's old `6.6.2p1-r0`), a bare `-r` (`-r0`),
//!   an empty number before the revision (`1.0.4.-r0`, a typo in Alpine's secdb);
//! - from the first character neither reads, the rest becomes one "invalid"
//!   token, which sorts below a version that ends or goes on validly there
//!   (apk 3's rule);
//! - two strings that break off at the same point are then ordered by the
//!   numbers apk-tools 2 reads in them (`.2 > .1`), trailing zeros ignored.
//!
//! [`ApkVersion::is_valid`] is apk-tools 3's grammar check and
//! [`ApkVersion::fuzzy_matches`] its `~` operator. Numbers compare by value
//! whatever their length (apk wraps at 2^64); a number with a leading zero
//! after the first one compares as a string against its counterpart, as in
//! apk-tools.

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
    /// The same, reading what apk-tools 2 also accepts (ordering).
    lenient: Vec<Token>,
    /// The token values apk-tools 2 reads, trailing zeros dropped
    /// (tie-break between strings the tokens cannot tell apart).
    v2_values: Vec<i64>,
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

fn tokenize(s: &[u8], lenient: bool) -> Vec<Token> {
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
                    // apk 2 reads digits after the letter (`6.6.2p1`).
                    Kind::Letter if lenient => Some(Kind::Digit),
                    _ => None,
                };
                match (ok, kind) {
                    (true, Some(kind)) => {
                        let n = digits_at(pos);
                        // apk 2 reads an empty number before the revision or
                        // at the end as 0 (`1.0.4.-r0`).
                        let empty_ok =
                            lenient && c == b'.' && matches!(s.get(pos), None | Some(b'-'));
                        if n == 0 && empty_ok {
                            Some(Token {
                                kind,
                                suffix: Suffix::Invalid,
                                value: Span::new(pos, pos),
                            })
                        } else if n == 0 {
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
                    // apk 2 reads a bare `-r` as `-r0`.
                    let empty_ok = lenient && matches!(s.get(pos), None | Some(b'-'));
                    if n == 0 && empty_ok {
                        Some(Token {
                            kind: Kind::RevisionNo,
                            suffix: Suffix::Invalid,
                            value: Span::new(pos, pos),
                        })
                    } else if n == 0 {
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
/// version, up to the first terminal type.
fn v2_tokens(s: &[u8]) -> Vec<(i64, i8)> {
    let mut out = Vec::with_capacity(8);
    let mut ty = T_DIGIT;
    let mut pos = 0usize;
    loop {
        let v = v2_get_token(&mut ty, s, &mut pos);
        out.push((v, ty));
        if ty == T_END || ty == T_INVALID || out.len() > s.len() + 2 {
            break;
        }
    }
    out
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
        let mut v2_values: Vec<i64> = v2_tokens(s.as_bytes()).into_iter().map(|t| t.0).collect();
        while v2_values.last() == Some(&0) {
            v2_values.pop();
        }
        Ok(ApkVersion {
            tokens: tokenize(s.as_bytes(), false),
            lenient: tokenize(s.as_bytes(), true),
            v2_values,
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

    /// Compares as apk-tools 3 does (`apk version -t`); with `fuzzy`, a
    /// version matches any version it starts with (`other` ends first), as
    /// apk's `~` operator. [`Ord`] is this comparison on valid versions.
    pub fn compare(&self, other: &Self, fuzzy: bool) -> Ordering {
        self.compare_tokens(&self.tokens, other, &other.tokens, fuzzy)
    }

    fn compare_tokens(&self, xa: &[Token], other: &Self, xb: &[Token], fuzzy: bool) -> Ordering {
        let mut i = 0usize;
        let (ta, tb) = loop {
            let (Some(ta), Some(tb)) = (xa.get(i), xb.get(i)) else {
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

impl Ord for ApkVersion {
    /// apk-tools' token order, reading what apk 3 or apk 2 accepts; strings
    /// that break off at the same point are then ordered by the numbers apk 2
    /// reads in them. Both steps are lexicographic, so this is a total order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare_tokens(&self.lenient, other, &other.lenient, false)
            .then_with(|| self.v2_values.cmp(&other.v2_values))
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

    #[test]
    fn total_order_outside_the_grammar() {
        // Found by fuzzing: these three were ordered x = y = z but x > z.
        let (x, y, z) = (v(".\u{13}.."), v("\u{ff}.(r1.(+r0"), v(".00.0.0"));
        let le = |a: &ApkVersion, b: &ApkVersion| a <= b;
        for (a, b, c) in [(&x, &y, &z), (&z, &y, &x), (&y, &x, &z), (&x, &z, &y)] {
            if le(a, b) && le(b, c) {
                assert!(le(a, c));
            }
        }
        // apk 2 reads these; apk 3 refuses them.
        assert!(v("6.6.2p1-r0") < v("6.6.2p1-r2"));
        assert!(v("1.0.4-r0") < v("1.0.4.-r0"));
        assert_eq!(v("1-r"), v("1-r0"));
    }
}
