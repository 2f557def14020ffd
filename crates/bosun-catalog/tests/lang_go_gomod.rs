//! go.mod parsing checked against the Go toolchain's own reading of the
//! same files (`go mod edit -json`, see tests/fixtures/lang/go/SOURCE.md),
//! and the analyzer's replacement, exclusion and skip rules.

use std::path::Path;

use bosun_catalog::lang::golang::GoModAnalyzer;
use bosun_catalog::lang::golang::gomod::parse;
use bosun_catalog::{Analyzer, Context, Output};
use bosun_tree::TreeBuilder;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/go")
}

#[test]
fn every_fixture_matches_go_mod_edit_json() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let Some(stem) = name.strip_suffix(".go.mod") else {
            continue;
        };
        let m = parse(&std::fs::read(&path).expect("read"));
        let want: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{stem}.expected.json")))
                .expect("expected"),
        )
        .expect("json");
        assert!(m.warnings.is_empty(), "{name}: {:?}", m.warnings);
        assert_eq!(
            m.module.as_deref(),
            want["Module"]["Path"].as_str(),
            "{name}"
        );
        assert_eq!(m.go.as_deref(), want["Go"].as_str(), "{name}");
        let reqs: Vec<(String, String, bool)> = m
            .requires
            .iter()
            .map(|r| (r.path.clone(), r.version.clone(), r.indirect))
            .collect();
        let want_reqs: Vec<(String, String, bool)> = want["Require"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        (
                            r["Path"].as_str().expect("path").to_owned(),
                            r["Version"].as_str().expect("version").to_owned(),
                            r["Indirect"].as_bool().unwrap_or(false),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(reqs, want_reqs, "{name}");
        let reps: Vec<(String, Option<String>, String, Option<String>)> = m
            .replaces
            .iter()
            .map(|r| {
                (
                    r.old_path.clone(),
                    r.old_version.clone(),
                    r.new_path.clone(),
                    r.new_version.clone(),
                )
            })
            .collect();
        let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let want_reps: Vec<(String, Option<String>, String, Option<String>)> = want["Replace"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        (
                            s(&r["Old"]["Path"]).expect("old"),
                            s(&r["Old"]["Version"]),
                            s(&r["New"]["Path"]).expect("new"),
                            s(&r["New"]["Version"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(reps, want_reps, "{name}");
        let excl: Vec<(String, String)> = want["Exclude"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| (s(&e["Path"]).expect("path"), s(&e["Version"]).expect("v")))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(m.excludes, excl, "{name}");
        seen += 1;
    }
    assert_eq!(seen, 5);
}

fn analyze(files: &[(&str, &[u8])]) -> Output {
    let mut b = TreeBuilder::new();
    for (p, c) in files {
        b = b.file(p, c);
    }
    let tree = b.build();
    let cx = Context {
        tree: &tree,
        distro: None,
    };
    let mut out = Output::default();
    GoModAnalyzer.analyze(&cx, &mut out).expect("analyze");
    out
}

#[test]
fn analyzer_applies_replacements_and_exclusions() {
    let edge = std::fs::read(fixtures().join("edge.go.mod")).expect("read");
    let out = analyze(&[("/src/app/go.mod", &edge)]);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let got: Vec<(&str, &str, &str)> = out
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    // github.com/quoted/path v1.0.0 is excluded.
    assert_eq!(
        got,
        vec![
            (
                "github.com/fork/b",
                "v1.2.4",
                "pkg:golang/github.com/fork/b@v1.2.4"
            ),
            ("github.com/c/d", "(devel)", "pkg:golang/github.com/c/d"),
            (
                "github.com/single/line",
                "v0.1.1",
                "pkg:golang/github.com/single/line@v0.1.1"
            ),
        ]
    );
    let prop = |i: usize, k: &str| out.packages[i].properties.get(k).map(String::as_str);
    assert_eq!(prop(0, "replaces"), Some("github.com/a/b@v1.2.3"));
    assert_eq!(prop(0, "indirect"), Some("true"));
    assert_eq!(prop(1, "replace-path"), Some("./local/d"));
    assert_eq!(
        prop(1, "required-version"),
        Some("v0.0.0-20230101000000-abcdef123456")
    );
    assert_eq!(prop(2, "indirect"), None);
}

#[test]
fn module_cache_vendor_and_toolchain_sources_are_skipped() {
    let one = std::fs::read(fixtures().join("one-package.go.mod")).expect("read");
    let std_mod = b"module std\n\ngo 1.21\n\nrequire golang.org/x/crypto v0.16.1-0.20231129163542-152cdb1503eb\n";
    let out = analyze(&[
        ("/root/go/pkg/mod/github.com/x/y@v1.0.0/go.mod", &one),
        ("/src/app/vendor/github.com/x/y/go.mod", &one),
        ("/usr/local/go/src/go.mod", std_mod),
        ("/src/app/go.mod", &one),
    ]);
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.packages[0].found_in.path, "/src/app/go.mod");
    assert_eq!(out.packages[0].name, "github.com/bmatcuk/doublestar");
}
