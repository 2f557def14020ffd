//! SemVer 2.0 and its relatives: npm, crates.io, Hex and OSV `SEMVER` ranges
//! ([`SemverVersion`]), Go modules ([`GoVersion`]), NuGet ([`NuGetVersion`])
//! and Dart's Pub ([`PubVersion`]).
//!
//! All four share one reader. It accepts every SemVer 2.0 version, and
//! beyond that, with a defined order rather than an error:
//! - leading `v`, `V`, `=` and white space (npm's loose mode), surrounding white space;
//! - fewer or more than three release numbers (`1.2` = `1.2.0`, `1.2.3.4` > `1.2.3`;
//!   missing numbers count as 0), leading zeros, numbers of any length;
//! - a pre-release that does not start with `-` (`1.2.3beta` is `1.2.3-beta`;
//!   a leading `.` is dropped, so `1.0.0.RELEASE` is `1.0.0-RELEASE`).
//!
//! A string that does not start with a number (after the prefix) is an error.
//! [`SemverVersion::is_strict`] tells whether the input was plain SemVer 2.0.
//!
//! Order: release numbers, then pre-release (a version without one is newer;
//! identifiers compare numerically when both are digits, digits before
//! letters, letters by ASCII; fewer identifiers first). Build metadata is
//! ignored, except for Pub, which orders it like a pre-release but after the
//! version without build (`1.0.0 < 1.0.0+1`). NuGet compares pre-release labels
//! without regard to case.

use std::cmp::Ordering;
use std::fmt;

use crate::num::{Span, all_digits, cmp_digits, digit_run};

/// The shared reading of a SemVer-like version.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    text: Box<str>,
    release: Vec<Span>,
    pre: Vec<Span>,
    has_pre: bool,
    build: Option<Span>,
    strict: bool,
    /// Go's rules (x/mod/semver): shorthand `v1`, `v1.2` allowed without
    /// pre-release or build.
    go_valid: bool,
}

