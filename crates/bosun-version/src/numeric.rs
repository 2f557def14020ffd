//! Purely numeric versions: Hackage (Haskell's PVP, `1.2.0.1`) and CRAN (R,
//! `1.2-3`, where `-` is a separator like `.`).
//!
//! Components are compared one by one by value (any length); when one version
//! is a prefix of the other, the shorter one is older (`1.0 < 1.0.0`), as
//! Haskell's `Data.Version` and R's `compareVersion` do. Anything but digits
//! and the separators, or an empty component, is an error.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{Span, all_digits, cmp_digits};

/// A version made of numbers only.
#[derive(Debug, Clone)]
pub struct NumericVersion {
    text: Box<str>,
    parts: Vec<Span>,
}

impl NumericVersion {
    fn parse_with(s: &str, seps: &[u8]) -> Result<Self, &'static str> {
        let b = s.as_bytes();
        let mut parts = Vec::new();
        let mut from = 0usize;
        for (i, c) in b.iter().enumerate() {
            if seps.contains(c) {
                parts.push(Span::new(from, i));
                from = i + 1;
            }
        }
        parts.push(Span::new(from, b.len()));
        if parts.iter().any(|p| !all_digits(p.get(b))) {
            return Err("components must be non-empty runs of digits");
        }
        Ok(NumericVersion {
            text: s.into(),
            parts,
        })
    }

    /// Reads a Hackage version (`.`-separated numbers).
    pub fn parse_hackage(s: &str) -> Result<Self, &'static str> {
        Self::parse_with(s, b".")
    }

    /// Reads a CRAN version (numbers separated by `.` or `-`).
    pub fn parse_cran(s: &str) -> Result<Self, &'static str> {
        Self::parse_with(s, b".-")
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for NumericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.text.as_bytes(), other.text.as_bytes());
        for (x, y) in self.parts.iter().zip(&other.parts) {
            let r = cmp_digits(x.get(a), y.get(b));
            if r != Ordering::Equal {
                return r;
            }
        }
        self.parts.len().cmp(&other.parts.len())
    }
}

impl PartialOrd for NumericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NumericVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NumericVersion {}

impl fmt::Display for NumericVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
