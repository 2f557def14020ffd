//! Package URLs (purl-spec) read back into their parts.

use std::collections::BTreeMap;

/// The parts of a package URL, percent-decoded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purl {
    pub ty: String,
    pub namespace: Vec<String>,
    pub name: String,
    pub version: String,
    pub qualifiers: BTreeMap<String, String>,
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => match std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_purl(purl: &str) -> Option<Purl> {
    let rest = purl.strip_prefix("pkg:")?;
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (path, version) = match path.rsplit_once('@') {
        Some((p, v)) if !p.is_empty() => (p, unescape(v)),
        _ => (path, String::new()),
    };
    let mut parts: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(unescape)
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let ty = parts.remove(0).to_ascii_lowercase();
    let name = parts.pop()?;
    let qualifiers = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), unescape(v)))
        .collect();
    Some(Purl {
        ty,
        namespace: parts,
        name,
        version,
        qualifiers,
    })
}

impl Purl {
    /// Whether `self` (a pattern, e.g. from a VEX statement) names
    /// `other`: same type, namespace and name; the same version when the
    /// pattern has one; and every qualifier the pattern has.
    pub fn covers(&self, other: &Purl) -> bool {
        self.ty == other.ty
            && self.namespace == other.namespace
            && self.name == other.name
            && (self.version.is_empty() || self.version == other.version)
            && self
                .qualifiers
                .iter()
                .all(|(k, v)| other.qualifiers.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_split_into_parts() {
        let p = parse_purl(
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&upstream=glibc&distro=debian-12",
        )
        .expect("purl");
        assert_eq!(p.ty, "deb");
        assert_eq!(p.name, "libc6");
        assert_eq!(p.version, "2.36-9+deb12u7");
        assert_eq!(
            p.qualifiers.get("upstream").map(String::as_str),
            Some("glibc")
        );
        let p = parse_purl("pkg:npm/%40hapi/hoek@8.2.0").expect("purl");
        assert_eq!(p.namespace, vec!["@hapi".to_owned()]);
        assert!(parse_purl("not a purl").is_none());
        assert!(parse_purl("pkg:deb").is_none());
        assert!(parse_purl("pkg:%zz/%/@@?&&=").is_some_and(|p| p.ty == "%zz"));
    }

    #[test]
    fn patterns_cover_more_specific_purls() {
        let pkg = parse_purl("pkg:deb/debian/openssl@3.0.15-1?arch=amd64&distro=debian-12")
            .expect("purl");
        for pattern in [
            "pkg:deb/debian/openssl",
            "pkg:deb/debian/openssl@3.0.15-1",
            "pkg:deb/debian/openssl@3.0.15-1?arch=amd64",
        ] {
            assert!(
                parse_purl(pattern).expect(pattern).covers(&pkg),
                "{pattern}"
            );
        }
        for pattern in [
            "pkg:deb/debian/openssl@3.0.14-1",
            "pkg:deb/ubuntu/openssl",
            "pkg:deb/debian/openssl?arch=arm64",
            "pkg:rpm/debian/openssl",
        ] {
            assert!(
                !parse_purl(pattern).expect(pattern).covers(&pkg),
                "{pattern}"
            );
        }
    }
}
