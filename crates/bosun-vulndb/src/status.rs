//! `bosun db status`: the sources in the database, their counts and age.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Db, SourceMeta, VulnDbError};

/// Default age after which `status` warns (days).
pub const DEFAULT_MAX_AGE_DAYS: u64 = 7;

/// One source with its age.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    #[serde(flatten)]
    pub meta: SourceMeta,
    /// Whole days since it was imported (`None` if the date is unreadable).
    pub age_days: Option<u64>,
}

/// What `bosun db status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub schema: String,
    pub built_at: Option<String>,
    pub sources: Vec<SourceStatus>,
    /// Affected rows per namespace.
    pub namespaces: BTreeMap<String, u64>,
    pub advisories: u64,
    pub affected: u64,
    pub skipped: u64,
    /// Stale sources and other things worth saying.
    pub warnings: Vec<String>,
}

/// Whole days from `then` (an RFC 3339 import time, as [`SourceMeta`] keeps
/// it) to `now`; `None` when `then` is unreadable or in the future.
///
/// [`SourceMeta`]: crate::SourceMeta
pub fn age_days(then: &str, now: jiff::Timestamp) -> Option<u64> {
    let t: jiff::Timestamp = then.parse().ok()?;
    let secs = now.as_second().checked_sub(t.as_second())?;
    u64::try_from(secs / 86_400).ok()
}

/// Reads the status of the database at `path`; sources older than
/// `max_age_days` get a warning. `now` is for tests.
pub fn status(
    path: &Path,
    max_age_days: u64,
    now: Option<jiff::Timestamp>,
) -> Result<Status, VulnDbError> {
    let db = Db::open(path)?;
    let now = now.unwrap_or_else(jiff::Timestamp::now);
    let size_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut warnings = Vec::new();
    let sources: Vec<SourceStatus> = db
        .sources()?
        .into_iter()
        .map(|meta| {
            let age = age_days(&meta.imported_at, now);
            match age {
                Some(a) if a > max_age_days => warnings.push(format!(
                    "source {} is {a} days old (more than {max_age_days}); run `bosun db update`",
                    meta.name
                )),
                None => warnings.push(format!(
                    "source {}: import date `{}` unreadable",
                    meta.name, meta.imported_at
                )),
                _ => {}
            }
            if meta.skipped > 0 {
                warnings.push(format!(
                    "source {}: {} records skipped (see `bosun db status --skips`)",
                    meta.name, meta.skipped
                ));
            }
            SourceStatus {
                meta,
                age_days: age,
            }
        })
        .collect();
    if sources.is_empty() {
        warnings.push("the database holds no source".to_owned());
    }
    let namespaces = db.namespaces()?;
    Ok(Status {
        path: path.to_path_buf(),
        size_bytes,
        schema: db.meta("schema")?.unwrap_or_default(),
        built_at: db.meta("built_at")?,
        advisories: sources.iter().map(|s| s.meta.records).sum(),
        affected: sources.iter().map(|s| s.meta.affected).sum(),
        skipped: sources.iter().map(|s| s.meta.skipped).sum(),
        sources,
        namespaces,
        warnings,
    })
}
