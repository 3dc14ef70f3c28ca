//! Hostile and broken components, written in WAT and built in-process, each with its exact outcome, and the
//! output it wrote before the fault intact.

use crate::common::*;
use std::error::Error;
use std::io::ErrorKind;
use std::path::Path;

use std::time::{Duration, Instant};

use hello_host::{Harness, HostFailure, Invocation, Limits, Outcome, Refusal, Run, Stage, Trap};

fn run(component: &[u8]) -> Run {
    load_and_run(&Harness::new(LIMITS).unwrap(), component, &Invocation::default())
}

/// Asserts the outcome, and that stdout is exactly `stdout` (what was written before the fault).
fn assert_run(run: &Run, outcome: Outcome, stdout: &[u8]) {
    assert!(
        run.outcome == outcome && run.stdout == stdout,
        "expected {outcome:?} after {:?}, got:\n{run}",
        String::from_utf8_lossy(stdout)
    );
}

/// Asserts a trap of this kind (`None`: raised by the host, not by wasm) after `before\n`.
fn assert_trap(run: &Run, expected: Option<Trap>) {
    let Outcome::Trap { kind, .. } = &run.outcome else {
        panic!("not a trap:\n{run}")
    };
    assert!(
        *kind == expected && run.stdout == BEFORE,
        "expected a trap {expected:?} after `before`, got:\n{run}"
    );
}

/// The outcome of a guest that runs past [`LIMITS`].
const RUNNING_TIMEOUT: Outcome = Outcome::Timeout {
    limit: LIMITS.timeout,
    stage: Stage::Running,
};

#[test]
fn infinite_loop_times_out() {
    assert_run(&run(&command(INFINITE_LOOP)), RUNNING_TIMEOUT, BEFORE);
}

#[test]
fn sleeping_in_a_host_call_times_out() {
    assert_run(&run(&command(SLEEP_AN_HOUR)), RUNNING_TIMEOUT, BEFORE);
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    assert_run(
        &run(&command(MEMORY_BOMB)),
        Outcome::MemoryLimit(LIMITS.max_memory),
        BEFORE,
    );
}

#[test]
fn deep_recursion_is_a_stack_overflow() {
    let run = run(&command(DEEP_RECURSION));
    assert_trap(&run, Some(Trap::StackOverflow));
    assert_eq!(
        run.outcome.describe("x.wasm").unwrap(),
        "`x.wasm` trapped: stack overflow"
    );
}

#[test]
fn unreachable_after_printing_traps_and_keeps_the_output() {
    assert_trap(&run(&command(UNREACHABLE)), Some(Trap::UnreachableCodeReached));
}

#[test]
fn exit_err_after_printing_is_exit_1() {
    assert_run(&run(&command(EXIT_ERR)), Outcome::Exit(1), BEFORE);
}

#[test]
fn exit_ok_is_success() {
    assert_run(&run(&command(EXIT_OK)), Outcome::Success, BEFORE);
}

#[test]
fn run_returning_err_is_run_failed() {
    assert_run(&run(&command(RUN_ERR)), Outcome::RunFailed, BEFORE);
}

#[test]
fn output_flood_is_cut_at_the_output_limit() {
    let mut expected = BEFORE.to_vec();
    expected.resize(LIMITS.max_output as usize, b'x');
    assert_run(
        &run(&command(OUTPUT_FLOOD)),
        Outcome::OutputLimit(LIMITS.max_output),
        &expected,
    );
}

#[test]
fn one_write_of_5000_bytes_traps_in_the_host() {
    // A trap with no wasm trap code: the host failed the call (in wasmtime-wasi's words, not ours).
    assert_trap(&run(&command(WRITE_5000)), None);
}

#[test]
fn core_module_is_refused() {
    assert_run(&run(&core_module()), Outcome::Refused(Refusal::CoreModule), b"");
}

#[test]
fn component_without_run_is_refused_with_its_exports() {
    let exports = vec!["example:foo/bar@1.0.0".to_owned()];
    assert_run(
        &run(&component_without_run()),
        Outcome::Refused(Refusal::NoRunExport { exports }),
        b"",
    );
}

#[test]
fn unknown_import_is_refused_by_name() {
    let expected = Outcome::Refused(Refusal::UnknownImport("example:foo/bar@1.0.0".to_owned()));
    assert_run(&run(&component_with_unknown_import()), expected, b"");
}

#[test]
fn random_bytes_are_refused() {
    let bytes = random_bytes();
    assert_run(&run(&bytes), Outcome::Refused(Refusal::NotWasm), b"");
    // The same bytes behind a component header get as far as the parser.
    let behind_header = [b"\0asm\x0d\0\x01\0".as_slice(), &bytes].concat();
    let run = run(&behind_header);
    assert!(matches!(run.outcome, Outcome::Refused(Refusal::Invalid(_))), "{run}");
}

#[test]
fn truncated_component_is_refused() {
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    for length in [0, 4, 8, 9, hello.len() / 2, hello.len() - 1] {
        let run = run(&hello[..length]);
        assert!(matches!(run.outcome, Outcome::Refused(_)), "{length} bytes: {run}");
    }
    assert!(matches!(
        run(&truncated_hello()).outcome,
        Outcome::Refused(Refusal::Invalid(_))
    ));
}

#[test]
fn wat_text_is_refused_as_text() {
    for text in [&b"(component)"[..], b"  ;; hello\n(module)"] {
        assert_run(&run(text), Outcome::Refused(Refusal::Text), b"");
    }
}

