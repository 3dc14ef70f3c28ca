//! `hello-host [OPTIONS] <COMPONENT> [ARGS]...`: runs a `wasi:cli` command component on an embedded wasmtime,
//! within limits.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytesize::ByteSize;
use clap::Parser;
use hello_host::cache::{CacheUse, CompileCache};
use hello_host::{Allocation, Harness, Invocation, Limits, Outcome, Preopen, Run};

const EXIT_STATUS_HELP: &str = "\
Guest arguments:
  Everything after <COMPONENT> goes to the guest untouched, `--help`, `--` and this runner's own option names
  included. The runner's options go before the component.

Exit status (docs/runner.md says more):
  0   run returned ok, or the guest called exit(ok)
  1   run returned err, or the guest called exit(err)
  2   bad command line (a --dir or --dir-rw that is not a directory included)
  3   refused before running: unreadable, not a binary component, no wasi:cli/run export or one of a version it
      does not run, unknown import
  4   the guest trapped: unreachable, stack overflow, out-of-bounds access, a host call that failed
  5   timed out: compiling past --compile-timeout (5 min), or running past --timeout (10 s) after it; --timeout
      given alone bounds both from the start
  6   memory limit (--max-memory)
  7   output limit (--max-output)
  70  the host failed, not the guest: it could not start, every pool slot stayed in use, or it panicked
A WASI 0.3 guest's exit-with-code(N) ends the runner with status N.
When the guest ends itself (0 and 1), the runner prints nothing of its own; otherwise it prints one line.

The compile cache (--cache-dir) is used only when the folder and each entry in it belong to this user and are not
writable by group or others; otherwise the runner says so in one line and compiles without it.

The guest gets none of the host's environment: only its arguments, the --env variables, stdio, the directories
given with --dir (read-only) or --dir-rw, and the network with --inherit-network (without it, every socket
address is refused with WASI's access-denied). Nothing limits how much it writes to a --dir-rw
directory but the timeouts and the host filesystem, and links it makes there may point anywhere (the guest cannot
follow them out; a host program can).

Debugging (--debug): build the guest without --release, so that it keeps its DWARF, and use a hello-host that
is not stripped (`cargo build -p hello-host`: release builds are), then for example
  gdb --args target/debug/hello-host --debug target/wasm32-wasip2/debug/hello.wasm
  (gdb) break $PWD/src/lib.rs:<LINE>
  (gdb) run
and `bt`, `next`, `step`, `info locals` as in any native program (lldb -- hello-host --debug ... works the same).";

/// Runs a wasi:cli command component (WASI 0.2 or 0.3: its `wasi:cli/run`) with safe limits. The guest's stdin, stdout and
/// stderr are this process's own.
#[derive(Parser)]
#[command(
    name = "hello-host",
    version,
    override_usage = "hello-host [OPTIONS] <COMPONENT> [ARGS]...",
    after_help = EXIT_STATUS_HELP
)]
struct Cli {
    /// Wall-clock limit, e.g. 500ms, 2s, 1m. Given without --compile-timeout, it bounds the whole run from the
    /// start: reading, compiling, instantiating and running. Otherwise it starts once the component is compiled
    /// [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,

    /// Wall-clock limit for reading and compiling the component, after which --timeout starts for running it
    /// [default: 5m, unless --timeout is given alone]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    compile_timeout: Option<Duration>,

    /// Limit on the guest's linear memory, all memories together, e.g. 64MiB. Rust guests start at about 1.1 MiB.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    max_memory: u64,

    /// Bytes the guest may write to stdout and stderr together, e.g. 16MiB. Beyond it, its streams are closed.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    max_output: u64,

    /// An environment variable for the guest (repeatable). The host's own environment is not passed.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,

    /// A host directory the guest may read and list, as GUEST_DIR (default: the same path) (repeatable).
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]", value_parser = parse_read_only_dir)]
    dirs: Vec<Preopen>,

    /// Like --dir, but the guest may also create, write, rename and remove there (repeatable).
    #[arg(long = "dir-rw", value_name = "HOST_DIR[::GUEST_DIR]", value_parser = parse_writable_dir)]
    writable_dirs: Vec<Preopen>,

    /// Let the guest use the host's network: TCP and UDP to and from any address, and name lookups (as
    /// `wasmtime run -S inherit-network` does). Without it, a socket's bind or connect fails with access-denied.
    #[arg(long)]
    inherit_network: bool,

    /// Compile the guest for a native debugger (gdb, lldb): with its DWARF and unoptimised, so that breakpoints
    /// in its source are hit. --timeout and --compile-timeout then default to a day, not to 10s and 5m.
    #[arg(long)]
    debug: bool,

    /// Compile every time instead of reusing compiled code from the cache folder.
    #[arg(long)]
    no_cache: bool,

    /// Where compiled components are kept [default: $XDG_CACHE_HOME/hello-host or ~/.cache/hello-host].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// The component file (a binary wasm component), then the guest's arguments. The component's path is the
    /// guest's program name, before its arguments.
    // One positional whose first value is the component: once clap has taken it, `trailing_var_arg` makes every
    // later word a value, `--help`, `--version` and `--` included. (With a separate ARGS positional, clap reads
    // the word right after the component as one of the runner's options, and takes a `--` there for itself.)
    // Before the component, an unknown option is still an error, not a component named `--tiemout`.
    #[arg(
        value_name = "COMPONENT",
        required = true,
        num_args = 1..,
        trailing_var_arg = true
    )]
    component_and_args: Vec<String>,
}

