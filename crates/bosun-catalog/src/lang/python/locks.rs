//! Python lockfiles: `Pipfile.lock` (JSON), `poetry.lock` and `uv.lock`
//! (TOML).
//!
//! - Pipfile.lock: `default` and `develop` maps; a `develop` package is
//!   development-only unless `default` has it too. Entries without a
//!   `==version` (paths, VCS checkouts) are skipped.
//! - poetry.lock: every `[[package]]`. Lock format 2.1 lists the groups
//!   that need each package (`groups = ["main"]`): a package outside `main`
//!   is development-only. Format 1.x says `category = "dev"`. Format 2.0
//!   says neither, so the `pyproject.toml` beside it (when present) gives
//!   the roots: `[tool.poetry.dependencies]` and
//!   `[project].dependencies` are the main group, `dev-dependencies` and
//!   every other `[tool.poetry.group.*]` are development groups, and a
//!   package is development-only when only development roots reach it
//!   through the lock's `[package.dependencies]`.
//! - uv.lock: every `[[package]]` except the workspace's own projects
//!   (`source = { virtual = ... }` or `{ editable = ... }`), which are the
//!   roots: their `dependencies` and `optional-dependencies` are the main
//!   graph, their `dev-dependencies` groups the development graph.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::lang::common::{
    BoundedMap, BoundedSeq, Declared, LangError, MAX_ENTRIES, MaybeString, Parsed, clip,
    cut_warning, dev_only, plausible, utf8,
};
use crate::lang::python::metadata::normalize;

/// Largest TOML lockfile parsed: the TOML reader builds the whole document
/// in memory first. 16 MiB is several thousand packages with all their
/// wheel hashes.
pub const MAX_TOML_BYTES: usize = 16 << 20;

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: BoundedMap<PipEntry>,
    #[serde(default)]
    develop: BoundedMap<PipEntry>,
}

#[derive(Deserialize, Default)]
struct PipEntry {
    #[serde(default)]
    version: MaybeString,
}

/// Reads a `Pipfile.lock`.
pub fn parse_pipfile_lock(bytes: &[u8]) -> Result<Parsed, LangError> {
    let lock: PipfileLock = serde_json::from_slice(bytes).map_err(LangError::json)?;
    let mut out = Parsed::default();
    for (section, map, dev) in [
        ("default", lock.default, false),
        ("develop", lock.develop, true),
    ] {
        out.warnings.extend(cut_warning(section, map.dropped));
        for (name, e) in map.entries {
            let Some(v) = e.version.as_deref() else {
                continue;
            };
            let Some(v) = v.trim().strip_prefix("==") else {
                continue;
            };
            let v = v.trim_start_matches('=').trim();
            if !plausible(v) || !plausible(&name) {
                out.warnings.push(format!(
                    "{section}: `{}`: unusable name or version `{}`",
                    clip(&name),
                    clip(v)
                ));
                continue;
            }
            out.packages.push(named(&name, v, dev));
        }
    }
    out.dedup();
    Ok(out)
}

fn named(name: &str, version: &str, dev: bool) -> Declared {
    let norm = normalize(name);
    let mut d = Declared::new(norm.clone(), version);
    d.dev = dev;
    if norm != name {
        d.properties.insert("declared-name".into(), name.to_owned());
    }
    d
}

/// The text of a TOML lockfile, cut before the `[[package]]` header that
/// would exceed [`MAX_ENTRIES`], and checked against [`MAX_TOML_BYTES`].
fn toml_text<'a>(bytes: &'a [u8], out: &mut Parsed) -> Result<&'a str, LangError> {
    let text = utf8(bytes)?;
    let mut count = 0usize;
    let mut offset = 0usize;
    let mut cut = None;
    for line in text.split_inclusive('\n') {
        if line.trim() == "[[package]]" {
            count += 1;
            if count > MAX_ENTRIES {
                cut = Some(offset);
                break;
            }
        }
        offset += line.len();
    }
    let text = match cut {
        Some(at) => {
            out.warnings.push(format!(
                "stopped after {MAX_ENTRIES} packages (limit); the rest is not read"
            ));
            text.get(..at).unwrap_or(text)
        }
        None => text,
    };
    if text.len() > MAX_TOML_BYTES {
        return Err(LangError::Unsupported(format!(
            "{} bytes is over the {MAX_TOML_BYTES}-byte limit for TOML lockfiles",
            text.len()
        )));
    }
    Ok(text)
}

