//! What one layer contains, as read from its archive.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The bytes of a file bosun kept. Shared, so a hard link or a squashed tree
/// costs no copy.
pub type Content = Arc<[u8]>;

/// The type of a filesystem entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A hard link to `FileMeta::link` (resolved to a file when squashed).
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

/// Metadata of one entry: everything bosun records about files whose bytes
/// it does not keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    pub kind: EntryKind,
    /// Permission bits including setuid/setgid/sticky (`0o7777` mask).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Size in bytes of a regular file's data; 0 for other kinds.
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: u64,
    /// Symlink target as written in the archive, or the normalized target
    /// path of a hard link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl FileMeta {
    /// Metadata for a plain regular file (handy in tests and builders).
    pub fn file(size: u64, mode: u32) -> Self {
        FileMeta {
            kind: EntryKind::File,
            mode,
            uid: 0,
            gid: 0,
            size,
            mtime: 0,
            link: None,
        }
    }

    /// Metadata for a directory.
    pub fn dir(mode: u32) -> Self {
        FileMeta {
            kind: EntryKind::Dir,
            ..FileMeta::file(0, mode)
        }
    }

    /// Metadata for a symbolic link.
    pub fn symlink(target: impl Into<String>) -> Self {
        FileMeta {
            kind: EntryKind::Symlink,
            link: Some(target.into()),
            ..FileMeta::file(0, 0o777)
        }
    }

    pub fn is_file(&self) -> bool {
        self.kind == EntryKind::File
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }
}

/// What an entry of a layer does to the tree below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Adds or replaces the entry.
    Add(FileMeta),
    /// A `.wh.NAME` whiteout: deletes the path (and all below it) from lower layers.
    Whiteout,
    /// A `.wh..wh..opq` marker: the directory hides everything lower layers put in it.
    Opaque,
}

/// One entry of a layer, with its path already normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerEntry {
    /// The affected path: for whiteouts the deleted path, for opaque markers
    /// the directory.
    pub path: String,
    pub change: Change,
    /// The bytes, when a sink asked to keep them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "content_bytes"
    )]
    pub content: Option<Content>,
}

/// The entries of one layer in archive order, with an index by path.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    entries: Vec<LayerEntry>,
    added: HashMap<String, usize>,
    whiteouts: HashSet<String>,
    opaques: HashSet<String>,
}

impl PartialEq for Layer {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Serialize for Layer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Layer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<LayerEntry>::deserialize(d).map(Layer::from_entries)
    }
}

impl Layer {
    pub fn new() -> Self {
        Layer::default()
    }

    /// Builds a layer from entries, for tests and cache loads.
    pub fn from_entries(entries: Vec<LayerEntry>) -> Self {
        let mut layer = Layer::new();
        for e in entries {
            layer.push(e);
        }
        layer
    }

    /// Appends an entry. When the archive repeats a path, the later entry
    /// replaces the earlier one (tar semantics).
    pub fn push(&mut self, entry: LayerEntry) {
        match entry.change {
            Change::Add(_) => {
                if let Some(&i) = self.added.get(&entry.path)
                    && let Some(slot) = self.entries.get_mut(i)
                {
                    *slot = entry;
                    return;
                }
                self.added.insert(entry.path.clone(), self.entries.len());
            }
            Change::Whiteout => {
                if !self.whiteouts.insert(entry.path.clone()) {
                    return;
                }
            }
            Change::Opaque => {
                if !self.opaques.insert(entry.path.clone()) {
                    return;
                }
            }
        }
        self.entries.push(entry);
    }

