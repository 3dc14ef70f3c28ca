//! What SECURITY.md claims the `hello-host` binary is not exposed to, checked from the command line: components
//! that use wasm proposals the runner leaves off are refused before running, and a guest that writes zero bytes
//! for ever does not grow the runner's memory.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::runner::runner;

/// A `wasi:cli/run` command whose core module also holds `fields`, written by hand so that no encoder between the
/// WAT and the runner validates the module with features of its own.
fn command_with(fields: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(component
          (core module $m
            {fields}
            (func (export "run") (result i32) (i32.const 0)))
          (core instance $m (instantiate $m))
          (func $run (result (result)) (canon lift (core func $m "run")))
          (instance $cli (export "run" (func $run)))
          (export "wasi:cli/run@0.2.3" (instance $cli)))"#
    ))
    .unwrap_or_else(|e| panic!("the fixture with `{fields}` does not parse: {e}"))
}

/// One core module per proposal that the runner's engine leaves off: wasmtime is built without `threads` and `gc`,
/// and `memory64` and stack switching are off in its `Config`. Each uses the proposal in a definition, so that
/// validating the module meets it whether or not the function that uses it is ever called.
const PROPOSALS: [(&str, &str); 9] = [
    ("shared-memory", "(memory 1 1 shared)"),
    (
        "atomics",
        "(memory 1 1 shared) (func (result i32) (i32.atomic.load (i32.const 0)))",
    ),
    ("gc-struct-type", "(type (struct (field i32)))"),
    (
        "gc-struct",
        "(type $s (struct (field i32))) (func (drop (struct.new $s (i32.const 1))))",
    ),
    (
        "gc-array",
        "(type $a (array i8)) (func (drop (array.new_default $a (i32.const 16))))",
    ),
    ("exception-tag", "(tag $e)"),
    (
        "exceptions",
        "(tag $e) (func (block $caught (try_table (catch $e $caught) (throw $e))))",
    ),
    ("memory64", "(memory i64 1)"),
    ("stack-switching", "(type $f (func)) (type $c (cont $f))"),
];

