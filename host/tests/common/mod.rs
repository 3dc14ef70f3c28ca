//! The hostile fixtures that the harness tests and the runner tests share.

/// What every printing fixture writes first: the tests check it survives whatever comes next.
pub const BEFORE: &[u8] = b"before\n";

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

/// 4 KiB that are not WebAssembly (a fixed xorshift sequence).
pub fn random_bytes() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
