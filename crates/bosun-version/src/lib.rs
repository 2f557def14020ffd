//! Version ordering for every ecosystem bosun scans, and evaluation of OSV
//! `affected[].ranges`.
//!
//! Each [`Scheme`] parses versions into a [`Version`] and orders them exactly
//! as the ecosystem's own tool does (dpkg, apk-tools, rpm, node-semver and the
//! `semver` crate, Go's `x/mod/semver`, Python's `packaging`, Maven's
//! `ComparableVersion`, `Gem::Version`, PHP's `version_compare`, NuGet, Pub,
//! Hackage, CRAN). The crate is pure: no I/O, no global state, no panics on
//! any input. What each scheme does with strings outside its grammar is
//! documented on its module and in the crate's README.
//!
//! ```
//! use std::cmp::Ordering;
//! use bosun_version::Scheme;
//!
//! let deb = Scheme::from_osv_ecosystem("Debian:12").unwrap();
//! assert_eq!(deb.compare("1:2.36-9+deb12u4", "2.36-9+deb12u7")?, Ordering::Greater);
//! let a = deb.parse("2.36-9+deb12u4")?;
//! let b = deb.parse("2.36-9+deb12u7")?;
//! assert!(a < b);
//! # Ok::<(), bosun_version::VersionError>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub mod apk;
pub mod composer;
pub mod deb;
pub mod gem;
pub mod maven;
mod num;
pub mod numeric;
pub mod osv;
pub mod pep440;
pub mod rpm;
pub mod semver;