fn toml_error(e: toml::de::Error) -> LangError {
    // The message includes a snippet of the offending line; keep it short.
    let msg = e.message().to_owned();
    LangError::Toml(match e.span() {
        Some(s) => format!("{} (at byte {})", clip(&msg), s.start),
        None => clip(&msg),
    })
}

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: BoundedSeq<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    #[serde(default)]
    name: MaybeString,
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    category: MaybeString,
    /// Lock format 2.1: the dependency groups that need the package.
    #[serde(default)]
    groups: Option<BoundedSeq<MaybeString>>,
    #[serde(default)]
    dependencies: BoundedMap<IgnoredAny>,
}

#[derive(Deserialize, Default)]
struct PyProject {
    #[serde(default)]
    tool: Option<PyTool>,
    #[serde(default)]
    project: Option<PyProjectTable>,
}

#[derive(Deserialize, Default)]
struct PyTool {
    #[serde(default)]
    poetry: Option<PoetryTool>,
}

#[derive(Deserialize, Default)]
struct PoetryTool {
    #[serde(default)]
    dependencies: BoundedMap<IgnoredAny>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BoundedMap<IgnoredAny>,
    #[serde(default)]
    group: BoundedMap<PoetryGroup>,
}

#[derive(Deserialize, Default)]
struct PoetryGroup {
    #[serde(default)]
    dependencies: BoundedMap<IgnoredAny>,
}

#[derive(Deserialize, Default)]
struct PyProjectTable {
    #[serde(default)]
    dependencies: BoundedSeq<MaybeString>,
}

/// Root package names (normalized) of a project: main and development.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roots {
    pub main: Vec<String>,
    pub dev: Vec<String>,
}

/// The main and development roots a `pyproject.toml` declares for Poetry.
/// `None` when it has no Poetry or project dependencies.
pub fn poetry_roots(bytes: &[u8]) -> Result<Option<Roots>, LangError> {
    let text = utf8(bytes)?;
    if text.len() > MAX_TOML_BYTES {
        return Err(LangError::Unsupported("pyproject.toml is too large".into()));
    }
    let p: PyProject = toml::from_str(text).map_err(toml_error)?;
    let mut main = Vec::new();
    let mut dev = Vec::new();
    if let Some(proj) = p.project {
        for req in proj
            .dependencies
            .items
            .iter()
            .filter_map(MaybeString::as_deref)
        {
            let end = req
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                .unwrap_or(req.len());
            if let Some(n) = req.get(..end).filter(|n| !n.is_empty()) {
                main.push(normalize(n));
            }
        }
    }
    let Some(poetry) = p.tool.and_then(|t| t.poetry) else {
        return Ok((!main.is_empty()).then_some(Roots { main, dev }));
    };
    main.extend(
        poetry
            .dependencies
            .entries
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("python"))
            .map(|(n, _)| normalize(n)),
    );
    dev.extend(
        poetry
            .dev_dependencies
            .entries
            .iter()
            .map(|(n, _)| normalize(n)),
    );
    for (group, g) in &poetry.group.entries {
        let names = g.dependencies.entries.iter().map(|(n, _)| normalize(n));
        if group == "main" {
            main.extend(names);
        } else {
            dev.extend(names);
        }
    }
    Ok(Some(Roots { main, dev }))
}

