//! Which findings count, and whether the build fails.
//!
//! 1. [`IgnoreFile`] (`.bosunignore`, YAML) and [`Vex`] (OpenVEX documents)
//!    mark findings as suppressed, saying by which entry or statement and
//!    why; suppressed findings stay in machine-readable reports.
//! 2. [`GateOptions::filter`] drops findings the user asked not to see
//!    (`--severity`, `--ignore-unfixed`).
//! 3. [`GateOptions::verdict`] decides whether what is left trips the gate
//!    (`--fail-on`, `--min-cvss`, `--exit-code`), naming every finding that did.

mod gate;
mod ignore;
mod vex;

pub use gate::{GateOptions, Verdict};
pub use ignore::{IgnoreEntry, IgnoreFile};
pub use vex::Vex;

/// A suppression source that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Today's date in UTC, for expiry checks.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

pub(crate) fn read_file(path: &std::path::Path, limit: u64) -> Result<String, GateError> {
    use std::io::Read;
    let p = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|source| GateError::Io {
        path: p.clone(),
        source,
    })?;
    let mut s = String::new();
    f.take(limit + 1)
        .read_to_string(&mut s)
        .map_err(|source| GateError::Io {
            path: p.clone(),
            source,
        })?;
    if s.len() as u64 > limit {
        return Err(GateError::Invalid {
            path: p,
            message: format!("larger than {limit} bytes"),
        });
    }
    Ok(s)
}
