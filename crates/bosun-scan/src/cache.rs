//! The layer cache: what reading one layer produced (its file index, the
//! bytes analyzers kept, and what inspecting its files found), stored by the
//! layer's diff_id and the analyzers' fingerprint, so a layer bosun has seen
//! costs nothing the next time, in any image that shares it.
//!
//! One file per layer under the cache directory, named by the sha256 of the
//! key: `BOSUNLC` + a format byte + the decoded length, then zstd-compressed CBOR
//! (self-describing, with byte strings for kept file contents). Writes go to
//! a temporary file renamed into place, so concurrent runs never see half an
//! entry; a hit refreshes the file's mtime and the directory is trimmed to a
//! size bound, least recently used first. The cache is an optimization:
//! every failure (unreadable, corrupt, full disk) is logged and treated as a
//! miss, never as a failed scan.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bosun_catalog::LayerFindings;
use bosun_checks::LayerSecrets;
use bosun_tree::Layer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped whenever what a layer read produces changes shape or meaning.
const FORMAT: u8 = 2;
const MAGIC: &[u8; 7] = b"BOSUNLC";
/// Largest entry read back (decompressed); anything bigger is corrupt.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// Default size bound of the cache directory.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// A directory of cached layer reads.
#[derive(Debug, Clone)]
pub struct LayerCache {
    dir: PathBuf,
    max_bytes: u64,
}

/// What reading one layer produced: the file index with the kept bytes,
/// the analyzers' per-layer findings and, when the secret scanner ran, its
/// per-layer results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedLayer {
    pub layer: Layer,
    pub findings: LayerFindings,
    #[serde(default)]
    pub secrets: Option<LayerSecrets>,
}

/// What is in the cache directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUsage {
    pub entries: usize,
    pub bytes: u64,
}

/// A failure managing the cache directory itself (`bosun cache clean`).
#[derive(Debug, thiserror::Error)]
#[error("layer cache {path}: {operation}: {source}")]
pub struct CacheError {
    pub path: PathBuf,
    pub operation: &'static str,
    #[source]
    pub source: std::io::Error,
}

impl LayerCache {
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Self {
        LayerCache {
            dir: dir.into(),
            max_bytes,
        }
    }

    /// The user's cache directory: `$BOSUN_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/bosun/layers`, else `~/.cache/bosun/layers`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("BOSUN_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d).join("layers"));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|d| !d.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })?;
        Some(base.join("bosun").join("layers"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache key of a layer read by a catalog with this fingerprint.
    pub fn key(diff_id: &str, fingerprint: &str) -> String {
        let mut h = Sha256::new();
        h.update([FORMAT]);
        h.update(crate::GENERATOR.as_bytes());
        h.update([0]);
        h.update(diff_id.as_bytes());
        h.update([0]);
        h.update(fingerprint.as_bytes());
        hex::encode(h.finalize())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.layer"))
    }

    /// The cached read of a layer, if there is a sound one.
    pub fn get(&self, key: &str) -> Option<CachedLayer> {
        let path = self.path(key);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!("layer cache: cannot open {}: {e}", path.display());
                return None;
            }
        };
        match read_entry(&file) {
            Ok(entry) => {
                let _ = file.set_modified(SystemTime::now());
                Some(entry)
            }
            Err(why) => {
                tracing::warn!("layer cache: dropping {}: {why}", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores a layer read; failures are logged, not returned.
    pub fn put(&self, key: &str, entry: &CachedLayer) {
        if let Err(why) = self.try_put(key, entry) {
            tracing::warn!("layer cache: cannot store {key}: {why}");
        }
    }

    fn try_put(&self, key: &str, entry: &CachedLayer) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let mut raw = Vec::new();
        ciborium::into_writer(entry, &mut raw).map_err(|e| e.to_string())?;
        let packed = zstd::bulk::compress(&raw, 1).map_err(|e| e.to_string())?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&self.dir)
            .map_err(|e| format!("temporary file in {}: {e}", self.dir.display()))?;
        tmp.write_all(MAGIC)
            .and_then(|()| tmp.write_all(&[FORMAT]))
            .and_then(|()| tmp.write_all(&(raw.len() as u64).to_le_bytes()))
            .and_then(|()| tmp.write_all(&packed))
            .map_err(|e| e.to_string())?;
        tmp.persist(self.path(key))
            .map_err(|e| e.error.to_string())?;
        self.trim();
        Ok(())
    }

    /// What the cache holds now.
    pub fn usage(&self) -> CacheUsage {
        let mut u = CacheUsage::default();
        for (_, len, _) in self.entries() {
            u.entries += 1;
            u.bytes += len;
        }
        u
    }

    fn entries(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        rd.filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "layer"))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((
                    e.path(),
                    m.len(),
                    m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                ))
            })
            .collect()
    }

    /// Deletes least recently used entries until the cache fits its bound.
    fn trim(&self) {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|(_, l, _)| l).sum();
        if total <= self.max_bytes {
            return;
        }
        entries.sort_by_key(|(_, _, t)| *t);
        for (path, len, _) in entries {
            if total <= self.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
            }
        }
    }

    /// Deletes every entry (and leftover temporary files).
    pub fn clean(&self) -> Result<CacheUsage, CacheError> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CacheUsage::default()),
            Err(source) => {
                return Err(CacheError {
                    path: self.dir.clone(),
                    operation: "listing",
                    source,
                });
            }
        };
        let mut removed = CacheUsage::default();
        for e in rd.filter_map(Result::ok) {
            let path = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if !(name.ends_with(".layer") || name.starts_with(".tmp-")) {
                continue;
            }
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            std::fs::remove_file(&path).map_err(|source| CacheError {
                path: path.clone(),
                operation: "deleting",
                source,
            })?;
            removed.entries += usize::from(name.ends_with(".layer"));
            removed.bytes += len;
        }
        Ok(removed)
    }
}

