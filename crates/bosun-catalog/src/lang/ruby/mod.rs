//! Ruby gems: installed specifications and Bundler lockfiles.
//!
//! - Installed: `*.gemspec` files under a `specifications` directory
//!   (RubyGems' `GEM_HOME/specifications/`, its `default/` gems that ship
//!   with Ruby, Debian's `rubygems-integration`, Bundler's
//!   `vendor/bundle`). See [`gemspec`].
//! - Declared: `Gemfile.lock` and `gems.locked`, except the lockfiles that
//!   published gems carry inside their installed directory
//!   (`GEM_HOME/gems/NAME-VERSION/Gemfile.lock`). See [`gemfile_lock`].
//!
//! The purl carries the gem's platform as the `platform` qualifier when it
//! is not `ruby`. A lockfile gem with the same name and version as an
//! installed gem anywhere in the image is folded into it
//! ([`crate::lang::common::fold`]).

pub mod gemfile_lock;
pub mod gemspec;

use bosun_model::{Ecosystem, Package};
use bosun_tree::{EntryKind, FileTree, path as tpath};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};
use crate::lang::common::{Declared, Origin, fold, to_package};

const NAME: &str = "ruby";

const GLOBS: &[&str] = &[
    "**/specifications/*.gemspec",
    "**/Gemfile.lock",
    "**/gems.locked",
];

/// The Ruby analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RubyAnalyzer;

/// The Ruby analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(RubyAnalyzer)]
}

/// What kind of Ruby evidence a path is, from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Installed,
    Lockfile,
}

/// Classifies a path.
pub fn classify(path: &str) -> Option<Evidence> {
    let name = tpath::file_name(path);
    if name.ends_with(".gemspec") && name.len() > ".gemspec".len() {
        let under_specs = tpath::parent(path)
            .split('/')
            .any(|c| c == "specifications");
        return under_specs.then_some(Evidence::Installed);
    }
    matches!(name, "Gemfile.lock" | "gems.locked").then_some(Evidence::Lockfile)
}

/// Whether a lockfile sits inside an installed gem's directory:
/// `X/gems/NAME/...` where `X/specifications` exists.
fn inside_installed_gem(tree: &FileTree, path: &str) -> bool {
    let mut dir = tpath::parent(path);
    while dir != "/" {
        let parent = tpath::parent(dir);
        if tpath::file_name(parent) == "gems" {
            let home = tpath::parent(parent);
            let specs = if home == "/" {
                "/specifications".to_owned()
            } else {
                format!("{home}/specifications")
            };
            // Image tars need not list directories: a file below counts.
            if tree.get(&specs).is_some_and(|n| n.meta.is_dir())
                || tree.iter_under(&specs).next().is_some()
            {
                return true;
            }
        }
        dir = parent;
    }
    false
}

fn purl(d: &Declared) -> Option<String> {
    let platform = d
        .properties
        .get("platform")
        .map(String::as_str)
        .unwrap_or("");
    crate::purl::build(
        "gem",
        None,
        &d.name,
        Some(&d.version),
        &[("platform", platform)],
    )
}

impl Analyzer for RubyAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        GLOBS
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError> {
        let mut installed: Vec<Package> = Vec::new();
        let mut locked: Vec<Package> = Vec::new();
        for (path, node) in cx.tree.iter() {
            let Some(bytes) = node.content.as_deref() else {
                continue;
            };
            if node.meta.kind != EntryKind::File {
                continue;
            }
            let at = Origin {
                path,
                layer: node.layer,
            };
            let (decls, into) = match classify(path) {
                Some(Evidence::Installed) => match gemspec::parse(bytes) {
                    Ok(g) => {
                        let mut d = Declared::new(g.name, g.version);
                        d.licenses = g.licenses;
                        if let Some(p) = g.platform {
                            d.properties.insert("platform".into(), p);
                        }
                        if tpath::file_name(tpath::parent(path)) == "default" {
                            d.properties.insert("default-gem".into(), "true".into());
                        }
                        (vec![d], &mut installed)
                    }
                    Err(e) => {
                        out.warnings.push(format!("{NAME}: skipped `{path}`: {e}"));
                        continue;
                    }
                },
                Some(Evidence::Lockfile) => {
                    if inside_installed_gem(cx.tree, path) {
                        continue;
                    }
                    let p = gemfile_lock::parse(bytes);
                    for w in p.warnings {
                        out.warnings.push(format!("{NAME}: `{path}`: {w}"));
                    }
                    (p.packages, &mut locked)
                }
                None => continue,
            };
            for d in decls {
                let label = format!("{} {}", d.name, d.version);
                let purl = purl(&d);
                match to_package(Ecosystem::Gem, d, purl, at) {
                    Some(p) => into.push(p),
                    None => out
                        .warnings
                        .push(format!("{NAME}: `{path}`: no purl for `{label}`")),
                }
            }
        }
        let rest = fold(&mut installed, locked, |_, _| true);
        out.packages.append(&mut installed);
        out.packages.extend(rest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_tree::TreeBuilder;

    #[test]
    fn classification_by_path() {
        for (path, want) in [
            (
                "/usr/lib/ruby/gems/3.1.0/specifications/rexml-3.3.9.gemspec",
                Some(Evidence::Installed),
            ),
            (
                "/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
                Some(Evidence::Installed),
            ),
            ("/app/myapp.gemspec", None),
            ("/app/Gemfile.lock", Some(Evidence::Lockfile)),
            ("/app/gems.locked", Some(Evidence::Lockfile)),
        ] {
            assert_eq!(classify(path), want, "{path}");
        }
    }

    #[test]
    fn lockfiles_inside_installed_gems_are_not_the_application() {
        let tree = TreeBuilder::new()
            .dir("/usr/local/bundle/specifications")
            .file("/usr/local/bundle/gems/rack-2.0.8/Gemfile.lock", "")
            .file("/vendor/bundle/ruby/3.1.0/specifications/x-1.gemspec", "")
            .file("/vendor/bundle/ruby/3.1.0/gems/x-1/Gemfile.lock", "")
            .file("/srv/gems/app/Gemfile.lock", "")
            .build();
        assert!(inside_installed_gem(
            &tree,
            "/usr/local/bundle/gems/rack-2.0.8/Gemfile.lock"
        ));
        assert!(inside_installed_gem(
            &tree,
            "/vendor/bundle/ruby/3.1.0/gems/x-1/Gemfile.lock"
        ));
        assert!(!inside_installed_gem(&tree, "/srv/gems/app/Gemfile.lock"));
    }

    #[test]
    fn platform_qualifier() {
        let mut d = Declared::new("nokogiri", "1.10.4");
        assert_eq!(purl(&d).as_deref(), Some("pkg:gem/nokogiri@1.10.4"));
        d.properties
            .insert("platform".into(), "x86_64-linux".into());
        assert_eq!(
            purl(&d).as_deref(),
            Some("pkg:gem/nokogiri@1.10.4?platform=x86_64-linux")
        );
    }
}
