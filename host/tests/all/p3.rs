//! `test-programs/p3`, a WASI 0.3 command, on the harness and the runner: each case of the guest (its first
//! argument) with its exact output and outcome, the hostile ones included, and the same answers as `wasmtime run`
//! where that CLI is on PATH.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use hello_host::{Harness, Invocation, Limits, Outcome, Preopen, Program, Run, Stage, Wasi};

use crate::common::*;
use crate::proposals::run_sampling_memory;
use crate::runner::{assert_output, runner};

/// Room to compile and run the guest on a busy machine, and memory enough that the hostile cases which a store
/// limit ends reach that limit first (in about three seconds in a debug build): 100,000 spawned tasks take about
/// 50 MiB of the guest's memory.
const LIMITS_P3: Limits = Limits {
    timeout: Duration::from_secs(60),
    max_memory: 256 << 20,
    ..LIMITS
};

/// A harness and the guest loaded on it, for each timeout the cases need.
static PATIENT: LazyLock<(Harness, Program)> = LazyLock::new(|| load(LIMITS_P3));
static HASTY: LazyLock<(Harness, Program)> = LazyLock::new(|| load(LIMITS));

fn load(limits: Limits) -> (Harness, Program) {
    let harness = Harness::new(limits).unwrap();
    let program = harness.load(test_artifacts::P3_RELEASE).unwrap();
    (harness, program)
}

/// Runs one case of the guest (`args` after the program name), with `dirs`.
fn p3_with(harness: &(Harness, Program), args: &[&str], dirs: Vec<Preopen>, network: bool) -> Run {
    let invocation = Invocation {
        args: ["p3"].iter().chain(args).map(|arg| arg.to_string()).collect(),
        env: vec![("GREETING".to_owned(), "hello".to_owned())],
        dirs,
        inherit_network: network,
        ..Invocation::default()
    };
    harness.0.run(&harness.1, &invocation)
}

fn p3(args: &[&str]) -> Run {
    p3_with(&PATIENT, args, Vec::new(), false)
}

/// `scratch` as the guest's `data` directory.
fn data_dir(scratch: &Scratch, writable: bool) -> Preopen {
    Preopen {
        host: scratch.path().to_owned(),
        guest: "data".to_owned(),
        writable,
    }
}

/// Asserts the outcome and exactly what the guest wrote to stdout and stderr.
fn assert_p3(run: &Run, outcome: Outcome, stdout: &[u8], stderr: &[u8]) {
    assert!(
        run.outcome == outcome && run.stdout == stdout && run.stderr == stderr,
        "expected {outcome:?}, stdout {:?}, stderr {:?}; got:\n{run}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr),
    );
}

#[test]
fn p3_is_read_as_wasi_0_3() {
    assert_eq!(PATIENT.1.wasi(), Wasi::P3);
    let hello = PATIENT.0.load(test_artifacts::HELLO_RELEASE).unwrap();
    assert_eq!(hello.wasi(), Wasi::P2);
}

#[test]
fn p3_hello() {
    assert_p3(&p3(&[]), Outcome::Success, b"Hello, world!\n", b"");
}

#[test]
fn p3_args_and_env() {
    assert_p3(
        &p3(&["args", "a b", "--help", "c"]),
        Outcome::Success,
        b"a b\n--help\nc\n",
        b"",
    );
    assert_p3(&p3(&["env"]), Outcome::Success, b"GREETING=hello\n", b"");
}

#[test]
fn p3_stderr() {
    assert_p3(&p3(&["stderr"]), Outcome::Success, b"", b"to stderr\n");
}

#[test]
fn p3_captured_stdin_is_empty() {
    assert_p3(&p3(&["stdin"]), Outcome::Success, b"", b"");
}

#[test]
fn p3_files_in_a_writable_directory() {
    let scratch = Scratch::new("p3-fs");
    std::fs::write(scratch.path().join("old.txt"), b"old").unwrap();
    let dir = data_dir(&scratch, true);
    let run = p3_with(&PATIENT, &["fs", "data"], vec![dir], false);
    let expected = "wrote a.txt: 12 bytes\nrenamed to b.txt, read: hello, file\nentries: b.txt old.txt\n";
    assert_p3(&run, Outcome::Success, expected.as_bytes(), b"");
    assert_eq!(std::fs::read(scratch.path().join("b.txt")).unwrap(), b"hello, file\n");
    assert!(!scratch.path().join("a.txt").exists());
}

#[test]
fn p3_files_in_a_read_only_directory_are_not_created() {
    let scratch = Scratch::new("p3-fs-ro");
    let dir = data_dir(&scratch, false);
    let run = p3_with(&PATIENT, &["fs", "data"], vec![dir], false);
    assert_p3(
        &run,
        Outcome::Success,
        b"open a.txt for writing: ErrorCode::NotPermitted\n",
        b"",
    );
    assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
}

#[test]
fn p3_without_directories_has_none() {
    assert_p3(&p3(&["fs", "data"]), Outcome::Success, b"no preopen named data\n", b"");
}

