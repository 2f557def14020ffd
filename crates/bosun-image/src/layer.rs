//! The layer reader: one pass over a layer blob that verifies it and turns
//! it into a [`bosun_tree::Layer`].
//!
//! ```text
//! blob ─► Compressed (sha256 of the blob, size check, progress)
//!      ─► sniff 4 bytes: gzip / zstd / plain tar (media types lie)
//!      ─► decoder (flate2 zlib-rs / libzstd / none)
//!      ─► Uncompressed (diff_id sha256, decompression-bomb limit)
//!      ─► 64 KiB buffer ─► TarReader ─► entries ─► EntrySink
//! ```
//!
//! The whole stream is read to its end, trailing blocks included, so both
//! digests cover every byte. For a plain-tar blob the blob digest *is* the
//! diff_id, and the bytes are hashed once.

use std::io::{self, BufReader, Chain, Cursor, Read};
use std::sync::Arc;

use bosun_tree::path::{file_name, normalize_entry, parent};
use bosun_tree::{Change, EntryKind, EntrySink, FileMeta, Layer, LayerEntry};

use crate::Limits;
use crate::digest::{Algorithm, Digest, Hasher};
use crate::error::{ImageError, LimitHit};
use crate::pipe;
use crate::progress::Progress;
use crate::tarstream::{Entry, Kind, StreamInput, TarError, TarLimits, TarReader};

/// How a layer blob is compressed, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Detects the compression from the first bytes of a blob.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The OCI media type of a layer with this compression.
    pub fn oci_media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::None => "tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What to expect of one layer blob.
#[derive(Debug, Clone)]
pub(crate) struct LayerJob<'a> {
    pub index: usize,
    /// How errors name the layer: `layer 2 (sha256:…)`.
    pub label: &'a str,
    /// The blob digest the manifest promises.
    pub digest: Option<&'a Digest>,
    /// The uncompressed digest the config promises.
    pub diff_id: Option<&'a Digest>,
    /// The blob size the manifest promises.
    pub size: Option<u64>,
}

/// Everything besides the blob that a read needs.
#[derive(Clone, Copy)]
pub(crate) struct ReadCtx<'a> {
    pub limits: &'a Limits,
    /// Decompress on other threads than the tar parsing.
    pub pipeline: bool,
    pub sink: &'a dyn EntrySink,
    pub progress: Option<&'a dyn Progress>,
}

/// A layer read and verified.
#[derive(Debug)]
pub(crate) struct LayerRead {
    pub layer: Layer,
    /// The blob digest, as computed.
    pub digest: Digest,
    /// The uncompressed digest, as computed.
    pub diff_id: Digest,
    pub compression: Compression,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    pub warnings: Vec<String>,
}

/// Reads one layer blob to its end, verifying its size and both digests.
///
/// A compressed blob is read by a three-stage pipeline on scoped threads
/// (read and hash the blob | decompress | hash and parse the tar), so that
/// hashing costs no wall time next to decompression; a plain tar is read on
/// the calling thread (its one hash is the whole cost).
pub(crate) fn read_layer(
    blob: &mut (dyn Read + Send),
    job: &LayerJob<'_>,
    ctx: ReadCtx<'_>,
) -> Result<LayerRead, ImageError> {
    let blob_alg = job.digest.map_or(Algorithm::Sha256, Digest::algorithm);
    let diff_alg = job.diff_id.map_or(Algorithm::Sha256, Digest::algorithm);
    let mut compressed = Compressed {
        inner: blob,
        hasher: Hasher::new(blob_alg),
        count: 0,
        max: job.size,
        progress: ctx.progress,
        index: job.index,
        reported: 0,
    };
    if let Some(p) = ctx.progress {
        p.layer_started(job.index, job.size);
    }
    let mut head = Vec::with_capacity(4);
    (&mut compressed)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| io_error(job, None, "reading the blob", e))?;
    let compression = Compression::sniff(&head);
    let tar_limits = TarLimits {
        max_name: ctx.limits.max_tar_name_bytes,
        max_pax: ctx.limits.max_tar_pax_bytes,
    };
    let mut notes = Notes::default();
    let (layer, compressed, own_diff, uncompressed_bytes) =
        if compression == Compression::None || !ctx.pipeline {
            serial(
                compressed,
                head,
                compression,
                diff_alg,
                tar_limits,
                job,
                ctx,
                &mut notes,
            )?
        } else {
            pipelined(
                compressed,
                head,
                compression,
                diff_alg,
                tar_limits,
                job,
                ctx,
                &mut notes,
            )?
        };
    let compressed_bytes = compressed.count;
    if let Some(p) = ctx.progress {
        p.layer_progress(job.index, compressed_bytes);
        p.layer_finished(job.index);
    }
    if let Some(size) = job.size
        && compressed_bytes != size
    {
        return Err(ImageError::invalid(
            job.label,
            format!("blob is {compressed_bytes} bytes but its descriptor says {size}"),
        ));
    }
    let digest = compressed.hasher.finish();
    let diff_id = match own_diff {
        Some(h) => h.finish(),
        None => digest.clone(),
    };
    if let Some(want) = job.digest
        && *want != digest
    {
        return Err(ImageError::DigestMismatch {
            what: format!("{} blob", job.label),
            expected: want.to_string(),
            actual: digest.to_string(),
        });
    }
    if let Some(want) = job.diff_id
        && *want != diff_id
    {
        return Err(ImageError::DigestMismatch {
            what: format!(
                "{} uncompressed ({}) against the config's diff_id",
                job.label,
                compression.name()
            ),
            expected: want.to_string(),
            actual: diff_id.to_string(),
        });
    }
    Ok(LayerRead {
        layer,
        digest,
        diff_id,
        compression,
        compressed_bytes,
        uncompressed_bytes,
        warnings: notes.into_warnings(job.label),
    })
}