fn read_entry(mut file: &std::fs::File) -> Result<CachedLayer, String> {
    let mut head = [0u8; 16];
    file.read_exact(&mut head)
        .map_err(|e| format!("header: {e}"))?;
    if &head[..7] != MAGIC || head[7] != FORMAT {
        return Err("not a cache entry of this format".into());
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&head[8..16]);
    let len = u64::from_le_bytes(len);
    if len > MAX_ENTRY_BYTES {
        return Err(format!("claims {len} bytes"));
    }
    let mut packed = Vec::new();
    file.read_to_end(&mut packed).map_err(|e| e.to_string())?;
    let raw = zstd::bulk::decompress(&packed, len as usize).map_err(|e| e.to_string())?;
    if raw.len() as u64 != len {
        return Err("truncated".into());
    }
    ciborium::from_reader(raw.as_slice()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_model::{Ecosystem, Location, Package};
    use bosun_tree::TreeBuilder;

    fn sample() -> CachedLayer {
        let layer = TreeBuilder::new()
            .file("/var/lib/dpkg/status", "Package: x\n")
            .dir("/etc")
            .symlink("/bin", "usr/bin")
            .whiteout("/gone")
            .into_layers()
            .remove(0);
        let findings = LayerFindings {
            packages: vec![Package::new(
                Ecosystem::Golang,
                "example.com/m",
                "v1.0.0",
                "pkg:golang/example.com/m@v1.0.0",
                Location::new("/bin/app", Some(3)),
            )],
            warnings: vec!["w".into()],
        };
        CachedLayer {
            layer,
            findings,
            secrets: Some(LayerSecrets::default()),
        }
    }

    #[test]
    fn round_trips_layers_and_findings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = LayerCache::new(dir.path(), DEFAULT_MAX_BYTES);
        let entry = sample();
        let key = LayerCache::key("sha256:abc", "fp");
        assert!(cache.get(&key).is_none());
        cache.put(&key, &entry);
        let got = cache.get(&key).expect("hit");
        let l2 = got.layer;
        assert_eq!(l2, entry.layer);
        assert_eq!(got.findings, entry.findings);
        assert_eq!(got.secrets, entry.secrets);
        // The index is rebuilt on load.
        assert!(l2.added("/var/lib/dpkg/status").is_some());
        assert!(l2.whites_out("/gone"));
        assert_eq!(cache.usage().entries, 1);
    }

    #[test]
    fn keys_change_with_the_fingerprint() {
        assert_ne!(
            LayerCache::key("sha256:a", "x"),
            LayerCache::key("sha256:a", "y")
        );
        assert_ne!(
            LayerCache::key("sha256:a", "x"),
            LayerCache::key("sha256:b", "x")
        );
    }

    #[test]
    fn corrupt_entries_are_misses_and_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = LayerCache::new(dir.path(), DEFAULT_MAX_BYTES);
        let entry = sample();
        let key = LayerCache::key("sha256:abc", "fp");
        cache.put(&key, &entry);
        let path = cache.path(&key);
        let mut bytes = std::fs::read(&path).expect("read");
        let n = bytes.len();
        bytes.truncate(n - 5);
        std::fs::write(&path, &bytes).expect("write");
        assert!(cache.get(&key).is_none());
        assert!(!path.exists());
        std::fs::write(&path, b"BOSUNLC\x02\xff\xff\xff\xff\xff\xff\xff\xff").expect("write");
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn trims_least_recently_used_entries_to_the_bound() {
        let dir = tempfile::tempdir().expect("tempdir");
        let entry = sample();
        let probe = LayerCache::new(dir.path(), u64::MAX);
        probe.put("probe", &entry);
        let one = probe.usage().bytes;
        probe.clean().expect("clean");
        // Room for two entries.
        let cache = LayerCache::new(dir.path(), one * 2 + one / 2);
        cache.put("a", &entry);
        cache.put("b", &entry);
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        for k in ["a", "b"] {
            let f = std::fs::File::options()
                .write(true)
                .open(cache.path(k))
                .expect("open");
            f.set_modified(old).expect("mtime");
        }
        assert!(cache.get("a").is_some()); // a is now the most recently used
        cache.put("c", &entry);
        assert!(cache.get("a").is_some());
        assert!(cache.get("b").is_none());
        assert!(cache.get("c").is_some());
        let removed = cache.clean().expect("clean");
        assert_eq!(removed.entries, 2);
        assert_eq!(cache.usage().entries, 0);
    }
}
