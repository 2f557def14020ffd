//! Reports of a scan for people and for machines.
//!
//! Every writer is a pure function from the scan result to text, so the
//! binary decides where it goes (stdout or an `--output` file, written
//! atomically) and golden tests pin each format.

mod cdx_vulns;
mod findings;
mod inventory;
mod junit;
mod sarif;
mod template;

pub use cdx_vulns::cyclonedx_with_vulnerabilities;
pub use findings::{findings_table, scan_json, sort as sort_findings, target_of};
pub use inventory::{inventory_json, inventory_table};
pub use junit::junit;
pub use sarif::sarif;
pub use template::{TemplateError, render as render_template};

/// Options shared by the terminal writers.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Total width to lay tables out in; `None` lets cells keep their width.
    pub width: Option<u16>,
    /// Whether to use ANSI colour.
    pub color: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            width: Some(120),
            color: false,
        }
    }
}
