//! Debian and Ubuntu package versions, ordered exactly as dpkg orders them.
//!
//! Syntax: `[epoch:]upstream[-revision]`. The revision is everything after the
//! last hyphen, the epoch everything before the first colon.
//!
//! Parsing follows dpkg's `parseversion()`:
//! - leading and trailing blanks (space, tab) are ignored;
//! - these are errors (dpkg refuses them too): an empty string, blanks inside
//!   the version, an epoch that is empty, not a number, negative or above
//!   2147483647, nothing after the epoch's colon, an empty upstream version, a
//!   trailing hyphen (empty revision);
//! - these are accepted, as dpkg accepts them with a warning: an upstream
//!   version that does not start with a digit, and characters outside
//!   `[A-Za-z0-9.+~:-]` (they sort after letters, as in dpkg).
//!
//! Comparison is dpkg's `verrevcmp()`: alternating non-digit and digit runs;
//! `~` sorts before everything, even the end of the string; letters sort before
//! other characters; digit runs compare by value (any length).

use std::cmp::Ordering;
use std::fmt;

use crate::num::Span;

/// A parsed Debian version. Comparison never allocates.
#[derive(Debug, Clone)]
pub struct DebVersion {
    text: Box<str>,
    epoch: u32,
    upstream: Span,
    revision: Span,
}

impl DebVersion {
    /// Parses a version as dpkg does; the error names what dpkg would refuse.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let bytes = s.as_bytes();
        let is_blank = |c: &u8| *c == b' ' || *c == b'\t';
        let start = bytes.iter().take_while(|c| is_blank(c)).count();
        let rest = bytes.get(start..).unwrap_or_default();
        if rest.is_empty() {
            return Err("version string is empty");
        }
        let word_len = rest.iter().take_while(|c| !is_blank(c)).count();
        let end = start + word_len;
        if bytes
            .get(end..)
            .unwrap_or_default()
            .iter()
            .any(|c| !is_blank(c))
        {
            return Err("version string has embedded spaces");
        }
        let word = bytes.get(start..end).unwrap_or_default();

        let (epoch, vstart) = match word.iter().position(|&c| c == b':') {
            Some(colon) => {
                let epoch = parse_epoch(word.get(..colon).unwrap_or_default())?;
                if colon + 1 == word.len() {
                    return Err("nothing after colon in version number");
                }
                (epoch, start + colon + 1)
            }
            None => (0, start),
        };
        let version = bytes.get(vstart..end).unwrap_or_default();
        let (upstream, revision) = match version.iter().rposition(|&c| c == b'-') {
            Some(h) => {
                if h + 1 == version.len() {
                    return Err("revision number is empty");
                }
                (
                    Span::new(vstart, vstart + h),
                    Span::new(vstart + h + 1, end),
                )
            }
            None => (Span::new(vstart, end), Span::new(end, end)),
        };
        if upstream.is_empty() {
            return Err("version number is empty");
        }
        Ok(DebVersion {
            text: s.into(),
            epoch,
            upstream,
            revision,
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version (between the epoch and the revision).
    pub fn upstream(&self) -> &str {
        self.upstream.str(&self.text)
    }

    /// The Debian revision (empty for a native package).
    pub fn revision(&self) -> &str {
        self.revision.str(&self.text)
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the upstream part follows Debian policy (starts with a digit and
    /// uses only `[A-Za-z0-9.+~:-]`, revision `[A-Za-z0-9.+~]`). dpkg accepts
    /// versions that break this with a warning; so does this crate.
    pub fn is_policy_compliant(&self) -> bool {
        let up = self.upstream().as_bytes();
        let rev = self.revision().as_bytes();
        up.first().is_some_and(u8::is_ascii_digit)
            && up
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b".-+~:".contains(c))
            && rev
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b".+~".contains(c))
    }
}

/// dpkg reads the epoch with `strtol`: optional leading white space and sign,
/// digits up to the colon, no more than `INT_MAX`, not negative.
fn parse_epoch(s: &[u8]) -> Result<u32, &'static str> {
    let mut i = s
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .count();
    let mut negative = false;
    if let Some(&sign) = s.get(i)
        && (sign == b'+' || sign == b'-')
    {
        negative = sign == b'-';
        i += 1;
    }
    let digits = s.get(i..).unwrap_or_default();
    let n = crate::num::digit_run(digits);
    if n == 0 {
        return Err("epoch in version is empty");
    }
    if n != digits.len() {
        return Err("epoch in version is not number");
    }
    let digits = crate::num::strip_zeros(digits);
    if digits.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err("epoch in version is negative");
    }
    if digits.len() > 10 {
        return Err("epoch in version is too big");
    }
    let value = digits
        .iter()
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
    if value > i32::MAX as u64 {
        return Err("epoch in version is too big");
    }
    u32::try_from(value).map_err(|_| "epoch in version is too big")
}

