//! The database file: schema, writing a new file, reading it.
//!
//! One SQLite file. The matcher's hot path is one indexed lookup per package:
//! `affected` is a `WITHOUT ROWID` table whose primary key starts with
//! `(namespace, package)`, so rows of one package sit together on disk. Rules
//! (version ranges) are compact JSON, zstd-compressed when longer than
//! `COMPRESS_OVER` bytes; advisory text (description, references) is one
//! zstd-compressed JSON blob per advisory, read only for advisories that match.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bosun_model::{DbInfo, FixState, Severity};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::VulnDbError;
use crate::model::{Advisory, CvssRef, Rule};

/// The schema this version writes and reads.
pub const SCHEMA_VERSION: &str = "1";

/// Rules longer than this are stored zstd-compressed.
/// JSON shorter than this is stored as is.
pub(crate) const COMPRESS_OVER: usize = 48;

pub(crate) const SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources(
    name TEXT PRIMARY KEY,
    imported_at TEXT NOT NULL,
    files INTEGER NOT NULL,
    records INTEGER NOT NULL,
    affected INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    inputs TEXT NOT NULL,
    url TEXT,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT
) WITHOUT ROWID;
CREATE TABLE skips(source TEXT NOT NULL, file TEXT NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE advisories(
    id INTEGER PRIMARY KEY,
    advisory TEXT NOT NULL,
    source INTEGER NOT NULL,
    aliases TEXT NOT NULL,
    related TEXT NOT NULL,
    title TEXT,
    severity TEXT,
    cvss TEXT,
    published TEXT,
    modified TEXT,
    body BLOB
);
CREATE UNIQUE INDEX advisories_key ON advisories(advisory, source);
CREATE TABLE affected(
    namespace INTEGER NOT NULL,
    package TEXT NOT NULL,
    adv INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    state INTEGER NOT NULL,
    severity INTEGER,
    rule BLOB NOT NULL,
    PRIMARY KEY(namespace, package, adv, seq)
) WITHOUT ROWID;
CREATE TABLE dict(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
";

pub(crate) fn state_code(s: FixState) -> i64 {
    match s {
        FixState::Fixed => 0,
        FixState::NotFixed => 1,
        FixState::WontFix => 2,
        FixState::Unknown => 3,
    }
}

fn state_from(code: i64) -> FixState {
    match code {
        0 => FixState::Fixed,
        1 => FixState::NotFixed,
        2 => FixState::WontFix,
        _ => FixState::Unknown,
    }
}

/// Blob tags (first byte of every stored rule and body).
const TAG_RAW: u8 = 0;
const TAG_ZSTD: u8 = 1;
const TAG_ZSTD_DICT: u8 = 2;
const TAG_BELOW: u8 = 3;
const TAG_ALL: u8 = 4;

/// Largest decompressed rule or body read back (a corrupt or hostile file
/// cannot make the reader allocate more).
const MAX_BLOB: usize = 64 << 20;

/// Compression of rules and advisory text: zstd with a dictionary trained on
/// the data at import (small JSON records compress 2-3x better with it).
pub(crate) struct Encoder {
    compressor: zstd::bulk::Compressor<'static>,
    dict: bool,
}

impl Encoder {
    pub(crate) fn new(dict: Option<&[u8]>) -> Result<Encoder, VulnDbError> {
        let internal = |e: std::io::Error| VulnDbError::Internal(format!("zstd: {e}"));
        Ok(match dict {
            Some(d) => Encoder {
                compressor: zstd::bulk::Compressor::with_dictionary(12, d).map_err(internal)?,
                dict: true,
            },
            None => Encoder {
                compressor: zstd::bulk::Compressor::new(12).map_err(internal)?,
                dict: false,
            },
        })
    }

    fn pack(&mut self, json: &[u8]) -> Result<Vec<u8>, VulnDbError> {
        let mut out = Vec::with_capacity(json.len() / 2 + 8);
        if json.len() <= COMPRESS_OVER {
            out.push(TAG_RAW);
            out.extend_from_slice(json);
            return Ok(out);
        }
        let z = self
            .compressor
            .compress(json)
            .map_err(|e| VulnDbError::Internal(format!("zstd: {e}")))?;
        out.push(if self.dict { TAG_ZSTD_DICT } else { TAG_ZSTD });
        out.extend_from_slice(&z);
        Ok(out)
    }

    pub(crate) fn rule(&mut self, rule: &Rule) -> Result<Vec<u8>, VulnDbError> {
        match rule {
            Rule::Below { fixed } => {
                let mut out = vec![TAG_BELOW];
                out.extend_from_slice(fixed.as_bytes());
                Ok(out)
            }
            Rule::All => Ok(vec![TAG_ALL]),
            _ => {
                let json =
                    serde_json::to_vec(rule).map_err(|e| VulnDbError::Internal(e.to_string()))?;
                self.pack(&json)
            }
        }
    }
}

/// The reading side of [`Encoder`].
pub(crate) struct Decoder {
    plain: zstd::bulk::Decompressor<'static>,
    dict: Option<zstd::bulk::Decompressor<'static>>,
}

impl Decoder {
    pub(crate) fn new(dict: Option<&[u8]>) -> Result<Decoder, String> {
        Ok(Decoder {
            plain: zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?,
            dict: dict
                .map(zstd::bulk::Decompressor::with_dictionary)
                .transpose()
                .map_err(|e| e.to_string())?,
        })
    }

    fn unpack(&mut self, blob: &[u8]) -> Result<Vec<u8>, String> {
        let (tag, rest) = blob.split_first().ok_or("empty blob")?;
        match *tag {
            TAG_RAW => Ok(rest.to_vec()),
            TAG_ZSTD => self
                .plain
                .decompress(rest, MAX_BLOB)
                .map_err(|e| e.to_string()),
            TAG_ZSTD_DICT => match &mut self.dict {
                Some(d) => d.decompress(rest, MAX_BLOB).map_err(|e| e.to_string()),
                None => Err("compressed with a dictionary the file does not hold".into()),
            },
            t => Err(format!("unknown blob tag {t}")),
        }
    }

    pub(crate) fn rule(&mut self, blob: &[u8]) -> Result<Rule, String> {
        match blob.split_first() {
            Some((&TAG_BELOW, rest)) => Ok(Rule::Below {
                fixed: String::from_utf8(rest.to_vec()).map_err(|e| e.to_string())?,
            }),
            Some((&TAG_ALL, _)) => Ok(Rule::All),
            _ => {
                let bytes = self.unpack(blob)?;
                serde_json::from_slice(&bytes).map_err(|e| e.to_string())
            }
        }
    }
}

/// Trains a zstd dictionary on sample rules and texts (`None` when there is
/// too little data to be worth it).
pub(crate) fn train_dictionary(samples: &[Vec<u8>]) -> Option<Vec<u8>> {
    let total: usize = samples.iter().map(Vec::len).sum();
    if samples.len() < 64 || total < 64 * 1024 {
        return None;
    }
    zstd::dict::from_samples(samples, 112 * 1024).ok()
}

#[derive(Serialize, Deserialize, Default)]
struct Body {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    r: Vec<String>,
}

fn sqlite_err<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl Fn(rusqlite::Error) -> VulnDbError + 'a {
    move |e| VulnDbError::Sqlite {
        path: path.to_path_buf(),
        op,
        source: e,
    }
}

/// Per-source import facts stored in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceMeta {
    pub name: String,
    pub imported_at: String,
    pub files: u64,
    pub records: u64,
    pub affected: u64,
    pub skipped: u64,
    pub inputs: Vec<String>,
    pub url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub sha256: Option<String>,
}