type Stages<'a> = (Layer, Compressed<'a>, Option<Hasher>, u64);

/// Everything on the calling thread.
#[allow(clippy::too_many_arguments)]
fn serial<'a>(
    compressed: Compressed<'a>,
    head: Vec<u8>,
    compression: Compression,
    diff_alg: Algorithm,
    tar_limits: TarLimits,
    job: &LayerJob<'_>,
    ctx: ReadCtx<'_>,
    notes: &mut Notes,
) -> Result<Stages<'a>, ImageError> {
    let share_hash = compression == Compression::None && compressed.hasher.algorithm() == diff_alg;
    let buffered = BufReader::with_capacity(64 * 1024, Cursor::new(head).chain(compressed));
    let decoder = match compression {
        Compression::None => Decoder::Plain(buffered),
        Compression::Gzip => Decoder::Gzip(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Zstd => {
            let mut d = zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| io_error(job, None, "starting the zstd decoder", e))?;
            d.window_log_max(ctx.limits.zstd_window_log_max)
                .map_err(|e| io_error(job, None, "configuring the zstd decoder", e))?;
            Decoder::Zstd(d)
        }
    };
    let uncompressed = Uncompressed {
        inner: decoder,
        hasher: (!share_hash).then(|| Hasher::new(diff_alg)),
        count: 0,
        max: ctx.limits.max_layer_bytes,
    };
    let input = StreamInput(BufReader::with_capacity(64 * 1024, uncompressed));
    let mut tar = TarReader::new(input, tar_limits);
    let layer = read_entries(&mut tar, job, ctx, notes)?;
    tar.drain().map_err(|e| tar_error(job, None, e))?;
    let uncompressed = tar.into_inner().0.into_inner();
    let buffered = match uncompressed.inner {
        Decoder::Plain(b) => b,
        Decoder::Gzip(d) => d.into_inner(),
        Decoder::Zstd(d) => d.finish(),
    };
    let (_, mut compressed) = buffered.into_inner().into_inner();
    // Bytes after the end of the compressed stream still belong to the blob.
    io::copy(&mut compressed, &mut io::sink())
        .map_err(|e| io_error(job, None, "reading the end of the blob", e))?;
    Ok((layer, compressed, uncompressed.hasher, uncompressed.count))
}

