//! Debian packages: dpkg's `status` database and distroless `status.d/`.
//!
//! - `/var/lib/dpkg/status`: every stanza whose `Status` is not
//!   `not-installed`, which is exactly what `dpkg-query -W` lists (it also
//!   lists `config-files`, `half-installed`, `unpacked`... packages; those get
//!   a `dpkg-status` property so matching can tell). A stanza without
//!   `Status` counts as not installed, as in dpkg.
//! - `/var/lib/dpkg/status.d/*` (distroless): one or more stanzas per file,
//!   usually without `Status`; control-file companions (`*.md5sums`,
//!   `*.preinst`...) are not stanza files. A file's `NAME.md5sums` beside it
//!   gives the package's files.
//! - Files: `/var/lib/dpkg/info/NAME:ARCH.list`, else `NAME.list`, without
//!   the directories (paths that are directories in the image, or that other
//!   paths of the list live under).
//! - Licences: `/usr/share/doc/NAME/copyright` (see [`crate::os::license`]).

pub mod control;

use std::collections::{BTreeMap, HashMap, HashSet};

use bosun_model::{Ecosystem, Location, Package, SourceRef};
use bosun_tree::{EntryKind, FileTree, path as tpath};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};
use crate::os::limits::MAX_FILES_PER_PACKAGE;
use crate::os::origin::History;
use crate::os::{distro_qualifier, license, own_distro, text};
use control::clip;

const NAME: &str = "dpkg";
const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d";
const INFO: &str = "/var/lib/dpkg/info";

const GLOBS: &[&str] = &[
    "/var/lib/dpkg/status",
    "/var/lib/dpkg/status.d/*",
    "/var/lib/dpkg/info/*.list",
    "/usr/share/doc/*/copyright",
];

/// Suffixes of dpkg control files that may sit in `status.d/` beside the
/// stanza files.
const CONTROL_SUFFIXES: &[&str] = &[
    ".md5sums",
    ".conffiles",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".triggers",
    ".shlibs",
    ".symbols",
    ".templates",
    ".config",
    ".list",
];

/// The dpkg analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct DpkgAnalyzer;

/// One installed package as a dpkg database records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgEntry {
    pub name: String,
    pub version: String,
    /// Empty when the stanza has no `Architecture`.
    pub arch: String,
    /// `Source` name, when the field is present.
    pub source: Option<String>,
    /// The `(version)` of a `Source: name (version)` field.
    pub source_version: Option<String>,
    /// The `Status` field, when present.
    pub status: Option<String>,
    /// Other fields bosun records as properties, by property key.
    pub properties: BTreeMap<String, String>,
    /// 1-based line of the stanza in its file.
    pub line: usize,
}

impl DpkgEntry {
    /// `name:arch`, the key dpkg itself uses for a package instance.
    pub fn key(&self) -> String {
        format!("{}:{}", self.name, self.arch)
    }

    /// Whether the status is the plain "install ok installed" (or absent,
    /// as in distroless `status.d`).
    pub fn fully_installed(&self) -> bool {
        self.status.as_deref().is_none_or(|s| {
            s.split_whitespace().collect::<Vec<_>>() == ["install", "ok", "installed"]
        })
    }
}

/// What a dpkg database file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusFile {
    pub entries: Vec<DpkgEntry>,
    /// Stanzas skipped, each `line N (package P): why`.
    pub warnings: Vec<String>,
    /// Stanzas of packages that are not installed (purged, or no Status).
    pub not_installed: usize,
    /// Stanzas that failed to parse or lacked required fields.
    pub malformed: usize,
}

/// Which file a stanza came from: dpkg's `status` (a missing `Status` means
/// not installed) or a distroless `status.d` file (presence means installed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Status,
    StatusD,
}

/// Property keys taken from stanza fields.
const FIELD_PROPERTIES: &[(&str, &str)] = &[
    ("Maintainer", "maintainer"),
    ("Installed-Size", "installed-size"),
    ("Section", "section"),
    ("Priority", "priority"),
    ("Multi-Arch", "multi-arch"),
    ("Homepage", "homepage"),
];

