//! `bosun db import`: read feed files into a new database file and swap it in.
//!
//! Every input is a file or a directory (walked recursively, sorted). Each
//! file's format is recognised from its name and first bytes:
//!
//! | format | recognised by | source name |
//! |---|---|---|
//! | OSV JSON / YAML record, list, or `{"vulns": [...]}` | `id` + `affected`/`modified` | `osv:<first ecosystem>` |
//! | OSV `all.zip` | `.zip` | as OSV |
//! | Debian tracker JSON (`tracker/data/json`) | `{"pkg": {"CVE-..": {"releases": ..}}}` | `debian-tracker` |
//! | Debian DSA/DLA list text | first line `[DD Mon YYYY] DSA-…`/`DLA-…` | `debian-dsa`, `debian-dla` |
//! | Alpine / Wolfi / Chainguard secdb JSON or YAML | `packages[].pkg.secfixes` | `alpine-secdb`, `wolfi-secdb`, `chainguard-secdb` |
//! | NVD CVE API 2.0 JSON | `vulnerabilities[].cve` | `nvd` |
//! | Node.js security-wg npm advisories | `module_name` + `vulnerable_versions` | `npm-security-wg` |
//! | rubysec advisory YAML | `gem` + `patched_versions` | `rubysec` |
//!
//! Record-level problems (a bad field, an unknown range type, a version that
//! does not parse, one unreadable file in a directory of records) are skipped
//! and counted with the file and field named. A feed file named on the command
//! line that cannot be read at all (truncated zip, invalid JSON, over the size
//! bound) fails the import: a partial feed would be a silent false all-clear.
//! Nothing touches the existing database until the new file is complete and
//! passes `PRAGMA integrity_check`; then it is renamed over the old one.

mod alpine;
mod debian;
mod npm;
mod nvd;
mod osv;
mod rubysec;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::VulnDbError;
use crate::model::Advisory;
use crate::store::{Skip, SourceMeta, Writer};

/// Skips stored per source (all are counted).
pub const MAX_STORED_SKIPS: usize = 1000;

/// Limits and choices of one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Keep the sources of the existing database that this import does not
    /// replace (a source present in the inputs replaces the old one whole).
    /// Without it, the new database holds exactly the inputs.
    pub merge: bool,
    /// Largest feed file read (bytes).
    pub max_file_bytes: u64,
    /// Largest zip entry read, uncompressed (bytes).
    pub max_entry_bytes: u64,
    /// Most files read from directories and zips, in total.
    pub max_files: usize,
    /// Store every record under this source name instead of the detected one.
    pub source: Option<String>,
    /// When the data was imported (RFC 3339); now by default.
    pub now: Option<String>,
    /// Facts to record per source (URL, ETag...), set by `update`.
    pub feed_meta: BTreeMap<String, FeedMeta>,
    /// SQLite `max_page_count` for the new file (tests use it to simulate a full disk).
    pub max_pages: Option<u32>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            merge: false,
            max_file_bytes: 512 << 20,
            max_entry_bytes: 64 << 20,
            max_files: 2_000_000,
            source: None,
            now: None,
            feed_meta: BTreeMap::new(),
            max_pages: None,
        }
    }
}

/// Where a source's data came from when it was downloaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedMeta {
    pub url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub sha256: Option<String>,
}

/// What one import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// The database written.
    pub path: PathBuf,
    /// One entry per source imported.
    pub sources: Vec<SourceReport>,
    /// Files that are not feeds (README, SOURCE.txt, LICENSE...) or hold data
    /// bosun does not match (Node.js and Ruby runtime advisories), with why.
    pub ignored: Vec<(String, String)>,
    /// Sources kept from the previous database (`merge`).
    pub kept: Vec<String>,
}

/// One source of an import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub files: u64,
    pub records: u64,
    pub affected: u64,
    pub skipped: u64,
    /// The first skipped records, with file, field and reason.
    pub skips: Vec<Skip>,
}

/// The records parsed from one file.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) advisories: Vec<Advisory>,
    pub(crate) skips: Vec<(String, Skip)>,
    /// Set when the file is not a feed (or holds data bosun does not match).
    pub(crate) ignored: Option<String>,
    /// Sources the file contributes even when it yields no advisory (an
    /// empty but valid feed still replaces its source).
    pub(crate) sources: BTreeSet<String>,
}

