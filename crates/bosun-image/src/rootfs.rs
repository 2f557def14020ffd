//! A directory read as one pseudo-layer (`rootfs:`).
//!
//! The walk never follows a symlink (links are recorded with their target as
//! written, and resolved later inside the image root by the squashed tree),
//! never crosses into another filesystem (a mount point is recorded, its
//! contents are not read: `rootfs:/` does not walk `/proc`), records device
//! files and fifos as metadata, skips sockets, turns a file's second and later
//! names into hard links to its first, and reads only the bytes the sink
//! asks for.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bosun_model::{LayerInfo, SourceInfo};
use bosun_tree::{Change, EntryKind, FileMeta, Layer, LayerEntry};

use crate::error::ImageError;
use crate::layer::ReadCtx;
use crate::{Backend, LayerPlan, Opened, SourceSpec};

pub(crate) fn open(path: &Path, spec: &SourceSpec) -> Result<Opened, ImageError> {
    let meta = fs::metadata(path).map_err(|e| ImageError::io("opening", path, e))?;
    if !meta.is_dir() {
        return Err(ImageError::invalid(
            path.display().to_string(),
            "rootfs: is not a directory",
        ));
    }
    Ok(Opened {
        source: SourceInfo {
            kind: spec.kind(),
            reference: spec.reference(),
            name: None,
            manifest_digest: None,
            config_digest: None,
            repo_tags: Vec::new(),
            platform: None,
        },
        config: None,
        layers: vec![LayerInfo {
            index: 0,
            digest: None,
            diff_id: None,
            media_type: None,
            size: 0,
            created_by: None,
        }],
        plans: vec![LayerPlan {
            label: format!("rootfs `{}`", path.display()),
            digest: None,
            diff_id: None,
            size: None,
            location: path.display().to_string(),
        }],
        backend: Backend::Rootfs(path.to_owned()),
        warnings: Vec::new(),
    })
}

struct Walk<'a> {
    ctx: ReadCtx<'a>,
    root_dev: u64,
    layer: Layer,
    links: HashMap<(u64, u64), String>,
    count: usize,
    warnings: Vec<String>,
    label: String,
}

/// Walks the directory into one layer.
pub(crate) fn read(root: &Path, ctx: ReadCtx<'_>) -> Result<(Layer, Vec<String>), ImageError> {
    let meta = fs::symlink_metadata(root).map_err(|e| ImageError::io("reading", root, e))?;
    let mut w = Walk {
        ctx,
        root_dev: meta.dev(),
        layer: Layer::new(),
        links: HashMap::new(),
        count: 0,
        warnings: Vec::new(),
        label: format!("rootfs `{}`", root.display()),
    };
    w.push("/".to_owned(), file_meta(&meta, EntryKind::Dir, None), None)?;
    // Depth-first, names sorted, so the layer is the same on every run.
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_owned(), String::new())];
    while let Some((dir, image_dir)) = stack.pop() {
        let mut names: Vec<(std::ffi::OsString, PathBuf)> = match fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(|e| match e {
                    Ok(e) => Some((e.file_name(), e.path())),
                    Err(err) => {
                        w.warnings
                            .push(format!("reading `{}`: {err}", dir.display()));
                        None
                    }
                })
                .collect(),
            Err(e) => {
                w.warnings.push(format!("reading `{}`: {e}", dir.display()));
                continue;
            }
        };
        names.sort();
        let mut subdirs = Vec::new();
        for (name, path) in names {
            let name_str = match name.to_str() {
                Some(s) => s.to_owned(),
                None => {
                    let lossy = name.to_string_lossy().into_owned();
                    w.warnings.push(format!(
                        "`{}`: name is not UTF-8 (invalid bytes replaced)",
                        path.display()
                    ));
                    lossy
                }
            };
            let image_path = format!("{image_dir}/{name_str}");
            if let Some(sub) = w.entry(&path, image_path)? {
                subdirs.push(sub);
            }
        }
        // Pushed in reverse so they pop in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok((w.layer, w.warnings))
}