/// Parses a dpkg database file into the packages `dpkg-query -W` would list.
pub fn parse_status(bytes: &[u8], flavor: Flavor) -> StatusFile {
    let text = text(bytes);
    let parsed = control::parse(&text);
    let mut out = StatusFile::default();
    for e in &parsed.errors {
        out.malformed += 1;
        out.warnings.push(match &e.package {
            Some(p) => format!("line {} (package `{}`): {}", e.line, clip(p), e.message),
            None => format!("line {}: {}", e.line, e.message),
        });
    }
    if parsed.truncated {
        out.warnings.push(format!(
            "stopped after {} stanzas (limit)",
            crate::os::limits::MAX_PACKAGES
        ));
    }
    for s in parsed.stanzas {
        let Some(name) = s.first_line("Package") else {
            out.malformed += 1;
            out.warnings
                .push(format!("line {}: stanza has no Package field", s.line));
            continue;
        };
        let status = s.first_line("Status").map(str::to_owned);
        match (&status, flavor) {
            (None, Flavor::Status) => {
                out.not_installed += 1;
                continue;
            }
            (Some(st), _) => {
                let words: Vec<&str> = st.split_whitespace().collect();
                if words.len() != 3 {
                    out.malformed += 1;
                    out.warnings.push(format!(
                        "line {} (package `{}`): Status `{}` is not `want flag status`",
                        s.line,
                        clip(name),
                        clip(st)
                    ));
                    continue;
                }
                if words.get(2) == Some(&"not-installed") {
                    out.not_installed += 1;
                    continue;
                }
            }
            (None, Flavor::StatusD) => {}
        }
        let Some(version) = s.first_line("Version") else {
            out.malformed += 1;
            out.warnings.push(format!(
                "line {} (package `{}`): no Version field",
                s.line,
                clip(name)
            ));
            continue;
        };
        let (source, source_version) = match s.first_line("Source") {
            Some(src) => {
                let (n, v) = split_source(src);
                (Some(n.to_owned()), v.map(str::to_owned))
            }
            None => (None, None),
        };
        let mut properties = BTreeMap::new();
        for (field, key) in FIELD_PROPERTIES {
            if let Some(v) = s.first_line(field) {
                properties.insert((*key).to_owned(), v.to_owned());
            }
        }
        out.entries.push(DpkgEntry {
            name: name.to_owned(),
            version: version.to_owned(),
            arch: s.first_line("Architecture").unwrap_or_default().to_owned(),
            source,
            source_version,
            status,
            properties,
            line: s.line,
        });
    }
    out
}

/// `glibc (2.36-9)` -> (`glibc`, `Some("2.36-9")`); `glibc` -> (`glibc`, `None`).
pub fn split_source(field: &str) -> (&str, Option<&str>) {
    let field = field.trim();
    match field.split_once('(') {
        Some((name, rest)) => {
            let version = rest.split(')').next().unwrap_or_default().trim();
            (name.trim(), (!version.is_empty()).then_some(version))
        }
        None => (field.split_whitespace().next().unwrap_or_default(), None),
    }
}

/// The paths of a `.list` file (or `.md5sums` file, `md5  path` lines),
/// absolute, without `/.` and without directories: paths `is_dir` says are
/// directories, or that the next line lives under.
pub fn list_files(bytes: &[u8], md5sums: bool, is_dir: impl Fn(&str) -> bool) -> Vec<String> {
    let text = text(bytes);
    let paths: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim_end_matches('\r');
            let p = if md5sums {
                // `d41d8cd98f00b204e9800998ecf8427e  usr/share/doc/x/copyright`
                l.split_once(char::is_whitespace)?.1.trim_start()
            } else {
                l
            };
            if p.is_empty() || p == "/." || p == "." {
                return None;
            }
            Some(if p.starts_with('/') {
                p.to_owned()
            } else {
                format!("/{p}")
            })
        })
        .take(MAX_FILES_PER_PACKAGE + 1)
        .collect();
    // In sorted order, the paths under `p` are exactly those from the first
    // one at or after `p/` on, so one ordered lookup per path suffices.
    let sorted: std::collections::BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let has_children = |p: &str| {
        let prefix = format!("{p}/");
        sorted
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|n| n.starts_with(&prefix))
    };
    let mut out = Vec::with_capacity(paths.len());
    for p in paths.iter().take(MAX_FILES_PER_PACKAGE) {
        if has_children(p) || is_dir(p) {
            continue;
        }
        out.push(p.clone());
    }
    out
}