/// Reads a `poetry.lock`; `pyproject` is the `pyproject.toml` beside it, if
/// any, used for development groups when the lock has no categories.
pub fn parse_poetry_lock(bytes: &[u8], pyproject: Option<&[u8]>) -> Result<Parsed, LangError> {
    let mut out = Parsed::default();
    let text = toml_text(bytes, &mut out)?;
    let lock: PoetryLock = toml::from_str(text).map_err(toml_error)?;
    out.warnings
        .extend(cut_warning("[[package]]", lock.package.dropped));
    let pkgs = lock.package.items;
    let has_groups = pkgs.iter().any(|p| p.groups.is_some());
    let has_category = pkgs.iter().any(|p| p.category.0.is_some());
    let mut dev = vec![false; pkgs.len()];
    if has_groups {
        for (d, p) in dev.iter_mut().zip(&pkgs) {
            *d = p.groups.as_ref().is_some_and(|g| {
                !g.items.is_empty() && !g.items.iter().any(|x| x.as_deref() == Some("main"))
            });
        }
    } else if has_category {
        for (d, p) in dev.iter_mut().zip(&pkgs) {
            *d = p.category.as_deref() == Some("dev");
        }
    } else if let Some(py) = pyproject {
        match poetry_roots(py) {
            Ok(Some(Roots { main, dev: devs })) => {
                let names: Vec<String> = pkgs
                    .iter()
                    .map(|p| normalize(p.name.as_deref().unwrap_or_default()))
                    .collect();
                dev = graph_dev(&names, &main, &devs, |i| {
                    pkgs.get(i)
                        .map(|p| {
                            p.dependencies
                                .entries
                                .iter()
                                .map(|(n, _)| normalize(n))
                                .collect()
                        })
                        .unwrap_or_default()
                });
            }
            Ok(None) => {}
            Err(e) => out.warnings.push(format!(
                "pyproject.toml beside it not read ({e}); no package is marked development-only"
            )),
        }
    }
    for (i, p) in pkgs.iter().enumerate() {
        let (Some(name), Some(version)) = (p.name.as_deref(), p.version.as_deref()) else {
            out.warnings
                .push(format!("[[package]] #{}: no name or version", i + 1));
            continue;
        };
        if !plausible(name) || !plausible(version) {
            out.warnings.push(format!(
                "[[package]] #{}: unusable name or version `{}` `{}`",
                i + 1,
                clip(name),
                clip(version)
            ));
            continue;
        }
        out.packages
            .push(named(name, version, dev.get(i).copied().unwrap_or(false)));
    }
    out.dedup();
    Ok(out)
}

/// Development-only flags over packages named `names` (normalized), with
/// edges given by `deps(i)` (normalized names) and roots by name.
fn graph_dev(
    names: &[String],
    main: &[String],
    dev: &[String],
    deps: impl Fn(usize) -> Vec<String>,
) -> Vec<bool> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        by_name.entry(n.as_str()).or_default().push(i);
    }
    let resolve = |ns: &[String]| -> Vec<usize> {
        ns.iter()
            .flat_map(|n| by_name.get(n.as_str()).cloned().unwrap_or_default())
            .collect()
    };
    let edges: Vec<Vec<usize>> = (0..names.len()).map(|i| resolve(&deps(i))).collect();
    dev_only(&edges, &resolve(main), &resolve(dev))
}

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: BoundedSeq<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    #[serde(default)]
    name: MaybeString,
    #[serde(default)]
    version: MaybeString,
    #[serde(default)]
    source: BoundedMap<IgnoredAny>,
    #[serde(default)]
    dependencies: BoundedSeq<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BoundedMap<BoundedSeq<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BoundedMap<BoundedSeq<UvDep>>,
}

#[derive(Deserialize)]
struct UvDep {
    #[serde(default)]
    name: MaybeString,
}

fn dep_names(seq: &BoundedSeq<UvDep>) -> impl Iterator<Item = String> + '_ {
    seq.items
        .iter()
        .filter_map(|d| d.name.as_deref().map(normalize))
}

