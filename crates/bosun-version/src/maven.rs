//! Maven versions, ordered as Maven's `ComparableVersion` orders them
//! (maven-artifact 3.8.7 and later, which includes MNG-7644: a qualifier
//! after a `.` is read as after a `-`, so `1.0.0.RC1` = `1.0.0-RC1`).
//!
//! The version is lower-cased and split into items: numbers, qualifiers and
//! sub-lists. `.` separates items, `-` starts a sub-list, and a change between
//! digits and letters starts a sub-list too (`1a1` reads as `1-a-1`), and so
//! does a qualifier after a `.` when it is followed by a number or ends the
//! version (`1.0.RC1` reads as `1.0-RC-1`, `1.0.Final` as `1.0-Final`). A letter
//! followed by a digit is an abbreviation: `a1` = `alpha-1`, `b1` = `beta-1`,
//! `m1` = `milestone-1`; `ga`, `final` and `release` mean "no qualifier", `cr`
//! means `rc`. Trailing zeros and empty qualifiers are dropped from each list.
//!
//! Known qualifiers sort `alpha < beta < milestone < rc < snapshot < (release)
//! < sp`; unknown qualifiers sort after all of them, alphabetically; numbers
//! sort after qualifiers; a sub-list sorts between a qualifier and a number.
//!
//! Maven's order is not transitive on some strings (maven-artifact answers
//! `1-eta < 1-0-alpha < 1 < 1-eta`); this crate reproduces Maven's answer for
//! every pair, so it inherits the cycles. Do not `sort()` Maven versions from
//! untrusted input (Rust's sort may panic on an order that is not total);
//! compare pairs, as range evaluation does.
//! Every string is accepted. Only ASCII digits count as digits (Java's
//! `Character.isDigit` also takes other scripts' digits; no real version has
//! them).

use std::cmp::Ordering;
use std::fmt;

use crate::num::{cmp_digits, strip_zeros};

/// Known qualifiers in order; the empty string is the release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (empty for zero).
    Int(Box<str>),
    /// A qualifier after aliasing.
    Str(Box<str>),
    List(Vec<Item>),
}

/// `ComparableVersion.comparableQualifier`: known qualifiers by index,
/// unknown ones after them by name.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum QualKey<'a> {
    Known(usize),
    Unknown(&'a str),
}

fn qual_key(q: &str) -> QualKey<'_> {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => QualKey::Known(i),
        None => QualKey::Unknown(q),
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.is_empty(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    /// `Item.compareTo(null)`: how this item compares with "nothing".
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Int(d) => {
                if d.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Str(s) => qual_key(s).cmp(&QualKey::Known(RELEASE_INDEX)),
            Item::List(l) => {
                for i in l {
                    let r = i.cmp_null();
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                Ordering::Equal
            }
        }
    }

    fn cmp_item(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => cmp_digits(a.as_bytes(), b.as_bytes()),
            (Item::Int(_), _) => Ordering::Greater,
            (Item::Str(_), Item::Int(_) | Item::List(_)) => Ordering::Less,
            (Item::Str(a), Item::Str(b)) => qual_key(a).cmp(&qual_key(b)),
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Str(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for k in 0..n {
        let r = match (a.get(k), b.get(k)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => r.cmp_null().reverse(),
            (Some(l), None) => l.cmp_null(),
            (Some(l), Some(r)) => l.cmp_item(r),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

fn parse_item(is_digit: bool, buf: &str, followed_by_digit: bool) -> Item {
    if is_digit {
        return Item::Int(String::from_utf8_lossy(strip_zeros(buf.as_bytes())).into());
    }
    let mut value = buf;
    if followed_by_digit && buf.len() == 1 {
        value = match buf {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let value = match value {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(value.into())
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(item) = list.get(i) else { break };
        if item.is_null() {
            list.remove(i);
        } else if !matches!(item, Item::List(_)) {
            break;
        }
    }
}

fn parse_items(version: &str) -> Vec<Item> {
    let v = version.to_lowercase();
    // The lists form a chain: each new list is the last item of the previous one.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let push = |stack: &mut Vec<Vec<Item>>, item: Item| {
        if let Some(top) = stack.last_mut() {
            top.push(item);
        }
    };
    let mut is_digit = false;
    let mut start = 0usize;
    for (i, c) in v.char_indices() {
        let sub = |from: usize, to: usize| v.get(from..to).unwrap_or_default();
        if c == '.' || c == '-' {
            if i == start {
                push(&mut stack, Item::Int("".into()));
            } else {
                push(&mut stack, parse_item(is_digit, sub(start, i), false));
            }
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // A qualifier followed by a number after a `.` opens a
                // sub-list, as after a `-` (maven-artifact 3.8.7: `1.0.RC1`
                // reads as `1.0-RC1`).
                if stack.last().is_some_and(|l| !l.is_empty()) {
                    stack.push(Vec::new());
                }
                push(&mut stack, parse_item(false, sub(start, i), true));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut stack, parse_item(true, sub(start, i), false));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if v.len() > start {
        // A trailing qualifier after a `.` opens a sub-list too (3.8.7).
        if !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
            stack.push(Vec::new());
        }
        push(
            &mut stack,
            parse_item(is_digit, v.get(start..).unwrap_or_default(), false),
        );
    }
    // Normalize from the innermost list out, attaching each to its parent.
    let mut inner: Option<Vec<Item>> = None;
    while let Some(mut list) = stack.pop() {
        if let Some(child) = inner.take() {
            list.push(Item::List(child));
        }
        normalize(&mut list);
        inner = Some(list);
    }
    inner.unwrap_or_default()
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    text: Box<str>,
    items: Vec<Item>,
}

impl MavenVersion {
    /// Reads a version; every string is a Maven version.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Ok(MavenVersion {
            items: parse_items(s),
            text: s.into(),
        })
    }

    /// `ComparableVersion.getCanonical()`.
    pub fn canonical(&self) -> String {
        fn render(items: &[Item]) -> String {
            let mut out = String::new();
            for item in items {
                if !out.is_empty() {
                    out.push(if matches!(item, Item::List(_)) {
                        '-'
                    } else {
                        '.'
                    });
                }
                match item {
                    Item::Int(d) if d.is_empty() => out.push('0'),
                    Item::Int(d) | Item::Str(d) => out.push_str(d),
                    Item::List(l) => out.push_str(&render(l)),
                }
            }
            out
        }
        render(&self.items)
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> MavenVersion {
        MavenVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn qualifier_order() {
        let chain = [
            "1-alpha-1",
            "1-beta-1",
            "1-milestone-1",
            "1-rc-1",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-1",
            "1.1",
        ];
        for w in chain.windows(2) {
            assert!(m(w[0]) < m(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(m("1.0.0.ga"), m("1"));
        assert_eq!(m("1a1"), m("1-alpha-1"));
        assert_eq!(m("1.0-RC1").canonical(), "1-rc-1");
    }

    #[test]
    fn maven_order_is_not_transitive_and_neither_is_this() {
        // maven-artifact 3.8.7 answers exactly these three comparisons, a
        // cycle: an unknown qualifier is above the release, a sub-list is
        // above any qualifier, and `0-alpha` is below the release.
        assert!(m("1-eta") < m("1-0-alpha"));
        assert!(m("1-0-alpha") < m("1"));
        assert!(m("1") < m("1-eta"));
    }
}
