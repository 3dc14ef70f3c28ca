//! `hello-host [OPTIONS] <COMPONENT> [ARGS]...`: runs a `wasi:cli` command component on an embedded wasmtime,
//! within limits.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hello_host::cache::CompileCache;
use hello_host::units::{parse_duration, parse_size};
use hello_host::{Harness, Invocation, Limits, Run};

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0   run returned ok, or the guest called exit(ok)
  1   run returned err, or the guest called exit(err)
  2   bad command line
  3   the component was refused before running (unreadable, not a component, no wasi:cli/run, unknown import)
  4   the guest trapped (unreachable, stack overflow, out-of-bounds access, ...)
  5   the guest ran past --timeout
  6   the guest's memory grew past --max-memory
  7   the guest wrote more than --max-output
  70  the host itself could not start

The guest gets no filesystem, network or host environment: only its arguments, the --env variables and stdio.";

/// Runs a wasi:cli command component (its `wasi:cli/run`) with safe limits. The guest's stdin, stdout and
/// stderr are this process's own.
#[derive(Parser)]
#[command(name = "hello-host", version, after_help = EXIT_STATUS_HELP)]
struct Cli {
    /// Wall-clock limit for the whole run, e.g. 500ms, 2s, 1m.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,

    /// Limit on the guest's linear memory, all memories together, e.g. 64MiB. Rust guests start at about 1.1 MiB.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    max_memory: u64,

    /// Bytes the guest may write to stdout and stderr together, e.g. 16MiB. Beyond it, its streams are closed.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    max_output: u64,

    /// An environment variable for the guest (repeatable). The host's own environment is not passed.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,

    /// Compile every time instead of reusing compiled code from the cache folder.
    #[arg(long)]
    no_cache: bool,

    /// Where compiled components are kept [default: $XDG_CACHE_HOME/hello-host or ~/.cache/hello-host].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// The component file (a binary wasm component).
    component: PathBuf,

    /// Arguments for the guest; the component's path is passed before them as the program name.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let limits = Limits {
        timeout: cli.timeout,
        max_memory: cli.max_memory,
        max_output: cli.max_output,
    };
    let name = cli.component.display().to_string();
    let harness = match Harness::new(limits) {
        Ok(harness) => harness,
        Err(error) => {
            eprintln!("hello-host: failed to start wasmtime: {error:#}");
            return ExitCode::from(70);
        }
    };
    let run = run(&harness, &cli, &name);
    if let Some(line) = run.outcome.describe(&name) {
        eprintln!("hello-host: {line}");
    }
    let code = run.outcome.exit_code();
    // Exit now rather than return: a guest that timed out may leave a thread blocked on stdin, which the
    // runtime's destructor would wait for.
    let _ = std::io::stdout().flush();
    std::process::exit(code.into())
}

fn run(harness: &Harness, cli: &Cli, name: &str) -> Run {
    let bytes = match hello_host::read_component(&cli.component) {
        Ok(bytes) => bytes,
        Err(refusal) => return Run::refused(refusal),
    };
    let cache = (!cli.no_cache)
        .then(|| cli.cache_dir.clone().or_else(CompileCache::default_dir))
        .flatten();
    let program = match cache {
        Some(dir) => CompileCache::new(dir).load(harness, &bytes).map(|(program, _)| program),
        None => harness.load_bytes(&bytes),
    };
    let invocation = Invocation {
        args: std::iter::once(name.to_owned())
            .chain(cli.args.iter().cloned())
            .collect(),
        env: cli.env.clone(),
        inherit_stdio: true,
    };
    match program {
        Ok(program) => harness.run(&program, &invocation),
        Err(refusal) => Run::refused(refusal),
    }
}