    pub fn entries(&self) -> &[LayerEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry that adds `path` in this layer, if any.
    pub fn added(&self, path: &str) -> Option<&LayerEntry> {
        self.added.get(path).and_then(|&i| self.entries.get(i))
    }

    /// Whether this layer whites out `path` itself.
    pub fn whites_out(&self, path: &str) -> bool {
        self.whiteouts.contains(path)
    }

    /// Whether this layer marks directory `path` opaque.
    pub fn is_opaque(&self, path: &str) -> bool {
        self.opaques.contains(path)
    }

    /// Whether this layer deletes `path` from the layers below it: a whiteout
    /// of the path or of a directory above it, or an opaque directory above it.
    pub fn hides_lower(&self, path: &str) -> bool {
        if self.whiteouts.is_empty() && self.opaques.is_empty() {
            return false;
        }
        if self.whiteouts.contains(path) {
            return true;
        }
        let mut cur = path;
        while cur != "/" {
            cur = crate::path::parent(cur);
            if self.whiteouts.contains(cur) || self.opaques.contains(cur) {
                return true;
            }
        }
        false
    }

    /// Total bytes of kept content in this layer.
    pub fn kept_bytes(&self) -> usize {
        self.entries
            .iter()
            .filter_map(|e| e.content.as_ref().map(|c| c.len()))
            .sum()
    }
}

/// What a reader should do with the bytes of a regular file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Want {
    /// Keep the bytes in the tree for analyzers that run after the squash.
    pub keep: bool,
    /// Stream the bytes to [`EntrySink::inspect`] while the layer is read.
    pub inspect: bool,
}

impl Want {
    pub const SKIP: Want = Want {
        keep: false,
        inspect: false,
    };
    pub const KEEP: Want = Want {
        keep: true,
        inspect: false,
    };
    pub const INSPECT: Want = Want {
        keep: false,
        inspect: true,
    };

    pub fn any(self) -> bool {
        self.keep || self.inspect
    }
}

/// Decides, for each file of each layer, whether its bytes are read, and
/// receives the bytes of files it wants to inspect on the fly (binaries,
/// archives, secret scanning) so they never need to be held whole.
///
/// Layers are read in parallel, so implementations are `Sync` and keep any
/// per-layer results keyed by the layer index they are given.
pub trait EntrySink: Sync {
    /// Called for every regular file (and resolved hard link) of every layer.
    fn want(&self, path: &str, meta: &FileMeta) -> Want;

    /// Called with the bytes of a file for which [`EntrySink::want`] set
    /// `inspect`. `data` yields at most the file's size; an implementation may
    /// stop reading early.
    fn inspect(&self, layer: usize, path: &str, meta: &FileMeta, data: &mut dyn Read) {
        let _ = (layer, path, meta, data);
    }

    /// How many leading bytes of a file let this sink change its mind about
    /// inspecting it ([`EntrySink::wants_bytes`]); 0 (the default): never.
    fn sniff_len(&self) -> usize {
        0
    }

    /// Given the first [`EntrySink::sniff_len`] bytes of a file it asked to
    /// inspect (fewer when the file is shorter), whether this sink still
    /// wants it. [`Both`] asks, so that a file only one sink still wants
    /// (an executable the secret scanner sees is binary) streams to that
    /// sink instead of being held whole for two.
    fn wants_bytes(&self, path: &str, meta: &FileMeta, head: &[u8]) -> bool {
        let _ = (path, meta, head);
        true
    }
}

/// A sink that keeps nothing: a metadata-only read.
pub struct MetadataOnly;

impl EntrySink for MetadataOnly {
    fn want(&self, _path: &str, _meta: &FileMeta) -> Want {
        Want::SKIP
    }
}

/// A sink that keeps the bytes of files a predicate selects.
pub struct KeepIf<F>(pub F);

impl<F: Fn(&str, &FileMeta) -> bool + Sync> EntrySink for KeepIf<F> {
    fn want(&self, path: &str, meta: &FileMeta) -> Want {
        if (self.0)(path, meta) {
            Want::KEEP
        } else {
            Want::SKIP
        }
    }
}

/// Kept bytes serialize as a byte string (one length and the raw bytes in
/// binary formats such as the layer cache's), not as a sequence of numbers.
mod content_bytes {
    use std::fmt;
    use std::sync::Arc;

    use serde::de::{self, Deserializer, Visitor};
    use serde::{Deserialize, Serializer};

