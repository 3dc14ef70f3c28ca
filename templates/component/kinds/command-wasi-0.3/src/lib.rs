//! Hello, world! as a WASI 0.3 command: its `run` is async, and it writes to stdout through a stream.

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_world}}", generate_all });

use exports::wasi::cli::run::Guest;
use wasi::cli::stdout::write_via_stream;

struct Hello;

impl Guest for Hello {
    async fn run() -> Result<(), ()> {
        let (mut writer, reader) = wit_stream::new();
        // Stdout reads from the stream as we write to it, and its future says how that went.
        let written = write_via_stream(reader);
        let unwritten = writer.write_all(b"Hello, world!\n".to_vec()).await;
        // Dropping the writer ends the stream, which lets stdout finish.
        drop(writer);
        match (unwritten.is_empty(), written.await) {
            (true, Ok(())) => Ok(()),
            _ => Err(()),
        }
    }
}

// The export names a wasm symbol that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` build this package's tests.
#[cfg(target_arch = "wasm32")]
export!(Hello);
