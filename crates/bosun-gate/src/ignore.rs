//! `.bosunignore`: findings a team accepted, each with a reason and an
//! optional expiry date.
//!
//! ```yaml
//! ignore:
//!   - id: CVE-2023-4911            # a vulnerability ID or any alias of it
//!     reason: setuid binaries are removed at runtime
//!     expires: 2026-12-31          # after this day the entry warns and stops suppressing
//!   - package: openssl             # a package name (optionally with ecosystem and version)
//!     ecosystem: deb
//!     version: 3.0.15-1~deb12u1
//!     reason: patched in our fork
//!   - path: /opt/legacy/**         # a glob on the file the package was found in
//!     reason: removed in the next release
//! ```
//!
//! Every field given in an entry must match (an entry with `id` and
//! `package` suppresses that vulnerability in that package only). An entry
//! without `id`, `package` or `path` is an error, as is an unknown field:
//! a typo must not silently ignore nothing or everything.

use std::path::Path;

use bosun_model::{Ecosystem, Finding, Suppression};
use globset::{Glob, GlobMatcher};
use jiff::civil::Date;
use serde::Deserialize;

use crate::GateError;

/// Largest ignore file read.
const MAX_BYTES: u64 = 4 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Option<String>,
    package: Option<String>,
    ecosystem: Option<String>,
    version: Option<String>,
    path: Option<String>,
    reason: Option<String>,
    expires: Option<String>,
}

/// One accepted finding (or class of findings).
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    /// 1-based position in the file, for messages.
    pub number: usize,
    pub id: Option<String>,
    pub package: Option<String>,
    pub ecosystem: Option<Ecosystem>,
    pub version: Option<String>,
    pub path: Option<(String, GlobMatcher)>,
    pub reason: Option<String>,
    pub expires: Option<Date>,
}

/// A parsed ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreFile {
    pub source: String,
    pub entries: Vec<IgnoreEntry>,
}

impl IgnoreFile {
    pub fn load(path: &Path) -> Result<Self, GateError> {
        let text = crate::read_file(path, MAX_BYTES)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses the YAML text; `source` names it in messages.
    pub fn parse(text: &str, source: &str) -> Result<Self, GateError> {
        let invalid = |message: String| GateError::Invalid {
            path: source.to_owned(),
            message,
        };
        let raw: RawFile = if text.trim().is_empty() {
            RawFile { ignore: Vec::new() }
        } else {
            serde_saphyr::from_str(text).map_err(|e| invalid(e.to_string()))?
        };
        let mut entries = Vec::with_capacity(raw.ignore.len());
        for (i, r) in raw.ignore.into_iter().enumerate() {
            let number = i + 1;
            let at = |m: String| invalid(format!("ignore entry {number}: {m}"));
            if r.id.is_none() && r.package.is_none() && r.path.is_none() {
                return Err(at("needs at least one of `id`, `package` or `path`".into()));
            }
            if (r.ecosystem.is_some() || r.version.is_some()) && r.package.is_none() {
                return Err(at("`ecosystem` and `version` need `package`".into()));
            }
            let ecosystem = r
                .ecosystem
                .as_deref()
                .map(|e| e.parse::<Ecosystem>().map_err(|e| at(e.to_string())))
                .transpose()?;
            let expires = r
                .expires
                .as_deref()
                .map(|d| {
                    d.trim().parse::<Date>().map_err(|e| {
                        at(format!("`expires: {d}` is not a date like 2026-12-31: {e}"))
                    })
                })
                .transpose()?;
            let path = r
                .path
                .map(|p| {
                    Glob::new(&p)
                        .map(|g| (p.clone(), g.compile_matcher()))
                        .map_err(|e| at(format!("`path: {p}`: {e}")))
                })
                .transpose()?;
            entries.push(IgnoreEntry {
                number,
                id: r.id,
                package: r.package,
                ecosystem,
                version: r.version,
                path,
                reason: r.reason,
                expires,
            });
        }
        Ok(IgnoreFile {
            source: source.to_owned(),
            entries,
        })
    }

    /// Marks findings matched by a live entry as suppressed. Returns one
    /// warning per expired entry (expired entries suppress nothing).
    pub fn apply(&self, findings: &mut [Finding], today: Date) -> Vec<String> {
        let mut warnings = Vec::new();
        for e in &self.entries {
            if let Some(exp) = e.expires
                && exp < today
            {
                warnings.push(format!(
                    "{}: ignore entry {} ({}) expired on {exp}; its findings count again",
                    self.source,
                    e.number,
                    e.describe()
                ));
                continue;
            }
            for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
                if e.matches(f) {
                    f.suppressed = Some(Suppression {
                        kind: "ignore-file".into(),
                        by: format!("{} entry {} ({})", self.source, e.number, e.describe()),
                        reason: e.reason.clone(),
                        expires: e.expires.map(|d| d.to_string()),
                    });
                }
            }
        }
        warnings
    }
}

impl IgnoreEntry {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(id) = &self.id {
            parts.push(id.clone());
        }
        if let Some(p) = &self.package {
            parts.push(format!("package {p}"));
        }
        if let Some((p, _)) = &self.path {
            parts.push(format!("path {p}"));
        }
        parts.join(", ")
    }

    fn matches(&self, f: &Finding) -> bool {
        if let Some(id) = &self.id {
            let id_match = f.id.eq_ignore_ascii_case(id)
                || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id));
            if !id_match {
                return false;
            }
        }
        if let Some(p) = &self.package {
            let name_match = f.package.name == *p || f.package.source_name.as_deref() == Some(p);
            if !name_match {
                return false;
            }
            if self.ecosystem.is_some_and(|e| e != f.package.ecosystem) {
                return false;
            }
            if self
                .version
                .as_ref()
                .is_some_and(|v| *v != f.package.version)
            {
                return false;
            }
        }
        if let Some((_, glob)) = &self.path
            && !glob.is_match(&f.package.path)
        {
            return false;
        }
        true
    }
}
