//! Components through the whole load-and-run path of the harness, mutated structurally (see `mutate.rs`) so
//! that most of them are valid and reach compilation, linking and the guest's run.

#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};

fuzz_target!(|bytes: &[u8]| hello_host_fuzz::load_and_run(bytes));

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    // One mutation in eight, and any that wasm-mutate cannot make, is libFuzzer's own on the raw bytes, so that
    // damaged components are still tried along the way.
    if seed % 8 != 0
        && let Some(mutant) = hello_host_fuzz::mutate::mutate(&data[..size], seed.into())
        && mutant.len() <= max_size
    {
        data[..mutant.len()].copy_from_slice(&mutant);
        return mutant.len();
    }
    fuzzer_mutate(data, size, max_size)
});