/// Longest version string accepted, in bytes. Real versions are far shorter;
/// the bound keeps every parser's work and memory small on hostile input.
pub const MAX_VERSION_LEN: usize = 1024;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// Debian and Ubuntu (dpkg).
    Deb,
    /// Alpine, Wolfi, Chainguard (apk-tools).
    Apk,
    /// RPM distributions (rpmvercmp with epoch, tilde and caret).
    Rpm,
    /// SemVer 2.0: npm, crates.io, Hex, OSV `SEMVER` ranges.
    Semver,
    /// Go modules (and Go toolchain versions).
    Go,
    /// Python (PEP 440, with pip's legacy fallback).
    Pep440,
    /// Maven (`ComparableVersion`).
    Maven,
    /// RubyGems (`Gem::Version`).
    RubyGems,
    /// Packagist / Composer (PHP `version_compare`).
    Packagist,
    /// NuGet.
    NuGet,
    /// Pub (Dart).
    Pub,
    /// Hackage (Haskell).
    Hackage,
    /// CRAN and Bioconductor (R).
    Cran,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 13] = [
        Scheme::Deb,
        Scheme::Apk,
        Scheme::Rpm,
        Scheme::Semver,
        Scheme::Go,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::Packagist,
        Scheme::NuGet,
        Scheme::Pub,
        Scheme::Hackage,
        Scheme::Cran,
    ];

    /// The scheme's short name (also accepted by [`FromStr`]).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Deb => "deb",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Semver => "semver",
            Scheme::Go => "go",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::Packagist => "packagist",
            Scheme::NuGet => "nuget",
            Scheme::Pub => "pub",
            Scheme::Hackage => "hackage",
            Scheme::Cran => "cran",
        }
    }

    /// The scheme for an OSV `affected[].package.ecosystem` value, such as
    /// `Debian:12`, `Alpine:v3.19`, `Red Hat`, `PyPI` or `crates.io`. The
    /// part after the first `:` (a release) is ignored; case is ignored.
    /// Ecosystems without a version order (`Android`, `Linux`, `OSS-Fuzz`...)
    /// give `None`.
    pub fn from_osv_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or_default().trim();
        let lower = base.to_ascii_lowercase();
        Some(match lower.as_str() {
            "debian" | "ubuntu" => Scheme::Deb,
            "alpine" | "wolfi" | "chainguard" | "minimos" | "alpaquita" => Scheme::Apk,
            "red hat" | "rocky linux" | "almalinux" | "suse" | "opensuse" | "mariner"
            | "azure linux" | "photon os" | "openeuler" | "mageia" => Scheme::Rpm,
            "npm" | "crates.io" | "hex" | "bitnami" | "swifturl" | "github actions" | "julia"
            | "vscode" | "kubernetes" => Scheme::Semver,
            "go" => Scheme::Go,
            "pypi" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "rubygems" => Scheme::RubyGems,
            "packagist" => Scheme::Packagist,
            "nuget" => Scheme::NuGet,
            "pub" => Scheme::Pub,
            "hackage" | "ghc" => Scheme::Hackage,
            "cran" | "bioconductor" => Scheme::Cran,
            _ => return None,
        })
    }

    /// Parses a version under this scheme.
    pub fn parse(self, s: &str) -> Result<Version, VersionError> {
        if s.len() > MAX_VERSION_LEN {
            return Err(VersionError::new(
                self,
                s,
                "version is longer than 1024 bytes",
            ));
        }
        let wrap = |r: &'static str| VersionError::new(self, s, r);
        Ok(match self {
            Scheme::Deb => Version::Deb(deb::DebVersion::parse(s).map_err(wrap)?),
            Scheme::Apk => Version::Apk(apk::ApkVersion::parse(s).map_err(wrap)?),
            Scheme::Rpm => Version::Rpm(rpm::RpmVersion::parse(s).map_err(wrap)?),
            Scheme::Semver => Version::Semver(semver::SemverVersion::parse(s).map_err(wrap)?),
            Scheme::Go => Version::Go(semver::GoVersion::parse(s).map_err(wrap)?),
            Scheme::Pep440 => Version::Pep440(pep440::Pep440Version::parse(s).map_err(wrap)?),
            Scheme::Maven => Version::Maven(maven::MavenVersion::parse(s).map_err(wrap)?),
            Scheme::RubyGems => Version::RubyGems(gem::GemVersion::parse(s).map_err(wrap)?),
            Scheme::Packagist => {
                Version::Packagist(composer::ComposerVersion::parse(s).map_err(wrap)?)
            }
            Scheme::NuGet => Version::NuGet(semver::NuGetVersion::parse(s).map_err(wrap)?),
            Scheme::Pub => Version::Pub(semver::PubVersion::parse(s).map_err(wrap)?),
            Scheme::Hackage => {
                Version::Hackage(numeric::NumericVersion::parse_hackage(s).map_err(wrap)?)
            }
            Scheme::Cran => Version::Cran(numeric::NumericVersion::parse_cran(s).map_err(wrap)?),
        })
    }

    /// Parses both versions and compares them.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let va = self.parse(a)?;
        let vb = self.parse(b)?;
        Ok(va.cmp(&vb))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is neither a scheme name, an alias nor an OSV ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown version scheme or ecosystem `{0}` (try deb, apk, rpm, semver, npm, cargo, go, pypi, maven, gem, composer, nuget, pub, hackage, cran)"
)]
pub struct UnknownScheme(pub String);

impl FromStr for Scheme {
    type Err = UnknownScheme;

