//! Hello, world! as a WebAssembly component: a `wasi:cli` command whose `run` prints one line.

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_world}}", generate_all });

use exports::wasi::cli::run::Guest;
use wasi::cli::stdout::get_stdout;

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
export!(Hello);