fn ident_ok(id: &[u8]) -> bool {
    !id.is_empty() && id.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn numeric_ok(id: &[u8]) -> bool {
    // No leading zero in a numeric identifier.
    !(all_digits(id) && id.len() > 1 && id.first() == Some(&b'0'))
}

impl Core {
    pub(crate) fn parse(s: &str) -> Result<Core, &'static str> {
        let b = s.as_bytes();
        let end = b.len()
            - b.iter()
                .rev()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        let mut i = 0usize;
        let mut prefix_v = false;
        let mut prefix_other = false;
        while i < end {
            match b.get(i) {
                Some(b'v' | b'V') => prefix_v = true,
                Some(b'=') => prefix_other = true,
                Some(c) if c.is_ascii_whitespace() => prefix_other = true,
                _ => break,
            }
            i += 1;
        }
        let mut release = Vec::with_capacity(3);
        loop {
            let n = digit_run(b.get(i..end).unwrap_or_default());
            if n == 0 {
                if release.is_empty() {
                    return Err("version does not start with a number");
                }
                break;
            }
            release.push(Span::new(i, i + n));
            i += n;
            if b.get(i) == Some(&b'.')
                && i + 1 < end
                && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            {
                i += 1;
            } else {
                break;
            }
        }
        let mut lenient_pre = false;
        let (mut pre_start, mut has_pre) = (i, false);
        match b.get(i) {
            _ if i >= end => {}
            Some(b'-') => {
                has_pre = true;
                pre_start = i + 1;
            }
            Some(b'+') => {}
            Some(b'.') => {
                lenient_pre = true;
                pre_start = i + 1;
                has_pre = pre_start < end && b.get(pre_start) != Some(&b'+');
            }
            Some(_) => {
                lenient_pre = true;
                has_pre = true;
            }
            None => {}
        }
        let rest = b.get(pre_start..end).unwrap_or_default();
        let plus = rest.iter().position(|&c| c == b'+');
        let pre_end = plus.map_or(end, |p| pre_start + p);
        let build = plus.map(|p| Span::new(pre_start + p + 1, end));
        let mut pre = Vec::new();
        if has_pre {
            let mut from = pre_start;
            for (k, &c) in b
                .get(pre_start..pre_end)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if c == b'.' {
                    pre.push(Span::new(from, pre_start + k));
                    from = pre_start + k + 1;
                }
            }
            pre.push(Span::new(from, pre_end));
        }

        let numbers_ok = release.iter().all(|r| numeric_ok(r.get(b)));
        let pre_ok = pre
            .iter()
            .all(|p| ident_ok(p.get(b)) && numeric_ok(p.get(b)));
        let build_ok = build.is_none_or(|bs| bs.get(b).split(|&c| c == b'.').all(ident_ok));
        let clean = !lenient_pre && numbers_ok && pre_ok && build_ok && !prefix_other && i <= end;
        let strict = clean && !prefix_v && release.len() == 3 && end == b.len();
        let go_valid = clean
            && end == b.len()
            && (release.len() == 3 || (release.len() < 3 && !has_pre && build.is_none()));
        Ok(Core {
            text: s.into(),
            release,
            pre,
            has_pre,
            build,
            strict,
            go_valid,
        })
    }

    fn cmp_release(&self, other: &Self) -> Ordering {
        let (a, b) = (self.text.as_bytes(), other.text.as_bytes());
        let n = self.release.len().max(other.release.len());
        for k in 0..n {
            let x = self.release.get(k).map_or(&b"0"[..], |s| s.get(a));
            let y = other.release.get(k).map_or(&b"0"[..], |s| s.get(b));
            let r = cmp_digits(x, y);
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }

    fn cmp_pre(&self, other: &Self, fold_case: bool) -> Ordering {
        match (self.has_pre, other.has_pre) {
            (false, false) => Ordering::Equal,
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (true, true) => cmp_idents(
                self.text.as_bytes(),
                &self.pre,
                other.text.as_bytes(),
                &other.pre,
                fold_case,
            ),
        }
    }

    fn cmp_build_pub(&self, other: &Self) -> Ordering {
        let split = |c: &Core| -> Vec<Span> {
            let Some(bs) = c.build else { return Vec::new() };
            let b = c.text.as_bytes();
            let mut out = Vec::new();
            let mut from = usize::from(bs.start);
            for k in usize::from(bs.start)..usize::from(bs.end) {
                if b.get(k) == Some(&b'.') {
                    out.push(Span::new(from, k));
                    from = k + 1;
                }
            }
            out.push(Span::new(from, usize::from(bs.end)));
            out
        };
        match (self.build.is_some(), other.build.is_some()) {
            (false, false) => Ordering::Equal,
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            (true, true) => cmp_idents(
                self.text.as_bytes(),
                &split(self),
                other.text.as_bytes(),
                &split(other),
                false,
            ),
        }
    }

    fn as_str(&self) -> &str {
        &self.text
    }
}

fn cmp_idents(a: &[u8], xa: &[Span], b: &[u8], xb: &[Span], fold_case: bool) -> Ordering {
    for (sa, sb) in xa.iter().zip(xb) {
        let (x, y) = (sa.get(a), sb.get(b));
        let r = match (all_digits(x), all_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) if fold_case => x
                .iter()
                .map(u8::to_ascii_lowercase)
                .cmp(y.iter().map(u8::to_ascii_lowercase)),
            (false, false) => x.cmp(y),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    xa.len().cmp(&xb.len())
}

macro_rules! semver_like {
    ($(#[$doc:meta])* $name:ident, $cmp:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            core: Core,
        }

        impl $name {
            /// The string this version was parsed from.
            pub fn as_str(&self) -> &str {
                self.core.as_str()
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                let f: fn(&Core, &Core) -> Ordering = $cmp;
                f(&self.core, &other.core)
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }

        impl Eq for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

semver_like!(
    /// A SemVer 2.0 version (npm, crates.io, Hex, OSV `SEMVER` ranges).
    SemverVersion,
    |a, b| a.cmp_release(b).then_with(|| a.cmp_pre(b, false))
);

semver_like!(
    /// A NuGet version: up to four release numbers, case-insensitive
    /// pre-release labels, build metadata ignored.
    NuGetVersion,
    |a, b| a.cmp_release(b).then_with(|| a.cmp_pre(b, true))
);

semver_like!(
    /// A Pub (Dart) version: SemVer with build metadata ordered.
    PubVersion,
    |a, b| a
        .cmp_release(b)
        .then_with(|| a.cmp_pre(b, false))
        .then_with(|| a.cmp_build_pub(b))
);

impl SemverVersion {
    /// Reads a version; see the module documentation for what is accepted.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Ok(SemverVersion {
            core: Core::parse(s)?,
        })
    }

    /// Whether the input was exactly a SemVer 2.0 version (no prefix, three
    /// release numbers without leading zeros, valid identifiers).
    pub fn is_strict(&self) -> bool {
        self.core.strict
    }
}

impl NuGetVersion {
    /// Reads a version; see the module documentation for what is accepted.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Ok(NuGetVersion {
            core: Core::parse(s)?,
        })
    }
}

