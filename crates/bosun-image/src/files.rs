//! Named files of an image on disk: a directory, or a tar file read in place.
//!
//! A docker-archive or OCI archive is never extracted. Its tar headers are
//! walked once, seeking over the data, to build an index of entry offsets and
//! sizes; each file is then read as a byte range of the archive with
//! positional reads (`pread`), so several layers can be read at once from
//! one file handle.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bosun_tree::path::{join_link, normalize_entry, parent};

use crate::Limits;
use crate::error::ImageError;
use crate::tarstream::{Kind, SeekInput, TarError, TarLimits, TarReader};

/// Which kind of image archive a tar file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArchiveKind {
    Docker,
    Oci,
}

/// Tells a docker-archive from an OCI archive by its entry names.
pub(crate) fn sniff_archive(path: &Path) -> Result<ArchiveKind, ImageError> {
    let index = TarIndex::open(path, &Limits::default())?;
    if index.contains("manifest.json") {
        Ok(ArchiveKind::Docker)
    } else if index.contains("index.json") || index.contains("oci-layout") {
        Ok(ArchiveKind::Oci)
    } else {
        Err(ImageError::invalid(
            path.display().to_string(),
            "a tar file with neither `manifest.json` (docker-archive) nor `index.json` (OCI archive)",
        ))
    }
}

#[derive(Debug, Clone)]
struct IndexEntry {
    offset: u64,
    size: u64,
    kind: Kind,
    link: String,
}

/// The entries of a tar file, by normalized name (no leading `/`).
#[derive(Debug)]
pub(crate) struct TarIndex {
    path: PathBuf,
    file: Arc<File>,
    entries: HashMap<String, IndexEntry>,
}

impl TarIndex {
    pub(crate) fn open(path: &Path, limits: &Limits) -> Result<TarIndex, ImageError> {
        let file = File::open(path).map_err(|e| ImageError::io("opening", path, e))?;
        let len = file
            .metadata()
            .map_err(|e| ImageError::io("reading metadata of", path, e))?
            .len();
        let mut head = [0u8; 4];
        let n = file.read_at(&mut head, 0).unwrap_or(0);
        if head.get(..n).is_some_and(|h| h.starts_with(&[0x1f, 0x8b])) {
            return Err(ImageError::unsupported(
                path.display().to_string(),
                "a gzip-compressed archive; decompress it first (`gunzip -k`)",
            ));
        }
        let clone = file
            .try_clone()
            .map_err(|e| ImageError::io("opening", path, e))?;
        let mut tar = TarReader::new(
            SeekInput::new(clone, len),
            TarLimits {
                max_name: limits.max_tar_name_bytes,
                max_pax: limits.max_tar_pax_bytes,
            },
        );
        let what = path.display().to_string();
        let mut entries = HashMap::new();
        loop {
            let e = match tar.next_entry() {
                Ok(Some(e)) => e,
                Ok(None) => break,
                Err(TarError::Io(e)) => return Err(ImageError::io("reading", path, e)),
                Err(TarError::Limit(l)) => {
                    return Err(ImageError::Limit {
                        what,
                        limit: l.limit,
                        max: l.max,
                        detail: l.detail,
                    });
                }
                Err(e @ TarError::Corrupt { .. }) => {
                    return Err(ImageError::invalid(what, e.to_string()));
                }
            };
            if entries.len() >= limits.max_archive_entries {
                return Err(ImageError::Limit {
                    what,
                    limit: "max_archive_entries",
                    max: limits.max_archive_entries as u64,
                    detail: "the archive has more entries than allowed".into(),
                });
            }
            if e.data_offset
                .checked_add(e.size)
                .is_none_or(|end| end > len)
            {
                return Err(ImageError::invalid(
                    what,
                    format!("entry `{}` runs past the end of the file", e.name),
                ));
            }
            let Ok(name) = normalize_entry(&e.name) else {
                return Err(ImageError::invalid(
                    what,
                    format!("entry `{}` climbs above the archive root", e.name),
                ));
            };
            entries.insert(
                name.trim_start_matches('/').to_owned(),
                IndexEntry {
                    offset: e.data_offset,
                    size: e.size,
                    kind: e.kind,
                    link: e.link,
                },
            );
        }
        Ok(TarIndex {
            path: path.to_owned(),
            file: Arc::new(file),
            entries,
        })
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The regular file a name leads to, following links inside the archive.
    fn resolve(&self, name: &str) -> Option<&IndexEntry> {
        let mut cur = name.to_owned();
        for _ in 0..16 {
            let e = self.entries.get(&cur)?;
            match e.kind {
                Kind::Symlink => {
                    let dir = parent(&format!("/{cur}")).to_owned();
                    cur = join_link(&dir, &e.link).trim_start_matches('/').to_owned();
                }
                Kind::Hardlink => {
                    cur = normalize_entry(&e.link)
                        .ok()?
                        .trim_start_matches('/')
                        .to_owned();
                }
                Kind::File => return Some(e),
                _ => return None,
            }
        }
        None
    }
}

/// A byte range of a file, read with positional reads.
pub(crate) struct RangeReader {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let Some(dst) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = self.file.read_at(dst, self.pos)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive file ended early (was it truncated while being read?)",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Files of an image: a directory or an indexed tar.
#[derive(Debug)]
pub(crate) enum Files {
    Dir { root: PathBuf, canonical: PathBuf },
    Tar(TarIndex),
}

impl Files {
    /// A directory is read as is; a file is indexed as a tar.
    pub(crate) fn open(path: &Path, limits: &Limits) -> Result<Files, ImageError> {
        let meta = std::fs::metadata(path).map_err(|e| ImageError::io("opening", path, e))?;
        if meta.is_dir() {
            let canonical = path
                .canonicalize()
                .map_err(|e| ImageError::io("resolving", path, e))?;
            Ok(Files::Dir {
                root: path.to_owned(),
                canonical,
            })
        } else {
            Ok(Files::Tar(TarIndex::open(path, limits)?))
        }
    }