/// A skipped record, as stored (the first [`crate::import::MAX_STORED_SKIPS`] per source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    pub file: String,
    pub field: String,
    pub reason: String,
}

/// Writes a database file (new, or a copy being merged into).
pub(crate) struct Writer {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    enc: Encoder,
    names: std::collections::HashMap<String, i64>,
}

/// The id of an interned name (namespace or source), creating it.
fn intern(
    conn: &Connection,
    path: &Path,
    cache: &mut std::collections::HashMap<String, i64>,
    name: &str,
) -> Result<i64, VulnDbError> {
    if let Some(id) = cache.get(name) {
        return Ok(*id);
    }
    conn.execute(
        "INSERT OR IGNORE INTO names(name) VALUES (?1)",
        params![name],
    )
    .map_err(sqlite_err(path, "intern a name"))?;
    let id: i64 = conn
        .query_row("SELECT id FROM names WHERE name = ?1", params![name], |r| {
            r.get(0)
        })
        .map_err(sqlite_err(path, "intern a name"))?;
    cache.insert(name.to_owned(), id);
    Ok(id)
}

fn read_names(
    conn: &Connection,
    path: &Path,
) -> Result<std::collections::HashMap<String, i64>, VulnDbError> {
    let mut stmt = conn
        .prepare("SELECT id, name FROM names")
        .map_err(sqlite_err(path, "read names"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(0)?)))
        .map_err(sqlite_err(path, "read names"))?;
    rows.collect::<Result<_, _>>()
        .map_err(sqlite_err(path, "read names"))
}

