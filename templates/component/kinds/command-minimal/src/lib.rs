//! Hello, world! as a WebAssembly component: a `wasi:cli` command whose `run` prints one line.
//!
//! `no_std` on wasm, for the smallest component: nothing here allocates, so no real allocator is linked.

#![cfg_attr(target_arch = "wasm32", no_std)]

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
// The two workarounds left out cost bytes and guard against what cannot happen here: constructors to run before
// `run` (a no_std crate has none), and a linker dropping the section that describes the imports (it is in this
// crate, which the linker takes whole; only bindings generated in a library crate need the guard).
wit_bindgen::generate!({
    world: "{{wit_world}}",
    generate_all,
    disable_run_ctors_once_workaround: true,
    disable_custom_section_link_helpers: true,
});

use exports::wasi::cli::run::Guest;
use wasi::cli::stdout::get_stdout;

use core::mem::{self, ManuallyDrop};

struct Hello;

impl Guest for Hello {
    fn run() -> Result<(), ()> {
        // Neither the stream nor an error is dropped: each drop would import a destructor, and a command's
        // handles end with its instance anyway. `run` can only say that it failed, not why.
        ManuallyDrop::new(get_stdout())
            .blocking_write_and_flush(b"Hello, world!\n")
            .map_err(mem::forget)
    }
}

// The export names a wasm symbol (`wasi:cli/run@0.2.3#run`) that native linkers reject, so it exists only on
// wasm; natively the crate still builds, which lets `cargo test` build this package's host tests.
#[cfg(target_arch = "wasm32")]
export!(Hello);

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