/// Lists `(name:arch, version)` of an installed-package file, for origin layers.
fn listing(flavor: Flavor) -> impl Fn(&[u8]) -> Option<Vec<(String, String)>> {
    move |bytes| {
        let f = parse_status(bytes, flavor);
        if f.entries.is_empty() && f.malformed > 0 {
            return None;
        }
        Some(
            f.entries
                .into_iter()
                .map(|e| (e.key(), e.version))
                .collect(),
        )
    }
}

/// The kept bytes of a regular file at an exact (resolved) path, or an error
/// naming why the database cannot be read.
fn database_bytes<'t>(
    tree: &'t FileTree,
    path: &str,
) -> Result<Option<(&'t [u8], usize)>, AnalyzeError> {
    let Some(node) = tree.get(path) else {
        return Ok(None);
    };
    match node.meta.kind {
        EntryKind::File => match node.content.as_deref() {
            Some(b) => Ok(Some((b, node.layer))),
            None => Err(AnalyzeError::new(
                NAME,
                path,
                format!(
                    "the file's bytes were not kept ({} bytes; over the size limit?)",
                    node.meta.size
                ),
            )),
        },
        EntryKind::Dir => Ok(None),
        _ => Err(AnalyzeError::new(NAME, path, "not a regular file")),
    }
}

impl Analyzer for DpkgAnalyzer {
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
        let tree = cx.tree;
        let mut seen: HashSet<(String, String, String)> = HashSet::new();
        let mut licenses = LicenseCache::default();

        // The main status file.
        let status_path = tree
            .resolve(STATUS)
            .map_err(|e| AnalyzeError::new(NAME, STATUS, e))?;
        if let Some((bytes, layer)) = database_bytes(tree, &status_path)? {
            let file = parse_status(bytes, Flavor::Status);
            check_readable(&status_path, bytes, &file)?;
            warn_all(out, &status_path, &file.warnings);
            let history = History::of(tree, &status_path, listing(Flavor::Status));
            let info_dir = tree.resolve(INFO).unwrap_or_else(|_| INFO.to_owned());
            for e in file.entries {
                if !seen.insert((e.name.clone(), e.arch.clone(), e.version.clone())) {
                    continue;
                }
                let files = info_list(tree, &info_dir, &e);
                let p = package(
                    cx,
                    &e,
                    Location::new(status_path.clone(), Some(layer)),
                    history.origin(&e.key(), &e.version),
                    files,
                    &mut licenses,
                    out,
                );
                out.packages.push(p);
            }
        }

        // Distroless: one file per package (or a few).
        let status_d = tree
            .resolve(STATUS_D)
            .map_err(|e| AnalyzeError::new(NAME, STATUS_D, e))?;
        let stanza_files: Vec<String> = tree
            .iter_under(&status_d)
            .filter(|(p, n)| {
                tpath::parent(p) == status_d
                    && n.meta.kind == EntryKind::File
                    && !CONTROL_SUFFIXES.iter().any(|s| p.ends_with(s))
            })
            .map(|(p, _)| p.to_owned())
            .collect();
        for path in stanza_files {
            let Some((bytes, layer)) = database_bytes(tree, &path)? else {
                continue;
            };
            let file = parse_status(bytes, Flavor::StatusD);
            if file.entries.is_empty() && file.malformed > 0 {
                out.warnings.push(format!(
                    "{NAME}: `{path}`: skipped: no package stanza could be read"
                ));
                continue;
            }
            warn_all(out, &path, &file.warnings);
            let history = History::of(tree, &path, listing(Flavor::StatusD));
            let md5 = format!("{path}.md5sums");
            let files = tree
                .read(&md5)
                .map(|b| list_files(b, true, |p| is_dir(tree, p)))
                .unwrap_or_default();
            let single = file.entries.len() == 1;
            for e in file.entries {
                if !seen.insert((e.name.clone(), e.arch.clone(), e.version.clone())) {
                    continue;
                }
                let p = package(
                    cx,
                    &e,
                    Location::new(path.clone(), Some(layer)),
                    history.origin(&e.key(), &e.version),
                    if single { files.clone() } else { Vec::new() },
                    &mut licenses,
                    out,
                );
                out.packages.push(p);
            }
        }
        Ok(())
    }
}