fn severity_code(s: Option<Severity>) -> Option<i64> {
    s.and_then(|s| Severity::ALL.iter().position(|x| *x == s))
        .map(|i| i as i64)
}

fn severity_from_code(c: Option<i64>) -> Option<Severity> {
    c.and_then(|c| usize::try_from(c).ok())
        .and_then(|i| Severity::ALL.get(i).copied())
}

impl Writer {
    /// Creates the schema in a new, empty file.
    pub(crate) fn create(path: &Path, max_pages: Option<u32>) -> Result<Writer, VulnDbError> {
        let conn = Connection::open(path).map_err(sqlite_err(path, "create database"))?;
        let w = Writer {
            conn,
            path: path.to_path_buf(),
            enc: Encoder::new(None)?,
            names: std::collections::HashMap::new(),
        };
        w.pragmas(max_pages)?;
        w.conn
            .execute_batch(SCHEMA)
            .map_err(sqlite_err(path, "create schema"))?;
        w.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES ('schema', ?1)",
                params![SCHEMA_VERSION],
            )
            .map_err(sqlite_err(path, "write schema version"))?;
        Ok(w)
    }

    /// Opens an existing file (a copy of the current database) for merging.
    pub(crate) fn open_copy(path: &Path, max_pages: Option<u32>) -> Result<Writer, VulnDbError> {
        let conn = Connection::open(path).map_err(sqlite_err(path, "open database copy"))?;
        check_schema(&conn, path)?;
        let dict = read_dict(&conn, path)?;
        let names = read_names(&conn, path)?;
        let w = Writer {
            conn,
            path: path.to_path_buf(),
            enc: Encoder::new(dict.as_deref())?,
            names,
        };
        w.pragmas(max_pages)?;
        Ok(w)
    }

    fn pragmas(&self, max_pages: Option<u32>) -> Result<(), VulnDbError> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
            )
            .map_err(sqlite_err(&self.path, "set pragmas"))?;
        if let Some(n) = max_pages {
            self.conn
                .pragma_update(None, "max_page_count", n)
                .map_err(sqlite_err(&self.path, "set max_page_count"))?;
        }
        Ok(())
    }

    /// Whether the file has no dictionary yet (a fresh file).
    pub(crate) fn needs_dictionary(&self) -> bool {
        !self.enc.dict
    }

    /// Stores a trained dictionary; later rules and texts use it.
    pub(crate) fn set_dictionary(&mut self, dict: &[u8]) -> Result<(), VulnDbError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO dict(id, data) VALUES (1, ?1)",
                params![dict],
            )
            .map_err(sqlite_err(&self.path, "write compression dictionary"))?;
        self.enc = Encoder::new(Some(dict))?;
        Ok(())
    }

    /// Removes everything a source contributed.
    pub(crate) fn drop_source(&mut self, source: &str) -> Result<(), VulnDbError> {
        let p = &self.path;
        let source_id = intern(&self.conn, p, &mut self.names, source)?;
        self.conn
            .execute(
                "DELETE FROM affected WHERE adv IN (SELECT id FROM advisories WHERE source = ?1)",
                params![source_id],
            )
            .map_err(sqlite_err(p, "delete affected rows of a replaced source"))?;
        self.conn
            .execute(
                "DELETE FROM advisories WHERE source = ?1",
                params![source_id],
            )
            .map_err(sqlite_err(p, "delete advisories of a replaced source"))?;
        self.conn
            .execute("DELETE FROM skips WHERE source = ?1", params![source])
            .map_err(sqlite_err(p, "delete skips of a replaced source"))?;
        self.conn
            .execute("DELETE FROM sources WHERE name = ?1", params![source])
            .map_err(sqlite_err(p, "delete a replaced source"))?;
        Ok(())
    }

    /// Writes advisories (already merged per `(source, id)`).
    pub(crate) fn write_advisories<'a>(
        &mut self,
        advisories: impl Iterator<Item = &'a Advisory>,
    ) -> Result<(u64, u64), VulnDbError> {
        let p = &self.path;
        let conn = &self.conn;
        let enc = &mut self.enc;
        let names = &mut self.names;
        let mut adv_stmt = conn
            .prepare_cached(
                "INSERT INTO advisories(advisory, source, aliases, related, title, severity, cvss, published, modified, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(sqlite_err(p, "prepare advisory insert"))?;
        let mut aff_stmt = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO affected(namespace, package, adv, seq, state, severity, rule)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(sqlite_err(p, "prepare affected insert"))?;
        let (mut n_adv, mut n_aff) = (0u64, 0u64);
        for a in advisories {
            let body = Body {
                d: a.description.clone(),
                r: a.references.clone(),
            };
            let body = if body.d.is_none() && body.r.is_empty() {
                None
            } else {
                let json =
                    serde_json::to_vec(&body).map_err(|e| VulnDbError::Internal(e.to_string()))?;
                Some(enc.pack(&json)?)
            };
            let cvss = if a.cvss.is_empty() {
                None
            } else {
                Some(
                    serde_json::to_string(&a.cvss)
                        .map_err(|e| VulnDbError::Internal(e.to_string()))?,
                )
            };
            let source_id = intern(conn, p, names, &a.source)?;
            adv_stmt
                .execute(params![
                    a.id,
                    source_id,
                    a.aliases.join(" "),
                    a.related.join(" "),
                    a.title,
                    severity_code(a.severity),
                    cvss,
                    a.published,
                    a.modified,
                    body,
                ])
                .map_err(sqlite_err(p, "insert advisory"))?;
            let adv = conn.last_insert_rowid();
            n_adv += 1;
            for (seq, row) in a.affected.iter().enumerate() {
                let rule = enc.rule(&row.rule)?;
                let ns = intern(conn, p, names, &row.namespace)?;
                aff_stmt
                    .execute(params![
                        ns,
                        row.package,
                        adv,
                        seq as i64,
                        state_code(row.state),
                        severity_code(row.severity),
                        rule,
                    ])
                    .map_err(sqlite_err(p, "insert affected row"))?;
                n_aff += 1;
            }
        }
        Ok((n_adv, n_aff))
    }

    pub(crate) fn write_source(&self, s: &SourceMeta, skips: &[Skip]) -> Result<(), VulnDbError> {
        let p = &self.path;
        let inputs =
            serde_json::to_string(&s.inputs).map_err(|e| VulnDbError::Internal(e.to_string()))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO sources(name, imported_at, files, records, affected, skipped, inputs, url, etag, last_modified, sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    s.name,
                    s.imported_at,
                    s.files as i64,
                    s.records as i64,
                    s.affected as i64,
                    s.skipped as i64,
                    inputs,
                    s.url,
                    s.etag,
                    s.last_modified,
                    s.sha256
                ],
            )
            .map_err(sqlite_err(p, "write source"))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO skips(source, file, field, reason) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(sqlite_err(p, "prepare skip insert"))?;
        for k in skips {
            stmt.execute(params![s.name, k.file, k.field, k.reason])
                .map_err(sqlite_err(p, "write skip"))?;
        }
        Ok(())
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<(), VulnDbError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(sqlite_err(&self.path, "write meta"))?;
        Ok(())
    }

    /// `PRAGMA integrity_check`, then close (flushing everything to the file).
    pub(crate) fn finish(self) -> Result<(), VulnDbError> {
        let p = self.path.clone();
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sqlite_err(&p, "integrity check"))?;
        if result != "ok" {
            return Err(VulnDbError::Integrity {
                path: p,
                detail: result,
            });
        }
        self.conn
            .execute_batch("ANALYZE; VACUUM;")
            .map_err(sqlite_err(&p, "analyze and vacuum"))?;
        self.conn
            .close()
            .map_err(|(_, e)| sqlite_err(&p, "close database")(e))?;
        Ok(())
    }
}

