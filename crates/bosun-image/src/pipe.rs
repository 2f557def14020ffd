//! A bounded in-memory pipe between threads, for the layer reader's
//! pipeline (read+hash | decompress | hash+parse).
//!
//! Chunks are recycled through a return channel, so a layer costs a fixed
//! handful of buffers (`CAPACITY + 2` chunks per pipe) whatever its size,
//! and no large allocation is made per chunk.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use crate::digest::Hasher;

/// Bytes per chunk.
pub(crate) const CHUNK: usize = 128 * 1024;
/// Chunks in flight per pipe.
const CAPACITY: usize = 4;

type Msg = io::Result<Vec<u8>>;

pub(crate) struct PipeWriter {
    tx: SyncSender<Msg>,
    free: Receiver<Vec<u8>>,
}

pub(crate) struct PipeReader {
    rx: Receiver<Msg>,
    free: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Hashes every chunk as it arrives (the diff_id).
    pub(crate) hasher: Option<Hasher>,
    /// Bytes received so far.
    pub(crate) count: u64,
    /// Most bytes allowed through (the decompression-bomb limit).
    pub(crate) max: u64,
}

pub(crate) fn pipe() -> (PipeWriter, PipeReader) {
    let (tx, rx) = sync_channel(CAPACITY);
    let (free_tx, free_rx) = sync_channel(CAPACITY + 2);
    (
        PipeWriter { tx, free: free_rx },
        PipeReader {
            rx,
            free: free_tx,
            cur: Vec::new(),
            pos: 0,
            eof: false,
            hasher: None,
            count: 0,
            max: u64::MAX,
        },
    )
}

/// The reading side went away (it failed or finished early).
pub(crate) fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "layer pipeline closed")
}

impl PipeWriter {
    fn buffer(&self) -> Vec<u8> {
        match self.free.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => Vec::with_capacity(CHUNK),
        }
    }

    /// Reads one chunk from `r` and sends it. Returns `Ok(false)` at the
    /// end of `r`; errors from `r` are sent on and returned.
    pub(crate) fn pump(&mut self, r: &mut dyn Read) -> io::Result<bool> {
        let mut buf = self.buffer();
        buf.resize(CHUNK, 0);
        let mut filled = 0;
        while filled < CHUNK {
            let Some(dst) = buf.get_mut(filled..) else {
                break;
            };
            match r.read(dst) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let copy = copy_error(&e);
                    let _ = self.tx.send(Err(e));
                    return Err(copy);
                }
            }
        }
        buf.truncate(filled);
        if filled == 0 {
            return Ok(false);
        }
        self.tx.send(Ok(buf)).map_err(|_| closed())?;
        Ok(true)
    }

    /// Sends bytes already in hand (the sniffed head of a blob).
    pub(crate) fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let mut buf = self.buffer();
        buf.extend_from_slice(bytes);
        self.tx.send(Ok(buf)).map_err(|_| closed())
    }

    /// Passes an error downstream.
    pub(crate) fn fail(&self, e: io::Error) {
        let _ = self.tx.send(Err(e));
    }
}

/// A copy of an I/O error good enough to report twice (keeps limit hits).
pub(crate) fn copy_error(e: &io::Error) -> io::Error {
    match crate::error::LimitHit::from_io(e) {
        Some(l) => l.clone().into_io(),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

impl PipeReader {
    fn next_chunk(&mut self) -> io::Result<()> {
        while self.pos >= self.cur.len() && !self.eof {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.count += chunk.len() as u64;
                    if self.count > self.max {
                        self.eof = true;
                        return Err(crate::error::LimitHit {
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
                        h.update(&chunk);
                    }
                    let old = std::mem::replace(&mut self.cur, chunk);
                    self.pos = 0;
                    if old.capacity() > 0 {
                        let _ = self.free.try_send(old);
                    }
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => self.eof = true,
            }
        }
        Ok(())
    }
}

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for PipeReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.next_chunk()?;
        Ok(self.cur.get(self.pos..).unwrap_or(&[]))
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.cur.len());
    }
}

impl crate::tarstream::TarInput for PipeReader {
    fn skip_bytes(&mut self, mut n: u64) -> io::Result<()> {
        while n > 0 {
            let avail = self.fill_buf()?.len();
            if avail == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "archive ends inside an entry's data",
                ));
            }
            let take = avail.min(usize::try_from(n).unwrap_or(usize::MAX));
            self.consume(take);
            n -= take as u64;
        }
        Ok(())
    }
}