/// Three threads: this one parses; two scoped ones read and decompress.
#[allow(clippy::too_many_arguments)]
fn pipelined<'a>(
    compressed: Compressed<'a>,
    head: Vec<u8>,
    compression: Compression,
    diff_alg: Algorithm,
    tar_limits: TarLimits,
    job: &LayerJob<'_>,
    ctx: ReadCtx<'_>,
    notes: &mut Notes,
) -> Result<Stages<'a>, ImageError> {
    let window = ctx.limits.zstd_window_log_max;
    std::thread::scope(|s| {
        let (mut raw_w, raw_r) = pipe::pipe();
        let reader = s.spawn(move || {
            let mut c = compressed;
            let r = raw_w.send(&head).and_then(|()| {
                while raw_w.pump(&mut c)? {}
                Ok(())
            });
            (c, r)
        });
        let (mut dec_w, mut dec_r) = pipe::pipe();
        let decoder = s.spawn(move || {
            let mut raw = raw_r;
            let r = (|| -> io::Result<()> {
                match compression {
                    Compression::Gzip => {
                        let mut d = flate2::bufread::MultiGzDecoder::new(&mut raw);
                        while dec_w.pump(&mut d)? {}
                    }
                    Compression::Zstd => {
                        let mut d = zstd::stream::read::Decoder::with_buffer(&mut raw)?;
                        d.window_log_max(window)?;
                        while dec_w.pump(&mut d)? {}
                    }
                    Compression::None => while dec_w.pump(&mut raw)? {},
                }
                // Bytes after the end of the compressed stream still belong to the blob.
                io::copy(&mut raw, &mut io::sink())?;
                Ok(())
            })();
            if let Err(e) = &r {
                dec_w.fail(pipe::copy_error(e));
            }
            r
        });
        dec_r.hasher = Some(Hasher::new(diff_alg));
        dec_r.max = ctx.limits.max_layer_bytes;
        let mut tar = TarReader::new(dec_r, tar_limits);
        let parsed = read_entries(&mut tar, job, ctx, notes).and_then(|layer| {
            tar.drain()
                .map(|_| layer)
                .map_err(|e| tar_error(job, None, e))
        });
        let dec_r = tar.into_inner();
        let (diff, uncompressed_bytes) = (dec_r.hasher.clone(), dec_r.count);
        // Closing the pipe stops the other stages if parsing ended early.
        drop(dec_r);
        let decoded = decoder.join();
        let read = reader.join();
        let (compressed, read_result) = read.map_err(|_| {
            ImageError::layer(
                job.label,
                None,
                "internal error: the blob reader thread panicked",
            )
        })?;
        let layer = parsed?;
        read_result.map_err(|e| io_error(job, None, "reading the blob", e))?;
        match decoded {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(io_error(job, None, "decompressing", e)),
            Err(_) => {
                return Err(ImageError::layer(
                    job.label,
                    None,
                    "internal error: the decompression thread panicked",
                ));
            }
        }
        Ok((layer, compressed, diff, uncompressed_bytes))
    })
}

/// Odd entries worth one warning per layer.
#[derive(Default)]
struct Notes {
    devices: (usize, Option<String>),
    lossy: (usize, Option<String>),
    sparse: (usize, Option<String>),
    unknown: (usize, Option<String>),
    aufs: (usize, Option<String>),
    bad_whiteouts: (usize, Option<String>),
    not_kept: (usize, Option<String>),
    dangling_hardlinks: (usize, Option<String>),
}

fn note(slot: &mut (usize, Option<String>), path: &str) {
    slot.0 += 1;
    if slot.1.is_none() {
        slot.1 = Some(path.to_owned());
    }
}

impl Notes {
    fn into_warnings(self, label: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut say = |slot: (usize, Option<String>), what: &str| {
            if slot.0 > 0 {
                out.push(format!(
                    "{label}: {} {what} (first `{}`)",
                    slot.0,
                    slot.1.unwrap_or_default()
                ));
            }
        };
        say(
            self.devices,
            "device files or fifos recorded as metadata only",
        );
        say(
            self.lossy,
            "entry names that are not UTF-8 (invalid bytes replaced)",
        );
        say(
            self.sparse,
            "GNU sparse files recorded with their stored bytes only",
        );
        say(
            self.unknown,
            "entries of unknown tar types treated as regular files",
        );
        say(self.aufs, "aufs metadata entries (.wh..wh.*) skipped");
        say(self.bad_whiteouts, "malformed whiteout entries skipped");
        say(
            self.not_kept,
            "wanted files over the `max_kept_file_bytes` limit not kept",
        );
        say(
            self.dangling_hardlinks,
            "hard links whose target bytes were not kept in the same layer",
        );
        out
    }
}