fn read_dict(conn: &Connection, path: &Path) -> Result<Option<Vec<u8>>, VulnDbError> {
    conn.query_row("SELECT data FROM dict WHERE id = 1", [], |r| r.get(0))
        .optional()
        .map_err(sqlite_err(path, "read compression dictionary"))
}

fn check_schema(conn: &Connection, path: &Path) -> Result<(), VulnDbError> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| VulnDbError::NotADatabase {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    match v.as_deref() {
        Some(SCHEMA_VERSION) => Ok(()),
        other => Err(VulnDbError::NotADatabase {
            path: path.to_path_buf(),
            detail: format!(
                "schema version {} (this bosun reads {SCHEMA_VERSION}); run `bosun db import` or `bosun db update` again",
                other.unwrap_or("missing")
            ),
        }),
    }
}

/// A row of `affected` as the matcher reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedHit {
    /// The advisory's row id (see [`Db::advisory`]).
    pub adv: i64,
    pub namespace: String,
    pub package: String,
    pub state: FixState,
    pub severity: Option<Severity>,
    pub rule: Rule,
}

/// The read-only database.
///
/// `Db` holds one SQLite connection with cached statements; open it once and
/// match any number of inventories against it. It is `Send` but not `Sync`:
/// open one per thread for parallel matching.
pub struct Db {
    conn: Connection,
    path: PathBuf,
    dec: std::cell::RefCell<Decoder>,
    names: std::collections::HashMap<String, i64>,
    ids: std::collections::HashMap<i64, String>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens a database file read-only.
    pub fn open(path: impl AsRef<Path>) -> Result<Db, VulnDbError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(VulnDbError::Missing {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite_err(path, "open database"))?;
        check_schema(&conn, path)?;
        // The file is never written in place (imports rename a new file
        // over it), so the reader keeps its shared lock (no lock and header
        // check per statement) and maps the file. The query planner keeps
        // one plan per statement: with STAT4 samples it would re-prepare the
        // lookup for every new package name.
        conn.execute_batch(
            "PRAGMA query_only=1; PRAGMA cache_size=-32768; PRAGMA locking_mode=EXCLUSIVE; PRAGMA mmap_size=268435456;",
        )
        .map_err(sqlite_err(path, "set pragmas"))?;
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(sqlite_err(
            path,
            "set the query planner stability guarantee",
        ))?;
        let dict = read_dict(&conn, path)?;
        let dec = Decoder::new(dict.as_deref()).map_err(|e| VulnDbError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("compression dictionary: {e}"),
        })?;
        let names = read_names(&conn, path)?;
        let ids = names.iter().map(|(k, v)| (*v, k.clone())).collect();
        Ok(Db {
            conn,
            path: path.to_path_buf(),
            dec: std::cell::RefCell::new(dec),
            names,
            ids,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every affected row for a package name (already normalized) in a namespace.
    pub fn affected(
        &self,
        namespace: &str,
        package: &str,
    ) -> Result<Vec<AffectedHit>, VulnDbError> {
        let p = &self.path;
        let Some(ns) = self.names.get(namespace) else {
            return Ok(Vec::new());
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT adv, state, severity, rule FROM affected WHERE namespace = ?1 AND package = ?2",
            )
            .map_err(sqlite_err(p, "prepare lookup"))?;
        let rows = stmt
            .query_map(params![ns, package], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .map_err(sqlite_err(p, "look up package"))?;
        let mut out = Vec::new();
        for row in rows {
            let (adv, state, sev, rule) = row.map_err(sqlite_err(p, "read affected row"))?;
            let rule = self
                .dec
                .borrow_mut()
                .rule(&rule)
                .map_err(|e| VulnDbError::Corrupt {
                    path: p.clone(),
                    detail: format!("rule of advisory row {adv}: {e}"),
                })?;
            out.push(AffectedHit {
                adv,
                namespace: namespace.to_owned(),
                package: package.to_owned(),
                state: state_from(state),
                severity: severity_from_code(sev),
                rule,
            });
        }
        Ok(out)
    }

    fn advisory_from_row(
        &self,
        r: &rusqlite::Row<'_>,
    ) -> rusqlite::Result<(Advisory, Option<Vec<u8>>)> {
        let split = |s: String| -> Vec<String> {
            s.split(' ')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let cvss: Option<String> = r.get(6)?;
        let cvss: Vec<CvssRef> = cvss
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default();
        Ok((
            Advisory {
                id: r.get(0)?,
                source: self
                    .ids
                    .get(&r.get::<_, i64>(1)?)
                    .cloned()
                    .unwrap_or_default(),
                aliases: split(r.get(2)?),
                related: split(r.get(3)?),
                title: r.get(4)?,
                severity: severity_from_code(r.get(5)?),
                cvss,
                published: r.get(7)?,
                modified: r.get(8)?,
                ..Advisory::default()
            },
            r.get(9)?,
        ))
    }

    fn with_body(
        &self,
        (mut a, body): (Advisory, Option<Vec<u8>>),
    ) -> Result<Advisory, VulnDbError> {
        if let Some(body) = body {
            let bytes = self
                .dec
                .borrow_mut()
                .unpack(&body)
                .map_err(|e| VulnDbError::Corrupt {
                    path: self.path.clone(),
                    detail: format!("text of advisory {}: {e}", a.id),
                })?;
            let b: Body = serde_json::from_slice(&bytes).map_err(|e| VulnDbError::Corrupt {
                path: self.path.clone(),
                detail: format!("text of advisory {}: {e}", a.id),
            })?;
            a.description = b.d;
            a.references = b.r;
        }
        Ok(a)
    }

    /// One advisory by row id, without its affected rows.
    pub fn advisory(&self, adv: i64) -> Result<Option<Advisory>, VulnDbError> {
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT advisory, source, aliases, related, title, severity, cvss, published, modified, body FROM advisories WHERE id = ?1",
            )
            .map_err(sqlite_err(p, "prepare advisory read"))?;
        let row = stmt
            .query_row(params![adv], |r| self.advisory_from_row(r))
            .optional()
            .map_err(sqlite_err(p, "read advisory"))?;
        row.map(|r| self.with_body(r)).transpose()
    }

    /// Every source's record with this identifier (e.g. NVD's for a CVE).
    pub fn advisories_by_id(&self, id: &str) -> Result<Vec<Advisory>, VulnDbError> {
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT advisory, source, aliases, related, title, severity, cvss, published, modified, body FROM advisories WHERE advisory = ?1",
            )
            .map_err(sqlite_err(p, "prepare advisory lookup"))?;
        let rows = stmt
            .query_map(params![id], |r| self.advisory_from_row(r))
            .map_err(sqlite_err(p, "look up advisory"))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.with_body(r.map_err(sqlite_err(p, "read advisory"))?)?);
        }
        Ok(out)
    }