#[test]
fn p3_clocks_and_random() {
    let clocks = b"waited at least 20ms: true\nwall clock after 2020: true\n";
    assert_p3(&p3(&["clocks"]), Outcome::Success, clocks, b"");
    let random = b"16 bytes: true\ntwo draws differ: true\nseed: 2 values\n";
    assert_p3(&p3(&["random"]), Outcome::Success, random, b"");
}

#[test]
fn p3_sockets_are_denied_without_the_network() {
    let denied = b"create a TCP socket: ErrorCode::AccessDenied\n";
    assert_p3(&p3(&["socket"]), Outcome::Success, denied, b"");
    let granted = p3_with(&PATIENT, &["socket"], Vec::new(), true);
    assert_p3(&granted, Outcome::Success, b"bound 127.0.0.1\n", b"");
}

#[test]
fn p3_exit_statuses() {
    assert_p3(&p3(&["run-err"]), Outcome::RunFailed, b"", b"");
    assert_p3(&p3(&["exit-ok"]), Outcome::Success, b"", b"");
    assert_p3(&p3(&["exit-err"]), Outcome::Exit(1), b"", b"");
    assert_p3(&p3(&["exit-code", "42"]), Outcome::Exit(42), b"", b"");
}

/// A guest that waits forever, in a future nobody writes or in the host's clock, ends at the timeout.
#[test]
fn p3_waiting_forever_times_out() {
    let timeout = Outcome::Timeout {
        limit: LIMITS.timeout,
        stage: Stage::Running,
    };
    for case in ["deadlock", "sleep", "zero-writes"] {
        assert_p3(&p3_with(&HASTY, &[case], Vec::new(), false), timeout.clone(), b"", b"");
    }
}

/// Tasks, streams and futures without end: each takes a handle in the host, and the store's limit on live
/// handles ends the run before the host's memory grows far.
#[test]
fn p3_handles_without_end_hit_the_stores_limit() {
    for case in ["spawn-forever", "streams-forever"] {
        let run = p3(&[case]);
        let Outcome::Trap { kind: None, message } = &run.outcome else {
            panic!("{case}: expected a trap raised by the host, got:\n{run}")
        };
        assert_eq!(
            message, "cannot allocate another handle: store handle limit exceeded",
            "{case}"
        );
    }
}

#[test]
fn p3_flood_is_cut_at_the_output_limit() {
    let run = p3(&["flood"]);
    let mut expected = BEFORE.to_vec();
    expected.resize(LIMITS.max_output as usize, b'x');
    assert_p3(&run, Outcome::OutputLimit(LIMITS.max_output), &expected, b"");
}

#[test]
fn p3_cancelled_reads_and_writes_end_cleanly() {
    let scratch = Scratch::new("p3-cancel");
    let dir = data_dir(&scratch, true);
    let run = p3_with(&PATIENT, &["cancel", "data"], vec![dir], false);
    assert_p3(&run, Outcome::Success, b"cancelled\n", b"");
}

#[test]
fn p3_every_end_dropped() {
    let expected = b"after the future was dropped\ndropped every end\n";
    assert_p3(&p3(&["drop-ends"]), Outcome::Success, expected, b"");
}

/// Runs the guest with the runner, `stdin` on its stdin (kept open while `hold_stdin` lasts).
fn p3_runner(options: &[&str], args: &[&str], stdin: &[u8], hold_stdin: Duration) -> Output {
    let mut child = runner()
        .args(options)
        .arg("--no-cache")
        .arg(test_artifacts::P3_RELEASE)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hello-host starts");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(hold_stdin);
        drop(input);
    });
    child.wait_with_output().unwrap()
}

#[test]
fn p3_runner_round_trips_stdin_and_ends_with_the_guests_status() {
    let output = p3_runner(&[], &["stdin"], b"through stdin\n", Duration::ZERO);
    assert_output(&output, 0, None, b"through stdin\n");
    assert_output(
        &p3_runner(&[], &["exit-code", "42"], b"", Duration::ZERO),
        42,
        None,
        b"",
    );
    assert_output(&p3_runner(&[], &["run-err"], b"", Duration::ZERO), 1, None, b"");
    let output = p3_runner(&[], &["socket"], b"", Duration::ZERO);
    assert_output(&output, 0, None, b"create a TCP socket: ErrorCode::AccessDenied\n");
    let output = p3_runner(&["--inherit-network"], &["socket"], b"", Duration::ZERO);
    assert_output(&output, 0, None, b"bound 127.0.0.1\n");
}

/// Reads of a stdin that stays open are still in flight when the guest cancels them.
#[test]
fn p3_runner_cancels_reads_of_an_open_stdin() {
    let scratch = Scratch::new("p3-runner-cancel");
    let dir = format!("{}::data", scratch.path().display());
    let output = p3_runner(&["--dir-rw", &dir], &["cancel", "data"], b"", Duration::from_secs(30));
    assert_output(&output, 0, None, b"cancelled\n");
}

