//! Platforms (`os/architecture[/variant]`) and choosing a manifest from an index.

use std::fmt;

use crate::error::ImageError;
use crate::json::{Descriptor, PlatformJson};

/// The platform to pick from a multi-platform index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for Platform {
    /// `linux/amd64`.
    fn default() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Platform {
    type Err = String;

    /// Parses `os/arch[/variant]` (also `arch` alone, meaning linux), with
    /// the usual aliases (`x86_64`, `aarch64`, `armhf`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [arch] => ("linux", *arch, None),
            [os, arch] => (*os, *arch, None),
            [os, arch, v] => (*os, *arch, Some(*v)),
            _ => return Err(format!("`{s}` is not os/architecture[/variant]")),
        };
        if os.is_empty() || arch.is_empty() || variant.is_some_and(str::is_empty) {
            return Err(format!("`{s}` is not os/architecture[/variant]"));
        }
        let (arch, implied) = normalize_arch(arch);
        Ok(Platform {
            os: os.to_ascii_lowercase(),
            architecture: arch,
            variant: variant.map(str::to_owned).or(implied),
        })
    }
}

fn normalize_arch(arch: &str) -> (String, Option<String>) {
    match arch.to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" => ("amd64".into(), None),
        "aarch64" => ("arm64".into(), None),
        "armhf" => ("arm".into(), Some("v7".into())),
        "armel" => ("arm".into(), Some("v6".into())),
        "i386" | "i686" => ("386".into(), None),
        other => (other.to_owned(), None),
    }
}

impl Platform {
    /// Whether an index entry's platform is this one. A missing variant on
    /// either side matches (arm64 images rarely say `v8`).
    pub(crate) fn matches(&self, p: &PlatformJson) -> bool {
        let (arch, implied) = normalize_arch(&p.architecture);
        if !p.os.eq_ignore_ascii_case(&self.os) || arch != self.architecture {
            return false;
        }
        match (&self.variant, p.variant.as_ref().or(implied.as_ref())) {
            (Some(want), Some(have)) => want.eq_ignore_ascii_case(have),
            _ => true,
        }
    }
}

fn is_attestation(d: &Descriptor) -> bool {
    d.annotation("vnd.docker.reference.type") == Some("attestation-manifest")
        || d.platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}

/// Picks the manifest for `platform` from an index's entries.
///
/// Attestation manifests (BuildKit's `unknown/unknown`) never match. An
/// index whose only image entry has no platform yields that entry (OCI
/// layouts often list one manifest without one).
pub(crate) fn choose<'a>(
    entries: &'a [Descriptor],
    platform: &Platform,
    what: &str,
) -> Result<&'a Descriptor, ImageError> {
    let images: Vec<&Descriptor> = entries.iter().filter(|d| !is_attestation(d)).collect();
    if let Some(d) = images
        .iter()
        .find(|d| d.platform.as_ref().is_some_and(|p| platform.matches(p)))
    {
        return Ok(d);
    }
    if let [only] = images.as_slice()
        && only.platform.is_none()
    {
        return Ok(only);
    }
    let available: Vec<String> = images
        .iter()
        .map(|d| match &d.platform {
            Some(p) => match &p.variant {
                Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
                None => format!("{}/{}", p.os, p.architecture),
            },
            None => "(no platform)".into(),
        })
        .collect();
    Err(ImageError::not_found(
        what,
        format!(
            "no manifest for platform {platform}; available: {}",
            if available.is_empty() {
                "none".to_owned()
            } else {
                available.join(", ")
            }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        s.parse().expect(s)
    }

    fn pj(os: &str, arch: &str, v: Option<&str>) -> PlatformJson {
        PlatformJson {
            os: os.into(),
            architecture: arch.into(),
            variant: v.map(Into::into),
        }
    }

    #[test]
    fn parses_and_matches() {
        assert_eq!(p("linux/amd64"), Platform::default());
        assert_eq!(p("x86_64"), Platform::default());
        assert_eq!(p("linux/aarch64").architecture, "arm64");
        assert_eq!(p("linux/armhf").variant.as_deref(), Some("v7"));
        assert!(p("linux/arm64").matches(&pj("linux", "arm64", Some("v8"))));
        assert!(p("linux/arm64/v8").matches(&pj("linux", "arm64", None)));
        assert!(!p("linux/arm/v7").matches(&pj("linux", "arm", Some("v6"))));
        assert!(!p("linux/amd64").matches(&pj("windows", "amd64", None)));
        assert!("a/b/c/d".parse::<Platform>().is_err());
        assert!("/amd64".parse::<Platform>().is_err());
    }
}
