//! cargo-auditable's dependency list: the JSON that `cargo auditable build`
//! compresses into the `.dep-v0` section of a binary (found by the
//! executable pass in `lang::golang::exec`).
//!
//! ```json
//! {"packages":[{"name":"app","version":"0.3.1","source":"local","dependencies":[1],"root":true},
//!              {"name":"libc","version":"0.2.191","source":"crates.io","kind":"build"}],
//!  "format":1}
//! ```
//!
//! `kind` is `runtime` when absent. Build-only dependencies (build scripts,
//! proc macros) are not linked into the binary; like Syft and Trivy, bosun
//! reports the runtime ones.

use bosun_model::{Ecosystem, Location, Package};
use serde::Deserialize;

use super::cargo_purl;

/// Most packages read from one binary.
pub const MAX_PACKAGES: usize = 100_000;

#[derive(Debug, Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

/// One package of the list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditPackage {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub root: bool,
}

impl AuditPackage {
    /// Linked into the binary (not a build-time-only dependency).
    pub fn is_runtime(&self) -> bool {
        self.kind.as_deref().is_none_or(|k| k == "runtime")
    }
}

/// A cheap check before the full parse: the JSON object has a `packages` key.
pub fn looks_like_audit_json(b: &[u8]) -> bool {
    b.starts_with(b"{") && memchr::memmem::find(b, b"\"packages\"").is_some()
}

/// Parses the decompressed JSON.
pub fn parse(json: &[u8]) -> Result<Vec<AuditPackage>, String> {
    let v: VersionInfo =
        serde_json::from_slice(json).map_err(|e| format!("cargo-auditable data: {e}"))?;
    if v.packages.len() > MAX_PACKAGES {
        return Err(format!(
            "cargo-auditable data: {} packages, over the {MAX_PACKAGES} limit",
            v.packages.len()
        ));
    }
    Ok(v.packages)
}

/// The runtime packages of a binary's dependency list.
pub fn packages(json: &[u8], found_in: &Location) -> Result<(Vec<Package>, Vec<String>), String> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for p in parse(json)?.into_iter().filter(AuditPackage::is_runtime) {
        if p.name.is_empty() || p.version.is_empty() {
            warnings.push(format!(
                "cargo-auditable data: a package without a name or version (`{}`)",
                p.name
            ));
            continue;
        }
        let Some(purl) = cargo_purl(&p.name, &p.version) else {
            warnings.push(format!(
                "cargo-auditable data: no purl for `{}` `{}`",
                p.name, p.version
            ));
            continue;
        };
        let mut pkg = Package::new(
            Ecosystem::Cargo,
            &p.name,
            &p.version,
            purl,
            found_in.clone(),
        );
        if let Some(s) = p.source.filter(|s| !s.is_empty()) {
            pkg.properties.insert("cargo-source".into(), s);
        }
        if p.root {
            pkg.properties.insert("root".into(), "true".into());
        }
        pkg.properties
            .insert("evidence".into(), "cargo-auditable".into());
        out.push(pkg);
    }
    Ok((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_packages_only() {
        let json = br#"{"packages":[
            {"name":"app","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},
            {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},
            {"name":"libc","version":"0.2.150","source":"crates.io","kind":"runtime"},
            {"name":"git-dep","version":"0.1.0","source":"git"}
        ],"format":1}"#;
        assert!(looks_like_audit_json(json));
        let loc = Location::new("/usr/bin/app", Some(2));
        let (pkgs, warnings) = packages(json, &loc).expect("parse");
        assert!(warnings.is_empty());
        let names: Vec<(&str, &str)> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.purl.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("app", "pkg:cargo/app@0.1.0"),
                ("libc", "pkg:cargo/libc@0.2.150"),
                ("git-dep", "pkg:cargo/git-dep@0.1.0"),
            ]
        );
        assert_eq!(
            pkgs[0].properties.get("root").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            pkgs[2].properties.get("cargo-source").map(String::as_str),
            Some("git")
        );
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(parse(b"{\"packages\":[{\"name\":1}]}").is_err());
        assert!(parse(b"{\"packages\":").is_err());
        assert!(!looks_like_audit_json(b"[1,2]"));
    }
}