    /// Accepts scheme names, common tool and ecosystem aliases (`debian`,
    /// `ubuntu`, `alpine`, `npm`, `cargo`, `crates.io`, `golang`, `python`,
    /// `gem`, `composer`...) and OSV ecosystem names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let scheme = match lower.as_str() {
            "deb" | "dpkg" | "debian" | "ubuntu" => Scheme::Deb,
            "apk" | "alpine" | "wolfi" | "chainguard" => Scheme::Apk,
            "rpm" | "redhat" | "rhel" | "centos" | "fedora" | "rocky" | "alma" | "suse"
            | "sles" | "opensuse" | "mariner" | "azurelinux" | "amazon" | "oracle" => Scheme::Rpm,
            "semver" | "npm" | "cargo" | "crates.io" | "crates" | "rust" | "hex" | "node" => {
                Scheme::Semver
            }
            "go" | "golang" => Scheme::Go,
            "pypi" | "python" | "pep440" | "pip" => Scheme::Pep440,
            "maven" | "java" | "gradle" => Scheme::Maven,
            "gem" | "gems" | "rubygems" | "ruby" => Scheme::RubyGems,
            "composer" | "packagist" | "php" => Scheme::Packagist,
            "nuget" | "dotnet" | ".net" => Scheme::NuGet,
            "pub" | "dart" => Scheme::Pub,
            "hackage" | "haskell" => Scheme::Hackage,
            "cran" | "r" => Scheme::Cran,
            _ => return Scheme::from_osv_ecosystem(s).ok_or_else(|| UnknownScheme(s.to_owned())),
        };
        Ok(scheme)
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version `{version}`: {reason}")]
pub struct VersionError {
    /// The scheme the string was read with.
    pub scheme: Scheme,
    /// The string (cut to 128 characters).
    pub version: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl VersionError {
    fn new(scheme: Scheme, version: &str, reason: &'static str) -> Self {
        let mut v: String = version.chars().take(128).collect();
        if v.len() < version.len() {
            v.push('…');
        }
        VersionError {
            scheme,
            version: v,
            reason,
        }
    }
}

/// A parsed version of some scheme.
///
/// Versions of one scheme are totally ordered as the ecosystem orders them;
/// `==` means "equal in that order" (`1.0` and `1.0.0` are equal Maven
/// versions). Versions of different schemes order by scheme first, so that a
/// mixed list still sorts; use [`Version::cmp_same_scheme`] to refuse mixing.
/// [`fmt::Display`] prints the string the version was parsed from.
#[derive(Debug, Clone)]
pub enum Version {
    /// Debian and Ubuntu.
    Deb(deb::DebVersion),
    /// Alpine and friends.
    Apk(apk::ApkVersion),
    /// RPM.
    Rpm(rpm::RpmVersion),
    /// SemVer.
    Semver(semver::SemverVersion),
    /// Go.
    Go(semver::GoVersion),
    /// Python.
    Pep440(pep440::Pep440Version),
    /// Maven.
    Maven(maven::MavenVersion),
    /// RubyGems.
    RubyGems(gem::GemVersion),
    /// Packagist.
    Packagist(composer::ComposerVersion),
    /// NuGet.
    NuGet(semver::NuGetVersion),
    /// Pub.
    Pub(semver::PubVersion),
    /// Hackage.
    Hackage(numeric::NumericVersion),
    /// CRAN.
    Cran(numeric::NumericVersion),
}

impl Version {
    /// The scheme this version belongs to.
    pub fn scheme(&self) -> Scheme {
        match self {
            Version::Deb(_) => Scheme::Deb,
            Version::Apk(_) => Scheme::Apk,
            Version::Rpm(_) => Scheme::Rpm,
            Version::Semver(_) => Scheme::Semver,
            Version::Go(_) => Scheme::Go,
            Version::Pep440(_) => Scheme::Pep440,
            Version::Maven(_) => Scheme::Maven,
            Version::RubyGems(_) => Scheme::RubyGems,
            Version::Packagist(_) => Scheme::Packagist,
            Version::NuGet(_) => Scheme::NuGet,
            Version::Pub(_) => Scheme::Pub,
            Version::Hackage(_) => Scheme::Hackage,
            Version::Cran(_) => Scheme::Cran,
        }
    }

    /// The string the version was parsed from.
    pub fn as_str(&self) -> &str {
        match self {
            Version::Deb(v) => v.as_str(),
            Version::Apk(v) => v.as_str(),
            Version::Rpm(v) => v.as_str(),
            Version::Semver(v) => v.as_str(),
            Version::Go(v) => v.as_str(),
            Version::Pep440(v) => v.as_str(),
            Version::Maven(v) => v.as_str(),
            Version::RubyGems(v) => v.as_str(),
            Version::Packagist(v) => v.as_str(),
            Version::NuGet(v) => v.as_str(),
            Version::Pub(v) => v.as_str(),
            Version::Hackage(v) | Version::Cran(v) => v.as_str(),
        }
    }

