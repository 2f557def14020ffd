//! RubyGems versions, ordered as `Gem::Version#<=>`.
//!
//! A version is cut into segments, runs of digits (numbers) and runs of
//! letters (strings), after `-` has been replaced by `.pre.`. A string segment
//! makes the version a pre-release. Trailing zeros of the release part and of
//! the pre-release part are dropped (`1.0.0` = `1`, `1.0.a.0` = `1.a`), then
//! segments compare one by one, a missing one counting as 0: numbers by value,
//! strings byte by byte, a string below a number (`1.0.a` < `1.0`).
//!
//! `Gem::Version.new` refuses strings that do not match
//! `\A\s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z`.
//! This crate does not: such strings (`1beta`, `v1.2`) are read with the same
//! segment rules (other characters separate segments) and
//! [`GemVersion::is_valid`] is false. An empty string is `0`, as in RubyGems.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{all_digits, cmp_digits};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(Box<str>),
    Str(Box<str>),
}

/// A parsed RubyGems version.
#[derive(Debug, Clone)]
pub struct GemVersion {
    text: Box<str>,
    segments: Vec<Seg>,
    valid: bool,
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`, by hand.
fn is_correct(s: &str) -> bool {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() {
        return true;
    }
    let (main, pre) = match t.find('-') {
        Some(h) => (
            t.get(..h).unwrap_or_default(),
            Some(t.get(h + 1..).unwrap_or_default()),
        ),
        None => (t, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts.next().is_some_and(|p| all_digits(p.as_bytes()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|q| !q.is_empty() && q.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

fn segments(s: &str) -> Vec<Seg> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0');
    let replaced = t.replace('-', ".pre.");
    let b = replaced.as_bytes();
    let mut raw = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        let n = b
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|x| {
                if c.is_ascii_digit() {
                    x.is_ascii_digit()
                } else {
                    x.is_ascii_alphabetic()
                }
            })
            .count();
        if n == 0 {
            i += 1;
            continue;
        }
        let piece = replaced.get(i..i + n).unwrap_or_default();
        raw.push(if c.is_ascii_digit() {
            Seg::Num(String::from_utf8_lossy(crate::num::strip_zeros(piece.as_bytes())).into())
        } else {
            Seg::Str(piece.into())
        });
        i += n;
    }
    // canonical_segments: drop trailing zeros of the numeric prefix and of the rest.
    let split = raw
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(raw.len());
    let mut rest = raw.split_off(split);
    let is_zero = |s: &Seg| matches!(s, Seg::Num(d) if d.is_empty());
    while raw.last().is_some_and(is_zero) {
        raw.pop();
    }
    while rest.last().is_some_and(is_zero) {
        rest.pop();
    }
    raw.extend(rest);
    raw
}

impl GemVersion {
    /// Reads a version; see the module documentation for invalid strings.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Ok(GemVersion {
            text: s.into(),
            segments: segments(s),
            valid: is_correct(s),
        })
    }

    /// Whether `Gem::Version.correct?` accepts the string.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Whether the version is a pre-release (has a letter).
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Seg::Str(_)))
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num("".into());
        let n = self.segments.len().max(other.segments.len());
        for k in 0..n {
            let l = self.segments.get(k).unwrap_or(&zero);
            let r = other.segments.get(k).unwrap_or(&zero);
            let o = match (l, r) {
                (Seg::Num(a), Seg::Num(b)) => cmp_digits(a.as_bytes(), b.as_bytes()),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
                (Seg::Str(a), Seg::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

impl fmt::Display for GemVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> GemVersion {
        GemVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn gem_rules() {
        assert!(g("1.0.a") < g("1.0"));
        assert!(g("1.0.0") == g("1"));
        assert!(g("1.2.4.beta") < g("1.2.4"));
        assert!(g("1-1") < g("1"));
        assert!(g("3.10") > g("3.2"));
        assert!(g("1.0.a10") > g("1.0.a.9"));
        assert!(g("").is_valid() && g("") == g("0"));
        assert!(!g("1beta").is_valid());
        assert!(g("1.2.3-pre.1").is_valid());
    }
}