impl Walk<'_> {
    fn push(
        &mut self,
        path: String,
        meta: FileMeta,
        content: Option<bosun_tree::Content>,
    ) -> Result<(), ImageError> {
        self.count += 1;
        if self.count > self.ctx.limits.max_entries_per_layer {
            return Err(ImageError::Limit {
                what: self.label.clone(),
                limit: "max_entries_per_layer",
                max: self.ctx.limits.max_entries_per_layer as u64,
                detail: "the directory has more entries than allowed".into(),
            });
        }
        self.layer.push(LayerEntry {
            path,
            change: Change::Add(meta),
            content,
        });
        Ok(())
    }

    /// Records one entry; returns the directory to descend into, if any.
    fn entry(
        &mut self,
        path: &Path,
        image_path: String,
    ) -> Result<Option<(PathBuf, String)>, ImageError> {
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.warnings
                    .push(format!("reading `{}`: {e}", path.display()));
                return Ok(None);
            }
        };
        let ft = meta.file_type();
        if ft.is_dir() {
            self.push(
                image_path.clone(),
                file_meta(&meta, EntryKind::Dir, None),
                None,
            )?;
            if meta.dev() != self.root_dev {
                self.warnings.push(format!(
                    "`{}` is a mount point of another filesystem; its contents were not read",
                    path.display()
                ));
                return Ok(None);
            }
            return Ok(Some((path.to_owned(), image_path)));
        }
        if ft.is_symlink() {
            let target = match fs::read_link(path) {
                Ok(t) => t.to_string_lossy().into_owned(),
                Err(e) => {
                    self.warnings
                        .push(format!("reading link `{}`: {e}", path.display()));
                    return Ok(None);
                }
            };
            self.push(
                image_path,
                file_meta(&meta, EntryKind::Symlink, Some(target)),
                None,
            )?;
            return Ok(None);
        }
        let special = if ft.is_char_device() {
            Some(EntryKind::CharDevice)
        } else if ft.is_block_device() {
            Some(EntryKind::BlockDevice)
        } else if ft.is_fifo() {
            Some(EntryKind::Fifo)
        } else {
            None
        };
        if let Some(kind) = special {
            self.push(image_path, file_meta(&meta, kind, None), None)?;
            return Ok(None);
        }
        if ft.is_socket() || !ft.is_file() {
            self.warnings
                .push(format!("`{}`: a socket; skipped", path.display()));
            return Ok(None);
        }
        if meta.nlink() > 1 {
            let key = (meta.dev(), meta.ino());
            if let Some(first) = self.links.get(&key) {
                let link = FileMeta {
                    kind: EntryKind::Hardlink,
                    link: Some(first.clone()),
                    ..file_meta(&meta, EntryKind::File, None)
                };
                let content = self.layer.added(first).and_then(|e| e.content.clone());
                self.push(image_path, link, content)?;
                return Ok(None);
            }
            self.links.insert(key, image_path.clone());
        }
        let fmeta = file_meta(&meta, EntryKind::File, None);
        let content = self.content(path, &image_path, &fmeta);
        self.push(image_path, fmeta, content)?;
        Ok(None)
    }

    fn content(
        &mut self,
        path: &Path,
        image_path: &str,
        meta: &FileMeta,
    ) -> Option<bosun_tree::Content> {
        let want = self.ctx.sink.want(image_path, meta);
        if !want.any() {
            return None;
        }
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.warnings
                    .push(format!("reading `{}`: {e}", path.display()));
                return None;
            }
        };
        if want.keep && meta.size <= self.ctx.limits.max_kept_file_bytes {
            let mut buf = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
            if let Err(e) = file.take(meta.size).read_to_end(&mut buf) {
                self.warnings
                    .push(format!("reading `{}`: {e}", path.display()));
                return None;
            }
            if want.inspect {
                self.ctx
                    .sink
                    .inspect(0, image_path, meta, &mut buf.as_slice());
            }
            return Some(Arc::from(buf));
        }
        if want.keep {
            self.warnings.push(format!(
                "`{}`: {} bytes is over the `max_kept_file_bytes` limit; not kept",
                path.display(),
                meta.size
            ));
        }
        if want.inspect {
            self.ctx
                .sink
                .inspect(0, image_path, meta, &mut file.take(meta.size));
        }
        None
    }
}

fn file_meta(m: &fs::Metadata, kind: EntryKind, link: Option<String>) -> FileMeta {
    FileMeta {
        kind,
        mode: m.mode() & 0o7777,
        uid: u64::from(m.uid()),
        gid: u64::from(m.gid()),
        size: if kind == EntryKind::File { m.len() } else { 0 },
        mtime: u64::try_from(m.mtime()).unwrap_or(0),
        link,
    }
}