/// A whole database that yields nothing but errors is unreadable.
fn check_readable(path: &str, bytes: &[u8], file: &StatusFile) -> Result<(), AnalyzeError> {
    if file.entries.is_empty() && file.malformed > 0 && file.not_installed == 0 {
        let first = file.warnings.first().cloned().unwrap_or_default();
        return Err(AnalyzeError::new(
            NAME,
            path,
            format!(
                "no stanza of {} bytes could be read ({} malformed; first: {first})",
                bytes.len(),
                file.malformed
            ),
        ));
    }
    Ok(())
}

fn warn_all(out: &mut Output, path: &str, warnings: &[String]) {
    for w in warnings {
        out.warnings.push(format!("{NAME}: `{path}`: {w}"));
    }
}

fn is_dir(tree: &FileTree, path: &str) -> bool {
    tree.get(path).is_some_and(|n| n.meta.is_dir())
}

/// The files of a package from `info/NAME:ARCH.list` or `info/NAME.list`.
fn info_list(tree: &FileTree, info_dir: &str, e: &DpkgEntry) -> Vec<String> {
    let mut candidates = Vec::with_capacity(2);
    if !e.arch.is_empty() {
        candidates.push(format!("{info_dir}/{}:{}.list", e.name, e.arch));
    }
    candidates.push(format!("{info_dir}/{}.list", e.name));
    candidates
        .iter()
        .find_map(|c| tree.read(c))
        .map(|b| list_files(b, false, |p| is_dir(tree, p)))
        .unwrap_or_default()
}

/// Licences per resolved copyright path (doc directories are often symlinks
/// to another package's).
#[derive(Default)]
struct LicenseCache(HashMap<String, Vec<String>>);

impl LicenseCache {
    fn get(&mut self, tree: &FileTree, name: &str) -> Vec<String> {
        let path = format!("/usr/share/doc/{name}/copyright");
        let Ok(resolved) = tree.resolve(&path) else {
            return Vec::new();
        };
        if let Some(l) = self.0.get(&resolved) {
            return l.clone();
        }
        let l = tree
            .get(&resolved)
            .and_then(|n| n.content.as_deref())
            .map(license::from_debian_copyright)
            .unwrap_or_default();
        self.0.insert(resolved, l.clone());
        l
    }
}

fn package(
    cx: &Context<'_>,
    e: &DpkgEntry,
    found_in: Location,
    (introduced, changed): (Option<usize>, Option<usize>),
    files: Vec<String>,
    licenses: &mut LicenseCache,
    out: &mut Output,
) -> Package {
    let own = own_distro(cx.distro, &["debian", "ubuntu"]);
    let namespace = own.map_or("debian", |d| d.id.as_str());
    let distro = distro_qualifier(own);
    let upstream = match (&e.source, &e.source_version) {
        (Some(n), Some(v)) => format!("{n}@{v}"),
        (Some(n), None) => n.clone(),
        _ => String::new(),
    };
    let purl = crate::purl::build(
        "deb",
        Some(namespace),
        &e.name,
        Some(&e.version),
        &[
            ("arch", e.arch.as_str()),
            ("distro", distro.as_str()),
            ("upstream", upstream.as_str()),
        ],
    );
    let purl = purl.unwrap_or_else(|| {
        out.warnings.push(format!(
            "{NAME}: `{}`: line {}: no purl for package `{}`",
            found_in.path,
            e.line,
            clip(&e.name)
        ));
        String::new()
    });
    let layer = found_in.layer;
    let mut p = Package::new(Ecosystem::Deb, &e.name, &e.version, purl, found_in);
    p.arch = (!e.arch.is_empty()).then(|| e.arch.clone());
    let source_name = e.source.clone().unwrap_or_else(|| e.name.clone());
    p.source = Some(SourceRef {
        name: source_name,
        version: e.source_version.clone().filter(|v| *v != e.version),
    });
    p.licenses = licenses.get(cx.tree, &e.name);
    p.introduced_in = introduced.or(layer);
    p.changed_in = changed.or(layer);
    p.properties = e.properties.clone();
    if !e.fully_installed()
        && let Some(st) = &e.status
    {
        p.properties.insert("dpkg-status".into(), st.clone());
    }
    if !files.is_empty() {
        p.properties
            .insert("installed-files".into(), files.len().to_string());
    }
    p.files = files;
    p
}

#[cfg(test)]
mod tests;
