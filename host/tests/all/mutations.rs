//! Bounded property tests: mutated copies of valid components must each end in an outcome, never a panic. The
//! fuzz targets (`host/fuzz`) do the same without bounds: `load_and_run` with bytes flipped, overwritten, cut and
//! repeated, `mutate_and_run` with the structural mutator that this file borrows from it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::common::{LIMITS, OUTPUT_FLOOD, XorShift, command, load_and_run};
use hello_host::{Harness, Invocation, Outcome, Run};

#[path = "../../fuzz/src/mutate.rs"]
mod structural;

/// Mutations per seed component: enough to reach the parser, the validator and the linker, in seconds.
const MUTATIONS: usize = 150;

/// Structural mutations per seed component: each one that loads is compiled, so fewer, still in seconds.
const STRUCTURAL_MUTATIONS: u64 = 40;

/// Valid components, each a different shape: a Rust guest with std, the hand-written WAT one, and a WAT one that
/// writes past the output limit.
fn seeds() -> [(&'static str, Vec<u8>); 3] {
    [
        ("hello", std::fs::read(test_artifacts::HELLO_RELEASE).unwrap()),
        (
            "seed WAT",
            test_artifacts::component_from_wat(include_str!("../../../tests/fixtures/hello.wat"), "hello").unwrap(),
        ),
        ("output flood", command(OUTPUT_FLOOD)),
    ]
}

/// Runs `mutant` on `harness`, failing the test, with the bytes, if it panics.
fn run(harness: &Harness, mutant: &[u8], name: &str, mutation: impl std::fmt::Display) -> Run {
    catch_unwind(AssertUnwindSafe(|| {
        load_and_run(harness, mutant, &Invocation::default())
    }))
    .unwrap_or_else(|_| panic!("mutation {mutation} of {name} panicked; its bytes: {mutant:?}"))
}

/// One to four random edits of `bytes`.
fn mutate(bytes: &[u8], random: &mut XorShift) -> Vec<u8> {
    let mut mutated = bytes.to_vec();
    for _ in 0..=random.below(4) {
        let at = random.below(mutated.len());
        match random.below(5) {
            0 => mutated[at] ^= 1 << random.below(8),
            1 => mutated[at] = random.next() as u8,
            2 => mutated.truncate(at),
            3 => {
                let end = (at + random.below(64)).min(mutated.len());
                let copy = mutated[at..end].to_vec();
                mutated.splice(at..at, copy);
            }
            _ => mutated.insert(at, random.next() as u8),
        }
        if mutated.is_empty() {
            break;
        }
    }
    mutated
}

#[test]
fn mutated_components_never_panic_the_harness() {
    let harness = Harness::new(LIMITS).unwrap();
    for (name, component) in seeds() {
        let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
        for mutation in 0..MUTATIONS {
            run(&harness, &mutate(&component, &mut random), name, mutation);
        }
    }
}

#[test]
fn structurally_mutated_components_mostly_load_and_never_panic_the_harness() {
    let harness = Harness::new(LIMITS).unwrap();
    let (mut mutants, mut loaded) = (0, 0);
    for (name, component) in seeds() {
        for seed in 0..STRUCTURAL_MUTATIONS {
            // `None`: no mutation applies to the module this seed chose.
            let Some(mutant) = structural::mutate(&component, seed) else {
                continue;
            };
            mutants += 1;
            if !matches!(run(&harness, &mutant, name, seed).outcome, Outcome::Refused(_)) {
                loaded += 1;
            }
        }
    }
    // The point of mutating structure rather than bytes: most mutants get past the parser and the validator.
    assert!(mutants >= 2 * STRUCTURAL_MUTATIONS, "only {mutants} mutants were made");
    assert!(2 * loaded > mutants, "only {loaded} of {mutants} mutants loaded");
}
