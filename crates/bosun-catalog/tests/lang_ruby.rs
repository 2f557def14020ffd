//! The Ruby analyzer on real gemspecs and lockfiles, against RubyGems and
//! Bundler themselves (`tests/fixtures/lang/ruby/oracle.rb` evaluates every
//! gemspec with `Gem::Specification.load` and parses every lockfile with
//! `Bundler::LockfileParser`). See `tests/fixtures/lang/ruby/SOURCE.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bosun_catalog::lang::ruby::{RubyAnalyzer, gemfile_lock, gemspec};
use bosun_catalog::{Catalog, CatalogOptions};
use bosun_tree::TreeBuilder;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/ruby")
}

fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn gemspecs_read_as_text_match_rubygems_evaluating_them() {
    let expected = json("expected-gemspecs.json");
    let list = expected.as_array().expect("array");
    assert!(list.len() >= 85, "{}", list.len());
    for e in list {
        let rel = e["path"].as_str().expect("path");
        let got = gemspec::parse(&read(rel));
        if e["error"].as_bool() == Some(true) {
            assert!(
                got.is_err(),
                "{rel}: RubyGems rejects it, bosun read {got:?}"
            );
            continue;
        }
        let g = got.unwrap_or_else(|err| panic!("{rel}: {err}"));
        assert_eq!(g.name, e["name"].as_str().expect("name"), "{rel}");
        assert_eq!(g.version, e["version"].as_str().expect("version"), "{rel}");
        assert_eq!(g.platform.as_deref(), e["platform"].as_str(), "{rel}");
        let licenses: Vec<&str> = e["licenses"]
            .as_array()
            .expect("licenses")
            .iter()
            .map(|l| l.as_str().expect("str"))
            .collect();
        assert_eq!(g.licenses, licenses, "{rel}");
    }
}

#[test]
fn lockfiles_match_bundlers_parser() {
    let expected = json("expected-lockfiles.json");
    let map = expected.as_object().expect("object");
    assert!(map.len() >= 5);
    for (rel, want) in map {
        let p = gemfile_lock::parse(&read(rel));
        let got: BTreeSet<(String, String)> = p
            .packages
            .iter()
            .map(|d| (d.name.clone(), d.version.clone()))
            .collect();
        let specs = want["specs"].as_array().cloned().unwrap_or_default();
        // The application's own gemspec (`PATH` with `remote: .`) is not a dependency.
        let wanted: BTreeSet<(String, String)> = specs
            .iter()
            .filter(|s| s[3].as_str() != Some("self"))
            .map(|s| {
                (
                    s[0].as_str().expect("name").to_owned(),
                    s[1].as_str().expect("version").to_owned(),
                )
            })
            .collect();
        assert_eq!(got, wanted, "{rel}");
        for s in &specs {
            let source = s[3].as_str().expect("source");
            if source == "self" {
                continue;
            }
            let d = p
                .packages
                .iter()
                .find(|d| d.name == s[0].as_str().expect("n"))
                .expect("found");
            let want_source = match source {
                "git" | "path" => Some(source),
                _ => None,
            };
            assert_eq!(
                d.properties.get("gem-source").map(String::as_str),
                want_source,
                "{rel}: {}",
                d.name
            );
            assert_eq!(
                d.properties.get("bundled-with").map(String::as_str),
                want["bundled_with"].as_str(),
                "{rel}"
            );
        }
    }
}

#[test]
fn installed_gems_and_the_lockfile_fold() {
    let rack_spec = "# stub: rack 2.0.8 ruby lib\nGem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"2.0.8\"\n  s.licenses = [\"MIT\".freeze]\nend\n";
    let noko_spec = "Gem::Specification.new do |s|\n  s.name = \"nokogiri\".freeze\n  s.version = \"1.10.4\"\n  s.platform = \"x86_64-linux\".freeze\nend\n";
    let tree = TreeBuilder::new()
        .file(
            "/usr/local/bundle/specifications/rack-2.0.8.gemspec",
            rack_spec,
        )
        .file(
            "/usr/local/bundle/specifications/nokogiri-1.10.4-x86_64-linux.gemspec",
            noko_spec,
        )
        .file(
            "/usr/local/bundle/gems/rack-2.0.8/Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    minitest (5.0.0)\n",
        )
        .file("/opt/rubyapp/Gemfile.lock", read("image/Gemfile.lock"))
        .file(
            "/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
            read("host/specifications/default/json-2.6.1.gemspec"),
        )
        .build();
    let c = Catalog::new(vec![Box::new(RubyAnalyzer)], CatalogOptions::default()).expect("catalog");
    let r = c.run(&tree).expect("run");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let got: BTreeSet<(&str, &str, &str)> = r
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.found_in.path.as_str(),
            )
        })
        .collect();
    let lock = "/opt/rubyapp/Gemfile.lock";
    assert_eq!(
        got,
        BTreeSet::from([
            ("crass", "1.0.6", lock),
            ("loofah", "2.2.3", lock),
            ("mini_portile2", "2.4.0", lock),
            (
                "nokogiri",
                "1.10.4",
                "/usr/local/bundle/specifications/nokogiri-1.10.4-x86_64-linux.gemspec"
            ),
            (
                "rack",
                "2.0.8",
                "/usr/local/bundle/specifications/rack-2.0.8.gemspec"
            ),
            ("rails-html-sanitizer", "1.0.3", lock),
            (
                "json",
                "2.6.1",
                "/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec"
            ),
        ])
    );
    let noko = r
        .packages
        .iter()
        .find(|p| p.name == "nokogiri")
        .expect("nokogiri");
    assert_eq!(noko.purl, "pkg:gem/nokogiri@1.10.4?platform=x86_64-linux");
    assert_eq!(noko.properties["lockfile"], lock);
    let json_gem = r.packages.iter().find(|p| p.name == "json").expect("json");
    assert_eq!(json_gem.properties["default-gem"], "true");
    assert_eq!(json_gem.licenses, vec!["Ruby".to_owned()]);
}
