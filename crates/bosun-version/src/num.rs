//! Helpers shared by the schemes: numbers of any length and small byte spans.

use std::cmp::Ordering;

/// Strips leading ASCII zeros (keeps nothing for an all-zero string).
pub(crate) fn strip_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

/// Compares two runs of ASCII digits by numeric value, whatever their length
/// (so `999999999999999999999999999991 < 999999999999999999999999999999` and
/// `007 = 7`). Numbers never overflow.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_zeros(a);
    let b = strip_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn all_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// Number of leading ASCII digits in `s`.
pub(crate) fn digit_run(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// A byte range into a version's text. Versions are at most
/// [`crate::MAX_VERSION_LEN`] bytes, so `u16` offsets are enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) start: u16,
    pub(crate) end: u16,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        // Callers only build spans inside a string of at most MAX_VERSION_LEN
        // bytes; saturate rather than wrap if that ever changes.
        let clamp = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        Span {
            start: clamp(start),
            end: clamp(end),
        }
    }

    pub(crate) fn get<'a>(&self, s: &'a [u8]) -> &'a [u8] {
        s.get(usize::from(self.start)..usize::from(self.end))
            .unwrap_or_default()
    }

    pub(crate) fn str<'a>(&self, s: &'a str) -> &'a str {
        s.get(usize::from(self.start)..usize::from(self.end))
            .unwrap_or_default()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_by_value() {
        assert_eq!(cmp_digits(b"007", b"7"), Ordering::Equal);
        assert_eq!(cmp_digits(b"10", b"9"), Ordering::Greater);
        assert_eq!(cmp_digits(b"", b"0"), Ordering::Equal);
        assert_eq!(
            cmp_digits(
                b"999999999999999999999999999991",
                b"999999999999999999999999999999"
            ),
            Ordering::Less
        );
    }
}
