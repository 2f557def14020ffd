//! SBOM documents written from a bosun [`Inventory`].
//!
//! - [`cyclonedx`]: CycloneDX 1.6 JSON.
//! - [`spdx`]: SPDX 2.3 JSON.
//!
//! Both carry every package with its purl, licences, the file it was found in
//! and the layer that introduced it, so that a document bosun wrote can be
//! read back into the same inventory (`bosun scan sbom:FILE`). bosun's own
//! JSON is the serialized [`Inventory`] itself.
//!
//! Volatile fields (timestamps, serial numbers, namespaces) come from
//! [`DocumentOptions`], so callers and golden tests can pin them.

pub mod cyclonedx;
mod ids;
mod license;
mod read;
pub mod spdx;

pub use read::{Format, read_inventory};

use bosun_model::Inventory;

/// Fields that differ between two runs over the same input.
#[derive(Debug, Clone, Default)]
pub struct DocumentOptions {
    /// RFC 3339 creation time. Defaults to the inventory's `created`.
    pub timestamp: Option<String>,
    /// A UUID for the CycloneDX serial number and the SPDX namespace.
    /// Defaults to a random v4 UUID.
    pub uuid: Option<uuid::Uuid>,
}

impl DocumentOptions {
    fn timestamp<'a>(&'a self, inv: &'a Inventory) -> &'a str {
        self.timestamp.as_deref().unwrap_or(&inv.created)
    }

    fn uuid(&self) -> uuid::Uuid {
        self.uuid.unwrap_or_else(uuid::Uuid::new_v4)
    }
}

/// A document that could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("{format} document: {message}")]
    Invalid {
        format: &'static str,
        message: String,
    },
    #[error("{format} document: field `{path}`: {source}")]
    Json {
        format: &'static str,
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// The name bosun writes as the producing tool.
pub const TOOL_NAME: &str = "bosun";

/// The image or directory name a document describes.
fn subject_name(inv: &Inventory) -> String {
    inv.source
        .name
        .clone()
        .unwrap_or_else(|| inv.source.reference.clone())
}