impl PubVersion {
    /// Reads a version; see the module documentation for what is accepted.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Ok(PubVersion {
            core: Core::parse(s)?,
        })
    }
}

/// A Go module version (`v1.2.3`, pseudo-versions such as
/// `v0.0.0-20191109021931-daa7c04131f5`, `v2.0.0+incompatible`), with or without
/// the `v` (OSV's Go data has none). Go toolchain versions are read too:
/// `go1.21.3`, `go1.21` (= 1.21.0), `go1.21rc2` (= 1.21.0-rc.2).
///
/// Ordering is Go's (`golang.org/x/mod/semver`): SemVer precedence, build
/// metadata such as `+incompatible` ignored. Strings Go would call invalid but
/// that start with a number are ordered by the lenient rules of this module,
/// rather than Go's "invalid is below everything" (so `(devel)` is an error and
/// never "affected by everything").
#[derive(Debug, Clone)]
pub struct GoVersion {
    text: Box<str>,
    core: Core,
}

impl GoVersion {
    /// Reads a Go module or toolchain version.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t = s.trim();
        let core = match t.strip_prefix("go") {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
                Core::parse(&toolchain_to_semver(rest)?)?
            }
            _ => Core::parse(s)?,
        };
        Ok(GoVersion {
            text: s.into(),
            core,
        })
    }

    /// Whether Go's `semver.IsValid` would accept the version (with the `v`).
    pub fn is_valid_go(&self) -> bool {
        self.core.go_valid
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// `1.21rc2` → `1.21.0-rc.2`, `1.21` → `1.21.0`, `1.21.3` stays.
fn toolchain_to_semver(rest: &str) -> Result<String, &'static str> {
    let cut = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (nums, tail) = rest.split_at(cut);
    let mut parts: Vec<&str> = nums.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) || parts.len() > 3 {
        return Err("invalid Go toolchain version");
    }
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut out = parts.join(".");
    if !tail.is_empty() {
        let (kind, n) = if let Some(n) = tail.strip_prefix("rc") {
            ("rc", n)
        } else if let Some(n) = tail.strip_prefix("beta") {
            ("beta", n)
        } else {
            return Err("invalid Go toolchain version");
        };
        if !all_digits(n.as_bytes()) {
            return Err("invalid Go toolchain version");
        }
        out.push('-');
        out.push_str(kind);
        out.push('.');
        out.push_str(n);
    }
    Ok(out)
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp_release(&other.core)
            .then_with(|| self.core.cmp_pre(&other.core, false))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GoVersion {}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> SemverVersion {
        SemverVersion::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    #[test]
    fn precedence() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for w in chain.windows(2) {
            assert!(s(w[0]) < s(w[1]), "{} < {}", w[0], w[1]);
        }
        assert!(s("1.2.3+a") == s("1.2.3+b"));
        assert!(s("1.2.3").is_strict());
        assert!(!s("v1.2.3").is_strict());
        assert!(!s("1.2").is_strict());
        assert!(SemverVersion::parse("latest").is_err());
    }

    #[test]
    fn go_versions() {
        let g = |v: &str| GoVersion::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert!(g("v0.0.0-20191109021931-daa7c04131f5") < g("v0.0.1"));
        assert!(g("v2.0.0+incompatible") == g("2.0.0"));
        assert!(g("go1.21rc2") < g("1.21.0"));
        assert!(g("go1.21") == g("1.21.0"));
        assert!(g("v1.2").is_valid_go());
        assert!(!g("v1.2-pre").is_valid_go());
        assert!(GoVersion::parse("(devel)").is_err());
    }
}
