//! Hello, world! from two components: this command prints a greeting that it gets from `greeter`, an interface
//! that it imports and that the library component (`library/`) exports. Composed, the two are one command.
//!
//! On wasm it is `no_std`, like the library: std would bring its panic and exit paths, and with them a dozen
//! WASI imports at a version of its own.

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "command", generate_all });

use exports::wasi::cli::run::Guest;
use wasi::cli::stdout::get_stdout;
use {{wit_module}}::component::greeter::greet;

struct Hello;

impl Guest for Hello {
    fn run() -> Result<(), ()> {
        let mut greeting = greet("world");
        greeting.push('\n');
        // `run` can only say that it failed, not why: the stream error has nowhere to go.
        get_stdout().blocking_write_and_flush(greeting.as_bytes()).map_err(|_| ())
    }
}

// The export names a wasm symbol that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` build this package's tests.
#[cfg(target_arch = "wasm32")]
export!(Hello);

/// Without std there is no panic machinery: a panic traps, and the caller sees the trap.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The greeting comes back as a string in this component's memory, so memory is allocated: dlmalloc, the
/// allocator Rust's std uses on wasm.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// How a caller gets memory in this component for the greeting it returns: the canonical ABI's `cabi_realloc`.
/// With std, wasi-libc would export it; without std the component does, on top of the allocator above.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[unsafe(no_mangle)]
unsafe extern "C" fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    use alloc::alloc::{Layout, alloc, realloc};
    if new_len == 0 {
        return align as *mut u8;
    }
    // SAFETY: the canonical ABI passes a power-of-two `align`, and for a reallocation the pointer and size that
    // this function returned before.
    let ptr = unsafe {
        if old_len == 0 {
            alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            realloc(old, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable()
    }
    ptr
}
