//! The `hello-host` binary from the command line: exit statuses, the one-line messages, stdio passed through,
//! arguments and environment, and the compile cache.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::*;

/// The `hello-host` binary of this build.
pub fn runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hello-host"))
}

/// Time enough to compile and run a Rust guest on a busy machine.
const RUST_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `hello-host` with the fixtures' tight limits and no cache.
fn hello_host(component: &Path, args: &[&str]) -> Output {
    hello_host_within(LIMITS.timeout, component, args)
}

/// Like [`hello_host`] with another timeout: a Rust guest needs more than the fixtures' to compile on a busy
/// machine (the timeout covers compiling).
fn hello_host_within(timeout: Duration, component: &Path, args: &[&str]) -> Output {
    let limits = [
        format!("--timeout={}ms", timeout.as_millis()),
        format!("--max-memory={}", LIMITS.max_memory),
        format!("--max-output={}", LIMITS.max_output),
    ];
    runner()
        .args(limits)
        .arg("--no-cache")
        .arg(component)
        .args(args)
        .output()
        .expect("hello-host starts")
}

/// Asserts the exit status, that stderr is exactly `hello-host: <message>` on one line (nothing for `None`), and
/// that stdout is exactly `stdout`. A message that ends in `: ` or ` (` is our words before a reason that wasmtime or the
/// OS words (a trap raised in a host call, an I/O error): only our part is compared, and the line must be one.
pub fn assert_output(output: &Output, status: i32, message: Option<&str>, stdout: &[u8]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected_stderr = message.map(|m| format!("hello-host: {m}\n")).unwrap_or_default();
    let stderr_good = match message {
        Some(ours) if ours.ends_with(": ") || ours.ends_with(" (") => {
            stderr.starts_with(&format!("hello-host: {ours}")) && stderr.lines().count() == 1 && stderr.ends_with('\n')
        }
        _ => stderr == expected_stderr,
    };
    assert!(
        output.status.code() == Some(status) && stderr_good && output.stdout == stdout,
        "expected status {status}, stderr {expected_stderr:?}, stdout {:?}; got {:?}, stderr {stderr:?}, stdout {:?}",
        String::from_utf8_lossy(stdout),
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
    );
}

