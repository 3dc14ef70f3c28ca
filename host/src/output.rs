//! The guest's stdout and stderr: captured in memory or passed through to this process, and counted against
//! one output budget. A write that would pass the budget keeps what fits, then closes the stream.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// What a stream offers per `check-write`. Any size is fine: the budget is enforced on the write itself.
const WRITE_PERMIT: usize = 64 << 10;

/// Bytes left for stdout and stderr together, and whether a write went past them.
pub(crate) struct OutputBudget {
    remaining: AtomicU64,
    exceeded: AtomicBool,
}

impl OutputBudget {
    pub(crate) fn new(max_bytes: u64) -> Self {
        OutputBudget {
            remaining: AtomicU64::new(max_bytes),
            exceeded: AtomicBool::new(false),
        }
    }

    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded.load(Ordering::SeqCst)
    }

    /// Takes up to `wanted` bytes from the budget; returns how many were granted.
    fn take(&self, wanted: usize) -> usize {
        let mut granted = 0;
        let _ = self
            .remaining
            .try_update(Ordering::SeqCst, Ordering::SeqCst, |remaining| {
                granted = remaining.min(wanted as u64) as usize;
                Some(remaining - granted as u64)
            });
        if granted < wanted {
            self.exceeded.store(true, Ordering::SeqCst);
        }
        granted
    }
}

/// Where one of the guest's output streams goes.
#[derive(Clone)]
pub(crate) enum OutputSink {
    Captured(Arc<Mutex<Vec<u8>>>),
    Stdout,
    Stderr,
}

impl OutputSink {
    pub(crate) fn captured() -> Self {
        OutputSink::Captured(Arc::default())
    }

    /// What the guest wrote, if captured; empty when passed through.
    pub(crate) fn captured_bytes(&self) -> Vec<u8> {
        match self {
            OutputSink::Captured(buffer) => buffer.lock().map(|b| b.clone()).unwrap_or_default(),
            OutputSink::Stdout | OutputSink::Stderr => Vec::new(),
        }
    }

    pub(crate) fn stream(&self, budget: &Arc<OutputBudget>) -> LimitedOutput {
        LimitedOutput {
            sink: self.clone(),
            budget: budget.clone(),
            closed: Arc::default(),
        }
    }

    fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            OutputSink::Captured(buffer) => {
                buffer
                    .lock()
                    .map_err(|_| std::io::Error::other("capture buffer poisoned"))?
                    .extend_from_slice(bytes);
                Ok(())
            }
            OutputSink::Stdout => std::io::stdout().write_all(bytes),
            OutputSink::Stderr => std::io::stderr().write_all(bytes),
        }
    }

    fn flush(&self) -> std::io::Result<()> {
        match self {
            OutputSink::Captured(_) => Ok(()),
            OutputSink::Stdout => std::io::stdout().flush(),
            OutputSink::Stderr => std::io::stderr().flush(),
        }
    }
}

/// One output stream of the guest: a sink, the shared budget, and whether this stream was closed by it.
#[derive(Clone)]
pub(crate) struct LimitedOutput {
    sink: OutputSink,
    budget: Arc<OutputBudget>,
    closed: Arc<AtomicBool>,
}

impl IsTerminal for LimitedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LimitedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl LimitedOutput {
    /// Writes what the budget allows; `Err(Closed)` once it is spent, the allowed part written first.
    fn write_within_budget(&self, bytes: &[u8]) -> StreamResult<usize> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(StreamError::Closed);
        }
        let granted = self.budget.take(bytes.len());
        self.sink
            .write(&bytes[..granted])
            .map_err(|e| StreamError::LastOperationFailed(e.into()))?;
        if granted < bytes.len() {
            self.closed.store(true, Ordering::SeqCst);
            let _ = self.sink.flush();
            return Err(StreamError::Closed);
        }
        Ok(granted)
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for LimitedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_within_budget(&bytes).map(drop)
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.sink
            .flush()
            .map_err(|e| StreamError::LastOperationFailed(e.into()))
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        if self.closed.load(Ordering::SeqCst) {
            Err(StreamError::Closed)
        } else {
            Ok(WRITE_PERMIT)
        }
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LimitedOutput {
    async fn ready(&mut self) {}
}

/// The same stream for WASI's async interfaces (used by `wasi:cli` 0.3, not by 0.2 guests).
impl tokio::io::AsyncWrite for LimitedOutput {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let written = self
            .write_within_budget(bytes)
            .map_err(|_| std::io::ErrorKind::BrokenPipe.into());
        std::task::Poll::Ready(written)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(self.sink.flush())
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}