    use super::Content;

    pub(super) fn serialize<S: Serializer>(c: &Option<Content>, s: S) -> Result<S::Ok, S::Error> {
        match c {
            Some(bytes) => s.serialize_some(&Bytes(bytes)),
            None => s.serialize_none(),
        }
    }

    struct Bytes<'a>(&'a [u8]);

    impl serde::Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Content>, D::Error> {
        Option::<Owned>::deserialize(d).map(|o| o.map(|b| Arc::from(b.0)))
    }

    struct Owned(Vec<u8>);

    impl<'de> Deserialize<'de> for Owned {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_byte_buf(OwnedVisitor)
        }
    }

    struct OwnedVisitor;

    impl<'de> Visitor<'de> for OwnedVisitor {
        type Value = Owned;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("file bytes")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Owned, E> {
            Ok(Owned(v.to_vec()))
        }

        fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Owned, E> {
            Ok(Owned(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Owned, E> {
            Ok(Owned(v.as_bytes().to_vec()))
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Owned, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(b) = seq.next_element::<u8>()? {
                out.push(b);
            }
            Ok(Owned(out))
        }
    }
}

/// Two sinks over one read: a file's bytes are kept if either keeps them,
/// and streamed to each that inspects them (read once, into memory bounded
/// by `max_shared`, when both do).
pub struct Both<'a> {
    pub first: &'a dyn EntrySink,
    pub second: &'a dyn EntrySink,
    /// Largest file read into memory to feed both inspectors; bigger files
    /// go to the first sink only.
    pub max_shared: u64,
}

impl EntrySink for Both<'_> {
    fn want(&self, path: &str, meta: &FileMeta) -> Want {
        let a = self.first.want(path, meta);
        let b = self.second.want(path, meta);
        Want {
            keep: a.keep || b.keep,
            inspect: a.inspect || b.inspect,
        }
    }

    fn inspect(&self, layer: usize, path: &str, meta: &FileMeta, data: &mut dyn Read) {
        let a = self.first.want(path, meta).inspect;
        let b = self.second.want(path, meta).inspect;
        match (a, b) {
            (true, false) => self.first.inspect(layer, path, meta, data),
            (false, true) => self.second.inspect(layer, path, meta, data),
            (true, true) if meta.size <= self.max_shared => {
                let sniff = self.first.sniff_len().max(self.second.sniff_len());
                let cap = usize::try_from(meta.size.min(self.max_shared)).unwrap_or(0);
                let mut bytes = Vec::with_capacity(cap.max(sniff.min(1 << 20)));
                if sniff > 0 {
                    if (&mut *data)
                        .take(sniff as u64)
                        .read_to_end(&mut bytes)
                        .is_err()
                    {
                        return;
                    }
                    let a = self.first.wants_bytes(path, meta, &bytes);
                    let b = self.second.wants_bytes(path, meta, &bytes);
                    let mut rest = bytes.as_slice().chain(&mut *data);
                    match (a, b) {
                        (true, false) => return self.first.inspect(layer, path, meta, &mut rest),
                        (false, true) => return self.second.inspect(layer, path, meta, &mut rest),
                        (false, false) => return,
                        (true, true) => {}
                    }
                }
                let left = self.max_shared.saturating_sub(bytes.len() as u64);
                if data.take(left).read_to_end(&mut bytes).is_ok() {
                    self.first.inspect(layer, path, meta, &mut bytes.as_slice());
                    self.second
                        .inspect(layer, path, meta, &mut bytes.as_slice());
                }
            }
            (true, true) => self.first.inspect(layer, path, meta, data),
            (false, false) => {}
        }
    }
}

#[cfg(test)]
mod both_tests {
    use std::sync::Mutex;

    use super::*;

    struct Record {
        suffix: &'static str,
        keep: bool,
        seen: Mutex<Vec<(usize, String, String)>>,
    }

