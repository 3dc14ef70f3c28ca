//! What the test modules share: the hostile fixtures (harness tests in `hostile`, runner tests in `runner`),
//! a pseudo-random sequence (`mutations`), and scratch folders.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hello_host::{Harness, Invocation, Limits, Run, Source};

/// Loads and runs `source` on `harness`; a load that fails is a run that printed nothing.
pub fn load_and_run(harness: &Harness, source: impl Into<Source>, invocation: &Invocation) -> Run {
    match harness.load(source) {
        Ok(program) => harness.run(&program, invocation),
        Err(outcome) => Run::from(outcome),
    }
}

/// Tight limits, so that each fault is reached quickly; compiling a Rust guest on a busy machine has time.
pub const LIMITS: Limits = Limits {
    timeout: Duration::from_millis(500),
    compile_timeout: Duration::from_secs(60),
    max_memory: 4 << 20,
    max_output: 64 << 10,
};

/// What every printing fixture writes first: the tests check it survives whatever comes next.
pub const BEFORE: &[u8] = b"before\n";

/// Bodies for [`command`], one per kind of misbehaviour.
pub const INFINITE_LOOP: &str = "(loop $forever (br $forever)) (i32.const 0)";
/// An hour's sleep: the guest waits in the host, not in wasm.
pub const SLEEP_AN_HOUR: &str = "(call $block (call $sleep (i64.const 3600000000000))) (i32.const 0)";
/// Grows memory by 1 MiB for as long as growing works.
pub const MEMORY_BOMB: &str =
    "(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i32.const 0)";
pub const DEEP_RECURSION: &str = "(call $recurse) (i32.const 0)";
pub const UNREACHABLE: &str = "unreachable";
/// `result<_, _>` is lowered to its discriminant: 1 is `err`, 0 is `ok`.
pub const EXIT_ERR: &str = "(call $exit (i32.const 1)) (i32.const 0)";
pub const EXIT_OK: &str = "(call $exit (i32.const 0)) unreachable";
pub const RUN_ERR: &str = "(i32.const 1)";
/// Writes 4096 bytes of 'x' 1024 times (4 MiB, far past the limit), ignoring every error.
pub const OUTPUT_FLOOD: &str = r#"(memory.fill (i32.const 1024) (i32.const 120) (i32.const 4096))
    (local.set $count (i32.const 1024))
    (loop $again
      (call $write (call $get-stdout) (i32.const 1024) (i32.const 4096) (i32.const 96))
      (br_if $again (local.tee $count (i32.sub (local.get $count) (i32.const 1)))))
    (i32.const 0)"#;
/// One `blocking-write-and-flush` of 5000 bytes: more than the 4096 that one call may take.
pub const WRITE_5000: &str =
    "(call $write (call $get-stdout) (i32.const 0) (i32.const 5000) (i32.const 96)) (i32.const 0)";

/// A `fixtures:hostile/command` whose `run` first prints `before\n` to stdout, then does `body`.
/// Memory: the result area at 96, `before\n` at 100, free from 1024.
pub fn command(body: &str) -> Vec<u8> {
    let wat = format!(
        r#"(module
          (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
          (import "wasi:io/streams@0.2.3" "[method]output-stream.blocking-write-and-flush"
            (func $write (param i32 i32 i32 i32)))
          (import "wasi:cli/exit@0.2.3" "exit" (func $exit (param i32)))
          (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $sleep (param i64) (result i32)))
          (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "before\n")
          (func $recurse (call $recurse))
          (func (export "wasi:cli/run@0.2.3#run") (result i32) (local $count i32)
            (call $write (call $get-stdout) (i32.const 100) (i32.const 7) (i32.const 96))
            {body}))"#
    );
    test_artifacts::component_from_wat(&wat, "fixtures:hostile/command").expect("the fixture builds")
}

pub fn core_module() -> Vec<u8> {
    wat::parse_str("(module)").unwrap()
}

/// Exports `example:foo/bar@1.0.0`, not `wasi:cli/run`.
pub fn component_without_run() -> Vec<u8> {
    let wat = r#"(module (func (export "example:foo/bar@1.0.0#ping")))"#;
    test_artifacts::component_from_wat(wat, "fixtures:hostile/no-run").unwrap()
}

/// Imports `example:foo/bar@1.0.0`, which no WASI host provides.
pub fn component_with_unknown_import() -> Vec<u8> {
    let wat = r#"(module
        (import "example:foo/bar@1.0.0" "ping" (func))
        (func (export "wasi:cli/run@0.2.3#run") (result i32) (i32.const 0)))"#;
    test_artifacts::component_from_wat(wat, "fixtures:hostile/unknown-import").unwrap()
}

/// A component that instantiates an empty core module `count` times, and whose `run` returns ok.
pub fn component_with_core_instances(count: usize) -> Vec<u8> {
    let instances = "(core instance (instantiate $empty))\n".repeat(count);
    wat::parse_str(format!(
        r#"(component
          (core module $empty)
          {instances}
          (core module $run (func (export "run") (result i32) (i32.const 0)))
          (core instance $run (instantiate $run))
          (func $run (result (result)) (canon lift (core func $run "run")))
          (instance $cli (export "run" (func $run)))
          (export "wasi:cli/run@0.2.3" (instance $cli)))"#
    ))
    .unwrap()
}

/// How late past its timeout a run may end, on a busy machine: the time to notice, print and exit.
pub const SLACK: Duration = Duration::from_secs(2);

/// A component with one large function that is slow to compile: `branches` branches over 100 live 64-bit
/// locals. In this repository's test build of the runner, 5,000 take Cranelift about 3 s and 20,000 about 20 s.
pub fn slow_to_compile(branches: usize) -> Vec<u8> {
    const LOCALS: usize = 100;
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut body = String::new();
    for _ in 0..branches {
        let [a, b, c, d] = [(); 4].map(|()| random.below(LOCALS));
        body += &format!(
            "(if (i64.gt_u (local.get {a}) (local.get {b})) (then (local.set {d} (i64.mul (local.get {c}) \
             (local.get {a})))) (else (local.set {c} (i64.add (local.get {d}) (local.get {b})))))\n"
        );
    }
    let result: String = (1..LOCALS).map(|i| format!("(local.get {i}) i64.xor ")).collect();
    let wat = format!(
        r#"(module
          (func $slow (param i64) (result i64) (local {locals})
            {body}
            (local.get 0) {result})
          (func (export "wasi:cli/run@0.2.3#run") (result i32)
            (i32.wrap_i64 (call $slow (i64.const 7)))))"#,
        locals = "i64 ".repeat(LOCALS)
    );
    test_artifacts::component_from_wat(&wat, "fixtures:hostile/command").expect("the fixture builds")
}

/// A small deterministic pseudo-random sequence (xorshift64), so that failures reproduce.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

/// 4 KiB that are not WebAssembly.
pub fn random_bytes() -> Vec<u8> {
    let mut random = XorShift(0x2545_f491_4f6c_dd1d);
    (0..4096).map(|_| random.next() as u8).collect()
}

/// The release hello component, cut in half.
pub fn truncated_hello() -> Vec<u8> {
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    hello[..hello.len() / 2].to_vec()
}

/// A folder of this test's own under the system's temporary folder, emptied first and removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// Named after the process, a counter (the tests of all modules run at once in one process) and `name`.
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hello-host-test-{}-{number}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
