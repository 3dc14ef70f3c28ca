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
{%- else -%}
{%- if bindings == "wit-bindgen" -%}
//! Hello, world! as a WebAssembly component: a `wasi:cli` command whose `run` prints one line.
{%- if minimal %}
//!
//! `no_std` on wasm, for the smallest component: nothing here allocates, so no real allocator is linked.

#![cfg_attr(target_arch = "wasm32", no_std)]
{%- endif %}

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_name}}", generate_all });

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
{%- if bindings == "wasi-crate" %}

// Natively the `export!` below is left out, and then nothing names `Hello`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Hello;
{%- else %}

struct Hello;
{%- endif %}

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