    /// Whether the string follows the scheme's own grammar strictly (Debian
    /// policy, apk's grammar, SemVer 2.0, Go's semver, PEP 440 rather than
    /// legacy, `Gem::Version.correct?`). Versions outside it are still ordered,
    /// as documented per scheme; this is for warnings.
    pub fn is_well_formed(&self) -> bool {
        match self {
            Version::Deb(v) => v.is_policy_compliant(),
            Version::Apk(v) => v.is_valid(),
            Version::Semver(v) => v.is_strict(),
            Version::Go(v) => v.is_valid_go(),
            Version::Pep440(v) => !v.is_legacy(),
            Version::RubyGems(v) => v.is_valid(),
            Version::Rpm(_)
            | Version::Maven(_)
            | Version::Packagist(_)
            | Version::NuGet(_)
            | Version::Pub(_)
            | Version::Hackage(_)
            | Version::Cran(_) => true,
        }
    }

    /// Compares two versions of the same scheme; `None` if the schemes differ.
    pub fn cmp_same_scheme(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Deb(a), Version::Deb(b)) => a.cmp(b),
            (Version::Apk(a), Version::Apk(b)) => a.cmp(b),
            (Version::Rpm(a), Version::Rpm(b)) => a.cmp(b),
            (Version::Semver(a), Version::Semver(b)) => a.cmp(b),
            (Version::Go(a), Version::Go(b)) => a.cmp(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::RubyGems(a), Version::RubyGems(b)) => a.cmp(b),
            (Version::Packagist(a), Version::Packagist(b)) => a.cmp(b),
            (Version::NuGet(a), Version::NuGet(b)) => a.cmp(b),
            (Version::Pub(a), Version::Pub(b)) => a.cmp(b),
            (Version::Hackage(a), Version::Hackage(b)) => a.cmp(b),
            (Version::Cran(a), Version::Cran(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_same_scheme(other)
            .unwrap_or_else(|| self.scheme().cmp(&other.scheme()))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ecosystems() {
        for s in Scheme::ALL {
            assert_eq!(s.name().parse::<Scheme>(), Ok(s));
        }
        for (eco, scheme) in [
            ("Debian:12", Scheme::Deb),
            ("Ubuntu:22.04:LTS", Scheme::Deb),
            ("Alpine:v3.19", Scheme::Apk),
            ("Red Hat", Scheme::Rpm),
            ("Rocky Linux:9", Scheme::Rpm),
            ("AlmaLinux", Scheme::Rpm),
            ("SUSE", Scheme::Rpm),
            ("openSUSE", Scheme::Rpm),
            ("Mariner", Scheme::Rpm),
            ("Azure Linux", Scheme::Rpm),
            ("Wolfi", Scheme::Apk),
            ("Chainguard", Scheme::Apk),
            ("PyPI", Scheme::Pep440),
            ("npm", Scheme::Semver),
            ("Go", Scheme::Go),
            ("crates.io", Scheme::Semver),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
            ("Packagist", Scheme::Packagist),
            ("NuGet", Scheme::NuGet),
            ("Hex", Scheme::Semver),
            ("Pub", Scheme::Pub),
            ("Hackage", Scheme::Hackage),
            ("CRAN", Scheme::Cran),
        ] {
            assert_eq!(Scheme::from_osv_ecosystem(eco), Some(scheme), "{eco}");
        }
        assert_eq!(Scheme::from_osv_ecosystem("Android"), None);
        assert!("cobol".parse::<Scheme>().is_err());
        assert_eq!("Debian:11".parse::<Scheme>(), Ok(Scheme::Deb));
    }

    #[test]
    fn errors_name_the_version_and_scheme() {
        let err = Scheme::Deb.parse("1:").expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "invalid deb version `1:`: nothing after colon in version number"
        );
        let long = "1".repeat(MAX_VERSION_LEN + 1);
        assert!(Scheme::Maven.parse(&long).is_err());
    }

    #[test]
    fn mixed_schemes_do_not_compare_equal() {
        let a = Scheme::Deb.parse("1.0").expect("deb");
        let b = Scheme::Rpm.parse("1.0").expect("rpm");
        assert_eq!(a.cmp_same_scheme(&b), None);
        assert_ne!(a, b);
    }
}
