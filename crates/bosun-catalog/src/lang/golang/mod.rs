//! Go modules: build information in Go binaries (inspected as layers
//! stream, by the executable analyzer that also finds cargo-auditable data)
//! and `go.mod` files (kept and parsed after the squash).
//!
//! From a binary: the main module (`main-module` property; `(devel)` when
//! the binary was built from a checkout without a version: kept as written,
//! with no version in the purl, never guessed), every `dep` (the
//! replacement's path and version when a `=>` line replaces it, with the
//! original in `replaces`; a directory replacement keeps the original path
//! with version `(devel)` and the directory in `replace-path`), and the
//! toolchain as `stdlib` with the version as a `v`-prefixed semantic
//! version (`go1.21.5` is `v1.21.5`; see [`buildinfo::stdlib_version`]).
//! Every package gets `go-version` (the toolchain as written); the main
//! module gets the `build` settings as `go-build:KEY` properties. See
//! docs/INVENTORY.md, "Application packages".

pub mod buildinfo;
pub mod exec;
pub mod gomod;

use std::collections::BTreeMap;
use std::io::Read;

use bosun_model::{Ecosystem, Location, Package};
use bosun_tree::{EntryKind, FileMeta};

use crate::Analyzer;
use crate::analyzer::{AnalyzeError, Context, InspectedFile, Output};
use buildinfo::{BuildInfo, Module};

/// The version Go records for a module built from a directory.
pub const DEVEL: &str = "(devel)";

/// Executables smaller than this are not inspected (the smallest Go or
/// Rust binary is far larger; this skips stubs and tiny scripts).
pub const MIN_EXECUTABLE_SIZE: u64 = 4096;

/// File names the Java analyzer streams; an executable bit on them must not
/// make two analyzers want the same stream (the catalog would buffer it).
const ARCHIVE_SUFFIXES: &[&str] = &[".jar", ".war", ".ear", ".jpi", ".hpi", ".zip"];

/// The Go analyzers, and the executable analyzer shared with Rust.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(ExecutableAnalyzer), Box::new(GoModAnalyzer)]
}

/// The golang purl of a module path: the namespace is the path up to its
/// last `/`, the name the last element (both lowercased, as the purl spec
/// says for golang; the package name keeps the module path's case);
/// `(devel)` and empty versions leave the version out.
pub fn golang_purl(path: &str, version: &str) -> Option<String> {
    let (ns, name) = match path.rsplit_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, path),
    };
    let version = Some(version).filter(|v| !v.is_empty() && *v != DEVEL);
    crate::purl::build("golang", ns, name, version, &[])
}

/// The module a requirement resolves to after its replacement, and the
/// properties that say so.
fn effective(
    path: &str,
    version: &str,
    sum: Option<&str>,
    replace: Option<(&str, Option<&str>, Option<&str>)>,
) -> (String, String, BTreeMap<String, String>) {
    let mut props = BTreeMap::new();
    match replace {
        Some((rpath, _, _)) if gomod::is_local_path(rpath) => {
            props.insert("replace-path".into(), rpath.to_owned());
            if !version.is_empty() {
                props.insert("required-version".into(), version.to_owned());
            }
            (path.to_owned(), DEVEL.to_owned(), props)
        }
        Some((rpath, rversion, rsum)) => {
            let original = if version.is_empty() {
                path.to_owned()
            } else {
                format!("{path}@{version}")
            };
            props.insert("replaces".into(), original);
            if let Some(s) = rsum {
                props.insert("checksum".into(), s.to_owned());
            }
            let v = rversion.filter(|v| !v.is_empty()).unwrap_or(DEVEL);
            (rpath.to_owned(), v.to_owned(), props)
        }
        None => {
            if let Some(s) = sum {
                props.insert("checksum".into(), s.to_owned());
            }
            let v = if version.is_empty() { DEVEL } else { version };
            (path.to_owned(), v.to_owned(), props)
        }
    }
}

fn module_package(
    name: String,
    version: String,
    mut props: BTreeMap<String, String>,
    loc: &Location,
    warnings: &mut Vec<String>,
) -> Option<Package> {
    let Some(purl) = golang_purl(&name, &version) else {
        warnings.push(format!("no purl for Go module `{name}` `{version}`"));
        return None;
    };
    let mut p = Package::new(Ecosystem::Golang, name, version, purl, loc.clone());
    p.properties.append(&mut props);
    Some(p)
}

