{%- if kind == "library" -%}
//! A WebAssembly component that exports a `greet` function of its own (see `wit/world.wit`).

wit_bindgen::generate!({ world: "{{wit_name}}" });

use exports::{{wit_name | snake_case}}::component::greeter::Guest;

struct Greeter;

impl Guest for Greeter {
    fn greet(name: String) -> String {
        format!("Hello, {name}!")
    }
}

// The export names wasm symbols that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` build this package's tests.
#[cfg(target_arch = "wasm32")]
export!(Greeter);
{%- elsif kind == "http" -%}
//! Hello, world! as an HTTP handler: a `wasi:http/incoming-handler` component that answers every request with
//! `200 OK` and the text `Hello, world!`.

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_name}}", generate_all });

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

struct Handler;

impl Guest for Handler {
    // No `unwrap` or allocation here: either would link std's panic machinery, which imports `wasi:cli`
    // interfaces that `wasmtime serve` does not provide unless asked (`-S cli=y`).
    fn handle(_request: IncomingRequest, response_out: ResponseOutparam) {
        // Headers go in before the response is made: a response's own headers are immutable.
        let headers = Fields::new();
        let Ok(()) = headers.append("content-type", b"text/plain; charset=utf-8") else {
            return;
        };
        let response = OutgoingResponse::new(headers);
        let Ok(body) = response.body() else { return };
        // The status and headers go out first; the body streams after them.
        ResponseOutparam::set(response_out, Ok(response));
        if let Ok(stream) = body.write() {
            let _ = stream.blocking_write_and_flush(b"Hello, world!\n");
        }
        // The body must be finished (its stream dropped first) for the response to end.
        let _ = OutgoingBody::finish(body, None);
    }
}

// The export names a wasm symbol that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` build this package's tests.
#[cfg(target_arch = "wasm32")]
export!(Handler);
{%- elsif wasi == "0.3" -%}
//! Hello, world! as a WASI 0.3 command: its `run` is async, and it writes to stdout through a stream.

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_name}}", generate_all });

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
{%- else -%}
{%- if bindings == "wit-bindgen" -%}
//! Hello, world! as a WebAssembly component: a `wasi:cli` command whose `run` prints one line.
{%- if minimal %}
//!
//! `no_std` on wasm, for the smallest component: nothing here allocates, so no real allocator is linked.

#![cfg_attr(target_arch = "wasm32", no_std)]
{%- endif %}

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
{%- if minimal %}
// The two workarounds left out cost bytes and guard against what cannot happen here: constructors to run before
// `run` (a no_std crate has none), and a linker dropping the section that describes the imports (it is in this
// crate, which the linker takes whole; only bindings generated in a library crate need the guard).
wit_bindgen::generate!({
    world: "{{wit_name}}",
    generate_all,
    disable_run_ctors_once_workaround: true,
    disable_custom_section_link_helpers: true,
});
{%- else %}
wit_bindgen::generate!({ world: "{{wit_name}}", generate_all });
{%- endif %}

use exports::wasi::cli::run::Guest;
use wasi::cli::stdout::get_stdout;
{%- else -%}
//! Hello, world! as a WebAssembly component: a `wasi:cli` command whose `run` prints one line, with the
//! `wasi` crate's prebuilt bindings for WASI 0.2.3.
{%- if minimal %}
//!
//! `no_std` on wasm, for the smallest component: nothing here allocates, so no real allocator is linked.

#![cfg_attr(target_arch = "wasm32", no_std)]
{%- endif %}

use wasi::cli::stdout::get_stdout;
use wasi::exports::cli::run::Guest;
{%- endif %}
{%- if minimal %}

use core::mem::{self, ManuallyDrop};
{%- endif %}
{%- if bindings == "wasi-crate" %}

// Natively the `export!` below is left out, and then nothing names `Hello`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Hello;
{%- else %}

struct Hello;
{%- endif %}

impl Guest for Hello {
    fn run() -> Result<(), ()> {
{%- if minimal %}
        // Neither the stream nor an error is dropped: each drop would import a destructor, and a command's
        // handles end with its instance anyway. `run` can only say that it failed, not why.
        ManuallyDrop::new(get_stdout())
            .blocking_write_and_flush(b"Hello, world!\n")
            .map_err(mem::forget)
{%- else %}
        // `run` can only say that it failed, not why: the stream error has nowhere to go.
        get_stdout()
            .blocking_write_and_flush(b"Hello, world!\n")
            .map_err(|_| ())
{%- endif %}
    }
}

// The export names a wasm symbol (`wasi:cli/run@0.2.3#run`) that native linkers reject, so it exists only on
// wasm; natively the crate still builds, which lets `cargo test` build this package's host tests.
#[cfg(target_arch = "wasm32")]
{%- if bindings == "wit-bindgen" %}
export!(Hello);
{%- else %}
wasi::cli::command::export!(Hello);
{%- endif %}
{%- if minimal %}

/// Without std there is no panic machinery; a panic (none is expected) traps.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The bindings' runtime links `alloc`, which needs an allocator, but nothing here allocates: this one never
/// gives memory (an allocation would fail and trap), and costs no bytes for a real allocator.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static NO_ALLOCATION: NoAllocation = NoAllocation;

#[cfg(target_arch = "wasm32")]
struct NoAllocation;

// SAFETY: `alloc` always reports failure (null), so `dealloc` is never given a pointer to free.
#[cfg(target_arch = "wasm32")]
unsafe impl core::alloc::GlobalAlloc for NoAllocation {
    unsafe fn alloc(&self, _layout: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: core::alloc::Layout) {}
}
{%- endif %}

{%- endif %}
