//! bosun's domain types.
//!
//! Everything here is plain data with serde derives and no I/O: the image and
//! its layers as bosun saw them, the packages found in it, and the
//! [`Inventory`] that ties them together. The inventory is the pivot of the
//! whole pipeline: it is what `bosun sbom` exports, what `bosun scan sbom:FILE`
//! reads back, and what matching and policy work from, so that a rescan after a
//! vulnerability-data update needs no image.

mod compliance;
mod ecosystem;
mod finding;
mod image;
mod package;
mod policy;
pub mod purl;

pub use compliance::{CheckEvidence, CheckFinding, SecretFinding, SecretSource};
pub use ecosystem::{Ecosystem, UnknownEcosystem};
pub use finding::{
    Cvss, DbInfo, Finding, FixState, MatchDetails, PackageRef, SCAN_RESULT_SCHEMA, ScanResult,
    Severity, Suppression,
};
pub use image::{Distro, HistoryEntry, ImageConfig, LayerInfo, SourceInfo, SourceKind};
pub use package::{Location, Package, SourceRef};
pub use policy::{PolicyVerdict, PolicyViolation};

use serde::{Deserialize, Serialize};

/// The identifier of the inventory JSON schema this version writes.
///
/// Bumped when a field changes meaning or disappears; adding optional fields
/// does not bump it.
pub const INVENTORY_SCHEMA: &str = "bosun.inventory/v1";

/// What bosun knows about one image (or directory): where it came from, its
/// layers and configuration, the distribution and every package found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Always [`INVENTORY_SCHEMA`] when written by this version.
    pub schema: String,
    /// The bosun version that produced the inventory.
    pub generator: String,
    /// When the inventory was made (RFC 3339, UTC).
    pub created: String,
    pub source: SourceInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ImageConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// Layers in order, bottom first. `Location::layer` and
    /// `Package::introduced_in` index into this list.
    #[serde(default)]
    pub layers: Vec<LayerInfo>,
    #[serde(default)]
    pub packages: Vec<Package>,
    /// Things bosun skipped or could not read, said once each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Inventory {
    /// The layer a package or file came from, if the index is valid.
    pub fn layer(&self, index: Option<usize>) -> Option<&LayerInfo> {
        index.and_then(|i| self.layers.get(i))
    }
}