#[test]
fn p3_runner_limits() {
    let path = test_artifacts::P3_RELEASE;
    let output = p3_runner(
        &["--timeout", "1s", "--compile-timeout", "5m"],
        &["deadlock"],
        b"",
        Duration::ZERO,
    );
    assert_output(&output, 5, Some(&format!("`{path}` timed out after 1s")), b"");
    let output = p3_runner(&["--max-output", "100"], &["flood"], b"", Duration::ZERO);
    let mut flood = BEFORE.to_vec();
    flood.resize(100, b'x');
    assert_output(
        &output,
        7,
        Some(&format!("`{path}` exceeded the output limit of 100 bytes")),
        &flood,
    );
    let output = p3_runner(&[], &["streams-forever"], b"", Duration::ZERO);
    let trapped = format!("`{path}` trapped: cannot allocate another handle: store handle limit exceeded");
    assert_output(&output, 4, Some(&trapped), b"");
}

/// The runner's resident memory stays bounded: writing zero bytes for ever is flat against a guest that sleeps
/// as long, and the tasks and streams without end stop at the store's handle limit, measured at about 165 MiB in
/// all for the tasks (guest memory included) in this debug build.
#[test]
fn p3_runner_memory_stays_bounded() {
    let p3 = Path::new(test_artifacts::P3_RELEASE);
    let timeout = Duration::from_secs(3);
    let (_, sleeping) = run_sampling_memory(p3, &["sleep"], timeout);
    let (output, writing) = run_sampling_memory(p3, &["zero-writes"], timeout);
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    assert!(
        sleeping > 0 && writing <= sleeping + (4 << 10),
        "the runner peaked at {writing} KiB writing zero bytes, against {sleeping} KiB sleeping"
    );
    for case in ["spawn-forever", "streams-forever"] {
        let (output, peak) = run_sampling_memory(p3, &[case], Duration::from_secs(60));
        assert_eq!(output.status.code(), Some(4), "{case}: {output:?}");
        assert!(peak < 512 << 10, "{case}: the runner peaked at {peak} KiB");
    }
}

/// A `wasi:cli/run` export of a version this host does not run: a 0.3 release candidate, or 0.4.
#[test]
fn p3_unknown_run_versions_are_refused_naming_the_ones_it_runs() {
    for version in ["0.3.0-rc-2025-09-16", "0.4.0"] {
        let component = wat::parse_str(format!(
            r#"(component
              (core module $run (func (export "run") (result i32) (i32.const 0)))
              (core instance $run (instantiate $run))
              (func $run (result (result)) (canon lift (core func $run "run")))
              (instance $cli (export "run" (func $run)))
              (export "wasi:cli/run@{version}" (instance $cli)))"#
        ))
        .unwrap();
        let scratch = Scratch::new("p3-version");
        let path = scratch.path().join("run.wasm");
        std::fs::write(&path, component).unwrap();
        let output = runner().arg("--no-cache").arg(&path).output().unwrap();
        let message = format!(
            "`{}` exports wasi:cli/run@{version}, which this host does not run (it runs wasi:cli/run 0.2.x and \
             0.3.x)",
            path.display()
        );
        assert_output(&output, 3, Some(&message), b"");
    }
}

/// The runner and `wasmtime run` give the same stdout, stderr and status for each well-behaved case, when the
/// CLI is on PATH (it takes long to build here, so CI may not have it; the cases above hold without it).
#[test]
fn p3_cases_match_wasmtime_run() {
    if std::process::Command::new("wasmtime")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("p3_cases_match_wasmtime_run: no `wasmtime` on PATH, nothing compared");
        return;
    }
    let scratch = Scratch::new("p3-cli");
    let dir = format!("{}::data", scratch.path().display());
    let cases: [&[&str]; 11] = [
        &[],
        &["args", "a b", "c"],
        &["env"],
        &["stdin"],
        &["stderr"],
        &["clocks"],
        &["random"],
        &["socket"],
        &["run-err"],
        &["exit-err"],
        &["exit-code", "42"],
    ];
    for case in cases {
        let ours = p3_runner(&["--env", "A=1"], case, b"in\n", Duration::ZERO);
        let mut cli = std::process::Command::new("wasmtime")
            .args(["run", "--env", "A=1", test_artifacts::P3_RELEASE])
            .args(case)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        cli.stdin.take().unwrap().write_all(b"in\n").unwrap();
        let theirs = cli.wait_with_output().unwrap();
        assert_eq!(
            (ours.status.code(), &ours.stdout, &ours.stderr),
            (theirs.status.code(), &theirs.stdout, &theirs.stderr),
            "{case:?}"
        );
    }
    let ours = p3_runner(&["--dir-rw", &dir], &["fs", "data"], b"", Duration::ZERO);
    std::fs::remove_file(scratch.path().join("b.txt")).unwrap();
    let theirs = std::process::Command::new("wasmtime")
        .args(["run", "--dir", &dir, test_artifacts::P3_RELEASE, "fs", "data"])
        .output()
        .unwrap();
    assert_eq!((ours.status.code(), ours.stdout), (theirs.status.code(), theirs.stdout));
}
