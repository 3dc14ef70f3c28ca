//! `cargo bench -p hello-host`: every figure of BENCHMARKS.md in one table, measured side by side in one run.
//!
//! - sizes of the release components, as built and stripped like `wasm-tools strip -a`;
//! - per call on the harness (new store + instantiate from a pre-instantiated component + run + capture), median
//!   of many calls, for the Rust hello, the WAT component and the WASI 0.3 hello (`test-programs/p3` with no
//!   arguments), with the pooling and the on-demand allocator;
//! - load on one harness: resident memory after 10,000 sequential runs against after 100, and runs per second
//!   with 1, 2 and 32 callers at once (32 is twice the pool's slots: the rest wait);
//! - the runner's start-up as a whole process against a native Rust hello built here, the WASI 0.3 hello against
//!   the 0.2 one, and both against `wasmtime run` (when the wasmtime CLI is on PATH), pair by pair in alternating
//!   order, compile caches warm.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hello_host::{Allocation, Harness, Invocation, Limits, Outcome, Program};

const CALLS: usize = 2000;
const WARM_UP_CALLS: usize = 200;
const PROCESS_PAIRS: usize = 40;
/// Runs for the throughput figures, split evenly between the callers.
const THROUGHPUT_RUNS: usize = 6400;

fn main() {
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).expect("hello.wasm was built");
    let minimal = std::fs::read(test_artifacts::MINIMAL_RELEASE).expect("minimal.wasm was built");
    let wat = test_artifacts::component_from_wat(include_str!("../../tests/fixtures/hello.wat"), "hello").unwrap();
    let p3 = std::fs::read(test_artifacts::P3_RELEASE).expect("p3.wasm was built");
    let stripped = |wasm: &[u8]| test_artifacts::strip_custom_sections(wasm).unwrap().len();

    println!("| figure | value | goal |");
    println!("| --- | --- | --- |");
    println!(
        "| hello.wasm (std, release) | {} B, stripped {} B | at most 16,384 B |",
        hello.len(),
        stripped(&hello)
    );
    println!(
        "| minimal.wasm (no_std, release) | {} B, stripped {} B | |",
        minimal.len(),
        stripped(&minimal)
    );
    println!(
        "| WAT hello component | {} B, stripped {} B | |",
        wat.len(),
        stripped(&wat)
    );
    let size_ratio = stripped(&minimal) as f64 / stripped(&wat) as f64;
    println!("| minimal / WAT, stripped | {size_ratio:.2}x | at most 1.2x |");

    let mut medians = Vec::new();
    for allocation in [Allocation::Pooling, Allocation::OnDemand] {
        let harness = Harness::with_allocation(Limits::default(), allocation).unwrap();
        for (name, bytes) in [("Rust hello", &hello), ("WAT hello", &wat), ("WASI 0.3 hello", &p3)] {
            let program = harness
                .load(bytes.as_slice())
                .unwrap_or_else(|outcome| panic!("{}", outcome.describe(name).unwrap_or_default()));
            let median = per_call_median(&harness, &program);
            println!("| per call, {name}, {allocation:?} | {} | |", micros(median));
            medians.push(median);
        }
    }
    let [rust_pooling, wat_pooling, p3_pooling, rust_on_demand, ..] = medians[..] else {
        unreachable!()
    };
    println!(
        "| per call, Rust / WAT (pooling) | {:.2}x | at most 1.3x |",
        ratio(rust_pooling, wat_pooling)
    );
    println!(
        "| per call, on-demand / pooling (Rust) | {:.2}x | at least 1.5x |",
        ratio(rust_on_demand, rust_pooling)
    );
    println!(
        "| per call, WASI 0.3 / WASI 0.2 hello (pooling) | {:.2}x | at most 1.3x |",
        ratio(p3_pooling, rust_pooling)
    );

    load(&hello);
    runner_start_up();
}