/// Runs each `(name, fields)` fixture on `hello-host`; the ones not refused in one line with status 3, described.
fn not_refused(fixtures: &[(&str, &str)]) -> Vec<String> {
    let scratch = Scratch::new("proposals");
    let mut failures = Vec::new();
    for (name, fields) in fixtures {
        let path = scratch.path().join(format!("{name}.wasm"));
        std::fs::write(&path, command_with(fields)).unwrap();
        let output = runner()
            .args(["--no-cache", "--timeout=10s"])
            .arg(&path)
            .output()
            .expect("hello-host starts");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = format!("hello-host: `{}` is not a valid component: ", path.display());
        let one_line = stderr.lines().count() == 1 && stderr.ends_with('\n');
        if output.status.code() != Some(3) || !stderr.starts_with(&expected) || !one_line || !output.stdout.is_empty() {
            failures.push(format!(
                "{name} ({fields}): status {:?}, stderr {stderr:?}, stdout {:?}",
                output.status,
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    failures
}

#[test]
fn components_using_proposals_the_runner_leaves_off_are_refused_before_running() {
    let failures = not_refused(&PROPOSALS);
    assert!(
        failures.is_empty(),
        "not refused in one line with status 3:\n{}",
        failures.join("\n")
    );
}

/// A call through a function subtype (the GC proposal's `sub`), made at instantiation. Its runtime subtype check
/// is a libcall that wasmtime 50.0.1 built without `gc` compiles as a panic in an `extern "C"` function: the
/// process aborts, past any `catch_unwind` (GHSA-rc4p-x33f-vpr2, fixed in 50.0.2). The engine's defaults leave the
/// GC proposal on even without the `gc` feature (only its heap types are off), so only a `Config` that turns it
/// off refuses this before it runs.
#[test]
fn a_call_through_a_function_subtype_is_refused_not_an_abort() {
    let subtype_call = (
        "gc-func-subtype",
        "(type $a (sub (func))) (type $b (sub $a (func))) (table 1 funcref) (elem (i32.const 0) $callee) \
         (func $callee (type $b)) (func $caller (call_indirect (type $a) (i32.const 0))) (start $caller)",
    );
    let failures = not_refused(&[subtype_call]);
    assert!(
        failures.is_empty(),
        "GHSA-rc4p-x33f-vpr2 reaches hello-host: {}",
        failures.join("\n")
    );
}

/// The resident set of process `pid` in KiB, from `/proc`; `None` once it has exited.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `component` with `args` on `hello-host` until its `timeout`, sampling the runner's resident set every
/// 20 ms; returns the output and the largest sample in KiB.
pub fn run_sampling_memory(component: &Path, args: &[&str], timeout: Duration) -> (Output, u64) {
    let mut child = runner()
        .arg("--no-cache")
        .arg(format!("--timeout={}ms", timeout.as_millis()))
        .arg(component)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hello-host starts");
    let start = Instant::now();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() && start.elapsed() < timeout + SLACK * 5 {
        peak = peak.max(resident_kib(child.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    (child.wait_with_output().unwrap(), peak)
}

/// Calls `write` and `blocking-write-and-flush` on stdout with zero bytes, for ever, ignoring their results: the
/// pattern by which GHSA-5m8g-xhq4-4h93 grows the host's memory without bound in wasmtime-wasi's
/// `AsyncWriteStream` before 50.0.2.
const WRITE_ZERO_BYTES_FOREVER: &str = r#"(loop $again
      (call $write (local.get $stdout) (i32.const 1024) (i32.const 0) (i32.const 96))
      (call $write-only (local.get $stdout) (i32.const 1024) (i32.const 0) (i32.const 96))
      (br $again))
    (i32.const 0)"#;

fn zero_byte_writer() -> Vec<u8> {
    // `common::command`'s imports with `write` beside `blocking-write-and-flush`.
    let body = WRITE_ZERO_BYTES_FOREVER;
    let wat = format!(
        r#"(module
          (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
          (import "wasi:io/streams@0.2.3" "[method]output-stream.blocking-write-and-flush"
            (func $write (param i32 i32 i32 i32)))
          (import "wasi:io/streams@0.2.3" "[method]output-stream.write"
            (func $write-only (param i32 i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "before\n")
          (func (export "wasi:cli/run@0.2.3#run") (result i32) (local $stdout i32)
            (local.set $stdout (call $get-stdout))
            (call $write (local.get $stdout) (i32.const 100) (i32.const 7) (i32.const 96))
            {body}))"#
    );
    test_artifacts::component_from_wat(&wat, "fixtures:hostile/command").expect("the fixture builds")
}

#[test]
fn a_guest_that_writes_zero_bytes_forever_times_out_with_the_runners_memory_flat() {
    let scratch = Scratch::new("zero-writes");
    let timeout = Duration::from_secs(3);
    // The same runner spinning in wasm for as long, with no host calls: what the runner's memory is anyway.
    let spinning = scratch.path().join("spin.wasm");
    std::fs::write(&spinning, command(INFINITE_LOOP)).unwrap();
    let writing = scratch.path().join("zero-writes.wasm");
    std::fs::write(&writing, zero_byte_writer()).unwrap();

    let (baseline, baseline_peak) = run_sampling_memory(&spinning, &[], timeout);
    let (output, peak) = run_sampling_memory(&writing, &[], timeout);
    for (path, output) in [(&spinning, &baseline), (&writing, &output)] {
        let expected = format!("hello-host: `{}` timed out after 3s\n", path.display());
        assert!(
            output.status.code() == Some(5) && output.stderr == expected.as_bytes() && output.stdout == BEFORE,
            "{}: status {:?}, stderr {:?}, stdout {:?}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout),
        );
    }
    // The loop makes about 300,000 calls in 3 s in the tests' debug build of the runner (2,000,000 took 18 s): a
    // host that kept 16 bytes per empty write would pass this bound. Spinning and writing peaked 0.5 MiB apart.
    const BOUND_KIB: u64 = 4 << 10;
    assert!(
        baseline_peak > 0 && peak <= baseline_peak + BOUND_KIB,
        "the runner peaked at {peak} KiB writing zero bytes, against {baseline_peak} KiB spinning"
    );
}