/// The packages a binary's build information declares.
pub fn binary_packages(info: &BuildInfo, loc: &Location) -> (Vec<Package>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut common = BTreeMap::new();
    if !info.go_version.is_empty() {
        common.insert("go-version".to_owned(), info.go_version.clone());
    }
    common.insert("evidence".to_owned(), "go-buildinfo".to_owned());
    if let Some(v) = buildinfo::stdlib_version(&info.go_version) {
        let mut props = common.clone();
        if let Some((_, exp)) = info.go_version.split_once(" X:") {
            props.insert("go-experiment".into(), exp.to_owned());
        }
        out.extend(module_package(
            "stdlib".into(),
            v,
            props,
            loc,
            &mut warnings,
        ));
    }
    if let Some(m) = info.main.as_ref().filter(|m| !m.path.is_empty()) {
        let mut props = common.clone();
        props.insert("main-module".into(), "true".into());
        if let Some(p) = info.path.as_ref().filter(|p| **p != m.path) {
            props.insert("go-main-package".into(), p.clone());
        }
        for (k, v) in &info.settings {
            props.insert(format!("go-build:{k}"), v.clone());
        }
        let version = if m.version.is_empty() {
            DEVEL.to_owned()
        } else {
            m.version.clone()
        };
        if let Some(s) = &m.sum {
            props.insert("checksum".into(), s.clone());
        }
        out.extend(module_package(
            m.path.clone(),
            version,
            props,
            loc,
            &mut warnings,
        ));
    }
    for d in &info.deps {
        let (name, version, mut props) = effective(
            &d.path,
            &d.version,
            d.sum.as_deref(),
            d.replace
                .as_deref()
                .map(|r: &Module| (r.path.as_str(), Some(r.version.as_str()), r.sum.as_deref())),
        );
        let mut all = common.clone();
        all.append(&mut props);
        out.extend(module_package(name, version, all, loc, &mut warnings));
    }
    (out, warnings)
}

/// Go and Rust evidence in executables: one streamed pass per file (see
/// [`exec`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecutableAnalyzer;

const EXEC_NAME: &str = "executable";

impl Analyzer for ExecutableAnalyzer {
    fn name(&self) -> &'static str {
        EXEC_NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        &[]
    }

    fn inspects(&self, path: &str, meta: &FileMeta) -> bool {
        meta.kind == EntryKind::File
            && meta.mode & 0o111 != 0
            && meta.size >= MIN_EXECUTABLE_SIZE
            && !ARCHIVE_SUFFIXES.iter().any(|s| {
                path.len() >= s.len()
                    && path
                        .get(path.len() - s.len()..)
                        .is_some_and(|t| t.eq_ignore_ascii_case(s))
            })
    }

    fn inspect(
        &self,
        file: &InspectedFile<'_>,
        data: &mut dyn Read,
        out: &mut Output,
    ) -> Result<(), AnalyzeError> {
        let found = exec::scan(data).map_err(|e| AnalyzeError::new(EXEC_NAME, file.path, e))?;
        let loc = file.location();
        match found.go {
            Some(Ok(info)) => {
                let (pkgs, warnings) = binary_packages(&info, &loc);
                out.packages.extend(pkgs);
                out.warnings.extend(
                    warnings
                        .into_iter()
                        .map(|w| format!("{EXEC_NAME}: `{}`: {w}", file.path)),
                );
            }
            Some(Err(e)) => out
                .warnings
                .push(format!("{EXEC_NAME}: `{}`: Go {e}", file.path)),
            None => {}
        }
        if let Some(json) = found.rust {
            match crate::lang::rust::auditable::packages(&json, &loc) {
                Ok((pkgs, warnings)) => {
                    out.packages.extend(pkgs);
                    out.warnings.extend(
                        warnings
                            .into_iter()
                            .map(|w| format!("{EXEC_NAME}: `{}`: {w}", file.path)),
                    );
                }
                Err(e) => out
                    .warnings
                    .push(format!("{EXEC_NAME}: `{}`: {e}", file.path)),
            }
        }
        Ok(())
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Output) -> Result<(), AnalyzeError> {
        Ok(())
    }
}

const MOD_NAME: &str = "go-mod";

/// Directories whose go.mod files are downloaded or vendored sources (the
/// module cache, vendor trees), not modules built in the image.
const SKIP_DIRS: &[&str] = &["/pkg/mod/", "/vendor/"];

/// `go.mod` files.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoModAnalyzer;

