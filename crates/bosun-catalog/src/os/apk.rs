//! Alpine (and Wolfi) packages: apk-tools' `/lib/apk/db/installed`.
//!
//! The database is a list of stanzas separated by blank lines; each line is
//! `X:value` with a one-letter key: `P` name, `V` version, `A` arch, `o`
//! origin (the source package), `L` licence, `m` maintainer, `U` url, `S`
//! size, `I` installed size, `t` build time, `c` aports commit, `C` checksum,
//! `F` a directory and `R` a file in the last `F` directory. A stanza with a
//! line that is not `X:value`, without `P` or `V`, or with a repeated `P`/`V`
//! is skipped with a warning.

use std::collections::BTreeMap;

use bosun_model::{Ecosystem, Location, Package, SourceRef};
use bosun_tree::{EntryKind, FileTree};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};
use crate::os::dpkg::control::clip;
use crate::os::limits::{MAX_FIELD_LEN, MAX_FILES_PER_PACKAGE, MAX_PACKAGES};
use crate::os::origin::History;
use crate::os::{distro_qualifier, own_distro, text};

const NAME: &str = "apk";
const INSTALLED: &str = "/lib/apk/db/installed";
const GLOBS: &[&str] = &["/lib/apk/db/installed"];

/// The apk analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApkAnalyzer;

/// One installed package as apk-tools records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkEntry {
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
    pub origin: Option<String>,
    pub license: Option<String>,
    /// Other fields bosun records as properties, by property key.
    pub properties: BTreeMap<String, String>,
    /// Files (not directories), absolute.
    pub files: Vec<String>,
    /// 1-based line of the stanza.
    pub line: usize,
}

/// What an apk database held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstalledFile {
    pub entries: Vec<ApkEntry>,
    /// Stanzas skipped, each `line N (package P): why`.
    pub warnings: Vec<String>,
    pub malformed: usize,
}

const FIELD_PROPERTIES: &[(char, &str)] = &[
    ('m', "maintainer"),
    ('U', "url"),
    ('S', "size"),
    ('I', "installed-size"),
    ('t', "build-time"),
    ('c', "commit"),
    ('C', "checksum"),
];

#[derive(Default)]
struct Building {
    entry: ApkEntry,
    dir: Option<String>,
    error: Option<String>,
    started: bool,
    too_many_files: bool,
}

impl Building {
    fn fail(&mut self, msg: String) {
        if self.error.is_none() {
            self.error = Some(msg);
        }
    }

    fn line(&mut self, lineno: usize, line: &str) {
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            self.fail(format!("line {lineno}: not a `X:value` line"));
            return;
        };
        let value = chars.as_str();
        if value.len() > MAX_FIELD_LEN {
            self.fail(format!(
                "line {lineno}: value over the {MAX_FIELD_LEN}-byte limit"
            ));
            return;
        }
        let e = &mut self.entry;
        match key {
            'P' | 'V' => {
                let slot = if key == 'P' {
                    &mut e.name
                } else {
                    &mut e.version
                };
                if !slot.is_empty() {
                    self.fail(format!("line {lineno}: repeated `{key}:` field"));
                    return;
                }
                *slot = value.trim().to_owned();
            }
            'A' => e.arch = Some(value.trim().to_owned()),
            'o' => e.origin = Some(value.trim().to_owned()),
            'L' => e.license = Some(value.trim().to_owned()),
            'F' => self.dir = Some(value.trim_matches('/').to_owned()),
            'R' => {
                if e.files.len() >= MAX_FILES_PER_PACKAGE {
                    self.too_many_files = true;
                    return;
                }
                let path = match self.dir.as_deref() {
                    Some(d) if !d.is_empty() => format!("/{d}/{value}"),
                    _ => format!("/{value}"),
                };
                e.files.push(path);
            }
            k => {
                if let Some((_, prop)) = FIELD_PROPERTIES.iter().find(|(c, _)| *c == k) {
                    e.properties
                        .insert((*prop).to_owned(), value.trim().to_owned());
                }
            }
        }
    }

    fn finish(&mut self, out: &mut InstalledFile) {
        if !self.started {
            return;
        }
        let mut b = std::mem::take(self);
        let who = if b.entry.name.is_empty() {
            String::new()
        } else {
            format!(" (package `{}`)", clip(&b.entry.name))
        };
        let error = b.error.take().or_else(|| {
            if b.entry.name.is_empty() {
                Some("stanza has no `P:` (name) field".to_owned())
            } else if b.entry.version.is_empty() {
                Some("stanza has no `V:` (version) field".to_owned())
            } else {
                None
            }
        });
        match error {
            Some(msg) => {
                out.malformed += 1;
                out.warnings
                    .push(format!("line {}{who}: {msg}", b.entry.line));
            }
            None => {
                if b.too_many_files {
                    out.warnings.push(format!(
                        "line {}{who}: file list cut at {MAX_FILES_PER_PACKAGE} files",
                        b.entry.line
                    ));
                }
                out.entries.push(b.entry);
            }
        }
    }
}