#[test]
fn missing_file_is_refused_as_unreadable() {
    let run = load_and_run(
        &Harness::new(LIMITS).unwrap(),
        "no/such/file.wasm",
        &Invocation::default(),
    );
    // The kind and the path are kept; the reason is the OS's words, and that the file is named is ours.
    let Outcome::Refused(refusal @ Refusal::Unreadable { path, kind, .. }) = &run.outcome else {
        panic!("{run}")
    };
    assert_eq!(
        (path.as_path(), *kind),
        (Path::new("no/such/file.wasm"), ErrorKind::NotFound)
    );
    assert!(
        refusal
            .describe("no/such/file.wasm")
            .starts_with("cannot read `no/such/file.wasm`: ")
    );
    // An error like any other: `?` into `Box<dyn Error>`, and Display is the same line.
    let error: Box<dyn Error> = Box::new(refusal.clone());
    assert_eq!(error.to_string(), refusal.describe("no/such/file.wasm"));
}

#[test]
fn refusals_are_errors_that_read_as_one_line() {
    assert_eq!(
        Refusal::CoreModule.to_string(),
        "the component is a core module, not a component (build with --target wasm32-wasip2, or wrap it with \
         wasm-tools component new)"
    );
    let unknown = Refusal::UnknownImport("example:foo/bar@1.0.0".to_owned());
    assert_eq!(
        unknown.to_string(),
        "the component imports example:foo/bar@1.0.0, which this host does not provide"
    );
    assert_eq!(
        unknown.describe("x.wasm"),
        "`x.wasm` imports example:foo/bar@1.0.0, which this host does not provide"
    );
    let failure: &dyn Error = &HostFailure::Runtime("no threads".to_owned());
    assert_eq!(failure.to_string(), "the host's runtime failed: no threads");
}

#[test]
fn a_full_pool_is_a_host_failure_not_a_trap() {
    let harness = Harness::new(LIMITS).unwrap();
    assert_run(
        &load_and_run(&harness, component_with_core_instances(8), &Invocation::default()),
        Outcome::Success,
        b"",
    );
    // More core instances than the whole pool has (8 per slot): wasmtime cannot allocate them.
    let run = load_and_run(&harness, component_with_core_instances(200), &Invocation::default());
    let Outcome::HostFailure(HostFailure::PoolExhausted(reason)) = &run.outcome else {
        panic!("not a host failure:\n{run}")
    };
    assert!(reason.contains("core instances"), "{reason}");
    assert_eq!(run.outcome.exit_code(), 70);
    assert!(
        run.outcome
            .describe("x.wasm")
            .unwrap()
            .starts_with("could not run `x.wasm`: every pool slot is in use ("),
        "{run}"
    );
}

#[test]
fn rust_guest_below_its_initial_memory_hits_the_memory_limit() {
    let limits = Limits {
        max_memory: 1 << 20,
        ..LIMITS
    };
    let run = load_and_run(
        &Harness::new(limits).unwrap(),
        test_artifacts::HELLO_RELEASE,
        &Invocation::default(),
    );
    assert_run(&run, Outcome::MemoryLimit(1 << 20), b"");
}

#[test]
fn compiling_past_the_compile_timeout_is_a_timeout_while_compiling() {
    let slow = slow_to_compile(5000);
    let limits = Limits {
        compile_timeout: Duration::from_millis(200),
        timeout: Duration::from_secs(60),
        ..LIMITS
    };
    let harness = Harness::new(limits).unwrap();
    let start = Instant::now();
    let run = load_and_run(&harness, slow, &Invocation::default());
    let elapsed = start.elapsed();
    let expected = Outcome::Timeout {
        limit: limits.compile_timeout,
        stage: Stage::Compiling,
    };
    assert_run(&run, expected, b"");
    assert!(elapsed < limits.compile_timeout + SLACK, "returned after {elapsed:?}");
    assert_eq!(
        run.outcome.describe("x.wasm").unwrap(),
        "`x.wasm` timed out after 200ms while still compiling"
    );
}

#[test]
fn running_has_its_own_timeout_after_compiling() {
    // A generous compile budget, and the run's own timeout, which starts after compiling, stops the loop.
    let run = load_and_run(
        &Harness::new(LIMITS).unwrap(),
        command(INFINITE_LOOP),
        &Invocation::default(),
    );
    assert_run(&run, RUNNING_TIMEOUT, BEFORE);
}

#[test]
fn a_64_bit_table_imported_as_a_32_bit_one_is_refused() {
    // What the structural fuzzer found: wasmparser accepts this component, and a debug build of the wasmtime
    // the harness was first fuzzed on then panicked while instantiating it.
    let component = wat::parse_str(
        r#"(component
          (core module $exports (table (export "table") i64 1 1 funcref))
          (core instance $exports (instantiate $exports))
          (core module $imports (import "" "table" (table 1 1 funcref)))
          (core instance (instantiate $imports (with "" (instance $exports))))
          (core module $run (func (export "run") (result i32) (i32.const 0)))
          (core instance $run (instantiate $run))
          (func $run (result (result)) (canon lift (core func $run "run")))
          (instance $cli (export "run" (func $run)))
          (export "wasi:cli/run@0.2.3" (instance $cli)))"#,
    )
    .unwrap();
    let run = run(&component);
    match &run.outcome {
        Outcome::Refused(Refusal::Invalid(reason)) => assert!(reason.contains("memory64"), "{reason:?}"),
        _ => panic!("{run}"),
    }
}
