//! apk-tools' own test data (test/unit/version.data): comparisons, fuzzy
//! matches and validity.

mod common;

use std::cmp::Ordering;

use bosun_version::apk::ApkVersion;
use common::{Tally, read};

fn parse(s: &str) -> ApkVersion {
    ApkVersion::parse(s).unwrap_or_else(|e| panic!("apk never refuses, yet {s}: {e}"))
}

#[test]
fn apk_tools_vectors() {
    let mut t = Tally::default();
    for raw in read("apk-tools/version.data").lines() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let pieces: Vec<&str> = line.split(' ').collect();
        match pieces.as_slice() {
            [a, op, b] => {
                let (invert, op) = match op.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, *op),
                };
                let fuzzy = op.contains('~');
                let accepts = |o: Ordering| match o {
                    Ordering::Less => op.contains('<'),
                    Ordering::Greater => op.contains('>'),
                    Ordering::Equal => op.contains('=') || op.contains('~'),
                };
                // Ordering is what the scanner uses; fuzzy matching is apk's `~`.
                let got = if fuzzy {
                    parse(a).compare(&parse(b), true)
                } else {
                    parse(a).cmp(&parse(b))
                };
                let ok = accepts(got) != invert;
                let label = if fuzzy {
                    "apk fuzzy (~)"
                } else {
                    "apk compare"
                };
                t.check(label, ok, || format!("{line}: got {got:?}"));
            }
            [v] => {
                let (invert, v) = match v.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, *v),
                };
                let valid = parse(v).is_valid();
                t.check("apk validity", valid != invert, || {
                    format!("{line}: is_valid() = {valid}")
                });
            }
            _ => t.check("apk", false, || format!("unreadable line {line:?}")),
        }
    }
    t.finish("apk-tools");
}