/// dpkg's `order()`: `~` first, then the end of a string and digits, then
/// letters, then everything else. dpkg reads bytes as (signed) `char`, so
/// bytes above 0x7f sort between letters and ASCII punctuation.
#[inline]
fn order(c: u8) -> i32 {
    if c.is_ascii_digit() || c == 0 {
        0
    } else if c.is_ascii_alphabetic() {
        i32::from(c)
    } else if c == b'~' {
        -1
    } else {
        i32::from(c as i8) + 256
    }
}

/// dpkg's `verrevcmp()` over two byte strings. dpkg reads C strings, so a
/// NUL byte ends the string.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let cut = |s: &[u8]| -> usize { s.iter().position(|&c| c == 0).unwrap_or(s.len()) };
    let (a, b) = (a.get(..cut(a)).unwrap_or(a), b.get(..cut(b)).unwrap_or(b));
    let at = |i: usize| a.get(i).copied().unwrap_or(0);
    let bt = |i: usize| b.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        // Non-digit prefix.
        loop {
            let (ca, cb) = (at(i), bt(j));
            let a_nd = ca != 0 && !ca.is_ascii_digit();
            let b_nd = cb != 0 && !cb.is_ascii_digit();
            if !a_nd && !b_nd {
                break;
            }
            let (oa, ob) = (order(ca), order(cb));
            if oa != ob {
                return oa.cmp(&ob);
            }
            i += 1;
            j += 1;
        }
        // Digit run, by value.
        while at(i) == b'0' {
            i += 1;
        }
        while bt(j) == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(i).is_ascii_digit() && bt(j).is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if at(i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if bt(j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DebVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.text.as_bytes(), other.text.as_bytes());
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.get(a), other.upstream.get(b)))
            .then_with(|| verrevcmp(self.revision.get(a), other.revision.get(b)))
    }
}

impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DebVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DebVersion {}

impl fmt::Display for DebVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DebVersion::parse(a)
            .unwrap_or_else(|e| panic!("{a}: {e}"))
            .cmp(&DebVersion::parse(b).unwrap_or_else(|e| panic!("{b}: {e}")))
    }

    #[test]
    fn security_update_ordering() {
        assert_eq!(cmp("2.36-9+deb12u4", "2.36-9+deb12u7"), Ordering::Less);
        assert_eq!(cmp("1:2.36-9+deb12u4", "2.36-9+deb12u7"), Ordering::Greater);
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Equal);
    }

    #[test]
    fn nul_ends_the_string_as_in_dpkg() {
        // Found by fuzzing: an embedded NUL made the comparison loop forever.
        assert_eq!(cmp("1\u{0}2", "1\u{0}3"), Ordering::Equal);
        assert_eq!(cmp("1\u{0}", "1"), Ordering::Equal);
    }

    #[test]
    fn refuses_what_dpkg_refuses() {
        for bad in [
            "",
            "  ",
            "1 2",
            ":1",
            "a:1",
            "-1:1",
            "1:",
            "1-",
            "1:-1",
            "99999999999:1",
        ] {
            assert!(DebVersion::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        let v = DebVersion::parse(" 1:2.0-3 ").expect("trimmed");
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (1, "2.0", "3"));
        let w = DebVersion::parse("abc").expect("dpkg warns but accepts");
        assert!(!w.is_policy_compliant());
    }
}
