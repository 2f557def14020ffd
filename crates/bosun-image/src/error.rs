//! The one error type of this crate.
//!
//! Every variant names what it was about: the file, blob, layer, URL or JSON
//! field, so a user can tell which part of which image was bad without a
//! debugger. Messages are lower-case without a trailing period.

use std::io;
use std::path::PathBuf;

/// An error opening an image or reading its layers.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The reference the user gave cannot be understood.
    #[error("invalid image reference `{input}`: {reason}")]
    Reference { input: String, reason: String },

    /// A local file or directory could not be read.
    #[error("{op} `{}`: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A manifest, index or config that is not valid JSON of the expected
    /// shape; `field` is the JSON path of the offending value (`.` for the
    /// document itself).
    #[error("{what}: invalid JSON at `{field}`: {message}")]
    Json {
        what: String,
        field: String,
        message: String,
    },

    /// A document or archive that parses but makes no sense (missing blob,
    /// counts that disagree, unsupported schema).
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },

    /// Content whose digest is not the one its descriptor promised.
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },

    /// A configured limit was exceeded (decompression bomb, absurd layer
    /// count, oversized JSON, too many entries).
    #[error("{what}: {detail} (limit `{limit}` = {max})")]
    Limit {
        what: String,
        limit: &'static str,
        max: u64,
        detail: String,
    },

    /// A layer that cannot be read: corrupt compression or tar data, or a
    /// hostile entry. `entry` is the archive name of the entry when known.
    #[error("{layer}{}: {message}", entry.as_ref().map(|e| format!(": entry `{e}`")).unwrap_or_default())]
    Layer {
        layer: String,
        entry: Option<String>,
        message: String,
    },

    /// The image, tag, platform or blob asked for is not there.
    #[error("{what}: not found: {detail}")]
    NotFound { what: String, detail: String },

    /// A registry or engine answered with an HTTP error status.
    #[error("{url}: HTTP {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },

    /// A registry or engine could not be reached, or stopped answering.
    #[error("{url}: {message}")]
    Transport { url: String, message: String },

    /// Something this version of bosun does not support.
    #[error("{what}: unsupported: {detail}")]
    Unsupported { what: String, detail: String },
}

impl ImageError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        ImageError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }

    pub(crate) fn not_found(what: impl Into<String>, detail: impl Into<String>) -> Self {
        ImageError::NotFound {
            what: what.into(),
            detail: detail.into(),
        }
    }

    pub(crate) fn layer(
        layer: impl Into<String>,
        entry: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        ImageError::Layer {
            layer: layer.into(),
            entry,
            message: message.into(),
        }
    }

    pub(crate) fn transport(url: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Transport {
            url: url.into(),
            message: message.into(),
        }
    }

    pub(crate) fn unsupported(what: impl Into<String>, detail: impl Into<String>) -> Self {
        ImageError::Unsupported {
            what: what.into(),
            detail: detail.into(),
        }
    }
}

/// A limit hit inside a `Read` implementation, carried through `io::Error`
/// and turned back into [`ImageError::Limit`] by the caller.
#[derive(Debug, Clone)]
pub(crate) struct LimitHit {
    pub limit: &'static str,
    pub max: u64,
    pub detail: String,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (limit `{}` = {})", self.detail, self.limit, self.max)
    }
}

impl std::error::Error for LimitHit {}

impl LimitHit {
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// The limit carried by an I/O error, if it is one.
    pub(crate) fn from_io(e: &io::Error) -> Option<&LimitHit> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<LimitHit>())
    }
}