impl Analyzer for GoModAnalyzer {
    fn name(&self) -> &'static str {
        MOD_NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        &["**/go.mod"]
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError> {
        for (path, node) in cx.tree.iter() {
            if !path.ends_with("/go.mod") || SKIP_DIRS.iter().any(|d| path.contains(d)) {
                continue;
            }
            let Some(bytes) = node.content.as_deref() else {
                continue;
            };
            let m = gomod::parse(bytes);
            for w in &m.warnings {
                out.warnings.push(format!("{MOD_NAME}: `{path}`: {w}"));
            }
            // The Go toolchain's own source tree (modules `std` and `cmd`):
            // its requirements are vendored into the toolchain, which the
            // `stdlib` package of each binary already stands for.
            if matches!(m.module.as_deref(), Some("std" | "cmd")) {
                continue;
            }
            let loc = Location::new(path, Some(node.layer));
            let mut warnings = Vec::new();
            for r in &m.requires {
                // A required version the file also excludes is not built
                // (the go command moves to the next version; Syft drops it).
                if m.excluded(&r.path, &r.version) {
                    continue;
                }
                let rep = m
                    .replacement(&r.path, &r.version)
                    .map(|x| (x.new_path.as_str(), x.new_version.as_deref(), None::<&str>));
                let (name, version, mut props) = effective(&r.path, &r.version, None, rep);
                if r.indirect {
                    props.insert("indirect".into(), "true".into());
                }
                props.insert("evidence".into(), "go.mod".into());
                if let Some(mut p) = module_package(name, version, props, &loc, &mut warnings) {
                    p.introduced_in = Some(node.layer);
                    p.changed_in = Some(node.layer);
                    out.packages.push(p);
                }
            }
            out.warnings.extend(
                warnings
                    .into_iter()
                    .map(|w| format!("{MOD_NAME}: `{path}`: {w}")),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_keep_major_version_suffixes() {
        assert_eq!(
            golang_purl("github.com/cespare/xxhash/v2", "v2.3.0").as_deref(),
            Some("pkg:golang/github.com/cespare/xxhash/v2@v2.3.0")
        );
        // The purl spec lowercases golang namespaces and names (module
        // paths are case-sensitive: the package name keeps the case).
        assert_eq!(
            golang_purl("github.com/BurntSushi/toml", "v1.3.2").as_deref(),
            Some("pkg:golang/github.com/burntsushi/toml@v1.3.2")
        );
        assert_eq!(
            golang_purl("github.com/docker/cli", "v28.0.2+incompatible").as_deref(),
            Some("pkg:golang/github.com/docker/cli@v28.0.2%2Bincompatible")
        );
        assert_eq!(
            golang_purl("example.com/x", DEVEL).as_deref(),
            Some("pkg:golang/example.com/x")
        );
        assert_eq!(
            golang_purl("stdlib", "v1.21.5").as_deref(),
            Some("pkg:golang/stdlib@v1.21.5")
        );
    }

    #[test]
    fn replacements_in_binaries() {
        let text = "path\tex.com/cmd\nmod\tex.com\t(devel)\t\ndep\ta.com/b\tv1.2.0\th1:x=\n=>\tfork.com/b\tv1.2.1\th1:y=\ndep\tc.com/d\tv0.3.0\th1:z=\n=>\t../d\t\t\nbuild\tvcs.revision=abc\n";
        let info = buildinfo::parse_modinfo(text.as_bytes(), "go1.21rc2").expect("modinfo");
        let (pkgs, w) = binary_packages(&info, &Location::new("/bin/x", Some(1)));
        assert!(w.is_empty(), "{w:?}");
        let got: Vec<(&str, &str, &str)> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("stdlib", "v1.21.0-rc.2", "pkg:golang/stdlib@v1.21.0-rc.2"),
                ("ex.com", "(devel)", "pkg:golang/ex.com"),
                ("fork.com/b", "v1.2.1", "pkg:golang/fork.com/b@v1.2.1"),
                ("c.com/d", "(devel)", "pkg:golang/c.com/d"),
            ]
        );
        let prop = |i: usize, k: &str| pkgs[i].properties.get(k).map(String::as_str);
        assert_eq!(prop(1, "main-module"), Some("true"));
        assert_eq!(prop(1, "go-build:vcs.revision"), Some("abc"));
        assert_eq!(prop(1, "go-main-package"), Some("ex.com/cmd"));
        assert_eq!(prop(2, "replaces"), Some("a.com/b@v1.2.0"));
        assert_eq!(prop(2, "checksum"), Some("h1:y="));
        assert_eq!(prop(3, "replace-path"), Some("../d"));
        assert_eq!(prop(3, "required-version"), Some("v0.3.0"));
        assert_eq!(prop(0, "go-version"), Some("go1.21rc2"));
    }

    #[test]
    fn executables_are_chosen_by_mode_size_and_name() {
        let a = ExecutableAnalyzer;
        assert!(a.inspects("/usr/bin/x", &FileMeta::file(10_000, 0o755)));
        assert!(a.inspects("/usr/bin/x", &FileMeta::file(10_000, 0o100)));
        assert!(!a.inspects("/usr/bin/x", &FileMeta::file(10_000, 0o644)));
        assert!(!a.inspects("/usr/bin/x", &FileMeta::file(100, 0o755)));
        assert!(!a.inspects("/opt/app.JAR", &FileMeta::file(10_000, 0o755)));
    }
}