fn read_entries<I: crate::tarstream::TarInput>(
    tar: &mut TarReader<I>,
    job: &LayerJob<'_>,
    ctx: ReadCtx<'_>,
    notes: &mut Notes,
) -> Result<Layer, ImageError> {
    let limits = ctx.limits;
    let mut layer = Layer::new();
    let mut count = 0usize;
    loop {
        let entry = match tar.next_entry() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(e) => return Err(tar_error(job, None, e)),
        };
        count += 1;
        if count > limits.max_entries_per_layer {
            return Err(ImageError::Limit {
                what: job.label.to_owned(),
                limit: "max_entries_per_layer",
                max: limits.max_entries_per_layer as u64,
                detail: "the layer has more entries than allowed".into(),
            });
        }
        let path = normalize_entry(&entry.name).map_err(|_| {
            ImageError::layer(
                job.label,
                Some(entry.name.clone()),
                "the name climbs above the image root",
            )
        })?;
        if entry.lossy {
            note(&mut notes.lossy, &path);
        }
        if let Some(change) = whiteout(&path, notes) {
            if let Some(change) = change {
                layer.push(change);
            }
            continue;
        }
        let meta = |kind: EntryKind, link: Option<String>| FileMeta {
            kind,
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            size: if kind == EntryKind::File {
                entry.size
            } else {
                0
            },
            mtime: entry.mtime,
            link,
        };
        match entry.kind {
            Kind::Dir => layer.push(add(path, meta(EntryKind::Dir, None), None)),
            Kind::Symlink => {
                // Recorded as written; resolution happens in the squashed
                // tree, inside the image root.
                let link = Some(entry.link.clone());
                layer.push(add(path, meta(EntryKind::Symlink, link), None));
            }
            Kind::Hardlink => {
                if entry.link.is_empty() {
                    note(&mut notes.bad_whiteouts, &path);
                    continue;
                }
                let target = normalize_entry(&entry.link).map_err(|_| {
                    ImageError::layer(
                        job.label,
                        Some(entry.name.clone()),
                        format!(
                            "hard link target `{}` climbs above the image root",
                            crate::digest::short(&entry.link)
                        ),
                    )
                })?;
                let content = hardlink_content(&layer, &path, &target, ctx, notes);
                layer.push(add(path, meta(EntryKind::Hardlink, Some(target)), content));
            }
            Kind::Char | Kind::Block | Kind::Fifo => {
                note(&mut notes.devices, &path);
                let kind = match entry.kind {
                    Kind::Char => EntryKind::CharDevice,
                    Kind::Block => EntryKind::BlockDevice,
                    _ => EntryKind::Fifo,
                };
                layer.push(add(path, meta(kind, None), None));
            }
            Kind::File | Kind::Sparse | Kind::Other(_) => {
                if entry.kind == Kind::Sparse {
                    note(&mut notes.sparse, &path);
                } else if matches!(entry.kind, Kind::Other(_)) {
                    note(&mut notes.unknown, &path);
                }
                let m = meta(EntryKind::File, None);
                let content = file_content(tar, &entry, &path, &m, job, ctx, notes)?;
                layer.push(add(path, m, content));
            }
        }
    }
    Ok(layer)
}

fn add(path: String, meta: FileMeta, content: Option<bosun_tree::Content>) -> LayerEntry {
    LayerEntry {
        path,
        change: Change::Add(meta),
        content,
    }
}

/// `Some(change)` when the path is a whiteout or aufs marker (`Some(None)`
/// when it is skipped), `None` for an ordinary entry.
fn whiteout(path: &str, notes: &mut Notes) -> Option<Option<LayerEntry>> {
    if !path.contains("/.wh.") {
        return None;
    }
    let name = file_name(path);
    if path.contains("/.wh..wh.") && name != ".wh..wh..opq" {
        // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs) and anything below it.
        note(&mut notes.aufs, path);
        return Some(None);
    }
    let dir = parent(path);
    if name == ".wh..wh..opq" {
        return Some(Some(LayerEntry {
            path: dir.to_owned(),
            change: Change::Opaque,
            content: None,
        }));
    }
    let victim = name.strip_prefix(".wh.")?;
    if victim.is_empty() || victim == "." || victim == ".." {
        note(&mut notes.bad_whiteouts, path);
        return Some(None);
    }
    let target = if dir == "/" {
        format!("/{victim}")
    } else {
        format!("{dir}/{victim}")
    };
    Some(Some(LayerEntry {
        path: target,
        change: Change::Whiteout,
        content: None,
    }))
}

/// The bytes of a hard link's target when the sink wants the link and the
/// target was kept earlier in the same layer.
fn hardlink_content(
    layer: &Layer,
    path: &str,
    target: &str,
    ctx: ReadCtx<'_>,
    notes: &mut Notes,
) -> Option<bosun_tree::Content> {
    let entry = layer.added(target)?;
    let Change::Add(tmeta) = &entry.change else {
        return None;
    };
    if tmeta.kind != EntryKind::File {
        return None;
    }
    let want = ctx.sink.want(path, tmeta);
    if !want.keep {
        return None;
    }
    match &entry.content {
        Some(c) => Some(c.clone()),
        None => {
            note(&mut notes.dangling_hardlinks, path);
            None
        }
    }
}

