//! The memory limit: all linear memories of a store together, and a record of whether the guest hit it.

use wasmtime::ResourceLimiter;

/// Table elements a store may have in all; plenty for any compiler's function tables.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

pub(crate) struct MemoryLimiter {
    max_bytes: u64,
    used_bytes: u64,
    exceeded: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(max_bytes: u64) -> Self {
        MemoryLimiter {
            max_bytes,
            used_bytes: 0,
            exceeded: false,
        }
    }

    /// Whether a memory tried to grow past the limit (at instantiation or by `memory.grow`).
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let used = self.used_bytes + (desired - current) as u64;
        if used > self.max_bytes {
            self.exceeded = true;
            // An error rather than `Ok(false)`: the guest traps instead of seeing `memory.grow` return -1, so a
            // memory bomb stops here rather than looping on the failure.
            wasmtime::bail!("exceeded the memory limit of {} bytes", self.max_bytes);
        }
        self.used_bytes = used;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}
