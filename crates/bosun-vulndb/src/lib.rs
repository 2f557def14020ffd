//! bosun's local vulnerability database.
//!
//! - [`import`]: read real feed files (OSV JSON/YAML/`all.zip`, the Debian
//!   security tracker JSON and DSA/DLA lists, Alpine/Wolfi/Chainguard secdb,
//!   NVD CVE API 2.0, Node.js security-wg npm advisories, rubysec) into a new
//!   database file, swapped in atomically.
//! - [`update`]: fetch the same feeds from their URLs (conditional requests,
//!   size bounds, checksums where published) and swap atomically.
//! - [`Db`]: the read-only file the matcher queries: one indexed lookup per
//!   `(namespace, package)`.
//! - [`status`]: sources, record counts, age.
//!
//! See docs/VULNDB.md for the formats, the schema and the decisions.
//!
//! ```no_run
//! let db = bosun_vulndb::Db::open(bosun_vulndb::default_path().unwrap())?;
//! for hit in db.affected("pypi", "requests")? {
//!     println!("{:?}", db.advisory(hit.adv)?.map(|a| a.id));
//! }
//! # Ok::<(), bosun_vulndb::VulnDbError>(())
//! ```

pub mod constraints;
pub mod eval;
pub mod import;
pub mod model;
pub mod namespace;
pub mod status;
mod store;
pub mod update;

use std::path::PathBuf;

pub use import::{FeedMeta, ImportOptions, ImportReport, SourceReport, import, import_records};
pub use model::{Advisory, AffectedRow, Constraint, CvssRef, Op, Rule};
pub use store::{AffectedHit, Db, SCHEMA_VERSION, Skip, SourceMeta};

/// Everything that can go wrong with the database or a feed.
#[derive(Debug, thiserror::Error)]
pub enum VulnDbError {
    #[error(
        "no vulnerability database at {path}; run `bosun db update` or `bosun db import PATH...`"
    )]
    Missing { path: PathBuf },
    #[error("{path} is not a bosun vulnerability database: {detail}")]
    NotADatabase { path: PathBuf, detail: String },
    #[error("database {path} is corrupt: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("database {path}: integrity check failed: {detail}")]
    Integrity { path: PathBuf, detail: String },
    #[error("database {path}: cannot {op}: {source}")]
    Sqlite {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: cannot {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("feed file {file}: {reason}")]
    Feed { file: PathBuf, reason: String },
    #[error("feed file {file} is {size} bytes, over the {limit} byte bound")]
    TooLarge {
        file: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("feed {feed}: {reason}")]
    Fetch { feed: String, reason: String },
    #[error("feed configuration {path}: {reason}")]
    Config { path: PathBuf, reason: String },
    #[error("internal error: {0}")]
    Internal(String),
    /// Writing the new file failed (full disk, file size limit, I/O error).
    /// The temporary file is removed and the database at `target` is the
    /// one that was there before.
    #[error(
        "cannot write the new database for {target}; the current database is unchanged{hint}: {source}"
    )]
    Write {
        target: PathBuf,
        hint: &'static str,
        #[source]
        source: Box<VulnDbError>,
    },
}

impl VulnDbError {
    /// Errors that concern one record file found in a directory of records
    /// (skipped and counted there) rather than the import as a whole.
    pub fn is_record_level(&self) -> bool {
        matches!(self, VulnDbError::Feed { .. })
    }

    /// True when SQLite reported a full disk (or the page limit).
    pub fn is_disk_full(&self) -> bool {
        match self {
            VulnDbError::Write { source, .. } => source.is_disk_full(),
            VulnDbError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DiskFull)
            ),
            VulnDbError::Io { source, .. } => source.raw_os_error() == Some(28),
            _ => false,
        }
    }

    /// True when SQLite or the file system reported an I/O failure while
    /// writing (which a file size limit, among others, produces).
    pub fn is_io_failure(&self) -> bool {
        match self {
            VulnDbError::Write { source, .. } => source.is_io_failure(),
            VulnDbError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull)
            ),
            VulnDbError::Io { .. } => true,
            _ => false,
        }
    }

    /// Wraps an error of writing the new database file for `target`.
    pub(crate) fn writing(self, target: &std::path::Path) -> VulnDbError {
        match self {
            VulnDbError::Sqlite { .. } | VulnDbError::Io { .. } | VulnDbError::Integrity { .. } => {
                let hint = if self.is_disk_full() {
                    " (the disk is full)"
                } else if self.is_io_failure() {
                    " (check free space and file size limits)"
                } else {
                    ""
                };
                VulnDbError::Write {
                    target: target.to_path_buf(),
                    hint,
                    source: Box::new(self),
                }
            }
            other => other,
        }
    }
}

/// The default database file: `$BOSUN_CACHE_DIR/db/bosun.db`, else
/// `$XDG_CACHE_HOME/bosun/db/bosun.db`, else `~/.cache/bosun/db/bosun.db`.
pub fn default_path() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = env("BOSUN_CACHE_DIR") {
        return Some(d.join("db").join("bosun.db"));
    }
    if let Some(d) = env("XDG_CACHE_HOME") {
        return Some(d.join("bosun").join("db").join("bosun.db"));
    }
    env("HOME").map(|h| h.join(".cache").join("bosun").join("db").join("bosun.db"))
}
