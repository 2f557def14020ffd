//! The file tree of an image, layer by layer and squashed.
//!
//! An image reader turns each layer archive into a [`Layer`]: every entry's
//! normalized path and metadata, whiteouts and opaque markers, and the bytes
//! of the files an [`EntrySink`] asked for. [`FileTree::squash`] applies the
//! layers in order and remembers, for every path, the layer it came from.
//! Analyzers read only this tree: never the real filesystem.
//!
//! This crate does no I/O, so every rule about paths (normalization, symlinks
//! that must not escape the root, loops) is tested here on in-memory trees.

mod builder;
mod layer;
pub mod path;
mod tree;

pub use builder::TreeBuilder;
pub use layer::{
    Both, Change, Content, EntryKind, EntrySink, FileMeta, KeepIf, Layer, LayerEntry, MetadataOnly,
    Want,
};
pub use tree::{FileTree, MAX_SYMLINK_HOPS, Node, PathState, PathVersion};

/// Errors about paths inside an image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// An archive entry name that climbs above the image root (`../x`).
    #[error("entry `{path}` climbs above the image root")]
    PathEscapesRoot { path: String },
    /// More than [`MAX_SYMLINK_HOPS`] symlinks while resolving a path.
    #[error("too many levels of symbolic links resolving `{path}`")]
    SymlinkLoop { path: String },
}
