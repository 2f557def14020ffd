//! Building trees in memory, for analyzer tests and directory sources.

use std::sync::Arc;

use crate::layer::{Change, EntryKind, FileMeta, Layer, LayerEntry};
use crate::path::clamp;
use crate::tree::FileTree;

/// Builds a [`FileTree`] layer by layer without any archive:
///
/// ```
/// use bosun_tree::TreeBuilder;
/// let tree = TreeBuilder::new()
///     .file("/etc/os-release", "ID=debian\n")
///     .symlink("/usr/lib/os-release", "../../etc/os-release")
///     .layer()
///     .whiteout("/etc/os-release")
///     .build();
/// assert!(tree.read("/etc/os-release").is_none());
/// ```
#[derive(Debug, Default)]
pub struct TreeBuilder {
    done: Vec<Layer>,
    current: Layer,
}

impl TreeBuilder {
    pub fn new() -> Self {
        TreeBuilder::default()
    }

    /// Starts a new layer on top of the ones built so far.
    pub fn layer(mut self) -> Self {
        self.done.push(std::mem::take(&mut self.current));
        self
    }

    /// A regular file with kept content, mode 0644.
    pub fn file(self, path: &str, content: impl AsRef<[u8]>) -> Self {
        self.file_with_mode(path, content, 0o644)
    }

    /// A regular file with kept content and the given mode.
    pub fn file_with_mode(mut self, path: &str, content: impl AsRef<[u8]>, mode: u32) -> Self {
        let bytes = content.as_ref();
        self.current.push(LayerEntry {
            path: clamp(path),
            change: Change::Add(FileMeta::file(bytes.len() as u64, mode)),
            content: Some(Arc::from(bytes)),
        });
        self
    }

    /// An entry with metadata only (no kept bytes).
    pub fn entry(mut self, path: &str, meta: FileMeta) -> Self {
        self.current.push(LayerEntry {
            path: clamp(path),
            change: Change::Add(meta),
            content: None,
        });
        self
    }

    pub fn dir(self, path: &str) -> Self {
        self.entry(path, FileMeta::dir(0o755))
    }

    pub fn symlink(self, path: &str, target: &str) -> Self {
        self.entry(path, FileMeta::symlink(target))
    }

    pub fn hardlink(self, path: &str, target: &str) -> Self {
        let meta = FileMeta {
            kind: EntryKind::Hardlink,
            link: Some(clamp(target)),
            ..FileMeta::file(0, 0o644)
        };
        self.entry(path, meta)
    }

    pub fn whiteout(mut self, path: &str) -> Self {
        self.current.push(LayerEntry {
            path: clamp(path),
            change: Change::Whiteout,
            content: None,
        });
        self
    }

    pub fn opaque(mut self, dir: &str) -> Self {
        self.current.push(LayerEntry {
            path: clamp(dir),
            change: Change::Opaque,
            content: None,
        });
        self
    }

    /// The layers built so far (the current one included).
    pub fn into_layers(mut self) -> Vec<Layer> {
        self.done.push(self.current);
        self.done
    }

    pub fn build(self) -> FileTree {
        FileTree::squash(self.into_layers())
    }
}
