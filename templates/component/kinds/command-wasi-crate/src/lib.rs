//! Hello, world! as a WebAssembly component: a `wasi:cli` command whose `run` prints one line, with the
//! `wasi` crate's prebuilt bindings for WASI 0.2.3.

use wasi::cli::stdout::get_stdout;
use wasi::exports::cli::run::Guest;

// Natively the `export!` below is left out, and then nothing names `Hello`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Hello;

impl Guest for Hello {
    fn run() -> Result<(), ()> {
        // `run` can only say that it failed, not why: the stream error has nowhere to go.
        get_stdout()
            .blocking_write_and_flush(b"Hello, world!\n")
            .map_err(|_| ())
    }
}

// The export names a wasm symbol (`wasi:cli/run@0.2.3#run`) that native linkers reject, so it exists only on
// wasm; natively the crate still builds, which lets `cargo test` build this package's host tests.
#[cfg(target_arch = "wasm32")]
wasi::cli::command::export!(Hello);
