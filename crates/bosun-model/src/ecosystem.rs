use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The package ecosystem a package belongs to.
///
/// The serialized names are the package-url types (`pkg:deb/...`), so an
/// inventory's ecosystem and its purls always agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Debian and Ubuntu packages (dpkg).
    Deb,
    /// Alpine and Wolfi packages (apk-tools).
    Apk,
    /// RPM packages (Red Hat, SUSE, Mariner, ...).
    Rpm,
    /// Python distributions.
    Pypi,
    /// npm packages.
    Npm,
    /// Go modules, and the Go standard library as `stdlib`.
    Golang,
    /// Rust crates.
    Cargo,
    /// Java artifacts.
    Maven,
    /// Ruby gems.
    Gem,
    /// PHP Composer packages.
    Composer,
    /// .NET packages.
    Nuget,
}

impl Ecosystem {
    /// Every ecosystem, in display order.
    pub const ALL: [Ecosystem; 11] = [
        Ecosystem::Deb,
        Ecosystem::Apk,
        Ecosystem::Rpm,
        Ecosystem::Pypi,
        Ecosystem::Npm,
        Ecosystem::Golang,
        Ecosystem::Cargo,
        Ecosystem::Maven,
        Ecosystem::Gem,
        Ecosystem::Composer,
        Ecosystem::Nuget,
    ];

    /// The package-url type, also the serialized name.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Golang => "golang",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
        }
    }

    /// Whether packages of this ecosystem are installed by the operating
    /// system's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// A name that is not one of bosun's ecosystems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEcosystem(pub String);

impl fmt::Display for UnknownEcosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown ecosystem `{}`", self.0)
    }
}

impl std::error::Error for UnknownEcosystem {}

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "deb" | "dpkg" | "debian" => Ecosystem::Deb,
            "apk" | "alpine" => Ecosystem::Apk,
            "rpm" => Ecosystem::Rpm,
            "pypi" | "python" => Ecosystem::Pypi,
            "npm" => Ecosystem::Npm,
            "golang" | "go" => Ecosystem::Golang,
            "cargo" | "crates.io" | "rust" => Ecosystem::Cargo,
            "maven" | "java" => Ecosystem::Maven,
            "gem" | "rubygems" | "ruby" => Ecosystem::Gem,
            "composer" | "packagist" | "php" => Ecosystem::Composer,
            "nuget" | ".net" | "dotnet" => Ecosystem::Nuget,
            _ => return Err(UnknownEcosystem(s.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for eco in Ecosystem::ALL {
            assert_eq!(eco.purl_type().parse::<Ecosystem>(), Ok(eco));
            let json = serde_json::to_string(&eco).expect("serialize");
            assert_eq!(json, format!("\"{}\"", eco.purl_type()));
        }
        assert!("cobol".parse::<Ecosystem>().is_err());
    }
}
