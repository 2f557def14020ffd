//! Version comparison speed, on real versions from the test vectors.
//!
//! `cargo bench -p bosun-version --bench compare`; results are recorded in
//! docs/BENCHMARKS.md ("Version comparison").

use std::hint::black_box;

use bosun_version::{Scheme, Version};
use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

/// The left and right versions of every comparison in a vector file.
fn pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .filter_map(|l| {
            let p: Vec<&str> = l.split(' ').collect();
            match p.as_slice() {
                [a, _, b] => Some(((*a).to_owned(), (*b).to_owned())),
                _ => None,
            }
        })
        .collect()
}

fn debian() -> Vec<(String, String)> {
    pairs(include_str!(
        "../tests/vectors/osv-scalibr/debian-versions-generated.txt"
    ))
}

fn parsed(scheme: Scheme, pairs: &[(String, String)]) -> Vec<(Version, Version)> {
    pairs
        .iter()
        .filter_map(|(a, b)| Some((scheme.parse(a).ok()?, scheme.parse(b).ok()?)))
        .collect()
}

/// Comparisons of pre-parsed Debian versions (the matcher's hot path).
#[divan::bench]
fn deb_compare_preparsed(bencher: divan::Bencher) {
    let v = parsed(Scheme::Deb, &debian());
    bencher.counter(ItemsCount::new(v.len())).bench(|| {
        let mut less = 0usize;
        for (a, b) in &v {
            less += usize::from(black_box(a) < black_box(b));
        }
        less
    });
}

/// Parse both strings and compare, per scheme.
#[divan::bench(args = [
    Scheme::Deb, Scheme::Apk, Scheme::Rpm, Scheme::Semver, Scheme::Pep440,
    Scheme::Maven, Scheme::RubyGems, Scheme::Packagist,
])]
fn parse_and_compare(bencher: divan::Bencher, scheme: Scheme) {
    let text = match scheme {
        Scheme::Deb => include_str!("../tests/vectors/osv-scalibr/debian-versions-generated.txt"),
        Scheme::Apk => include_str!("../tests/vectors/osv-scalibr/alpine-versions-generated.txt"),
        Scheme::Rpm => include_str!("../tests/vectors/osv-scalibr/redhat-versions.txt"),
        Scheme::Semver => include_str!("../tests/vectors/osv-scalibr/semver-versions.txt"),
        Scheme::Pep440 => include_str!("../tests/vectors/osv-scalibr/pypi-versions-generated.txt"),
        Scheme::Maven => include_str!("../tests/vectors/osv-scalibr/maven-versions-generated.txt"),
        Scheme::RubyGems => {
            include_str!("../tests/vectors/osv-scalibr/rubygems-versions-generated.txt")
        }
        _ => include_str!("../tests/vectors/osv-scalibr/packagist-versions-generated.txt"),
    };
    let p = pairs(text);
    bencher.counter(ItemsCount::new(p.len())).bench(|| {
        let mut less = 0usize;
        for (a, b) in &p {
            if let Ok(o) = scheme.compare(black_box(a), black_box(b)) {
                less += usize::from(o.is_lt());
            }
        }
        less
    });
}
