//! A bounded property test: mutated copies of valid components (bytes flipped, overwritten, cut, repeated)
//! must each end in an outcome, never a panic. The fuzz target (`host/fuzz`) does the same without bounds.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::common::{LIMITS, OUTPUT_FLOOD, XorShift, command};
use hello_host::{Harness, Invocation};

/// Mutations per seed component: enough to reach the parser, the validator and the linker, in seconds.
const MUTATIONS: usize = 150;

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
    let seeds = [
        ("hello", std::fs::read(test_artifacts::HELLO_RELEASE).unwrap()),
        (
            "seed WAT",
            test_artifacts::component_from_wat(include_str!("../../../tests/fixtures/hello.wat"), "hello").unwrap(),
        ),
        ("output flood", command(OUTPUT_FLOOD)),
    ];
    for (name, component) in seeds {
        let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
        for mutation in 0..MUTATIONS {
            let mutated = mutate(&component, &mut random);
            let result = catch_unwind(AssertUnwindSafe(|| harness.run_bytes(&mutated, &Invocation::default())));
            assert!(
                result.is_ok(),
                "mutation {mutation} of {name} panicked; its bytes: {mutated:?}"
            );
        }
    }
}
