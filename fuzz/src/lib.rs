//! Shared checks for the fuzz targets, one module per crate under test.

pub mod version;
