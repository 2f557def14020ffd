//! `Gemfile.lock` (and `gems.locked`), as Bundler writes it.
//!
//! Sections start at column 0. In `GEM`, `GIT` and `PATH` sections, the
//! `specs:` lines indented by four spaces are the resolved gems,
//! `name (version)` or `name (version-platform)`; deeper lines are their
//! requirements. A `PATH` section whose `remote` is `.` is the application's
//! own gemspec and is not a dependency. `BUNDLED WITH` gives the Bundler
//! version (the `bundled-with` property). The lockfile does not record
//! Gemfile groups, so no gem is marked development-only.

use crate::lang::common::{Declared, MAX_ENTRIES, Parsed, clip, plausible, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Gem,
    Git,
    Path,
    BundledWith,
    Other,
}

/// Reads a Gemfile.lock.
pub fn parse(bytes: &[u8]) -> Parsed {
    let text = text(bytes);
    let mut out = Parsed::default();
    let mut section = Section::Other;
    let mut remote_is_self = false;
    let mut in_specs = false;
    let mut bundled_with = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            section = match line {
                "GEM" => Section::Gem,
                "GIT" => Section::Git,
                "PATH" => Section::Path,
                "BUNDLED WITH" => Section::BundledWith,
                _ => Section::Other,
            };
            remote_is_self = false;
            in_specs = false;
            continue;
        }
        let body = line.trim_start();
        match section {
            Section::BundledWith => {
                if bundled_with.is_none() && plausible(body) {
                    bundled_with = Some(body.to_owned());
                }
            }
            Section::Gem | Section::Git | Section::Path => {
                if indent == 2 {
                    in_specs = body == "specs:";
                    if let Some(r) = body.strip_prefix("remote:") {
                        remote_is_self = matches!(r.trim(), "." | "./");
                    }
                    continue;
                }
                if indent != 4 || !in_specs || (section == Section::Path && remote_is_self) {
                    continue;
                }
                let Some((name, rest)) = body.split_once(' ') else {
                    out.warnings
                        .push(format!("line {}: `{}`: no version", n + 1, clip(body)));
                    continue;
                };
                let Some(v) = rest
                    .trim()
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                else {
                    out.warnings
                        .push(format!("line {}: `{}`: no (version)", n + 1, clip(body)));
                    continue;
                };
                // Gem versions have no `-`: what follows one is the platform.
                let (version, platform) = match v.split_once('-') {
                    Some((v, p)) => (v, Some(p)),
                    None => (v, None),
                };
                if !plausible(name) || !plausible(version) {
                    out.warnings.push(format!(
                        "line {}: unusable name or version `{}`",
                        n + 1,
                        clip(body)
                    ));
                    continue;
                }
                if out.packages.len() >= MAX_ENTRIES {
                    out.warnings
                        .push(format!("stopped after {MAX_ENTRIES} gems (limit)"));
                    break;
                }
                let mut d = Declared::new(name, version);
                if let Some(p) = platform.filter(|p| plausible(p)) {
                    d.properties.insert("platform".into(), p.to_owned());
                }
                match section {
                    Section::Git => {
                        d.properties.insert("gem-source".into(), "git".into());
                    }
                    Section::Path => {
                        d.properties.insert("gem-source".into(), "path".into());
                    }
                    _ => {}
                }
                out.packages.push(d);
            }
            Section::Other => {}
        }
    }
    if let Some(b) = bundled_with {
        for d in &mut out.packages {
            d.properties.insert("bundled-with".into(), b.clone());
        }
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_platforms_and_bundler() {
        let p = parse(
            b"PATH\n  remote: .\n  specs:\n    myapp (0.1.0)\n\nPATH\n  remote: ../lib\n  specs:\n    lib (1.0)\n\n\
              GIT\n  remote: https://x/y.git\n  revision: abc\n  specs:\n    turbolinks (3.0.0)\n      coffee-rails\n\n\
              GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.10.4-x86_64-linux)\n      mini_portile2 (~> 2.4.0)\n    rack (2.0.8)\n    broken\n\n\
              PLATFORMS\n  ruby\n\nDEPENDENCIES\n  rack (= 2.0.8)\n\nBUNDLED WITH\n   2.1.4\n",
        );
        let got: Vec<(&str, &str, Option<&str>, Option<&str>)> = p
            .packages
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.version.as_str(),
                    d.properties.get("platform").map(String::as_str),
                    d.properties.get("gem-source").map(String::as_str),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("lib", "1.0", None, Some("path")),
                ("turbolinks", "3.0.0", None, Some("git")),
                ("nokogiri", "1.10.4", Some("x86_64-linux"), None),
                ("rack", "2.0.8", None, None),
            ]
        );
        assert!(
            p.packages
                .iter()
                .all(|d| d.properties["bundled-with"] == "2.1.4")
        );
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    }
}
