//! The squashed file tree: what a container started from the image sees,
//! with the layer every file came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::TreeError;
use crate::layer::{Change, Content, EntryKind, FileMeta, Layer, LayerEntry};
use crate::path;

/// How many symlinks one lookup may follow before it is called a loop
/// (the Linux limit).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// One file, directory or link of the squashed tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub meta: FileMeta,
    /// Index of the layer that put this entry in place.
    pub layer: usize,
    /// The bytes, when a sink asked to keep them.
    #[serde(skip)]
    pub content: Option<Content>,
}

/// What one layer did to one path (see [`FileTree::history`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathState<'a> {
    /// The layer added or replaced the path with this entry.
    Present(&'a LayerEntry),
    /// The layer deleted the path (a whiteout of it or of a directory above
    /// it, or an opaque directory above it).
    Deleted,
}

/// One change to a path, in layer order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathVersion<'a> {
    pub layer: usize,
    pub state: PathState<'a>,
}

/// The layers of an image and the tree they squash into.
///
/// This is the only view of an image analyzers get: they never touch the real
/// filesystem, and tests build trees in memory with [`crate::TreeBuilder`].
#[derive(Debug, Clone, Default)]
pub struct FileTree {
    layers: Vec<Layer>,
    nodes: BTreeMap<String, Node>,
}

impl FileTree {
    /// Squashes layers, bottom first, applying whiteouts and opaque
    /// directories as the OCI image spec says: a layer's deletions apply to
    /// the layers below it, then its entries are added in archive order.
    pub fn squash(layers: Vec<Layer>) -> Self {
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        for (index, layer) in layers.iter().enumerate() {
            for entry in layer.entries() {
                match entry.change {
                    Change::Whiteout => {
                        nodes.remove(&entry.path);
                        remove_descendants(&mut nodes, &entry.path);
                    }
                    Change::Opaque => remove_descendants(&mut nodes, &entry.path),
                    Change::Add(_) => {}
                }
            }
            for entry in layer.entries() {
                if let Change::Add(meta) = &entry.change {
                    add(&mut nodes, index, entry, meta);
                }
            }
        }
        FileTree { layers, nodes }
    }

