//! Packagist (Composer) versions, ordered as PHP's `version_compare()` orders
//! them after leading `v`/`V` characters are removed (what Composer's
//! `Comparator` and OSV's Packagist data do).
//!
//! PHP first canonicalizes the string: `-`, `_` and `+` become `.`, a `.` is
//! put between digits and non-digits, other non-alphanumeric characters become
//! `.` (runs of dots collapse). Then parts compare one by one: two numbers by
//! value; two words by their "special form": `dev` < `alpha` = `a` < `beta` =
//! `b` < `RC` = `rc` < `#` (a number) < `pl` = `p`, anything else below `dev`
//! (forms match by prefix and case, so `pre` reads as `p` and `BETA` as
//! unknown); a number against a word compares as `#`. When one version has
//! more parts, an extra number makes it newer, an extra word compares against
//! `#`.
//!
//! Every string is accepted. Three documented differences with PHP, only
//! visible on strings no real package uses: numbers compare by value whatever
//! their length (PHP's `strtol` saturates above 2^63) and a `#` in the string
//! is kept as the "number" special form instead of being turned into a
//! separator (both required by osv-scalibr's test vectors), and trailing
//! separators are ignored (PHP orders `1.` below `1.` itself, which no sort
//! can use).
//!
//! The order is total on strings without `#`. A `#` word equals every number
//! (`1.2.3.# = 1.2.3` and `1.2.3.# = 1.2.3.1`, say osv-scalibr's vectors, while
//! `1.2.3 < 1.2.3.1`), so strings with `#` can form cycles, as in PHP.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{cmp_digits, digit_run};

/// A parsed Packagist version.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    text: Box<str>,
    /// The string after `ltrim($v, "vV")`, as PHP sees it.
    trimmed_empty: bool,
    canon: Box<[u8]>,
}

/// `php_canonicalize_version`, keeping `#`.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 2);
    let Some((&first, rest)) = v.split_first() else {
        return out;
    };
    if first == b'#' {
        // PHP does not canonicalize a version that starts with '#'.
        let mut out = v.to_vec();
        while out.last() == Some(&b'.') {
            out.pop();
        }
        return out;
    }
    out.push(first);
    let mut lp = first;
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    let keep = |c: u8| c.is_ascii_alphanumeric() || c == b'#';
    for &p in rest {
        let lq = out.last().copied().unwrap_or(0);
        if p == b'-' || p == b'_' || p == b'+' {
            if lq != b'.' {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(p)) || (isdig(lp) && isndig(p)) {
            if lq != b'.' {
                out.push(b'.');
            }
            out.push(p);
        } else if !keep(p) {
            if lq != b'.' {
                out.push(b'.');
            }
        } else {
            out.push(p);
        }
        lp = p;
    }
    // PHP compares a version ending in `.` below itself (`version_compare("1.",
    // "1.")` is -1); dropping trailing dots keeps the order total.
    while out.last() == Some(&b'.') {
        out.pop();
    }
    out
}

/// `compare_special_version_forms`: the order of a word, by prefix.
fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, order)| *order)
}

const NUMBER: &[u8] = b"#N#";

fn is_digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// The part of `s` starting at `from`, up to the next `.`; and where the next
/// part starts (None at the end).
fn part(s: &[u8], from: usize) -> (&[u8], Option<usize>) {
    let rest = s.get(from..).unwrap_or_default();
    match rest.iter().position(|&c| c == b'.') {
        Some(d) => (rest.get(..d).unwrap_or_default(), Some(from + d + 1)),
        None => (rest, None),
    }
}

/// `php_version_compare` on already canonical strings.
fn compare(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_empty() || b.is_empty() {
        return a.is_empty().cmp(&b.is_empty()).reverse();
    }
    let (mut p1, mut p2) = (0usize, 0usize);
    // n1/n2: whether a '.' followed the last part read (PHP's non-NULL n1/n2).
    let (mut n1, mut n2) = (true, true);
    let mut result = Ordering::Equal;
    while p1 < a.len() && p2 < b.len() && n1 && n2 {
        let (x, next1) = part(a, p1);
        let (y, next2) = part(b, p2);
        n1 = next1.is_some();
        n2 = next2.is_some();
        let xd = x.first().is_some_and(u8::is_ascii_digit);
        let yd = y.first().is_some_and(u8::is_ascii_digit);
        result = match (xd, yd) {
            (true, true) => cmp_digits(
                x.get(..digit_run(x)).unwrap_or_default(),
                y.get(..digit_run(y)).unwrap_or_default(),
            ),
            (false, false) => special_form(x).cmp(&special_form(y)),
            (true, false) => special_form(NUMBER).cmp(&special_form(y)),
            (false, true) => special_form(x).cmp(&special_form(NUMBER)),
        };
        if result != Ordering::Equal {
            break;
        }
        if let Some(n) = next1 {
            p1 = n;
        }
        if let Some(n) = next2 {
            p2 = n;
        }
    }
    if result == Ordering::Equal {
        if n1 {
            result = if is_digit_at(a, p1) {
                Ordering::Greater
            } else {
                compare(a.get(p1..).unwrap_or_default(), NUMBER)
            };
        } else if n2 {
            result = if is_digit_at(b, p2) {
                Ordering::Less
            } else {
                compare(NUMBER, b.get(p2..).unwrap_or_default())
            };
        }
    }
    result
}

impl ComposerVersion {
    /// Reads a version; every string is accepted.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        // PHP reads C strings: a NUL byte ends the version.
        let c_str = s.split('\0').next().unwrap_or_default();
        let trimmed = c_str.trim_start_matches(['v', 'V']);
        Ok(ComposerVersion {
            text: s.into(),
            trimmed_empty: trimmed.is_empty(),
            canon: canonicalize(trimmed.as_bytes()).into_boxed_slice(),
        })
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.trimmed_empty, other.trimmed_empty) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => compare(&self.canon, &other.canon),
        }
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}

impl fmt::Display for ComposerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> ComposerVersion {
        ComposerVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn php_rules() {
        assert_eq!(canonicalize(b"1.0rc1"), b"1.0.rc.1");
        assert!(c("1.0-dev") < c("1.0a1"));
        assert!(c("1.0rc1") < c("1.0"));
        assert!(c("1.0") < c("1.0pl1"));
        assert!(c("1.0pre1") > c("1.0"));
        assert!(c("1.0.0") > c("1.0"));
        assert!(c("v1.0") == c("1.0"));
        assert!(c("dev-foo") < c("1.26.0"));
        // Found by fuzzing: PHP orders "#." below itself.
        assert!(c("#.") == c("#."));
    }
}
