//! Namespaces: where an advisory applies (a distribution release or a
//! language ecosystem), and how package names are normalized in each.
//!
//! | namespace | from |
//! |---|---|
//! | `debian:<codename>` | tracker JSON and DSA/DLA lists (release names), OSV `Debian:<N>` |
//! | `ubuntu:<YY.MM>`, `ubuntu-pro:<YY.MM>` | OSV `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS` |
//! | `alpine:v3.19`, `alpine:edge` | secdb `distroversion`, OSV `Alpine:v3.19` |
//! | `wolfi:rolling`, `chainguard:rolling` | their secdb, OSV `Wolfi`, `Chainguard` |
//! | `rocky:9`, `almalinux:9`, `mariner:2.0`, `azurelinux:3.0`... | OSV |
//! | `pypi`, `npm`, `golang`, `cargo`, `maven`, `gem`, `composer`, `nuget` | OSV, npm and rubysec advisories |
//! | `osv:<Ecosystem>` | any other OSV ecosystem (stored, not matched yet) |

use bosun_model::{Distro, Ecosystem};

/// Debian release numbers and codenames (major version → codename).
pub const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("3.0", "woody"),
    ("3.1", "sarge"),
    ("4", "etch"),
    ("5", "lenny"),
    ("6", "squeeze"),
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
    ("15", "duke"),
];

/// The codename of a Debian release number (`12`, `12.8` → `bookworm`).
pub fn debian_codename(version: &str) -> Option<&'static str> {
    let v = version.trim();
    DEBIAN_RELEASES
        .iter()
        .find(|(n, _)| *n == v)
        .or_else(|| {
            let major = v.split('.').next().unwrap_or_default();
            DEBIAN_RELEASES.iter().find(|(n, _)| *n == major)
        })
        .map(|(_, c)| *c)
}

/// The namespace of an OSV `affected[].package.ecosystem`.
pub fn from_osv_ecosystem(ecosystem: &str) -> Option<String> {
    let eco = ecosystem.trim();
    if eco.is_empty() || eco.len() > 200 {
        return None;
    }
    let (base, rest) = match eco.split_once(':') {
        Some((b, r)) => (b, Some(r)),
        None => (eco, None),
    };
    let lang = match base {
        "PyPI" => Some("pypi"),
        "npm" => Some("npm"),
        "Go" => Some("golang"),
        "crates.io" => Some("cargo"),
        "Maven" => Some("maven"),
        "RubyGems" => Some("gem"),
        "Packagist" => Some("composer"),
        "NuGet" => Some("nuget"),
        _ => None,
    };
    if let Some(l) = lang {
        return Some(l.to_owned());
    }
    let release = rest.unwrap_or("").trim();
    Some(match base {
        "Debian" => {
            let code = debian_codename(release)
                .map(str::to_owned)
                .unwrap_or_else(|| release.to_ascii_lowercase());
            format!("debian:{code}")
        }
        "Ubuntu" => {
            // Ubuntu:22.04:LTS, Ubuntu:Pro:18.04:LTS, Ubuntu:25.10, Ubuntu:Pro:FIPS...:
            let parts: Vec<&str> = release.split(':').collect();
            match parts.as_slice() {
                ["Pro", v, ..] if looks_like_ubuntu_version(v) => format!("ubuntu-pro:{v}"),
                [v, ..] if looks_like_ubuntu_version(v) => format!("ubuntu:{v}"),
                _ => format!("osv:{eco}"),
            }
        }
        "Alpine" => format!("alpine:{}", release.to_ascii_lowercase()),
        "Wolfi" => "wolfi:rolling".to_owned(),
        "Chainguard" => "chainguard:rolling".to_owned(),
        "Rocky Linux" => format!("rocky:{}", major(release)),
        "AlmaLinux" => format!("almalinux:{}", major(release)),
        "Mariner" => format!("mariner:{release}"),
        "Azure Linux" => format!("azurelinux:{release}"),
        _ => format!("osv:{eco}"),
    })
}

fn looks_like_ubuntu_version(v: &str) -> bool {
    let mut it = v.split('.');
    matches!((it.next(), it.next(), it.next()), (Some(a), Some(b), None)
        if a.len() == 2 && b.len() == 2 && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit()))
}

fn major(v: &str) -> &str {
    v.split('.').next().unwrap_or(v)
}

/// The namespace for a Debian release name as the tracker and DSA/DLA lists
/// write it (`bookworm`, `sid`, `bookworm-security` → `debian:bookworm`).
pub fn debian_release(name: &str) -> String {
    let n = name.trim().to_ascii_lowercase();
    let n = n.split('-').next().unwrap_or(&n).to_owned();
    format!("debian:{n}")
}

/// The namespace of an Alpine secdb `distroversion` (`v3.15`, `edge`).
pub fn alpine_branch(distroversion: &str) -> String {
    format!("alpine:{}", distroversion.trim().to_ascii_lowercase())
}