/// `500ms`, `2s`, `1.5s`, `1m`, `1h 30m` (humantime's forms). A bare number is refused: its unit would be a guess.
fn parse_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text.trim()) {
        Ok(duration) if duration.is_zero() => Err(format!("`{text}` must be more than zero")),
        Ok(duration) => Ok(duration),
        Err(error) => Err(format!("`{text}` is not a duration like 500ms, 2s or 1m ({error})")),
    }
}

/// `64MiB`, `512KiB`, `10MB`, `1.5GiB` or a number of bytes (bytesize's forms).
fn parse_size(text: &str) -> Result<u64, String> {
    match text.trim().parse::<ByteSize>() {
        Ok(size) => Ok(size.as_u64()),
        Err(error) => Err(format!("`{text}` is not a size like 64MiB, 10MB or 1000 ({error})")),
    }
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

/// `HOST_DIR[::GUEST_DIR]`, as `wasmtime run --dir` takes it; the host directory must exist.
fn parse_dir(text: &str, writable: bool) -> Result<Preopen, String> {
    let (host, guest) = text.split_once("::").unwrap_or((text, text));
    if host.is_empty() || guest.is_empty() {
        return Err(format!("`{text}` is not HOST_DIR or HOST_DIR::GUEST_DIR"));
    }
    if !Path::new(host).is_dir() {
        return Err(format!("`{host}` is not a directory"));
    }
    Ok(Preopen {
        host: host.into(),
        guest: guest.to_owned(),
        writable,
    })
}

fn parse_read_only_dir(text: &str) -> Result<Preopen, String> {
    parse_dir(text, false)
}

fn parse_writable_dir(text: &str) -> Result<Preopen, String> {
    parse_dir(text, true)
}

/// How long a run may take once its component is compiled, unless `--timeout` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long reading and compiling may take by default: a large real component (a crate's test binary, tens of MB)
/// compiles in seconds, more on a busy machine; a component that Cranelift would take longer on is refused.
const DEFAULT_COMPILE_TIMEOUT: Duration = Duration::from_secs(300);
/// Both limits under `--debug`: the clock runs on while the debugger holds the guest at a breakpoint.
const DEBUG_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The last panic's message and place, which the hook keeps instead of printing.
static PANIC: Mutex<String> = Mutex::new(String::new());

fn main() -> ExitCode {
    // A panic in the host while it runs a guest ends that run as a host failure, which gets one line like every
    // other outcome: the default hook's message and backtrace would add lines to the guest's stderr.
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("a panic without a message");
        let place = info.location().map(|at| format!(" at {at}")).unwrap_or_default();
        *PANIC.lock().unwrap_or_else(PoisonError::into_inner) = format!("{message}{place}");
    }));
    // Anywhere else, a panic is a bug of this runner: still one line, and the host-failure status.
    std::panic::catch_unwind(run_main).unwrap_or_else(|_| {
        let panic = PANIC.lock().unwrap_or_else(PoisonError::into_inner);
        eprintln!("hello-host: the host panicked: {panic}");
        ExitCode::from(70)
    })
}

fn run_main() -> ExitCode {
    let start = Instant::now();
    let cli = Cli::parse();
    let Timeouts {
        timeout,
        compile_timeout,
        one_deadline,
    } = timeouts(cli.timeout, cli.compile_timeout, cli.debug);
    let limits = Limits {
        timeout,
        compile_timeout,
        max_memory: cli.max_memory,
        max_output: cli.max_output,
    };
    // `required = true` and `num_args = 1..`: clap has refused an empty list already.
    let (component, args) = cli
        .component_and_args
        .split_first()
        .expect("clap requires the component");
    // One run: a pool of one slot is set up in a third of the time of the harness's default pool of 16.
    let harness = if cli.debug {
        Harness::debuggable(limits, Allocation::PoolingOneSlot)
    } else {
        Harness::with_allocation(limits, Allocation::PoolingOneSlot)
    };
    let harness = match harness {
        Ok(harness) => harness,
        Err(error) => {
            eprintln!("hello-host: failed to start wasmtime: {error:#}");
            return ExitCode::from(70);
        }
    };
    let invocation = Invocation {
        // The component's path is the program name, as `wasmtime run` passes it.
        args: std::iter::once(component).chain(args).cloned().collect(),
        env: cli.env.clone(),
        dirs: cli.dirs.iter().chain(&cli.writable_dirs).cloned().collect(),
        inherit_stdio: true,
        inherit_network: cli.inherit_network,
        deadline: one_deadline.then_some(start + timeout),
    };
    let run = run(harness, &cli, Path::new(component), &invocation);
    // A guest that ended itself (`exit`, or `run` returning an error) has said what it wanted to say: its status
    // is the answer, as with any program. Only what the runner detected itself gets a line.
    let ended_by_guest = matches!(run.outcome, Outcome::Success | Outcome::RunFailed | Outcome::Exit(_));
    if !ended_by_guest && let Some(line) = run.outcome.describe(component) {
        eprintln!("hello-host: {line}");
    }
    let code = run.outcome.exit_code();
    // Exit now rather than return: a guest that timed out may leave a thread blocked on stdin, which the
    // runtime's destructor would wait for.
    let _ = std::io::stdout().flush();
    std::process::exit(code.into())
}

