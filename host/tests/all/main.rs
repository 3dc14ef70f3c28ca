//! The integration tests of `hello-host`, one binary (wasmtime is linked once): a module per subject.

mod cache; // the compile cache
mod common; // fixtures and helpers the others share
mod dirs; // directories given to a guest, and the ways out of them
mod hostile; // hostile and broken components on the harness
mod load; // one harness, thousands of runs, more at once than the pool has slots
mod mutations; // mutated components: an outcome each, never a panic
mod p3; // test-programs/p3, a WASI 0.3 command: every case, hostile ones included, on the harness and the runner
mod proposals; // wasm proposals the runner leaves off, and zero-byte writes: what SECURITY.md says is out of reach
mod runner; // the `hello-host` binary from the command line