/// Memory after many runs on one harness, and throughput with several callers at once.
fn load(hello: &[u8]) {
    let harness = Arc::new(Harness::new(Limits::default()).unwrap());
    let program = Arc::new(harness.load(hello).unwrap());
    let run_hello = |harness: &Harness, program: &Program| {
        let run = harness.run(program, &Invocation::default());
        assert!(
            run.outcome == Outcome::Success && run.stdout == b"Hello, world!\n",
            "{run}"
        );
    };
    let mut runs = 0;
    let mut resident_after = |count: usize| {
        while runs < count {
            run_hello(&harness, &program);
            runs += 1;
        }
        resident_bytes()
    };
    let (after_100, after_10_000) = (resident_after(100), resident_after(10_000));
    match (after_100, after_10_000) {
        (Some(a), Some(b)) => {
            let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
            println!(
                "| resident memory after 100 runs on one harness | {:.1} MiB | |",
                mib(a)
            );
            println!(
                "| resident memory after 10,000 runs, and growth since 100 | {:.1} MiB, {:+.1} MiB | growth within a few MiB |",
                mib(b),
                mib(b) - mib(a)
            );
        }
        _ => println!("| resident memory after 10,000 runs | skipped: no /proc/self/status | |"),
    }
    for callers in [1, 2, 32] {
        let start = Instant::now();
        let threads: Vec<_> = (0..callers)
            .map(|_| {
                let (harness, program) = (harness.clone(), program.clone());
                std::thread::spawn(move || {
                    for _ in 0..THROUGHPUT_RUNS / callers {
                        run_hello(&harness, &program);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let per_second = (THROUGHPUT_RUNS / callers * callers) as f64 / start.elapsed().as_secs_f64();
        println!("| throughput, {callers} caller(s) on one harness | {per_second:.0} runs/s | |");
    }
}

/// This process's resident set (`VmRSS`), where Linux says it.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Median of single calls, after a warm-up, on one harness and one pre-instantiated program.
fn per_call_median(harness: &Harness, program: &Program) -> Duration {
    let invocation = Invocation::default();
    let mut times = Vec::with_capacity(CALLS);
    for call in 0..WARM_UP_CALLS + CALLS {
        let start = Instant::now();
        let run = harness.run(program, &invocation);
        let elapsed = start.elapsed();
        assert!(
            run.outcome == Outcome::Success && run.stdout == b"Hello, world!\n",
            "{run}"
        );
        if call >= WARM_UP_CALLS {
            times.push(elapsed);
        }
    }
    median(times)
}

/// `hello-host` (this profile's build, compile cache warm) against a native Rust hello built here the same way
/// (the floor for any process that prints a line), on the WASI 0.3 hello against the 0.2 one, and against
/// `wasmtime run` (its default cache warm) on each.
fn runner_start_up() {
    let scratch = std::env::temp_dir().join(format!("hello-host-bench-{}", std::process::id()));
    let cache = scratch.join("cache");
    let (hello, p3) = (test_artifacts::HELLO_RELEASE, test_artifacts::P3_RELEASE);
    let runner = |component: &str, cached: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hello-host"));
        if cached {
            command.arg("--cache-dir").arg(&cache);
        } else {
            command.arg("--no-cache");
        }
        command.arg(component);
        command
    };
    let native = native_hello(&scratch);
    // `wasmtime 49.0.3 (...)`, named in the rows, since the CLI on PATH is not this bench's wasmtime.
    let wasmtime_version = Command::new("wasmtime")
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    let wasmtime = |component: &str| {
        let mut command = Command::new("wasmtime");
        command.args(["run", component]);
        command
    };
    // Warm: the first runs fill both compile caches and the page cache.
    for _ in 0..3 {
        for component in [hello, p3] {
            time_process(runner(component, true));
            if wasmtime_version.is_some() {
                time_process(wasmtime(component));
            }
        }
    }
    // Each pair (ours, theirs) in alternating order, so that neither always runs first.
    let pairs = |ours: &dyn Fn() -> Command, theirs: &dyn Fn() -> Command| -> (Vec<Duration>, Vec<Duration>, f64) {
        let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for pair in 0..PROCESS_PAIRS {
            let (ours, other) = if pair % 2 == 0 {
                let other = time_process(theirs());
                (time_process(ours()), other)
            } else {
                let ours = time_process(ours());
                (ours, time_process(theirs()))
            };
            a.push(ours);
            b.push(other);
            ratios.push(ratio(ours, other));
        }
        ratios.sort_by(f64::total_cmp);
        (a, b, ratios[ratios.len() / 2])
    };
    match &native {
        Ok(native) => {
            let (ours, theirs, ratio) = pairs(&|| runner(hello, true), &|| Command::new(native));
            println!(
                "| runner start-up, hello-host, cache warm | {} | |",
                micros(median(ours))
            );
            println!(
                "| native hello (rustc -C opt-level=3), whole process | {} | |",
                micros(median(theirs))
            );
            println!("| runner start-up, hello-host / native hello (median of pairs) | {ratio:.2}x | at most 2.0x |");
        }
        Err(error) => println!("| runner start-up, hello-host / native hello | skipped: {error} | at most 2.0x |"),
    }
    let (ours, _, ratio) = pairs(&|| runner(p3, true), &|| runner(hello, true));
    println!(
        "| runner start-up, hello-host, WASI 0.3 hello, cache warm | {} | |",
        micros(median(ours))
    );
    println!("| runner start-up, WASI 0.3 / WASI 0.2 hello (median of pairs) | {ratio:.2}x | at most 1.2x |");
    let naive: Vec<_> = (0..PROCESS_PAIRS).map(|_| time_process(runner(hello, false))).collect();
    println!(
        "| runner start-up, hello-host --no-cache (compiles every run) | {} | |",
        micros(median(naive))
    );
    match &wasmtime_version {
        Some(version) => {
            for (name, component) in [("", hello), (", WASI 0.3 hello", p3)] {
                let (_, theirs, ratio) = pairs(&|| runner(component, true), &|| wasmtime(component));
                println!(
                    "| runner start-up, wasmtime run{name} ({version}), cache warm | {} | |",
                    micros(median(theirs))
                );
                println!(
                    "| runner start-up, hello-host / wasmtime run{name} (median of pairs) | {ratio:.2}x | at most 1.0x |"
                );
            }
        }
        None => {
            println!("| runner start-up, hello-host / wasmtime run | skipped: no `wasmtime` on PATH | at most 1.0x |")
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// `println!("Hello, world!")` compiled by the toolchain that builds this bench, with the bench profile's
/// optimisation settings, into `scratch`.
fn native_hello(scratch: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let source = scratch.join("native-hello.rs");
    let binary = scratch.join("native-hello");
    std::fs::create_dir_all(scratch).map_err(|e| format!("failed to create `{}`: {e}", scratch.display()))?;
    std::fs::write(&source, "fn main() {\n    println!(\"Hello, world!\");\n}\n")
        .map_err(|e| format!("failed to write `{}`: {e}", source.display()))?;
    let status = Command::new("rustc")
        .args(["-C", "opt-level=3", "-C", "codegen-units=16", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .map_err(|e| format!("failed to start rustc: {e}"))?;
    if status.success() {
        Ok(binary)
    } else {
        Err(format!("rustc failed on `{}`: {status}", source.display()))
    }
}

fn time_process(mut command: Command) -> Duration {
    let start = Instant::now();
    let output = command.stdin(Stdio::null()).output().expect("the process starts");
    let elapsed = start.elapsed();
    assert!(
        output.status.success() && output.stdout == b"Hello, world!\n",
        "{command:?}: {output:?}"
    );
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}
