//! One harness under load: thousands of runs in sequence, and more runs at once than the pool has slots. Every run
//! prints exactly `Hello, world!\n`, or (past the slots, had it waited longer than its timeout) ends as a host
//! failure; never a trap.

use std::sync::Arc;

use crate::common::{component_with_core_instances, load_and_run};
use hello_host::{Allocation, Harness, HostFailure, Invocation, Limits, Outcome, POOL_SLOTS, Program, Run};

const SEQUENTIAL_RUNS: usize = 3000;
const CONCURRENT_CALLERS: usize = 3 * POOL_SLOTS as usize;
const RUNS_PER_CALLER: usize = 20;

fn hello(harness: &Harness) -> Program {
    harness
        .load(test_artifacts::HELLO_RELEASE)
        .unwrap_or_else(|outcome| panic!("{outcome:?}"))
}

/// Exact output, or the host's own failure for want of a slot; anything else fails the test.
fn assert_hello_or_full_pool(run: &Run) -> bool {
    match &run.outcome {
        Outcome::Success if run.stdout == b"Hello, world!\n" && run.stderr.is_empty() => true,
        Outcome::HostFailure(HostFailure::PoolExhausted(_)) if run.stdout.is_empty() => false,
        _ => panic!("neither hello nor a full pool:\n{run}"),
    }
}

/// Runs hello `RUNS_PER_CALLER` times from each of `callers` threads at once; how many runs printed it.
fn hello_from_callers_at_once(harness: &Arc<Harness>, callers: usize) -> usize {
    let program = Arc::new(hello(harness));
    let callers: Vec<_> = (0..callers)
        .map(|_| {
            let (harness, program) = (harness.clone(), program.clone());
            std::thread::spawn(move || {
                (0..RUNS_PER_CALLER)
                    .filter(|_| assert_hello_or_full_pool(&harness.run(&program, &Invocation::default())))
                    .count()
            })
        })
        .collect();
    callers.into_iter().map(|caller| caller.join().unwrap()).sum()
}

#[test]
fn thousands_of_runs_in_sequence_on_one_harness() {
    let harness = Harness::new(Limits::default()).unwrap();
    let program = hello(&harness);
    for number in 0..SEQUENTIAL_RUNS {
        let run = harness.run(&program, &Invocation::default());
        assert!(
            run.outcome == Outcome::Success && run.stdout == b"Hello, world!\n",
            "run {number}:\n{run}"
        );
    }
}

#[test]
fn more_runs_at_once_than_pool_slots_wait_for_one() {
    let harness = Arc::new(Harness::new(Limits::default()).unwrap());
    let printed = hello_from_callers_at_once(&harness, CONCURRENT_CALLERS);
    // A run waits for a slot for up to its timeout (10 s), and the runs that hold the slots end within theirs: every
    // run gets one. (The host-side outcome itself is tested with a component bigger than the pool, in `hostile`.)
    assert_eq!(printed, CONCURRENT_CALLERS * RUNS_PER_CALLER);
}

#[test]
fn a_one_slot_pool_gives_a_run_the_room_of_the_full_pool_and_queues_the_others() {
    let harness = Arc::new(Harness::with_allocation(Limits::default(), Allocation::PoolingOneSlot).unwrap());
    // Far more core instances than one of the default pool's 16 slots would need: the runner, which uses this
    // pool, must still run what it ran with the default one.
    let run = load_and_run(&harness, component_with_core_instances(100), &Invocation::default());
    assert_eq!(run.outcome, Outcome::Success, "{run}");
    assert_eq!(hello_from_callers_at_once(&harness, 4), 4 * RUNS_PER_CALLER);
}
