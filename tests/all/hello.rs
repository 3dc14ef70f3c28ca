//! The Rust hello guest, built by `test-artifacts` for wasm32-wasip2 in both profiles, run on the harness.

use crate::common::{self, assert_hello_interface, assert_prints_hello, read};

fn check(wasm: &str) {
    let output = common::run(wasm);
    assert_prints_hello(wasm, &output);
}

#[test]
fn hello_debug_prints_hello() {
    check(test_artifacts::HELLO_DEBUG);
}

#[test]
fn hello_release_prints_hello() {
    check(test_artifacts::HELLO_RELEASE);
}

#[test]
fn hello_release_imports_only_stdout_and_exports_only_run() {
    assert_hello_interface(test_artifacts::HELLO_RELEASE, &read(test_artifacts::HELLO_RELEASE));
}

/// A debug build keeps std's panic and start-up code, which imports std's own WASI interfaces (stderr, exit,
/// environment, ... at the 0.2.x that std was built with); LTO removes them from the release build.
#[test]
fn hello_debug_exports_only_run_and_imports_what_hello_needs() {
    let (imports, exports) = common::interface(test_artifacts::HELLO_DEBUG, &read(test_artifacts::HELLO_DEBUG));
    assert_eq!(
        exports,
        common::HELLO_EXPORTS.map(String::from).into(),
        "exports of the debug build"
    );
    for import in common::HELLO_IMPORTS {
        assert!(
            imports.contains(import),
            "the debug build does not import {import}: {imports:?}"
        );
    }
}
