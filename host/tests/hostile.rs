//! Hostile and broken components, written in WAT and built in-process, each with its exact outcome, and the
//! output it wrote before the fault intact.

use std::time::Duration;

use hello_host::Trap;
use hello_host::{Harness, Invocation, Limits, Outcome, Refusal, Run};

/// Tight limits, so that each fault is reached quickly.
const LIMITS: Limits = Limits {
    timeout: Duration::from_millis(500),
    max_memory: 4 << 20,
    max_output: 64 << 10,
};

mod common;

use common::{BEFORE, command};

fn run(component: &[u8]) -> Run {
    Harness::new(LIMITS)
        .unwrap()
        .run_bytes(component, &Invocation::default())
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

#[test]
fn infinite_loop_times_out() {
    let run = run(&command("(loop $forever (br $forever)) (i32.const 0)"));
    assert_run(&run, Outcome::Timeout(LIMITS.timeout), BEFORE);
}

#[test]
fn sleeping_in_a_host_call_times_out() {
    // An hour's sleep: the guest waits in the host, not in wasm, and the timeout still ends it.
    let run = run(&command(
        "(call $block (call $sleep (i64.const 3600000000000))) (i32.const 0)",
    ));
    assert_run(&run, Outcome::Timeout(LIMITS.timeout), BEFORE);
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    // Grows by 1 MiB for as long as growing works.
    let bomb = "(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i32.const 0)";
    assert_run(&run(&command(bomb)), Outcome::MemoryLimit(LIMITS.max_memory), BEFORE);
}

#[test]
fn deep_recursion_is_a_stack_overflow() {
    let run = run(&command("(call $recurse) (i32.const 0)"));
    assert_trap(&run, Some(Trap::StackOverflow));
    assert_eq!(
        run.outcome.describe("x.wasm").unwrap(),
        "`x.wasm` trapped: stack overflow"
    );
}

#[test]
fn unreachable_after_printing_traps_and_keeps_the_output() {
    assert_trap(&run(&command("unreachable")), Some(Trap::UnreachableCodeReached));
}

#[test]
fn exit_err_after_printing_is_exit_1() {
    // `result<_, _>` is lowered to its discriminant: 1 is `err`.
    assert_run(
        &run(&command("(call $exit (i32.const 1)) (i32.const 0)")),
        Outcome::Exit(1),
        BEFORE,
    );
}

#[test]
fn exit_ok_is_success() {
    assert_run(
        &run(&command("(call $exit (i32.const 0)) unreachable")),
        Outcome::Success,
        BEFORE,
    );
}

#[test]
fn run_returning_err_is_run_failed() {
    assert_run(&run(&command("(i32.const 1)")), Outcome::RunFailed, BEFORE);
}

#[test]
fn output_flood_is_cut_at_the_output_limit() {
    // Writes 4096 bytes of 'x' 1024 times: 4 MiB, far past the 64 KiB limit, ignoring every error.
    let flood = r#"(memory.fill (i32.const 1024) (i32.const 120) (i32.const 4096))
        (local.set $count (i32.const 1024))
        (loop $again
          (call $write (call $get-stdout) (i32.const 1024) (i32.const 4096) (i32.const 96))
          (br_if $again (local.tee $count (i32.sub (local.get $count) (i32.const 1)))))
        (i32.const 0)"#;
    let mut expected = BEFORE.to_vec();
    expected.resize(LIMITS.max_output as usize, b'x');
    assert_run(
        &run(&command(flood)),
        Outcome::OutputLimit(LIMITS.max_output),
        &expected,
    );
}

#[test]
fn one_write_of_5000_bytes_traps_in_the_host() {
    // blocking-write-and-flush takes at most 4096 bytes a call; wasmtime traps the caller for more.
    let run = run(&command(
        "(call $write (call $get-stdout) (i32.const 0) (i32.const 5000) (i32.const 96)) (i32.const 0)",
    ));
    assert_trap(&run, None);
    let Outcome::Trap { message, .. } = &run.outcome else {
        unreachable!()
    };
    assert!(message.contains("too large"), "{message}");
}

#[test]
fn core_module_is_refused() {
    let module = wat::parse_str("(module)").unwrap();
    assert_run(&run(&module), Outcome::Refused(Refusal::CoreModule), b"");
}

#[test]
fn component_without_run_is_refused_with_its_exports() {
    let wat = r#"(module (func (export "example:foo/bar@1.0.0#ping")))"#;
    let component = test_artifacts::component_from_wat(wat, "fixtures:hostile/no-run").unwrap();
    let exports = vec!["example:foo/bar@1.0.0".to_owned()];
    assert_run(
        &run(&component),
        Outcome::Refused(Refusal::NoRunExport { exports }),
        b"",
    );
}

#[test]
fn unknown_import_is_refused_by_name() {
    let wat = r#"(module
        (import "example:foo/bar@1.0.0" "ping" (func))
        (func (export "wasi:cli/run@0.2.3#run") (result i32) (i32.const 0)))"#;
    let component = test_artifacts::component_from_wat(wat, "fixtures:hostile/unknown-import").unwrap();
    let expected = Outcome::Refused(Refusal::UnknownImport("example:foo/bar@1.0.0".to_owned()));
    assert_run(&run(&component), expected, b"");
}

#[test]
fn random_bytes_are_refused() {
    let bytes = common::random_bytes();
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
}

#[test]
fn wat_text_is_refused_as_text() {
    for text in [&b"(component)"[..], b"  ;; hello\n(module)"] {
        assert_run(&run(text), Outcome::Refused(Refusal::Text), b"");
    }
}

#[test]
fn missing_file_is_refused_as_unreadable() {
    let run = Harness::new(LIMITS)
        .unwrap()
        .run_file("no/such/file.wasm", &Invocation::default());
    let Outcome::Refused(Refusal::Unreadable(reason)) = &run.outcome else {
        panic!("{run}")
    };
    assert!(reason.contains("No such file"), "{reason}");
}

#[test]
fn rust_guest_below_its_initial_memory_hits_the_memory_limit() {
    let limits = Limits {
        max_memory: 1 << 20,
        ..LIMITS
    };
    let run = Harness::new(limits)
        .unwrap()
        .run_file(test_artifacts::HELLO_RELEASE, &Invocation::default());
    assert_run(&run, Outcome::MemoryLimit(1 << 20), b"");
}
