use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Ecosystem;

/// A place in the image: a path inside the root and, for images, the layer
/// the file at that path came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Absolute path inside the image root, e.g. `/var/lib/dpkg/status`.
    pub path: String,
    /// Index into [`crate::Inventory::layers`]; `None` for sources without
    /// layers (a directory) or when the layer is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
}

impl Location {
    pub fn new(path: impl Into<String>, layer: Option<usize>) -> Self {
        Location {
            path: path.into(),
            layer,
        }
    }
}

/// The package a binary package was built from: the Debian source package,
/// the Alpine origin, or the RPM source RPM. Vulnerability data for OS
/// packages is published per source package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub name: String,
    /// The source version, when it differs from the binary version
    /// (Debian binNMUs, `Source: name (version)` fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One package found in an image or directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// The version as the ecosystem writes it (for RPM `[epoch:]version-release`,
    /// for Debian `[epoch:]upstream[-revision]`).
    pub version: String,
    /// The package URL (purl-spec), e.g. `pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12`.
    pub purl: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Declared licences, as the package metadata states them (SPDX
    /// expressions where the metadata uses them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// The file that declared the package: the package database, the
    /// lockfile, the binary or the archive.
    pub found_in: Location,
    /// The layer whose change first brought the package in (a package present
    /// since then without interruption), as an index into the inventory's layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced_in: Option<usize>,
    /// The layer that last changed the package (installed the current
    /// version); equal to `introduced_in` when it never changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_in: Option<usize>,
    /// Files the package owns, as absolute paths (OS packages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// True for development-only dependencies of a lockfile.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Ecosystem-specific facts with documented keys (see docs/INVENTORY.md),
    /// e.g. `maintainer`, `installed-size`, `sha1`, `go-version`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

impl Package {
    /// A package with the required fields set and everything else empty.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        purl: impl Into<String>,
        found_in: Location,
    ) -> Self {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            purl: purl.into(),
            source: None,
            arch: None,
            licenses: Vec::new(),
            found_in,
            introduced_in: None,
            changed_in: None,
            files: Vec::new(),
            dev: false,
            properties: BTreeMap::new(),
        }
    }

    /// The name vulnerability data for this package is published under:
    /// the source package for OS packages that have one, else the name.
    pub fn advisory_name(&self) -> &str {
        match &self.source {
            Some(src) if self.ecosystem.is_os() => &src.name,
            _ => &self.name,
        }
    }
}