    impl EntrySink for Record {
        fn want(&self, path: &str, _meta: &FileMeta) -> Want {
            Want {
                keep: self.keep && path.ends_with(self.suffix),
                inspect: path.ends_with(self.suffix),
            }
        }
        fn inspect(&self, layer: usize, path: &str, _meta: &FileMeta, data: &mut dyn Read) {
            let mut s = String::new();
            let _ = data.read_to_string(&mut s);
            if let Ok(mut v) = self.seen.lock() {
                v.push((layer, path.to_owned(), s));
            }
        }
    }

    #[test]
    fn both_sinks_see_the_bytes_they_asked_for() {
        let a = Record {
            suffix: ".txt",
            keep: true,
            seen: Mutex::new(Vec::new()),
        };
        let b = Record {
            suffix: "t",
            keep: false,
            seen: Mutex::new(Vec::new()),
        };
        let both = Both {
            first: &a,
            second: &b,
            max_shared: 1024,
        };
        let meta = FileMeta::file(5, 0o644);
        assert_eq!(
            both.want("/x.txt", &meta),
            Want {
                keep: true,
                inspect: true
            }
        );
        assert_eq!(both.want("/x.bin", &meta), Want::SKIP);
        both.inspect(3, "/x.txt", &meta, &mut &b"hello"[..]);
        both.inspect(4, "/y.dab", &meta, &mut &b"other"[..]);
        both.inspect(5, "/z.bat", &meta, &mut &b"batch"[..]);
        let a_seen = a.seen.lock().map(|v| v.clone()).unwrap_or_default();
        let b_seen = b.seen.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(a_seen, vec![(3, "/x.txt".into(), "hello".into())]);
        assert_eq!(
            b_seen,
            vec![
                (3, "/x.txt".into(), "hello".into()),
                (5, "/z.bat".into(), "batch".into())
            ]
        );
    }

    /// Wants every file, then declines those whose first bytes start with
    /// its `refuse` prefix.
    struct Sniffer {
        refuse: &'static [u8],
        seen: Mutex<Vec<(String, Vec<u8>)>>,
    }

    impl EntrySink for Sniffer {
        fn want(&self, _path: &str, _meta: &FileMeta) -> Want {
            Want {
                keep: false,
                inspect: true,
            }
        }
        fn inspect(&self, _layer: usize, path: &str, _meta: &FileMeta, data: &mut dyn Read) {
            let mut v = Vec::new();
            let _ = data.read_to_end(&mut v);
            if let Ok(mut s) = self.seen.lock() {
                s.push((path.to_owned(), v));
            }
        }
        fn sniff_len(&self) -> usize {
            4
        }
        fn wants_bytes(&self, _path: &str, _meta: &FileMeta, head: &[u8]) -> bool {
            !head.starts_with(self.refuse)
        }
    }

    #[test]
    fn a_sink_that_declines_after_sniffing_leaves_the_whole_file_to_the_other() {
        let elf = Sniffer {
            refuse: b"TEXT",
            seen: Mutex::new(Vec::new()),
        };
        let text = Sniffer {
            refuse: b"\x7fELF",
            seen: Mutex::new(Vec::new()),
        };
        let both = Both {
            first: &elf,
            second: &text,
            max_shared: 1 << 20,
        };
        let binary = b"\x7fELF and a long tail of bytes".to_vec();
        let words = b"TEXT, and more words".to_vec();
        let short = b"ab".to_vec();
        for (path, bytes) in [("/bin/x", &binary), ("/etc/y", &words), ("/z", &short)] {
            let meta = FileMeta::file(bytes.len() as u64, 0o755);
            both.inspect(0, path, &meta, &mut bytes.as_slice());
        }
        let got = |s: &Sniffer| s.seen.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(
            got(&elf),
            vec![
                ("/bin/x".into(), binary.clone()),
                ("/z".into(), short.clone())
            ]
        );
        assert_eq!(
            got(&text),
            vec![
                ("/etc/y".into(), words.clone()),
                ("/z".into(), short.clone())
            ]
        );
    }
}