impl Parsed {
    pub(crate) fn skip(
        &mut self,
        source: &str,
        file: &str,
        field: &str,
        reason: impl Into<String>,
    ) {
        self.skips.push((
            source.to_owned(),
            Skip {
                file: file.to_owned(),
                field: field.to_owned(),
                reason: reason.into(),
            },
        ));
    }

    fn ignored(reason: impl Into<String>) -> Parsed {
        Parsed {
            ignored: Some(reason.into()),
            ..Parsed::default()
        }
    }
}

/// An input file: its path (for messages) and whether it was named on the
/// command line (then an unreadable file fails the import) or found in a
/// directory of records (then it is skipped and counted).
struct Input {
    path: PathBuf,
    named: bool,
}

fn collect(inputs: &[PathBuf], opts: &ImportOptions) -> Result<Vec<Input>, VulnDbError> {
    let mut out = Vec::new();
    for p in inputs {
        let meta = fs::metadata(p).map_err(|e| VulnDbError::Io {
            path: p.clone(),
            op: "read input",
            source: e,
        })?;
        if meta.is_dir() {
            walk(p, 0, &mut out, opts)?;
        } else {
            out.push(Input {
                path: p.clone(),
                named: true,
            });
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    depth: usize,
    out: &mut Vec<Input>,
    opts: &ImportOptions,
) -> Result<(), VulnDbError> {
    if depth > 32 {
        return Err(VulnDbError::Feed {
            file: dir.to_path_buf(),
            reason: "directories nested more than 32 deep".into(),
        });
    }
    let rd = fs::read_dir(dir).map_err(|e| VulnDbError::Io {
        path: dir.to_path_buf(),
        op: "read directory",
        source: e,
    })?;
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // Symlinks are not followed: a feed tree has none, and a loop would never end.
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, depth + 1, out, opts)?;
        } else if ft.is_file() {
            if out.len() >= opts.max_files {
                return Err(VulnDbError::Feed {
                    file: dir.to_path_buf(),
                    reason: format!("more than {} files", opts.max_files),
                });
            }
            out.push(Input { path, named: false });
        }
    }
    Ok(())
}

/// Reads a whole file, refusing files over the bound before reading them.
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, VulnDbError> {
    let f = fs::File::open(path).map_err(|e| VulnDbError::Io {
        path: path.to_path_buf(),
        op: "open feed file",
        source: e,
    })?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max {
        return Err(VulnDbError::TooLarge {
            file: path.to_path_buf(),
            size: len,
            limit: max,
        });
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| VulnDbError::Io {
            path: path.to_path_buf(),
            op: "read feed file",
            source: e,
        })?;
    if buf.len() as u64 > max {
        return Err(VulnDbError::TooLarge {
            file: path.to_path_buf(),
            size: buf.len() as u64,
            limit: max,
        });
    }
    Ok(buf)
}

/// Parses one file. `Err` means the file as a whole could not be read.
fn parse_file(input: &Input, opts: &ImportOptions) -> Result<Parsed, VulnDbError> {
    let path = &input.path;
    let display = path.display().to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".zip") {
        return osv::parse_zip(path, &display, opts);
    }
    let bytes = read_bounded(path, opts.max_file_bytes)?;
    parse_bytes(&display, &name, &bytes)
}

/// Parses the bytes of one feed file named `file` (for messages) whose
/// lower-cased base name is `name`.
pub(crate) fn parse_bytes(file: &str, name: &str, bytes: &[u8]) -> Result<Parsed, VulnDbError> {
    let feed_err = |reason: String| VulnDbError::Feed {
        file: PathBuf::from(file),
        reason,
    };
    let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    let is_json = name.ends_with(".json");
    if is_json {
        if debian::looks_like_tracker(bytes) {
            return debian::parse_tracker(file, bytes);
        }
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| feed_err(format!("invalid JSON: {e}")))?;
        return Ok(parse_value(file, value));
    }
    if is_yaml {
        let text = std::str::from_utf8(bytes).map_err(|e| feed_err(format!("not UTF-8: {e}")))?;
        let value: serde_json::Value =
            serde_saphyr::from_str(text).map_err(|e| feed_err(format!("invalid YAML: {e}")))?;
        return Ok(parse_value(file, value));
    }
    if debian::looks_like_list(bytes) {
        return Ok(debian::parse_list(file, bytes));
    }
    Ok(Parsed::ignored("not a feed file (unknown format)"))
}

