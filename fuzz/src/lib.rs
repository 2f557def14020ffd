//! Shared checks for the fuzz targets, one module per crate under test.

pub mod version;
pub mod checks;
pub mod gate;
pub mod policy;
pub mod sbom;
pub mod vulndb;