    /// The layers the tree was squashed from.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Number of entries in the squashed tree.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The entry at exactly this normalized path, without following symlinks.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Every entry in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every entry strictly below directory `dir` (not following symlinks).
    pub fn iter_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a Node)> {
        let start = if dir == "/" {
            "/".to_owned()
        } else {
            format!("{dir}/")
        };
        self.nodes
            .range(start.clone()..)
            .take_while(move |(k, _)| k.starts_with(&start))
            .filter(move |(k, _)| k.as_str() != "/")
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Resolves every symlink in `path` (the last component too) inside the
    /// image root: absolute targets start at the image root and `..` never
    /// leaves it. Components that do not exist are kept as written, so the
    /// result can name a missing file. Fails only on a symlink loop.
    pub fn resolve(&self, path: &str) -> Result<String, TreeError> {
        self.resolve_inner(path, true)
    }

    /// Like [`FileTree::resolve`], but a symlink in the last component is not followed.
    pub fn resolve_parent(&self, path: &str) -> Result<String, TreeError> {
        self.resolve_inner(path, false)
    }

    fn resolve_inner(&self, path: &str, follow_last: bool) -> Result<String, TreeError> {
        // Components still to walk, in reverse so the next one is at the end.
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_owned)
            .collect();
        let mut cur = String::new();
        let mut hops = 0usize;
        while let Some(comp) = pending.pop() {
            match comp.as_str() {
                "." => continue,
                ".." => {
                    let p = path::parent(if cur.is_empty() { "/" } else { &cur });
                    cur = if p == "/" {
                        String::new()
                    } else {
                        p.to_owned()
                    };
                    continue;
                }
                _ => {}
            }
            let next = format!("{cur}/{comp}");
            let is_last = pending.is_empty();
            match self.nodes.get(&next) {
                Some(node) if node.meta.kind == EntryKind::Symlink && (follow_last || !is_last) => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(TreeError::SymlinkLoop {
                            path: path.to_owned(),
                        });
                    }
                    let target = node.meta.link.as_deref().unwrap_or("");
                    if target.starts_with('/') {
                        cur.clear();
                    }
                    pending.extend(
                        target
                            .split('/')
                            .filter(|c| !c.is_empty())
                            .rev()
                            .map(str::to_owned),
                    );
                }
                _ => cur = next,
            }
        }
        if cur.is_empty() {
            cur.push('/');
        }
        Ok(cur)
    }

    /// The entry a path leads to after following symlinks, with its resolved path.
    pub fn lookup(&self, path: &str) -> Result<Option<(String, &Node)>, TreeError> {
        let resolved = self.resolve(path)?;
        Ok(self.nodes.get(&resolved).map(|n| (resolved.clone(), n)))
    }

    /// The kept bytes of the file a path leads to (following symlinks).
    /// `None` when the file is missing, not a regular file, or its bytes
    /// were not kept.
    pub fn read(&self, path: &str) -> Option<&Content> {
        let resolved = self.resolve(path).ok()?;
        let node = self.nodes.get(&resolved)?;
        if node.meta.kind == EntryKind::File {
            node.content.as_ref()
        } else {
            None
        }
    }

    /// Every change the layers made to exactly this path, bottom first. Lets
    /// an analyzer see each layer's copy of a package database, to tell which
    /// layer introduced or changed a package.
    pub fn history(&self, path: &str) -> Vec<PathVersion<'_>> {
        let mut out = Vec::new();
        for (layer, l) in self.layers.iter().enumerate() {
            if let Some(entry) = l.added(path) {
                out.push(PathVersion {
                    layer,
                    state: PathState::Present(entry),
                });
            } else if l.hides_lower(path) {
                out.push(PathVersion {
                    layer,
                    state: PathState::Deleted,
                });
            }
        }
        out
    }

    /// Files that existed in some layer but are not in the squashed tree:
    /// deleted or replaced by a later layer. Yields `(layer, entry)` for each
    /// such entry, e.g. for reporting secrets that a later layer deleted.
    pub fn shadowed(&self) -> impl Iterator<Item = (usize, &LayerEntry)> {
        self.layers.iter().enumerate().flat_map(move |(i, l)| {
            l.entries().iter().filter_map(move |e| match e.change {
                Change::Add(_) => match self.nodes.get(&e.path) {
                    Some(n) if n.layer == i => None,
                    _ => Some((i, e)),
                },
                _ => None,
            })
        })
    }
}

fn remove_descendants(nodes: &mut BTreeMap<String, Node>, dir: &str) {
    let prefix = if dir == "/" {
        "/".to_owned()
    } else {
        format!("{dir}/")
    };
    let doomed: Vec<String> = nodes
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| k.as_str() != "/")
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        nodes.remove(&k);
    }
}

fn add(nodes: &mut BTreeMap<String, Node>, index: usize, entry: &LayerEntry, meta: &FileMeta) {
    let existing_is_dir = nodes.get(&entry.path).map(|n| n.meta.is_dir());
    if existing_is_dir == Some(true) && !meta.is_dir() {
        // A file replacing a directory hides everything that was in it.
        remove_descendants(nodes, &entry.path);
    }
    let node = if meta.kind == EntryKind::Hardlink {
        hardlink_node(nodes, index, entry, meta)
    } else {
        Node {
            meta: meta.clone(),
            layer: index,
            content: entry.content.clone(),
        }
    };
    nodes.insert(entry.path.clone(), node);
}

/// A hard link becomes a regular file with its target's metadata and bytes;
/// `meta.link` keeps the target's path. A link to nothing stays a dangling
/// hard link.
fn hardlink_node(
    nodes: &BTreeMap<String, Node>,
    index: usize,
    entry: &LayerEntry,
    meta: &FileMeta,
) -> Node {
    let target = meta.link.as_deref().and_then(|t| nodes.get(t));
    match target {
        Some(t) if t.meta.kind == EntryKind::File => Node {
            meta: FileMeta {
                link: meta.link.clone(),
                ..t.meta.clone()
            },
            layer: index,
            content: entry.content.clone().or_else(|| t.content.clone()),
        },
        _ => Node {
            meta: meta.clone(),
            layer: index,
            content: entry.content.clone(),
        },
    }
}