/// Parses an apk `installed` database (see the module documentation).
pub fn parse_installed(bytes: &[u8]) -> InstalledFile {
    let text = text(bytes);
    let mut out = InstalledFile::default();
    let mut cur = Building::default();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            cur.finish(&mut out);
            if out.entries.len() + out.malformed >= MAX_PACKAGES {
                out.warnings
                    .push(format!("stopped after {MAX_PACKAGES} stanzas (limit)"));
                return out;
            }
            continue;
        }
        if !cur.started {
            cur.started = true;
            cur.entry.line = index + 1;
        }
        if cur.error.is_none() {
            cur.line(index + 1, line);
        }
    }
    cur.finish(&mut out);
    out
}

fn listing(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let f = parse_installed(bytes);
    if f.entries.is_empty() && f.malformed > 0 {
        return None;
    }
    Some(f.entries.into_iter().map(|e| (e.name, e.version)).collect())
}

impl Analyzer for ApkAnalyzer {
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
        let tree: &FileTree = cx.tree;
        let path = tree
            .resolve(INSTALLED)
            .map_err(|e| AnalyzeError::new(NAME, INSTALLED, e))?;
        let Some(node) = tree.get(&path) else {
            return Ok(());
        };
        if node.meta.kind != EntryKind::File {
            return Err(AnalyzeError::new(NAME, path, "not a regular file"));
        }
        let Some(bytes) = node.content.as_deref() else {
            return Err(AnalyzeError::new(
                NAME,
                path,
                format!(
                    "the file's bytes were not kept ({} bytes; over the size limit?)",
                    node.meta.size
                ),
            ));
        };
        let file = parse_installed(bytes);
        if file.entries.is_empty() && file.malformed > 0 {
            return Err(AnalyzeError::new(
                NAME,
                path,
                format!(
                    "no stanza could be read ({} malformed; first: {})",
                    file.malformed,
                    file.warnings.first().cloned().unwrap_or_default()
                ),
            ));
        }
        for w in &file.warnings {
            out.warnings.push(format!("{NAME}: `{path}`: {w}"));
        }
        let history = History::of(tree, &path, listing);
        let own = own_distro(
            cx.distro,
            &["alpine", "wolfi", "chainguard", "postmarketos", "adelie"],
        );
        let namespace = own.map_or("alpine", |d| d.id.as_str());
        let distro = distro_qualifier(own);
        for e in file.entries {
            let purl = crate::purl::build(
                "apk",
                Some(namespace),
                &e.name,
                Some(&e.version),
                &[
                    ("arch", e.arch.as_deref().unwrap_or_default()),
                    ("distro", distro.as_str()),
                    ("upstream", e.origin.as_deref().unwrap_or_default()),
                ],
            )
            .unwrap_or_else(|| {
                out.warnings.push(format!(
                    "{NAME}: `{path}`: line {}: no purl for package `{}`",
                    e.line,
                    clip(&e.name)
                ));
                String::new()
            });
            let (introduced, changed) = history.origin(&e.name, &e.version);
            let mut p = Package::new(
                Ecosystem::Apk,
                &e.name,
                &e.version,
                purl,
                Location::new(path.clone(), Some(node.layer)),
            );
            p.arch = e.arch.filter(|a| !a.is_empty());
            p.source = Some(SourceRef {
                name: e
                    .origin
                    .filter(|o| !o.is_empty())
                    .unwrap_or_else(|| e.name.clone()),
                version: None,
            });
            p.licenses = e.license.filter(|l| !l.is_empty()).into_iter().collect();
            p.introduced_in = introduced.or(Some(node.layer));
            p.changed_in = changed.or(Some(node.layer));
            p.properties = e.properties;
            if !e.files.is_empty() {
                p.properties
                    .insert("installed-files".into(), e.files.len().to_string());
            }
            p.files = e.files;
            out.packages.push(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_tree::TreeBuilder;

    const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os/apk");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIX}/{name}")).unwrap_or_else(|e| panic!("{FIX}/{name}: {e}"))
    }

    #[test]
    fn parses_a_real_database() {
        let f = parse_installed(&fixture("scalibr-installed"));
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        assert_eq!(f.entries.len(), 15);
        let base = &f.entries[0];
        assert_eq!(base.name, "alpine-baselayout");
        assert_eq!(base.version, "3.4.3-r1");
        assert_eq!(base.arch.as_deref(), Some("x86_64"));
        assert_eq!(base.origin.as_deref(), Some("alpine-baselayout"));
        assert_eq!(base.license.as_deref(), Some("GPL-2.0-only"));
        assert_eq!(
            base.properties.get("maintainer").map(String::as_str),
            Some("Natanael Copa <ncopa@alpinelinux.org>")
        );
        assert!(
            base.files.contains(&"/etc/motd".to_owned()),
            "{:?}",
            base.files
        );
        assert!(
            base.files
                .contains(&"/etc/modprobe.d/aliases.conf".to_owned())
        );
        assert!(
            !base.files.iter().any(|f| f == "/etc"),
            "directories are not files"
        );
    }

    #[test]
    fn a_corrupt_stanza_is_skipped_alone() {
        let f = parse_installed(&fixture("syft-corrupt-installed"));
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].name, "alpine-baselayout-data");
        assert_eq!(f.malformed, 1);
        assert!(f.warnings[0].starts_with("line 1:"), "{:?}", f.warnings);
    }

    #[test]
    fn stanzas_without_name_or_version_or_with_repeats_are_skipped() {
        let f = parse_installed(b"P:a\n\nV:1\n\nP:b\nV:1\nP:c\n\nP:ok\nV:2\nR:top\n");
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].files, vec!["/top"]);
        assert_eq!(f.malformed, 3, "{:?}", f.warnings);
    }

    #[test]
    fn analyzer_purl_origin_and_layers() {
        let v1 = "P:musl\nV:1.2.4-r1\nA:x86_64\no:musl\nL:MIT\n\n";
        let v2 = "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\nL:MIT\n\nP:musl-utils\nV:1.2.4-r2\nA:x86_64\no:musl\nL:MIT AND BSD-2-Clause\nF:usr/bin\nR:ldd\n\n";
        let tree = TreeBuilder::new()
            .file("/etc/os-release", "ID=alpine\nVERSION_ID=3.18.4\n")
            .file(INSTALLED, v1)
            .layer()
            .file(INSTALLED, v2)
            .build();
        let distro = crate::os::osrelease::detect(&tree);
        let cx = Context {
            tree: &tree,
            distro: distro.as_ref(),
        };
        let mut out = Output::default();
        ApkAnalyzer.analyze(&cx, &mut out).expect("analyze");
        assert_eq!(out.packages.len(), 2);
        let musl = &out.packages[0];
        assert_eq!(
            musl.purl,
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4&upstream=musl"
        );
        assert_eq!((musl.introduced_in, musl.changed_in), (Some(0), Some(1)));
        let utils = &out.packages[1];
        assert_eq!(utils.source.as_ref().map(|s| s.name.as_str()), Some("musl"));
        assert_eq!(utils.licenses, vec!["MIT AND BSD-2-Clause"]);
        assert_eq!(utils.files, vec!["/usr/bin/ldd"]);
        assert_eq!((utils.introduced_in, utils.changed_in), (Some(1), Some(1)));
    }

    #[test]
    fn an_unreadable_database_is_an_error() {
        let tree = TreeBuilder::new().file(INSTALLED, "garbage\n").build();
        let cx = Context {
            tree: &tree,
            distro: None,
        };
        let err = ApkAnalyzer
            .analyze(&cx, &mut Output::default())
            .expect_err("error");
        assert!(err.to_string().contains(INSTALLED), "{err}");
        let empty = TreeBuilder::new().file(INSTALLED, "").build();
        let cx = Context {
            tree: &empty,
            distro: None,
        };
        assert!(ApkAnalyzer.analyze(&cx, &mut Output::default()).is_ok());
    }
}