/// Reads a `uv.lock`.
pub fn parse_uv_lock(bytes: &[u8]) -> Result<Parsed, LangError> {
    let mut out = Parsed::default();
    let text = toml_text(bytes, &mut out)?;
    let lock: UvLock = toml::from_str(text).map_err(toml_error)?;
    out.warnings
        .extend(cut_warning("[[package]]", lock.package.dropped));
    let pkgs = lock.package.items;
    let is_root = |p: &UvPackage| {
        p.source
            .entries
            .iter()
            .any(|(k, _)| k == "virtual" || k == "editable")
    };
    let names: Vec<String> = pkgs
        .iter()
        .map(|p| normalize(p.name.as_deref().unwrap_or_default()))
        .collect();
    let mut main_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for p in pkgs.iter().filter(|p| is_root(p)) {
        main_roots.extend(dep_names(&p.dependencies));
        for (_, seq) in &p.optional_dependencies.entries {
            main_roots.extend(dep_names(seq));
        }
        for (_, seq) in &p.dev_dependencies.entries {
            dev_roots.extend(dep_names(seq));
        }
    }
    let dev = graph_dev(&names, &main_roots, &dev_roots, |i| {
        pkgs.get(i)
            .filter(|p| !is_root(p))
            .map(|p| {
                let mut v: Vec<String> = dep_names(&p.dependencies).collect();
                for (_, seq) in &p.optional_dependencies.entries {
                    v.extend(dep_names(seq));
                }
                v
            })
            .unwrap_or_default()
    });
    for (i, p) in pkgs.iter().enumerate() {
        if is_root(p) {
            continue;
        }
        let Some(name) = p.name.as_deref() else {
            out.warnings
                .push(format!("[[package]] #{}: no name", i + 1));
            continue;
        };
        // Packages with dynamic versions have none in the lock.
        let Some(version) = p.version.as_deref() else {
            continue;
        };
        if !plausible(name) || !plausible(version) {
            out.warnings.push(format!(
                "[[package]] #{}: unusable name or version `{}` `{}`",
                i + 1,
                clip(name),
                clip(version)
            ));
            continue;
        }
        out.packages
            .push(named(name, version, dev.get(i).copied().unwrap_or(false)));
    }
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(p: &Parsed) -> Vec<(&str, &str, bool)> {
        p.packages
            .iter()
            .map(|d| (d.name.as_str(), d.version.as_str(), d.dev))
            .collect()
    }

    #[test]
    fn pipfile_default_wins_over_develop() {
        let p = parse_pipfile_lock(
            br#"{"_meta": {}, "default": {"Werkzeug": {"version": "==0.11.1"}, "six": {"version": "==1.0"},
                "local": {"path": "."}}, "develop": {"six": {"version": "==1.0"}, "pytest": {"version": "==7.0"}}}"#,
        )
        .expect("parse");
        assert_eq!(
            list(&p),
            vec![
                ("werkzeug", "0.11.1", false),
                ("six", "1.0", false),
                ("pytest", "7.0", true)
            ]
        );
    }

    #[test]
    fn poetry_without_categories_uses_pyproject_groups() {
        let lock = br#"
[[package]]
name = "click"
version = "8.1.3"
[package.dependencies]
colorama = {version = "*", markers = "platform_system == \"Windows\""}

[[package]]
name = "colorama"
version = "0.4.6"

[[package]]
name = "pytest"
version = "7.0.0"
[package.dependencies]
colorama = "*"
iniconfig = "*"

[[package]]
name = "iniconfig"
version = "2.0.0"

[metadata]
lock-version = "2.0"
"#;
        let pyproject = br#"
[tool.poetry.dependencies]
python = "^3.9"
Click = "8.1.3"
[tool.poetry.group.test.dependencies]
pytest = "*"
"#;
        let p = parse_poetry_lock(lock, Some(pyproject)).expect("parse");
        assert_eq!(
            list(&p),
            vec![
                ("click", "8.1.3", false),
                ("colorama", "0.4.6", false),
                ("pytest", "7.0.0", true),
                ("iniconfig", "2.0.0", true)
            ]
        );
        let without = parse_poetry_lock(lock, None).expect("parse");
        assert!(without.packages.iter().all(|d| !d.dev));
    }

    #[test]
    fn toml_lockfiles_are_cut_at_the_entry_limit() {
        let mut s = String::new();
        for i in 0..MAX_ENTRIES + 3 {
            s.push_str(&format!("[[package]]\nname = \"p{i}\"\nversion = \"1\"\n"));
        }
        let p = parse_poetry_lock(s.as_bytes(), None).expect("parse");
        assert_eq!(p.packages.len(), MAX_ENTRIES);
        assert!(
            p.warnings.iter().any(|w| w.contains("limit")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn bad_toml_is_an_error_not_a_panic() {
        assert!(parse_uv_lock(b"[[package]\nname=").is_err());
        assert!(parse_poetry_lock(b"\xff\xfe", None).is_err());
        assert!(parse_pipfile_lock(b"{").is_err());
    }
}
