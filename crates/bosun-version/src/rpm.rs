//! RPM versions (Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mariner/Azure
//! Linux, Photon, openEuler, Mageia...).
//!
//! Syntax: `[epoch:]version[-release]`. The epoch is the run of digits before
//! a colon at the start; the release is everything after the last hyphen.
//!
//! Each part is compared with rpm's `rpmvercmp()`: runs of digits (by value)
//! and of ASCII letters, separated by anything else; digits are newer than
//! letters; `~` sorts before everything (pre-releases), `^` after the base
//! version but before any further segment (snapshots). A missing epoch is 0.
//!
//! Every string is accepted (rpm accepts any string too). One documented
//! choice differs from `rpm`'s own `rpmVersionCompare`: when one version has a
//! release and the other has none, rpm skips the release comparison (they
//! compare equal); this crate orders the version without a release first
//! (`1.0 < 1.0-1`), as osv-scalibr's Red Hat test vectors require. Full EVRs,
//! as found in rpm databases and advisories, are unaffected.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{Span, cmp_digits};

/// A parsed RPM version (epoch, version, release).
#[derive(Debug, Clone)]
pub struct RpmVersion {
    text: Box<str>,
    epoch: Option<Span>,
    version: Span,
    release: Option<Span>,
}

impl RpmVersion {
    /// Splits `[epoch:]version[-release]`; never fails.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let b = s.as_bytes();
        let digits = crate::num::digit_run(b);
        let (epoch, vstart) = if b.get(digits) == Some(&b':') {
            (Some(Span::new(0, digits)), digits + 1)
        } else {
            (None, 0)
        };
        let rest = b.get(vstart..).unwrap_or_default();
        let (version, release) = match rest.iter().rposition(|&c| c == b'-') {
            Some(h) => (
                Span::new(vstart, vstart + h),
                Some(Span::new(vstart + h + 1, b.len())),
            ),
            None => (Span::new(vstart, b.len()), None),
        };
        Ok(RpmVersion {
            text: s.into(),
            epoch,
            version,
            release,
        })
    }

    /// The epoch digits, if the version has an epoch (`""` counts as 0).
    pub fn epoch(&self) -> Option<&str> {
        self.epoch.map(|e| e.str(&self.text))
    }

    /// The version part.
    pub fn version(&self) -> &str {
        self.version.str(&self.text)
    }

    /// The release part, if any.
    pub fn release(&self) -> Option<&str> {
        self.release.map(|r| r.str(&self.text))
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// rpm's `rpmvercmp()`.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    vercmp(a.as_bytes(), b.as_bytes())
}

fn vercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let at = |i: usize| a.get(i).copied().unwrap_or(0);
    let bt = |i: usize| b.get(i).copied().unwrap_or(0);
    let is_sep = |c: u8| c != 0 && !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    let (mut i, mut j) = (0usize, 0usize);
    while at(i) != 0 || bt(j) != 0 {
        while is_sep(at(i)) {
            i += 1;
        }
        while is_sep(bt(j)) {
            j += 1;
        }
        let (ca, cb) = (at(i), bt(j));
        if ca == b'~' || cb == b'~' {
            if ca != b'~' {
                return Ordering::Greater;
            }
            if cb != b'~' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == b'^' || cb == b'^' {
            if ca == 0 {
                return Ordering::Less;
            }
            if cb == 0 {
                return Ordering::Greater;
            }
            if ca != b'^' {
                return Ordering::Greater;
            }
            if cb != b'^' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == 0 || cb == 0 {
            break;
        }
        let isnum = ca.is_ascii_digit();
        let run = |s: &[u8], from: usize| -> usize {
            s.get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| {
                    if isnum {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (na, nb) = (run(a, i), run(b, j));
        if nb == 0 {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let sa = a.get(i..i + na).unwrap_or_default();
        let sb = b.get(j..j + nb).unwrap_or_default();
        let r = if isnum {
            cmp_digits(sa, sb)
        } else {
            sa.cmp(sb)
        };
        if r != Ordering::Equal {
            return r;
        }
        i += na;
        j += nb;
    }
    match (at(i) == 0, bt(j) == 0) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.text.as_bytes(), other.text.as_bytes());
        let ea = self.epoch.map_or(&b"0"[..], |e| e.get(a));
        let eb = other.epoch.map_or(&b"0"[..], |e| e.get(b));
        cmp_digits(ea, eb)
            .then_with(|| vercmp(self.version.get(a), other.version.get(b)))
            .then_with(|| match (self.release, other.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(ra), Some(rb)) => vercmp(ra.get(a), rb.get(b)),
            })
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_and_caret() {
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(rpmvercmp("", ""), Ordering::Equal);
    }

    #[test]
    fn evr_split() {
        let v = RpmVersion::parse("2:1.2.3-4.el9").expect("parse");
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            (Some("2"), "1.2.3", Some("4.el9"))
        );
        let w = RpmVersion::parse("1.2.3-4.el9").expect("parse");
        assert!(v > w);
    }
}