    /// Where the files are, for messages.
    pub(crate) fn location(&self) -> String {
        match self {
            Files::Dir { root, .. } => root.display().to_string(),
            Files::Tar(t) => t.path.display().to_string(),
        }
    }

    /// `app.tar: manifest.json`, for messages.
    pub(crate) fn describe(&self, name: &str) -> String {
        format!("{}: {name}", self.location())
    }

    /// Normalizes a name found in a manifest; refuses names that leave the root.
    fn clean(&self, name: &str) -> Result<String, ImageError> {
        match normalize_entry(name) {
            Ok(n) if n != "/" => Ok(n.trim_start_matches('/').to_owned()),
            _ => Err(ImageError::invalid(
                self.location(),
                format!(
                    "file name `{}` is not inside the image",
                    crate::digest::short(name)
                ),
            )),
        }
    }

    fn dir_path(&self, root: &Path, canonical: &Path, name: &str) -> Result<PathBuf, ImageError> {
        let p = root.join(name);
        // Symlinks inside the directory may not lead out of it.
        let real = p.canonicalize().map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                ImageError::not_found(self.describe(name), "no such file")
            } else {
                ImageError::io("resolving", &p, e)
            }
        })?;
        if !real.starts_with(canonical) {
            return Err(ImageError::invalid(
                self.describe(name),
                "a symbolic link that leads outside the directory",
            ));
        }
        Ok(real)
    }

    pub(crate) fn exists(&self, name: &str) -> bool {
        let Ok(name) = self.clean(name) else {
            return false;
        };
        match self {
            Files::Dir { root, .. } => root.join(&name).is_file(),
            Files::Tar(t) => t.resolve(&name).is_some(),
        }
    }

    /// Opens a file for streaming, with its size.
    pub(crate) fn open_file(
        &self,
        name: &str,
    ) -> Result<(Box<dyn Read + Send + '_>, u64), ImageError> {
        let name = self.clean(name)?;
        match self {
            Files::Dir { root, canonical } => {
                let p = self.dir_path(root, canonical, &name)?;
                let f = File::open(&p).map_err(|e| ImageError::io("opening", &p, e))?;
                let len = f
                    .metadata()
                    .map_err(|e| ImageError::io("reading metadata of", &p, e))?
                    .len();
                Ok((Box::new(f), len))
            }
            Files::Tar(t) => {
                let e = t.resolve(&name).ok_or_else(|| {
                    ImageError::not_found(self.describe(&name), "no such file in the archive")
                })?;
                Ok((
                    Box::new(RangeReader {
                        file: t.file.clone(),
                        pos: e.offset,
                        end: e.offset + e.size,
                    }),
                    e.size,
                ))
            }
        }
    }

    /// Reads a small file whole (a manifest, index or config), refusing
    /// files over `max` bytes.
    pub(crate) fn read_small(&self, name: &str, max: u64) -> Result<Vec<u8>, ImageError> {
        let (r, len) = self.open_file(name)?;
        if len > max {
            return Err(ImageError::Limit {
                what: self.describe(name),
                limit: "max_json_bytes",
                max,
                detail: format!("the file is {len} bytes"),
            });
        }
        let mut v = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        r.take(max)
            .read_to_end(&mut v)
            .map_err(|e| ImageError::io("reading", PathBuf::from(self.describe(name)), e))?;
        Ok(v)
    }

    /// The first bytes of a file (to sniff its compression).
    pub(crate) fn head(&self, name: &str, n: u64) -> Result<Vec<u8>, ImageError> {
        let (r, _) = self.open_file(name)?;
        let mut v = Vec::new();
        r.take(n)
            .read_to_end(&mut v)
            .map_err(|e| ImageError::io("reading", PathBuf::from(self.describe(name)), e))?;
        Ok(v)
    }
}
