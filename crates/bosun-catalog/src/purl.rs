//! Package URLs (purl-spec) for the packages bosun finds.

use packageurl::PackageUrl;

/// Builds a purl string. Qualifiers with empty values are left out; the
/// output orders qualifiers by key, so the same package always gets the
/// same purl.
///
/// Returns `None` when the purl library rejects a component (for example an
/// empty name); the caller then records a warning instead of a bad purl.
pub fn build(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    let mut p = PackageUrl::new(ty, name).ok()?;
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        p.with_namespace(ns).ok()?;
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        p.with_version(v).ok()?;
    }
    for (k, v) in qualifiers {
        if !v.is_empty() {
            p.add_qualifier(*k, *v).ok()?;
        }
    }
    Some(p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_purl_encodes_plus_and_orders_qualifiers() {
        let p = build(
            "deb",
            Some("debian"),
            "libc6",
            Some("2.36-9+deb12u7"),
            &[("distro", "debian-12"), ("arch", "amd64"), ("upstream", "")],
        );
        assert_eq!(
            p.as_deref(),
            Some("pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12")
        );
    }
}
