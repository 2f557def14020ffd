//! Operating-system evidence: os-release and the dpkg, apk and rpm databases.
//!
//! Each package database has an analyzer ([`dpkg::DpkgAnalyzer`],
//! [`apk::ApkAnalyzer`], [`rpm::RpmAnalyzer`]) and pure parsers over bytes
//! (public so fuzz targets and tests can drive them directly). Every parser
//! is bounded: counts and lengths read from the input are checked against
//! the input's size and the limits in [`limits`], and nothing panics on any
//! input. See docs/INVENTORY.md, section "OS packages", for what each
//! analyzer reads and emits.

pub mod apk;
pub mod dpkg;
pub mod license;
pub mod origin;
pub mod osrelease;
pub mod rpm;

use bosun_model::Distro;

use crate::Analyzer;

/// Limits shared by the OS package parsers.
pub mod limits {
    /// Most stanzas (dpkg, apk) or records (rpm) read from one database.
    pub const MAX_PACKAGES: usize = 200_000;
    /// Most fields in one dpkg stanza.
    pub const MAX_FIELDS_PER_STANZA: usize = 512;
    /// Most bytes of one field value (dpkg, apk).
    pub const MAX_FIELD_LEN: usize = 4 * 1024 * 1024;
    /// Most files recorded for one package.
    pub const MAX_FILES_PER_PACKAGE: usize = 1_000_000;
    /// Most bytes of one rpm header blob.
    pub const MAX_HEADER_LEN: usize = 64 * 1024 * 1024;
}

/// The OS analyzers, os-release first.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(osrelease::OsReleaseAnalyzer),
        Box::new(dpkg::DpkgAnalyzer),
        Box::new(apk::ApkAnalyzer),
        Box::new(rpm::RpmAnalyzer),
    ]
}

/// The `distro` purl qualifier: `<id>-<version_id>`, or `<id>-<codename>`
/// when the distribution has no version (Debian testing and sid), or `<id>`.
pub fn distro_qualifier(distro: Option<&Distro>) -> String {
    let Some(d) = distro else {
        return String::new();
    };
    if d.id.is_empty() {
        return String::new();
    }
    match (&d.version_id, &d.codename) {
        (Some(v), _) if !v.is_empty() => format!("{}-{}", d.id, v),
        (_, Some(c)) if !c.is_empty() => format!("{}-{}", d.id, c),
        _ => d.id.clone(),
    }
}

/// Whether the distribution is one of `family` or says it is like one.
pub(crate) fn in_family(d: &Distro, family: &[&str]) -> bool {
    family.contains(&d.id.as_str()) || d.id_like.iter().any(|l| family.contains(&l.as_str()))
}

/// The distribution, when it is one of `family` (or says it is like one):
/// only then do its id and version go into a package's purl.
pub(crate) fn own_distro<'a>(distro: Option<&'a Distro>, family: &[&str]) -> Option<&'a Distro> {
    distro.filter(|d| !d.id.is_empty() && in_family(d, family))
}

/// Lossy UTF-8 for text databases: a stray Latin-1 byte in one field must not
/// make the whole database unreadable.
pub(crate) fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_qualifier_forms() {
        let mut d = Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            ..Distro::default()
        };
        assert_eq!(distro_qualifier(Some(&d)), "debian-12");
        d.version_id = None;
        assert_eq!(distro_qualifier(Some(&d)), "debian-bookworm");
        d.codename = None;
        assert_eq!(distro_qualifier(Some(&d)), "debian");
        assert_eq!(distro_qualifier(None), "");
    }

    #[test]
    fn own_distro_only_within_its_family() {
        let ubuntu = Distro {
            id: "ubuntu".into(),
            id_like: vec!["debian".into()],
            ..Distro::default()
        };
        assert_eq!(own_distro(Some(&ubuntu), &["debian"]), Some(&ubuntu));
        let alpine = Distro {
            id: "alpine".into(),
            ..Distro::default()
        };
        assert_eq!(own_distro(Some(&alpine), &["debian"]), None);
        assert_eq!(own_distro(None, &["debian"]), None);
    }
}