/// The namespaces that hold data for OS packages of this distribution, in
/// the order the matcher consults them. Empty when bosun has no data source
/// for the distribution (the matcher says so instead of guessing).
pub fn for_distro(distro: &Distro) -> Vec<String> {
    let id = distro.id.to_ascii_lowercase();
    let version = distro.version_id.as_deref().unwrap_or("").trim();
    let codename = distro
        .codename
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match id.as_str() {
        "debian" => {
            let code = if codename.is_empty() {
                debian_codename(version).unwrap_or("").to_owned()
            } else {
                codename
            };
            if code.is_empty() {
                vec![]
            } else {
                vec![format!("debian:{code}")]
            }
        }
        "ubuntu" if !version.is_empty() => vec![format!("ubuntu:{version}")],
        "alpine" if !version.is_empty() => {
            let mut it = version.split('.');
            match (it.next(), it.next()) {
                (Some(a), Some(b)) => {
                    let b: String = b.chars().take_while(char::is_ascii_digit).collect();
                    vec![format!("alpine:v{a}.{b}")]
                }
                _ => vec![],
            }
        }
        "wolfi" => vec!["wolfi:rolling".to_owned()],
        "chainguard" => vec!["chainguard:rolling".to_owned()],
        "rocky" if !version.is_empty() => vec![format!("rocky:{}", major(version))],
        "almalinux" if !version.is_empty() => vec![format!("almalinux:{}", major(version))],
        "mariner" if !version.is_empty() => vec![format!("mariner:{version}")],
        "azurelinux" if !version.is_empty() => vec![format!("azurelinux:{version}")],
        _ => vec![],
    }
}

/// The namespace of a language ecosystem (`None` for OS ecosystems, whose
/// namespace depends on the distribution).
pub fn for_ecosystem(eco: Ecosystem) -> Option<&'static str> {
    Some(match eco {
        Ecosystem::Pypi => "pypi",
        Ecosystem::Npm => "npm",
        Ecosystem::Golang => "golang",
        Ecosystem::Cargo => "cargo",
        Ecosystem::Maven => "maven",
        Ecosystem::Gem => "gem",
        Ecosystem::Composer => "composer",
        Ecosystem::Nuget => "nuget",
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => return None,
    })
}

/// A package name as stored and looked up in a namespace: PyPI names are
/// PEP 503-normalized (`PyYAML`, `pyyaml`, `py_yaml` are one); Composer,
/// NuGet and crates.io names are compared case-insensitively; every other
/// name is kept as written.
pub fn normalize_name(namespace: &str, name: &str) -> String {
    let base = namespace.split(':').next().unwrap_or_default();
    match base {
        "pypi" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.extend(c.to_lowercase());
                }
            }
            out
        }
        "composer" | "nuget" | "cargo" => name.trim().to_ascii_lowercase(),
        _ => name.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_ecosystems() {
        let ns = |e: &str| from_osv_ecosystem(e).unwrap_or_default();
        assert_eq!(ns("PyPI"), "pypi");
        assert_eq!(ns("Debian:12"), "debian:bookworm");
        assert_eq!(ns("Debian:11"), "debian:bullseye");
        assert_eq!(ns("Ubuntu:22.04:LTS"), "ubuntu:22.04");
        assert_eq!(ns("Ubuntu:25.10"), "ubuntu:25.10");
        assert_eq!(ns("Ubuntu:Pro:18.04:LTS"), "ubuntu-pro:18.04");
        assert_eq!(ns("Alpine:v3.19"), "alpine:v3.19");
        assert_eq!(ns("Rocky Linux:9"), "rocky:9");
        assert_eq!(ns("Hex"), "osv:Hex");
    }

    #[test]
    fn distros() {
        let d = |id: &str, v: Option<&str>, c: Option<&str>| Distro {
            id: id.into(),
            version_id: v.map(Into::into),
            codename: c.map(Into::into),
            ..Distro::default()
        };
        assert_eq!(
            for_distro(&d("debian", Some("12"), None)),
            ["debian:bookworm"]
        );
        assert_eq!(
            for_distro(&d("debian", None, Some("trixie"))),
            ["debian:trixie"]
        );
        assert_eq!(
            for_distro(&d("alpine", Some("3.19.1"), None)),
            ["alpine:v3.19"]
        );
        assert_eq!(
            for_distro(&d("alpine", Some("3.21.0_alpha20240807"), None)),
            ["alpine:v3.21"]
        );
        assert_eq!(
            for_distro(&d("ubuntu", Some("22.04"), None)),
            ["ubuntu:22.04"]
        );
        assert!(for_distro(&d("gentoo", Some("2"), None)).is_empty());
    }

    #[test]
    fn names() {
        assert_eq!(normalize_name("pypi", "PyYAML"), "pyyaml");
        assert_eq!(
            normalize_name("pypi", "Flask_SQLAlchemy"),
            "flask-sqlalchemy"
        );
        assert_eq!(normalize_name("pypi", "zope..interface"), "zope-interface");
        assert_eq!(normalize_name("npm", "@hapi/hoek"), "@hapi/hoek");
        assert_eq!(normalize_name("debian:bookworm", "glibc"), "glibc");
    }
}