/// Dispatches a parsed JSON/YAML document on its shape.
fn parse_value(file: &str, value: serde_json::Value) -> Parsed {
    use serde_json::Value;
    match &value {
        Value::Object(m)
            if m.contains_key("vulnerabilities")
                && (m.contains_key("format") || m.contains_key("resultsPerPage")) =>
        {
            nvd::parse(file, value)
        }
        Value::Object(m)
            if m.contains_key("packages")
                && (m.contains_key("distroversion")
                    || m.contains_key("reponame")
                    || m.contains_key("urlprefix")) =>
        {
            alpine::parse(file, value)
        }
        Value::Object(m) if m.contains_key("module_name") => npm::parse_one(file, value),
        Value::Object(m) if m.contains_key("vulnerable") && m.contains_key("patched") => {
            Parsed::ignored("Node.js runtime advisory: bosun does not inventory the node runtime")
        }
        Value::Object(m)
            if m.contains_key("gem")
                && (m.contains_key("patched_versions")
                    || m.contains_key("unaffected_versions")
                    || m.contains_key("title")) =>
        {
            rubysec::parse(file, value)
        }
        Value::Object(m) if m.contains_key("engine") && m.contains_key("patched_versions") => {
            Parsed::ignored("Ruby interpreter advisory: bosun does not inventory the ruby runtime")
        }
        Value::Object(m)
            if m.contains_key("id")
                && (m.contains_key("affected")
                    || m.contains_key("modified")
                    || m.contains_key("schema_version")) =>
        {
            osv::parse_records(file, vec![value])
        }
        Value::Object(m) if m.get("vulns").is_some_and(Value::is_array) => {
            let list = match value {
                Value::Object(mut m) => match m.remove("vulns") {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            osv::parse_records(file, list)
        }
        Value::Array(a) if a.first().is_some_and(|v| v.get("id").is_some()) => {
            let list = match value {
                Value::Array(a) => a,
                _ => Vec::new(),
            };
            osv::parse_records(file, list)
        }
        Value::Object(m) if !m.is_empty() && m.values().all(|v| v.get("module_name").is_some()) => {
            npm::parse_index(file, value)
        }
        _ => Parsed::ignored("not a feed file (unrecognised JSON/YAML document)"),
    }
}

/// Merges records with the same `(source, id)`: aliases, references and
/// CVSS are unioned, affected rows appended (identical rows once).
pub(crate) fn merge_into(map: &mut HashMap<(String, String), Advisory>, a: Advisory) {
    use std::collections::hash_map::Entry;
    match map.entry((a.source.clone(), a.id.clone())) {
        Entry::Vacant(v) => {
            v.insert(a);
        }
        Entry::Occupied(mut o) => {
            let old = o.get_mut();
            for x in a.aliases {
                if !old.aliases.contains(&x) {
                    old.aliases.push(x);
                }
            }
            for x in a.related {
                if !old.related.contains(&x) {
                    old.related.push(x);
                }
            }
            for x in a.references {
                if !old.references.contains(&x) {
                    old.references.push(x);
                }
            }
            for x in a.cvss {
                if !old.cvss.contains(&x) {
                    old.cvss.push(x);
                }
            }
            if old.title.is_none() {
                old.title = a.title;
            }
            if old.description.is_none() {
                old.description = a.description;
            }
            if old.severity.is_none() {
                old.severity = a.severity;
            }
            if old.published.is_none() {
                old.published = a.published;
            }
            if a.modified > old.modified {
                old.modified = a.modified;
            }
            for r in a.affected {
                if !old.affected.contains(&r) {
                    old.affected.push(r);
                }
            }
        }
    }
}

/// Removes `path` on drop unless disarmed.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
            let mut j = self.path.clone().into_os_string();
            j.push("-journal");
            let _ = fs::remove_file(PathBuf::from(j));
        }
    }
}

pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| jiff::Timestamp::now().to_string())
}

