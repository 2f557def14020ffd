//! node-semver's fixtures about single versions: comparisons, equality
//! (strict and loose) and valid versions.

mod common;

use std::cmp::Ordering;

use bosun_version::Scheme;
use common::{Tally, read};
use serde_json::Value;

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn node_semver_vectors() {
    let fixtures: Value =
        serde_json::from_str(&read("node-semver/node-semver-fixtures.json")).expect("json");
    let mut t = Tally::default();
    let list = |k: &str| fixtures[k].as_array().cloned().unwrap_or_default();

    // [greater, smaller, loose?]
    for case in list("comparisons") {
        let (a, b) = (text(&case[0]), text(&case[1]));
        t.compare("npm comparisons", Scheme::Semver, &a, &b, Ordering::Greater);
    }
    // [a, b, loose?]: equal versions.
    for case in list("equality") {
        let (a, b) = (text(&case[0]), text(&case[1]));
        t.compare("npm equality", Scheme::Semver, &a, &b, Ordering::Equal);
    }
    // [version, major, minor, patch, prerelease[], build[]]: the parse must
    // equal the version rebuilt from its parts, and keep its build.
    for case in list("valid-versions") {
        let v = text(&case[0]);
        let pre: Vec<String> = case[4].as_array().into_iter().flatten().map(text).collect();
        let build: Vec<String> = case[5].as_array().into_iter().flatten().map(text).collect();
        let mut rebuilt = format!("{}.{}.{}", case[1], case[2], case[3]);
        if !pre.is_empty() {
            rebuilt = format!("{rebuilt}-{}", pre.join("."));
        }
        if !build.is_empty() {
            rebuilt = format!("{rebuilt}+{}", build.join("."));
        }
        t.compare(
            "npm valid-versions",
            Scheme::Semver,
            &v,
            &rebuilt,
            Ordering::Equal,
        );
        let parsed = Scheme::Semver.parse(&v);
        t.check(
            "npm valid-versions",
            parsed.as_ref().is_ok_and(|p| p.to_string() == v),
            || format!("{v}: display round trip failed: {parsed:?}"),
        );
        // A pre-release sorts below its release.
        if !pre.is_empty() {
            let release = format!("{}.{}.{}", case[1], case[2], case[3]);
            t.compare(
                "npm valid-versions",
                Scheme::Semver,
                &v,
                &release,
                Ordering::Less,
            );
        }
    }
    t.finish("node-semver");
}
