//! Writing output of any length to a WASI output stream.
//!
//! `blocking-write-and-flush` accepts at most 4096 bytes per call, and a host fails a longer one, so output of
//! unknown length goes out in chunks. `hello` writes 14 bytes in one call and does not need this; `long-output`
//! uses it, and `tests/long_output.rs` proves it on lengths up to 1 MiB.

use crate::wasi::io::streams::{OutputStream, StreamError};

/// The most bytes that one `blocking-write-and-flush` call accepts.
pub const MAX_BLOCKING_WRITE: usize = 4096;

/// Writes all of `bytes` to `stream` and flushes it. Each chunk waits until the stream can take it; the first
/// error (the stream closed, or failed) stops the writing and is returned.
pub fn write_all(stream: &OutputStream, bytes: &[u8]) -> Result<(), StreamError> {
    bytes
        .chunks(MAX_BLOCKING_WRITE)
        .try_for_each(|chunk| stream.blocking_write_and_flush(chunk))
}
