//! The team's policy, applied to a scan result: one verdict with every reason.
//!
//! A policy is a YAML file (`bosun.yaml`, see [`file::PolicyFile`] and
//! docs/POLICY.md) with built-in rules — trusted registries, approved base
//! images, minimum and banned package versions, vulnerability limits, image
//! config (user, entrypoint, labels, healthcheck, maximum age), compliance
//! checks that must pass — and optional Rego modules. Rego rules in any
//! package under `bosun` produce `deny` (and `warn`) messages over the
//! documented input: the whole scan result as `bosun scan --format json`
//! writes it.

pub mod file;
mod rego;
mod rules;

use std::path::{Path, PathBuf};

use bosun_model::{ScanResult, Severity};

pub use file::PolicyFile;
pub use rego::{RegoTest, run_tests};
pub use rules::image_registry;

/// Largest policy file read.
const MAX_POLICY_BYTES: u64 = 4 << 20;

/// A policy that cannot be read; the message points at the line.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The verdict types live in bosun-model so a scan result can carry them.
pub use bosun_model::{PolicyVerdict as Verdict, PolicyViolation as Violation};

/// A loaded, validated policy with its Rego modules compiled.
pub struct Policy {
    path: String,
    file: PolicyFile,
    fail_on: Option<Severity>,
    rego: Option<rego::Rego>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("path", &self.path)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path, limit: u64) -> Result<String, PolicyError> {
    use std::io::Read;
    let p = path.display().to_string();
    let io = |source| PolicyError::Io {
        path: p.clone(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut s = String::new();
    f.take(limit + 1).read_to_string(&mut s).map_err(io)?;
    if s.len() as u64 > limit {
        return Err(PolicyError::Invalid {
            path: p,
            message: format!("larger than {limit} bytes"),
        });
    }
    Ok(s)
}

impl Policy {
    /// Reads and validates a policy file, and compiles the Rego it names
    /// (paths relative to the file's directory).
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = read(path, MAX_POLICY_BYTES)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Policy::parse(&text, &path.display().to_string(), &base)
    }

    /// Parses policy text; `source` names it in messages and `base` is where
    /// relative Rego paths start.
    pub fn parse(text: &str, source: &str, base: &Path) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            path: source.to_owned(),
            message,
        };
        let file: PolicyFile = serde_saphyr::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if file.version != 1 {
            return Err(invalid(format!(
                "`version: {}` is not supported (this bosun reads version 1)",
                file.version
            )));
        }
        let fail_on = file
            .vulnerabilities
            .as_ref()
            .and_then(|v| v.fail_on_severity.as_deref())
            .map(|s| {
                s.parse::<Severity>()
                    .map_err(|e| invalid(format!("vulnerabilities.fail_on_severity: {e}")))
            })
            .transpose()?;
        for (where_, list) in [
            (
                "packages.minimum",
                file.packages.as_ref().map(|p| {
                    p.minimum
                        .iter()
                        .map(|m| m.ecosystem.as_deref())
                        .collect::<Vec<_>>()
                }),
            ),
            (
                "packages.banned",
                file.packages.as_ref().map(|p| {
                    p.banned
                        .iter()
                        .map(|m| m.ecosystem.as_deref())
                        .collect::<Vec<_>>()
                }),
            ),
        ] {
            for (i, eco) in list.unwrap_or_default().into_iter().enumerate() {
                if let Some(e) = eco {
                    e.parse::<bosun_model::Ecosystem>()
                        .map_err(|err| invalid(format!("{where_}[{i}].ecosystem: {err}")))?;
                }
            }
        }
        if let Some(p) = &file.packages {
            for (i, m) in p.minimum.iter().enumerate() {
                if m.version.trim().is_empty() {
                    return Err(invalid(format!("packages.minimum[{i}].version is empty")));
                }
            }
        }
        if let Some(r) = &file.registries
            && r.trusted.is_empty()
        {
            return Err(invalid(
                "registries.trusted is empty: every image would be denied".into(),
            ));
        }
        if let Some(c) = &file.checks {
            for (i, id) in c.must_pass.iter().enumerate() {
                if id != "*" && bosun_checks::check(id).is_none() {
                    return Err(invalid(format!(
                        "checks.must_pass[{i}]: `{id}` is not a check (docs/CHECKS.md lists them)"
                    )));
                }
            }
        }
        let rego = if file.rego.is_empty() {
            None
        } else {
            let paths: Vec<PathBuf> = file.rego.iter().map(|p| base.join(p)).collect();
            Some(rego::Rego::load(&paths, false)?)
        };
        Ok(Policy {
            path: source.to_owned(),
            file,
            fail_on,
            rego,
        })
    }

    pub fn file(&self) -> &PolicyFile {
        &self.file
    }

    /// The policy file, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether evaluating needs vulnerability findings (a database).
    pub fn needs_vulnerabilities(&self) -> bool {
        self.file.vulnerabilities.is_some()
    }

    /// Whether evaluating needs the compliance checks to have run.
    pub fn needs_checks(&self) -> bool {
        self.file
            .checks
            .as_ref()
            .is_some_and(|c| !c.must_pass.is_empty())
    }

    /// Applies every rule to a scan result. `now` decides image ages.
    pub fn evaluate(
        &self,
        result: &ScanResult,
        now: jiff::Timestamp,
    ) -> Result<Verdict, PolicyError> {
        let mut violations = Vec::new();
        rules::registries(&self.file, result, &mut violations);
        rules::base_images(&self.file, result, &mut violations);
        rules::packages(&self.file, result, &mut violations);
        if let Some(v) = &self.file.vulnerabilities {
            rules::vulnerabilities(v, self.fail_on, result, &mut violations);
        }
        if let Some(i) = &self.file.image {
            rules::image(i, result, now, &mut violations);
        }
        if let Some(c) = &self.file.checks {
            rules::checks(c, result, &mut violations);
        }
        let mut warnings = Vec::new();
        if let Some(rego) = &self.rego {
            rego.evaluate(result, &mut violations, &mut warnings)
                .map_err(|message| PolicyError::Invalid {
                    path: self.path.clone(),
                    message,
                })?;
        }
        Ok(Verdict {
            policy: self.path.clone(),
            allowed: violations.is_empty(),
            violations,
            warnings,
        })
    }
}

/// The commented starter policy `bosun policy init` writes: non-root,
/// trusted registry, fixable CVSS >= 4.0 blocks, 30-day maximum age.
pub const STARTER: &str = include_str!("starter.yaml");