/// Writes `bytes` as `<name>.wasm` in a scratch folder and runs it.
fn run_fixture(name: &str, bytes: &[u8]) -> (String, Output) {
    let scratch = Scratch::new(name);
    let path = scratch.path().join(format!("{name}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    (path.display().to_string(), hello_host(&path, &[]))
}

#[test]
fn runner_prints_hello() {
    let output = hello_host_within(RUST_TIMEOUT, Path::new(test_artifacts::HELLO_RELEASE), &[]);
    assert_output(&output, 0, None, b"Hello, world!\n");
}

#[test]
fn runner_passes_arguments_and_only_the_given_environment() {
    let echo = test_artifacts::ECHO_RELEASE;
    let output = runner()
        .args([
            "--no-cache",
            "--env",
            "GREETING=hi there",
            "--env=EMPTY=",
            echo,
            "one",
            "--two",
            "3",
        ])
        .env("HOST_SECRET", "must not leak")
        .output()
        .unwrap();
    let expected = format!("{echo}\none\n--two\n3\nEMPTY=\nGREETING=hi there\n");
    assert_output(&output, 0, None, expected.as_bytes());
}

#[test]
fn runner_passes_everything_after_the_component_to_the_guest() {
    let echo = test_artifacts::ECHO_RELEASE;
    let cases: [&[&str]; 5] = [
        &["--version", "--timeout", "1s", "--", "x"],
        &["--help", "-h", "-V"],
        &["--", "--env", "A=B", "--no-cache", "--dir", "/"],
        &["--max-output=1", "--timeout=1ms", "-x"],
        &["plain", "", "--"],
    ];
    for args in cases {
        let output = hello_host_within(RUST_TIMEOUT, Path::new(echo), args);
        let expected: String = [echo].iter().chain(args).map(|arg| format!("{arg}\n")).collect();
        assert_output(&output, 0, None, expected.as_bytes());
    }
    // The runner's options still go before the component, `--` there ends them, and the guest gets no `--`.
    let output = runner().args(["--env", "K=V", "--", echo, "a"]).output().unwrap();
    assert_output(&output, 0, None, format!("{echo}\na\nK=V\n").as_bytes());
}

#[test]
fn runner_adds_nothing_when_a_std_guest_exits_with_an_error() {
    let scratch = Scratch::new("std-exit");
    // Like grep finding nothing: `fs` reports the missing file on stdout and calls `std::process::exit(1)`.
    let output = runner()
        .arg("--no-cache")
        .arg(format!("--dir={}::/data", scratch.path().display()))
        .args([test_artifacts::FS_RELEASE, "std-read", "/data/missing.txt"])
        .output()
        .unwrap();
    assert_output(&output, 1, None, b"std-read /data/missing.txt: error NotFound\n");
}

#[test]
fn runner_gives_directories_read_only_with_dir_and_writable_with_dir_rw() {
    let scratch = Scratch::new("runner-dirs");
    let dir = scratch.path();
    std::fs::write(dir.join("hello.txt"), "hello\n").unwrap();
    let fs = |option: &str, guest_dir: &str, operations: &[&str]| {
        let mapped = if guest_dir.is_empty() {
            String::new()
        } else {
            format!("::{guest_dir}")
        };
        runner()
            .arg("--no-cache")
            .arg(format!("{option}={}{mapped}", dir.display()))
            .arg(test_artifacts::FS_RELEASE)
            .args(operations)
            .output()
            .unwrap()
    };
    let output = fs(
        "--dir",
        "/data",
        &["std-read", "/data/hello.txt", "write", "new.txt", "x"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.code() == Some(1)
            && output.stderr.is_empty()
            && stdout.starts_with("std-read /data/hello.txt: ok \"hello\\n\"\nwrite new.txt x: error "),
        "{output:?}"
    );
    assert!(!dir.join("new.txt").exists(), "--dir let the guest write");

    let output = fs("--dir-rw", "/data", &["write", "new.txt", "x"]);
    assert_output(&output, 0, None, b"write new.txt x: ok\n");
    assert_eq!(std::fs::read_to_string(dir.join("new.txt")).unwrap(), "x");

    // Without `::GUEST_DIR`, the guest sees the directory under its host path, as with `wasmtime run --dir`.
    let guest_path = format!("{}/hello.txt", dir.display());
    let output = fs("--dir", "", &["std-read", &guest_path]);
    assert_output(
        &output,
        0,
        None,
        format!("std-read {guest_path}: ok \"hello\\n\"\n").as_bytes(),
    );
}

#[test]
fn runner_reports_each_fault_in_one_line_with_its_status() {
    let expected_flood = [BEFORE, &vec![b'x'; LIMITS.max_output as usize - BEFORE.len()]].concat();
    let cases: [(&str, &str, i32, &str, &[u8]); 10] = [
        ("loop", INFINITE_LOOP, 5, "timed out after 500ms", BEFORE),
        ("sleep", SLEEP_AN_HOUR, 5, "timed out after 500ms", BEFORE),
        ("bomb", MEMORY_BOMB, 6, "exceeded the memory limit of 4 MiB", BEFORE),
        ("recursion", DEEP_RECURSION, 4, "trapped: stack overflow", BEFORE),
        (
            "unreachable",
            UNREACHABLE,
            4,
            "trapped: reached an `unreachable` instruction",
            BEFORE,
        ),
        // The guest ended itself: its status says it all, and the runner adds nothing.
        ("exit-err", EXIT_ERR, 1, "", BEFORE),
        ("run-err", RUN_ERR, 1, "", BEFORE),
        (
            "flood",
            OUTPUT_FLOOD,
            7,
            "exceeded the output limit of 64 KiB",
            &expected_flood,
        ),
        // wasmtime-wasi fails the call; the reason is in its words.
        ("write-5000", WRITE_5000, 4, "trapped: ", BEFORE),
        ("exit-ok", EXIT_OK, 0, "", BEFORE),
    ];
    for (name, body, status, message, stdout) in cases {
        let (path, output) = run_fixture(name, &command(body));
        let message = (!message.is_empty()).then(|| format!("`{path}` {message}"));
        assert_output(&output, status, message.as_deref(), stdout);
    }
}

#[test]
fn runner_refuses_what_it_cannot_run_in_one_line() {
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "core",
            core_module(),
            "is a core module, not a component (build with --target wasm32-wasip2, or wrap it with wasm-tools \
             component new)",
        ),
        (
            "no-run",
            component_without_run(),
            "does not export wasi:cli/run (exports: example:foo/bar@1.0.0)",
        ),
        (
            "unknown",
            component_with_unknown_import(),
            "imports example:foo/bar@1.0.0, which this host does not provide",
        ),
        ("random", random_bytes(), "is not a WebAssembly binary"),
        (
            "text",
            b"(component)".to_vec(),
            "is WAT text, not a binary component (convert it with wasm-tools parse)",
        ),
    ];
    for (name, bytes, message) in cases {
        let (path, output) = run_fixture(name, &bytes);
        assert_output(&output, 3, Some(&format!("`{path}` {message}")), b"");
    }
    // The parser's reason is wasmtime's.
    let (path, output) = run_fixture("truncated", &truncated_hello());
    assert_output(&output, 3, Some(&format!("`{path}` is not a valid component: ")), b"");
}

#[test]
fn runner_reports_a_host_failure_with_status_70() {
    // More core instances than the pool has: the host's limit, not a guest trap.
    let (path, output) = run_fixture("pool", &component_with_core_instances(200));
    let message = format!("could not run `{path}`: every pool slot is in use (");
    assert_output(&output, 70, Some(&message), b"");
}

#[test]
fn runner_stops_at_the_timeout_while_compiling_and_stores_nothing() {
    let scratch = Scratch::new("slow-compile");
    let slow = scratch.path().join("slow.wasm");
    std::fs::write(&slow, slow_to_compile(20_000)).unwrap();
    let cache = scratch.path().join("cache");
    let start = Instant::now();
    let output = runner()
        .args(["--timeout", "300ms", "--cache-dir"])
        .arg(&cache)
        .arg(&slow)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let message = format!("`{}` timed out after 300ms while still compiling", slow.display());
    assert_output(&output, 5, Some(&message), b"");
    assert!(elapsed < Duration::from_millis(300) + SLACK, "ended after {elapsed:?}");
    let entries: Vec<_> = std::fs::read_dir(&cache).into_iter().flatten().collect();
    assert!(entries.is_empty(), "the cache holds {entries:?}");
}

#[test]
fn runner_stops_at_the_timeout_while_reading() {
    // A named pipe that nobody writes: opening it to read blocks for ever.
    let scratch = Scratch::new("fifo");
    let fifo = scratch.path().join("fifo.wasm");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let output = hello_host(&fifo, &[]);
    let message = format!("`{}` timed out after 500ms while still reading it", fifo.display());
    assert_output(&output, 5, Some(&message), b"");
}

#[test]
fn runner_names_a_missing_file() {
    let output = hello_host(Path::new("no/such/file.wasm"), &[]);
    // The reason is the OS's.
    assert_output(&output, 3, Some("cannot read `no/such/file.wasm`: "), b"");
}

#[test]
fn runner_rejects_a_bad_command_line_with_status_2() {
    for args in [
        &["--timeout", "2", "x.wasm"][..],
        &["--max-memory", "lots", "x.wasm"],
        &["--env", "NOEQUALS", "x.wasm"],
        &["--dir", "no/such/directory", "x.wasm"],
        &["--dir-rw", "::/data", "x.wasm"],
        &["--timout", "1s", "x.wasm"],
        &[],
    ] {
        let output = runner().args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn runner_help_documents_defaults_and_exit_statuses() {
    let output = runner().arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "[default: 10s]",
        "[default: 64MiB]",
        "[default: 16MiB]",
        "Usage: hello-host [OPTIONS] <COMPONENT> [ARGS]...",
        "--dir <HOST_DIR[::GUEST_DIR]>",
        "--dir-rw <HOST_DIR[::GUEST_DIR]>",
        "Guest arguments:\n  Everything after <COMPONENT> goes to the guest untouched",
        "Exit status (docs/runner.md says more):",
        "  5   timed out: compiling past --compile-timeout",
        "--inherit-network",
    ] {
        assert!(help.contains(expected), "--help lacks {expected:?}:\n{help}");
    }
}

#[test]
fn runner_reuses_the_compiled_component_from_its_cache() {
    let scratch = Scratch::new("cache");
    // A folder the runner makes: its own, whatever the umask (it refuses one that others can write).
    let cache = &scratch.path().join("cache");
    let run = || {
        runner()
            .arg("--cache-dir")
            .arg(cache)
            .arg(test_artifacts::HELLO_RELEASE)
            .output()
            .unwrap()
    };
    assert_output(&run(), 0, None, b"Hello, world!\n");
    let entries: Vec<_> = std::fs::read_dir(cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(
        entries.len() == 1 && entries[0].extension().is_some_and(|e| e == "cwasm"),
        "{entries:?}"
    );
    let written = std::fs::metadata(&entries[0]).unwrap().modified().unwrap();
    assert_output(&run(), 0, None, b"Hello, world!\n");
    // Not rewritten: the second run deserialized the entry instead of compiling.
    assert_eq!(std::fs::metadata(&entries[0]).unwrap().modified().unwrap(), written);
}

#[test]
fn runner_refuses_a_cache_folder_that_others_can_write() {
    let scratch = Scratch::new("runner-unsafe-cache");
    let cache = scratch.path();
    std::fs::set_permissions(cache, std::os::unix::fs::PermissionsExt::from_mode(0o775)).unwrap();
    let output = runner()
        .arg("--cache-dir")
        .arg(cache)
        .arg(test_artifacts::HELLO_RELEASE)
        .output()
        .unwrap();
    let message = format!(
        "not using the cache folder `{}`: it is writable by its group or others (mode 775); compiled without it",
        cache.display()
    );
    assert_output(&output, 0, Some(&message), b"Hello, world!\n");
    assert_eq!(std::fs::read_dir(cache).unwrap().count(), 0, "it wrote into the folder");
}

#[test]
fn runners_started_at_once_share_one_empty_cache_folder() {
    let scratch = Scratch::new("runner-cache-race");
    let cache = scratch.path().join("cache");
    let runners: Vec<_> = (0..12)
        .map(|_| {
            runner()
                .arg("--cache-dir")
                .arg(&cache)
                .arg(test_artifacts::HELLO_RELEASE)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in runners {
        assert_output(&child.wait_with_output().unwrap(), 0, None, b"Hello, world!\n");
    }
    // One whole entry, no temporary file left, and the next run takes it from the cache.
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(
        entries.len() == 1 && entries[0].extension().is_some_and(|e| e == "cwasm"),
        "{entries:?}"
    );
    let written = std::fs::metadata(&entries[0]).unwrap().modified().unwrap();
    let output = runner()
        .arg("--cache-dir")
        .arg(&cache)
        .arg(test_artifacts::HELLO_RELEASE)
        .output()
        .unwrap();
    assert_output(&output, 0, None, b"Hello, world!\n");
    assert_eq!(std::fs::metadata(&entries[0]).unwrap().modified().unwrap(), written);
}
