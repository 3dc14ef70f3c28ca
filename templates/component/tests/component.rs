//! The guest, built by `test-artifacts` for wasm32-wasip2 in both profiles, run on the embedded wasmtime.

use hello_host::{Invocation, Limits, Outcome};

fn assert_prints_hello(wasm: &str) {
    let harness = hello_host::Harness::new(Limits::default()).expect("wasmtime starts");
    let run = harness.run_file(wasm, &Invocation::default());
    assert!(
        run.outcome == Outcome::Success && run.stdout == b"Hello, world!\n" && run.stderr.is_empty(),
        "`{wasm}` did not print exactly \"Hello, world!\\n\":\n{run}"
    );
}

#[test]
fn debug_build_prints_hello() {
    assert_prints_hello(test_artifacts::{{crate_name | upcase}}_DEBUG);
}

#[test]
fn release_build_prints_hello() {
    assert_prints_hello(test_artifacts::{{crate_name | upcase}}_RELEASE);
}
