//! The `long-output` guest writes N bytes through its `write_all` (`test-programs/long-output/src/output.rs`);
//! every length, around and far past the 4096-byte limit of one `blocking-write-and-flush`, must arrive byte for
//! byte.

use hello_host::{Harness, Invocation, Limits, Outcome, Program, Run};

fn load(harness: &Harness) -> Program {
    let wasm = test_artifacts::LONG_OUTPUT_RELEASE;
    harness
        .load(wasm)
        .unwrap_or_else(|outcome| panic!("{}", outcome.describe(wasm).unwrap_or_default()))
}

fn write(harness: &Harness, program: &Program, length: usize) -> Run {
    let args = vec!["long-output".to_owned(), length.to_string()];
    harness.run(
        program,
        &Invocation {
            args,
            ..Invocation::default()
        },
    )
}

fn pattern(length: usize) -> Vec<u8> {
    (0..length).map(|i| (i % 251) as u8).collect()
}

/// Compares without printing a megabyte: lengths and the first difference.
fn assert_bytes(length: usize, run: &Run, expected: &[u8]) {
    let first_difference = run.stdout.iter().zip(expected).position(|(got, want)| got != want);
    assert!(
        run.stdout == expected,
        "{length} bytes: got {} bytes, expected {}, first difference at {first_difference:?}; outcome {:?}, stderr {:?}",
        run.stdout.len(),
        expected.len(),
        run.outcome,
        String::from_utf8_lossy(&run.stderr),
    );
}

#[test]
fn long_output_arrives_byte_for_byte_at_every_length() {
    let harness = Harness::new(Limits::default()).unwrap();
    let program = load(&harness);
    for length in [0, 1, 4095, 4096, 4097, 65536, 1 << 20] {
        let run = write(&harness, &program, length);
        assert_bytes(length, &run, &pattern(length));
        assert!(
            run.outcome == Outcome::Success && run.stderr.is_empty(),
            "{length} bytes: {run}"
        );
    }
}

#[test]
fn long_output_reports_a_closed_stream_as_an_error() {
    let limits = Limits {
        max_output: 5000,
        ..Limits::default()
    };
    let harness = Harness::new(limits).unwrap();
    let run = write(&harness, &load(&harness), 65536);
    assert_bytes(65536, &run, &pattern(5000));
    assert_eq!(run.outcome, Outcome::OutputLimit(5000));
}