    /// The sources in the file with their import facts.
    pub fn sources(&self) -> Result<Vec<SourceMeta>, VulnDbError> {
        read_sources(&self.conn, &self.path)
    }

    /// Up to `limit` skipped records of a source.
    pub fn skips(&self, source: &str, limit: usize) -> Result<Vec<Skip>, VulnDbError> {
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT file, field, reason FROM skips WHERE source = ?1 LIMIT ?2")
            .map_err(sqlite_err(p, "prepare skips read"))?;
        let rows = stmt
            .query_map(params![source, limit as i64], |r| {
                Ok(Skip {
                    file: r.get(0)?,
                    field: r.get(1)?,
                    reason: r.get(2)?,
                })
            })
            .map_err(sqlite_err(p, "read skips"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(sqlite_err(p, "read skips"))
    }

    /// A value of the `meta` table (`schema`, `built_at`...).
    pub fn meta(&self, key: &str) -> Result<Option<String>, VulnDbError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sqlite_err(&self.path, "read meta"))
    }

    /// Counts of rows per namespace.
    pub fn namespaces(&self) -> Result<BTreeMap<String, u64>, VulnDbError> {
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare("SELECT namespace, COUNT(*) FROM affected GROUP BY namespace")
            .map_err(sqlite_err(p, "prepare namespace count"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .map_err(sqlite_err(p, "count namespaces"))?;
        let mut out = BTreeMap::new();
        for r in rows {
            let (k, v) = r.map_err(sqlite_err(p, "count namespaces"))?;
            let name = self.ids.get(&k).cloned().unwrap_or_else(|| format!("#{k}"));
            out.insert(name, v.max(0) as u64);
        }
        Ok(out)
    }

    /// What a scan result records about the database.
    pub fn info(&self) -> Result<DbInfo, VulnDbError> {
        let sources = self.sources()?;
        let updated = sources.iter().map(|s| s.imported_at.clone()).max();
        Ok(DbInfo {
            updated,
            sources: sources.into_iter().map(|s| s.name).collect(),
        })
    }
}

pub(crate) fn read_sources(conn: &Connection, path: &Path) -> Result<Vec<SourceMeta>, VulnDbError> {
    let mut stmt = conn
        .prepare(
            "SELECT name, imported_at, files, records, affected, skipped, inputs, url, etag, last_modified, sha256 FROM sources ORDER BY name",
        )
        .map_err(sqlite_err(path, "prepare sources read"))?;
    let rows = stmt
        .query_map([], |r| {
            let inputs: String = r.get(6)?;
            Ok(SourceMeta {
                name: r.get(0)?,
                imported_at: r.get(1)?,
                files: r.get::<_, i64>(2)?.max(0) as u64,
                records: r.get::<_, i64>(3)?.max(0) as u64,
                affected: r.get::<_, i64>(4)?.max(0) as u64,
                skipped: r.get::<_, i64>(5)?.max(0) as u64,
                inputs: serde_json::from_str(&inputs).unwrap_or_default(),
                url: r.get(7)?,
                etag: r.get(8)?,
                last_modified: r.get(9)?,
                sha256: r.get(10)?,
            })
        })
        .map_err(sqlite_err(path, "read sources"))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(sqlite_err(path, "read sources"))
}

/// Reads the source table of a file that may not be a bosun database; used
/// by update to find the previous ETags.
pub(crate) fn sources_of(path: &Path) -> Result<Vec<SourceMeta>, VulnDbError> {
    let db = Db::open(path)?;
    db.sources()
}