/// The timeouts that the options give.
#[derive(Debug, PartialEq, Eq)]
struct Timeouts {
    timeout: Duration,
    compile_timeout: Duration,
    /// `--timeout` alone: one deadline from the start for loading and running together.
    one_deadline: bool,
}

/// `--timeout` alone is one deadline from the start, as the option has always meant; otherwise compiling has its
/// budget and running its own after it.
fn timeouts(timeout: Option<Duration>, compile_timeout: Option<Duration>, debug: bool) -> Timeouts {
    let (default_timeout, default_compile_timeout) = if debug {
        (DEBUG_TIMEOUT, DEBUG_TIMEOUT)
    } else {
        (DEFAULT_TIMEOUT, DEFAULT_COMPILE_TIMEOUT)
    };
    match (timeout, compile_timeout) {
        (Some(timeout), None) => Timeouts {
            timeout,
            compile_timeout: timeout,
            one_deadline: true,
        },
        (timeout, compile_timeout) => Timeouts {
            timeout: timeout.unwrap_or(default_timeout),
            compile_timeout: compile_timeout.unwrap_or(default_compile_timeout),
            one_deadline: false,
        },
    }
}

/// Loads (through the cache unless `--no-cache`) and runs, within the timeouts.
fn run(harness: Harness, cli: &Cli, component: &Path, invocation: &Invocation) -> Run {
    let cache = (!cli.no_cache)
        .then(|| cli.cache_dir.clone().or_else(CompileCache::default_dir))
        .flatten();
    let harness = match cache {
        Some(dir) => harness.with_cache(CompileCache::new(dir)),
        None => harness,
    };
    let program = match harness.load(component) {
        Ok(program) => program,
        Err(outcome) => return Run::from(outcome),
    };
    // Someone else could have written the folder or an entry: it was not used, and the user should know.
    if let CacheUse::Bypassed(unsafe_cache) = program.cache_use() {
        eprintln!("hello-host: {unsafe_cache}; compiled without it");
    }
    harness.run(&program, invocation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        for bad in ["2", "", "s", "-1s", "0s", "abcms", "1e400s", "2 parsecs"] {
            let error = parse_duration(bad).expect_err(bad);
            assert!(error.starts_with(&format!("`{bad}` ")), "{error}");
        }
        assert_eq!(
            parse_duration("2").unwrap_err(),
            "`2` is not a duration like 500ms, 2s or 1m (time unit needed, for example 2sec or 2ms)"
        );
    }

    #[test]
    fn timeout_alone_bounds_everything_else_compiling_has_its_own() {
        let (second, minute) = (Duration::from_secs(1), Duration::from_secs(60));
        let given = |timeout, compile_timeout, one_deadline| Timeouts {
            timeout,
            compile_timeout,
            one_deadline,
        };
        assert_eq!(
            timeouts(None, None, false),
            given(DEFAULT_TIMEOUT, DEFAULT_COMPILE_TIMEOUT, false)
        );
        assert_eq!(timeouts(Some(second), None, false), given(second, second, true));
        assert_eq!(
            timeouts(None, Some(minute), false),
            given(DEFAULT_TIMEOUT, minute, false)
        );
        assert_eq!(
            timeouts(Some(second), Some(minute), false),
            given(second, minute, false)
        );
        assert_eq!(timeouts(None, None, true), given(DEBUG_TIMEOUT, DEBUG_TIMEOUT, false));
        assert_eq!(timeouts(Some(second), None, true), given(second, second, true));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("7B"), Ok(7));
        assert_eq!(parse_size("1.5MiB"), Ok(3 << 19));
        for bad in ["", "MiB", "-1MiB", "12XB", "lots"] {
            let error = parse_size(bad).expect_err(bad);
            assert!(
                error.starts_with(&format!("`{bad}` is not a size like 64MiB")),
                "{error}"
            );
        }
    }
}