/// Asks the sink about a regular file and keeps or streams its bytes.
fn file_content<I: crate::tarstream::TarInput>(
    tar: &mut TarReader<I>,
    entry: &Entry,
    path: &str,
    meta: &FileMeta,
    job: &LayerJob<'_>,
    ctx: ReadCtx<'_>,
    notes: &mut Notes,
) -> Result<Option<bosun_tree::Content>, ImageError> {
    let want = ctx.sink.want(path, meta);
    if !want.any() {
        return Ok(None);
    }
    if want.keep && entry.size <= ctx.limits.max_kept_file_bytes {
        let len = usize::try_from(entry.size).unwrap_or(usize::MAX);
        let mut buf = Vec::with_capacity(len);
        tar.data()
            .read_to_end(&mut buf)
            .map_err(|e| io_error(job, Some(&entry.name), "reading the entry's data", e))?;
        if want.inspect {
            ctx.sink.inspect(job.index, path, meta, &mut buf.as_slice());
        }
        return Ok(Some(Arc::from(buf)));
    }
    if want.keep {
        note(&mut notes.not_kept, path);
    }
    if want.inspect {
        let mut data = tar.data();
        ctx.sink.inspect(job.index, path, meta, &mut data);
    }
    Ok(None)
}

fn io_error(job: &LayerJob<'_>, entry: Option<&str>, op: &str, e: io::Error) -> ImageError {
    match LimitHit::from_io(&e) {
        Some(l) => ImageError::Limit {
            what: job.label.to_owned(),
            limit: l.limit,
            max: l.max,
            detail: l.detail.clone(),
        },
        None if matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) =>
        {
            ImageError::layer(
                job.label,
                entry.map(str::to_owned),
                format!("{op}: timed out waiting for data ({e})"),
            )
        }
        None => ImageError::layer(job.label, entry.map(str::to_owned), format!("{op}: {e}")),
    }
}

fn tar_error(job: &LayerJob<'_>, entry: Option<&str>, e: TarError) -> ImageError {
    match e {
        TarError::Io(e) => io_error(job, entry, "reading the layer", e),
        TarError::Limit(l) => ImageError::Limit {
            what: job.label.to_owned(),
            limit: l.limit,
            max: l.max,
            detail: l.detail,
        },
        TarError::Corrupt { .. } => {
            ImageError::layer(job.label, entry.map(str::to_owned), e.to_string())
        }
    }
}

/// The blob as read: hashed, counted, size-checked, reported.
struct Compressed<'a> {
    inner: &'a mut (dyn Read + Send),
    hasher: Hasher,
    count: u64,
    max: Option<u64>,
    progress: Option<&'a dyn Progress>,
    index: usize,
    reported: u64,
}

impl Read for Compressed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or(&[]);
        self.hasher.update(data);
        self.count += n as u64;
        if let Some(max) = self.max
            && self.count > max
        {
            return Err(LimitHit {
                limit: "descriptor.size",
                max,
                detail: "the blob is longer than its descriptor says".into(),
            }
            .into_io());
        }
        if let Some(p) = self.progress
            && self.count - self.reported >= 1 << 20
        {
            self.reported = self.count;
            p.layer_progress(self.index, self.count);
        }
        Ok(n)
    }
}

type Buffered<'a> = BufReader<Chain<Cursor<Vec<u8>>, Compressed<'a>>>;

// One per layer read, so its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Decoder<'a> {
    Plain(Buffered<'a>),
    Gzip(flate2::bufread::MultiGzDecoder<Buffered<'a>>),
    Zstd(zstd::stream::read::Decoder<'static, Buffered<'a>>),
}

impl Read for Decoder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

/// The decompressed stream: hashed (unless shared with the blob hash) and
/// bounded by the decompression limit.
struct Uncompressed<R> {
    inner: R,
    hasher: Option<Hasher>,
    count: u64,
    max: u64,
}

impl<R: Read> Read for Uncompressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.max {
            return Err(LimitHit {
                limit: "max_layer_bytes",
                max: self.max,
                detail: format!(
                    "the layer decompresses to more than {} bytes (a decompression bomb?)",
                    self.max
                ),
            }
            .into_io());
        }
        if let Some(h) = &mut self.hasher {
            h.update(buf.get(..n).unwrap_or(&[]));
        }
        Ok(n)
    }
}
