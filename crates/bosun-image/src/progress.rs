//! Progress events while layers are read, for the CLI's progress bars.

/// Receives progress of layer reads. Layers are read in parallel, so calls
/// for different layers interleave and come from different threads.
///
/// Byte counts are of the blob as stored (compressed), which is what a
/// registry sends and what the manifest's `size` describes.
pub trait Progress: Send + Sync {
    /// A layer read starts; `size` is the blob size when the source knows it.
    fn layer_started(&self, index: usize, size: Option<u64>) {
        let _ = (index, size);
    }

    /// `bytes` of the layer's blob were read so far (sent about every MiB).
    fn layer_progress(&self, index: usize, bytes: u64) {
        let _ = (index, bytes);
    }

    /// The layer was read to its end (verified or not: an error follows
    /// from `read_layers` if it failed).
    fn layer_finished(&self, index: usize) {
        let _ = index;
    }
}
