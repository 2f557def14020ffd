//! Custom rules in Rego (regorus).
//!
//! Every module whose package is `bosun` or under it may define `deny`
//! and `warn` as sets of messages (strings, or objects with a `msg`); the
//! input is the scan result's JSON. `test_*` rules are the policy's own unit
//! tests, run by `bosun policy test`. Evaluation time is bounded.

use std::path::{Path, PathBuf};

use bosun_model::ScanResult;
use regorus::{Engine, Value};
use serde::Serialize;

use crate::{PolicyError, Violation};

/// Largest Rego file read, and most files loaded.
const MAX_REGO_BYTES: u64 = 1 << 20;
const MAX_REGO_FILES: usize = 1000;

pub(crate) struct Rego {
    engine: Engine,
    /// (package, test rule name) pairs found in the sources.
    tests: Vec<(String, String)>,
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let io = |source| PolicyError::Io {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "rego") {
                collect(&e, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    if out.len() > MAX_REGO_FILES {
        return Err(PolicyError::Invalid {
            path: path.display().to_string(),
            message: format!("more than {MAX_REGO_FILES} Rego files"),
        });
    }
    Ok(())
}

fn package_of(src: &str) -> Option<String> {
    src.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("package "))
        .map(|p| p.trim().to_owned())
}

fn test_rules(src: &str) -> Vec<String> {
    let mut names: Vec<String> = src
        .lines()
        .filter(|l| l.starts_with("test_"))
        .filter_map(|l| {
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (name.len() > 5).then_some(name)
        })
        .collect();
    names.dedup();
    names
}

impl Rego {
    /// Loads every `.rego` file in the paths. `with_tests`: keep `*_test.rego`
    /// files (for `bosun policy test`); policy evaluation leaves them out.
    pub(crate) fn load(paths: &[PathBuf], with_tests: bool) -> Result<Rego, PolicyError> {
        let mut files = Vec::new();
        for p in paths {
            collect(p, &mut files)?;
        }
        let mut engine = Engine::new();
        engine.set_strict_builtin_errors(true);
        let mut tests = Vec::new();
        for f in files {
            let is_test = f
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("_test.rego"));
            if is_test && !with_tests {
                continue;
            }
            let src = crate::read(&f, MAX_REGO_BYTES)?;
            let name = f.display().to_string();
            if let Some(pkg) = package_of(&src) {
                for t in test_rules(&src) {
                    tests.push((pkg.clone(), t));
                }
            }
            engine
                .add_policy(name.clone(), src)
                .map_err(|e| PolicyError::Invalid {
                    path: name,
                    message: e.to_string().trim().to_owned(),
                })?;
        }
        Ok(Rego { engine, tests })
    }

    pub(crate) fn evaluate(
        &self,
        result: &ScanResult,
        violations: &mut Vec<Violation>,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        let mut engine = self.engine.clone();
        let json = serde_json::to_string(result).map_err(|e| e.to_string())?;
        let input = Value::from_json_str(&json).map_err(|e| format!("rego input: {e}"))?;
        engine.set_input(input);
        let results = engine
            .eval_query("data.bosun".to_owned(), false)
            .map_err(|e| format!("rego: {e}"))?;
        for r in &results.result {
            for e in &r.expressions {
                let json = e.value.to_json_str().map_err(|e| format!("rego: {e}"))?;
                let tree: serde_json::Value =
                    serde_json::from_str(&json).map_err(|e| e.to_string())?;
                walk(&tree, "bosun", violations, warnings);
            }
        }
        Ok(())
    }
}

fn message(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => o
            .get("msg")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

fn walk(
    v: &serde_json::Value,
    pkg: &str,
    violations: &mut Vec<Violation>,
    warnings: &mut Vec<String>,
) {
    let Some(obj) = v.as_object() else { return };
    for (k, child) in obj {
        match (k.as_str(), child) {
            ("deny", serde_json::Value::Array(items)) => {
                for i in items {
                    violations.push(Violation {
                        rule: format!("rego:{pkg}"),
                        message: message(i),
                    });
                }
            }
            ("warn", serde_json::Value::Array(items)) => {
                warnings.extend(items.iter().map(|i| format!("{pkg}: {}", message(i))));
            }
            (name, serde_json::Value::Object(_)) => {
                walk(child, &format!("{pkg}.{name}"), violations, warnings)
            }
            _ => {}
        }
    }
}

/// The outcome of one Rego unit test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegoTest {
    pub package: String,
    pub name: String,
    pub passed: bool,
    /// Why it failed when evaluation itself failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Runs every `test_*` rule in the Rego files under `paths` (test files
/// included), like `opa test`.
pub fn run_tests(paths: &[PathBuf]) -> Result<Vec<RegoTest>, PolicyError> {
    let rego = Rego::load(paths, true)?;
    let mut out = Vec::new();
    for (pkg, name) in &rego.tests {
        let mut engine = rego.engine.clone();
        let (passed, error) = match engine.eval_rule(format!("data.{pkg}.{name}")) {
            Ok(v) => (v == Value::from(true), None),
            Err(e) => (false, Some(e.to_string())),
        };
        out.push(RegoTest {
            package: pkg.clone(),
            name: name.clone(),
            passed,
            error,
        });
    }
    Ok(out)
}
