//! The library component: it exports `greet` (`greeter` in `../wit/world.wit`) and imports nothing.
//!
//! On wasm it is `no_std`: std would bring its panic and exit paths, and with them a dozen WASI imports that a
//! host plugging this component in would have to provide.

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::format;
use alloc::string::String;

// The package's WIT is the workspace's, at its root: both components are written against it.
wit_bindgen::generate!({ path: "../wit", world: "library" });

use exports::{{wit_module}}::component::greeter::Guest;

struct Greeter;

impl Guest for Greeter {
    fn greet(name: String) -> String {
        format!("Hello, {name}!")
    }
}

// The export names wasm symbols that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` run the unit test below and build the host tests.
#[cfg(target_arch = "wasm32")]
export!(Greeter);

/// Without std there is no panic machinery: a panic traps, and the caller sees the trap.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Strings come in and go out, so memory is allocated: dlmalloc, the allocator Rust's std uses on wasm.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// How a caller gets memory in this component for the strings it passes in: the canonical ABI's `cabi_realloc`.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name() {
        assert_eq!(Greeter::greet("Wörld 世界".into()), "Hello, Wörld 世界!");
        assert_eq!(Greeter::greet(String::new()), "Hello, !");
    }
}
