//! Python packaging's test_version.py cases: the sorted VERSIONS list (every
//! pair), invalid versions, normalization and string forms.

mod common;

use std::cmp::Ordering;

use bosun_version::Scheme;
use bosun_version::pep440::Pep440Version;
use common::{Tally, read};
use serde_json::Value;

fn cases(fixtures: &Value, key: &str) -> Vec<Value> {
    fixtures[key][0]["cases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn p(s: &str) -> Pep440Version {
    Pep440Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn packaging_vectors() {
    let fixtures: Value =
        serde_json::from_str(&read("packaging/test_version-cases.json")).expect("json");
    let mut t = Tally::default();

    let versions: Vec<String> = fixtures["VERSIONS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    // "1.0c1" is the same version as "1.0rc1"; the list holds both in a row.
    for (i, a) in versions.iter().enumerate() {
        for b in versions.iter().skip(i + 1) {
            let want = if p(a).normalized() == p(b).normalized() {
                Ordering::Equal
            } else {
                Ordering::Less
            };
            t.compare("PyPI VERSIONS order", Scheme::Pep440, a, b, want);
        }
        t.check("PyPI VERSIONS valid", !p(a).is_legacy(), || {
            format!("{a} read as legacy")
        });
    }

    for case in cases(&fixtures, "test_invalid_versions") {
        let v = case.as_str().unwrap_or_default();
        t.check("PyPI invalid", p(v).is_legacy(), || {
            format!("{v} accepted as PEP 440")
        });
        t.check(
            "PyPI invalid",
            Pep440Version::parse_strict(v).is_err(),
            || format!("{v} accepted by parse_strict"),
        );
    }

    for key in ["test_normalized_versions", "test_version_str_repr"] {
        for case in cases(&fixtures, key) {
            let (v, want) = (
                case[0].as_str().unwrap_or_default(),
                case[1].as_str().unwrap_or_default(),
            );
            let got = p(v).normalized();
            t.check("PyPI normalized", got.as_deref() == Some(want), || {
                format!("{v}: normalized {got:?}, expected {want}")
            });
            t.compare("PyPI normalized", Scheme::Pep440, v, want, Ordering::Equal);
        }
    }

    for case in cases(&fixtures, "test_version_is_prerelease") {
        let (v, want) = (case[0].as_str().unwrap_or_default(), case[1].as_bool());
        let got = p(v).is_prerelease();
        t.check("PyPI is_prerelease", Some(got) == want, || {
            format!("{v}: is_prerelease {got}, expected {want:?}")
        });
    }

    // public: the version without its local part compares equal to `public`.
    for case in cases(&fixtures, "test_version_public") {
        let (v, public) = (
            case[0].as_str().unwrap_or_default(),
            case[1].as_str().unwrap_or_default(),
        );
        let local = v.split_once('+').map(|(pre, _)| pre).unwrap_or(v);
        t.compare(
            "PyPI public",
            Scheme::Pep440,
            local,
            public,
            Ordering::Equal,
        );
        if v.contains('+') {
            t.compare("PyPI public", Scheme::Pep440, v, public, Ordering::Greater);
        }
    }
    t.finish("packaging");
}