/// Imports `inputs` into a new database and renames it over `target`.
pub fn import(
    target: &Path,
    inputs: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport, VulnDbError> {
    let files = collect(inputs, opts)?;
    let overrides = vec![opts.source.clone(); files.len()];
    import_files(target, files, overrides, inputs, opts)
}

/// Imports downloaded feed files, each stored under its feed's name.
pub(crate) fn import_feeds(
    target: &Path,
    feeds: &[(String, PathBuf)],
    opts: &ImportOptions,
) -> Result<ImportReport, VulnDbError> {
    let files: Vec<Input> = feeds
        .iter()
        .map(|(_, p)| Input {
            path: p.clone(),
            named: true,
        })
        .collect();
    let overrides = feeds.iter().map(|(n, _)| Some(n.clone())).collect();
    let inputs: Vec<PathBuf> = feeds.iter().map(|(_, p)| p.clone()).collect();
    import_files(target, files, overrides, &inputs, opts)
}

fn import_files(
    target: &Path,
    files: Vec<Input>,
    overrides: Vec<Option<String>>,
    inputs: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport, VulnDbError> {
    let parsed: Vec<Result<(usize, Parsed), VulnDbError>> = files
        .par_iter()
        .enumerate()
        .map(|(i, input)| match parse_file(input, opts) {
            Ok(p) => Ok((i, p)),
            Err(e) if !input.named && e.is_record_level() => {
                let mut p = Parsed::default();
                p.skip(
                    "unknown",
                    &input.path.display().to_string(),
                    "(file)",
                    e.to_string(),
                );
                Ok((i, p))
            }
            Err(e) => Err(e),
        })
        .collect();
    let mut results = Vec::with_capacity(parsed.len());
    for r in parsed {
        results.push(r?);
    }
    let mut advisories: Vec<Advisory> = Vec::new();
    let mut skips: Vec<(String, Skip, String)> = Vec::new();
    let mut ignored = Vec::new();
    let mut files_per_source: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, mut p) in results {
        let file = files
            .get(i)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        if let Some(why) = p.ignored {
            ignored.push((file, why));
            continue;
        }
        if let Some(Some(name)) = overrides.get(i) {
            for a in &mut p.advisories {
                a.source = name.clone();
            }
            for (s, _) in &mut p.skips {
                *s = name.clone();
            }
            p.sources = std::iter::once(name.clone()).collect();
        }
        for s in &p.sources {
            files_per_source.entry(s.clone()).or_default().insert(i);
        }
        for a in p.advisories {
            files_per_source
                .entry(a.source.clone())
                .or_default()
                .insert(i);
            advisories.push(a);
        }
        for (source, skip) in p.skips {
            skips.push((source, skip, file.clone()));
        }
    }
    write_db(
        target,
        advisories,
        skips,
        ignored,
        files_per_source,
        inputs,
        opts,
    )
    .map_err(|e| e.writing(target))
}

/// Builds a database from records already in memory (tests, converters).
pub fn import_records(
    target: &Path,
    records: Vec<Advisory>,
    opts: &ImportOptions,
) -> Result<ImportReport, VulnDbError> {
    let mut files: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for a in &records {
        files.entry(a.source.clone()).or_default().insert(0);
    }
    write_db(target, records, Vec::new(), Vec::new(), files, &[], opts)
        .map_err(|e| e.writing(target))
}

#[allow(clippy::too_many_arguments)]
fn write_db(
    target: &Path,
    advisories: Vec<Advisory>,
    skips: Vec<(String, Skip, String)>,
    ignored: Vec<(String, String)>,
    files_per_source: BTreeMap<String, BTreeSet<usize>>,
    inputs: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport, VulnDbError> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    fs::create_dir_all(&dir).map_err(|e| VulnDbError::Io {
        path: dir.clone(),
        op: "create database directory",
        source: e,
    })?;
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bosun.db".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp_path = dir.join(format!(".{base}.tmp-{}-{nanos}", std::process::id()));
    let mut tmp = TempFile {
        path: tmp_path.clone(),
        keep: false,
    };

    let override_source: Option<String> = None;
    let mut map: HashMap<(String, String), Advisory> = HashMap::new();
    for mut a in advisories {
        if let Some(s) = &override_source {
            a.source = s.clone();
        }
        merge_into(&mut map, a);
    }
    let mut per_source: BTreeMap<String, Vec<&Advisory>> = BTreeMap::new();
    for ((source, _), a) in &map {
        per_source.entry(source.clone()).or_default().push(a);
    }
    for v in per_source.values_mut() {
        v.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let mut files_count: BTreeMap<String, u64> = BTreeMap::new();
    for (s, set) in &files_per_source {
        let s = override_source.clone().unwrap_or_else(|| s.clone());
        *files_count.entry(s.clone()).or_default() += set.len() as u64;
        per_source.entry(s).or_default();
    }
    let mut skips_per_source: BTreeMap<String, Vec<Skip>> = BTreeMap::new();
    for (source, skip, _) in skips {
        let s = override_source.clone().unwrap_or(source);
        skips_per_source.entry(s).or_default().push(skip);
    }
    for s in skips_per_source.keys() {
        per_source.entry(s.clone()).or_default();
    }

    let mut writer = if opts.merge && target.is_file() {
        fs::copy(target, &tmp_path).map_err(|e| VulnDbError::Io {
            path: tmp_path.clone(),
            op: "copy the current database",
            source: e,
        })?;
        Writer::open_copy(&tmp_path, opts.max_pages)?
    } else {
        Writer::create(&tmp_path, opts.max_pages)?
    };
    if writer.needs_dictionary() {
        let samples = dictionary_samples(&per_source);
        if let Some(dict) = crate::store::train_dictionary(&samples) {
            writer.set_dictionary(&dict)?;
        }
    }
    let now = opts.now.clone().unwrap_or_else(now_rfc3339);
    let inputs_text: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let mut report = ImportReport {
        path: target.to_path_buf(),
        ignored,
        ..ImportReport::default()
    };
    writer
        .conn
        .execute_batch("BEGIN")
        .map_err(|e| VulnDbError::Sqlite {
            path: tmp_path.clone(),
            op: "begin",
            source: e,
        })?;
    for (source, list) in &per_source {
        writer.drop_source(source)?;
        let (n_adv, n_aff) = writer.write_advisories(list.iter().copied())?;
        let all_skips = skips_per_source
            .get(source)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let stored: Vec<Skip> = all_skips.iter().take(MAX_STORED_SKIPS).cloned().collect();
        let feed = opts.feed_meta.get(source).cloned().unwrap_or_default();
        let meta = SourceMeta {
            name: source.clone(),
            imported_at: now.clone(),
            files: files_count.get(source).copied().unwrap_or(0),
            records: n_adv,
            affected: n_aff,
            skipped: all_skips.len() as u64,
            inputs: inputs_text.clone(),
            url: feed.url,
            etag: feed.etag,
            last_modified: feed.last_modified,
            sha256: feed.sha256,
        };
        writer.write_source(&meta, &stored)?;
        report.sources.push(SourceReport {
            name: source.clone(),
            files: meta.files,
            records: n_adv,
            affected: n_aff,
            skipped: meta.skipped,
            skips: stored.into_iter().take(20).collect(),
        });
    }
    writer.set_meta("built_at", &now)?;
    writer
        .conn
        .execute_batch("COMMIT")
        .map_err(|e| VulnDbError::Sqlite {
            path: tmp_path.clone(),
            op: "commit",
            source: e,
        })?;
    if opts.merge {
        let kept = crate::store::read_sources(&writer.conn, &tmp_path)?;
        report.kept = kept
            .into_iter()
            .map(|s| s.name)
            .filter(|n| !per_source.contains_key(n))
            .collect();
    }
    writer.finish()?;
    swap_into_place(&tmp_path, target)?;
    tmp.keep = true;
    Ok(report)
}

/// Up to 20,000 rule and text samples, spread over every source.
fn dictionary_samples(per_source: &BTreeMap<String, Vec<&Advisory>>) -> Vec<Vec<u8>> {
    use crate::model::Rule;
    let all: Vec<&Advisory> = per_source.values().flatten().copied().collect();
    let step = (all.len() / 10_000).max(1);
    let mut out = Vec::new();
    let mut total = 0usize;
    for a in all.iter().step_by(step) {
        if total > 8 << 20 {
            break;
        }
        if a.description.is_some() || !a.references.is_empty() {
            let body = serde_json::json!({"d": a.description, "r": a.references});
            if let Ok(b) = serde_json::to_vec(&body) {
                total += b.len();
                out.push(b);
            }
        }
        for r in a.affected.iter().take(4) {
            if matches!(r.rule, Rule::Osv { .. } | Rule::Constraints { .. })
                && let Ok(b) = serde_json::to_vec(&r.rule)
            {
                total += b.len();
                out.push(b);
            }
        }
    }
    out
}

/// fsync the new file, rename it over the target, fsync the directory.
pub(crate) fn swap_into_place(tmp: &Path, target: &Path) -> Result<(), VulnDbError> {
    let io = |op: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |e| VulnDbError::Io {
            path,
            op,
            source: e,
        }
    };
    let f = fs::File::open(tmp).map_err(io("reopen new database", tmp))?;
    f.sync_all().map_err(io("sync new database", tmp))?;
    fs::rename(tmp, target).map_err(io("rename new database into place", target))?;
    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}
