//! Arbitrary bytes through the whole load-and-run path of the harness, mutated by libFuzzer byte by byte: this
//! is the target that fuzzes the parser.

#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| hello_host_fuzz::load_and_run(bytes));
