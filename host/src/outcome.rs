//! How a run ended, as a type a caller can match on, and in plain words.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use humantime::format_duration;
use wasmtime::{PoolConcurrencyLimitError, Trap};
use wasmtime_wasi::I32Exit;

/// The `wasi:cli/run` versions this host runs, as a refusal names them (`load.rs` decides which those are).
const RUN_VERSIONS: &str = "0.2.x and 0.3.x";

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `run` returned `ok`, or the guest called `wasi:cli/exit` with `ok`.
    Success,
    /// `run` returned `err`.
    RunFailed,
    /// The guest called `wasi:cli/exit` with a non-zero code (`exit(err)` is 1).
    Exit(i32),
    /// The guest trapped. `kind` is wasmtime's trap code when there is one; `message` says it in words.
    Trap {
        /// wasmtime's trap code; `None` when a host call failed rather than wasm itself.
        kind: Option<Trap>,
        /// The trap in plain words.
        message: String,
    },
    /// The run took longer than `limit`: its compile timeout while reading or compiling, else its timeout for
    /// running (or, without a compile timeout, the one timeout from the start); `stage` says what it was doing.
    Timeout {
        /// The timeout.
        limit: Duration,
        /// What was under way when it ran out.
        stage: Stage,
    },
    /// The guest's memories tried to grow past this many bytes.
    MemoryLimit(u64),
    /// The guest tried to write more than this many bytes to stdout and stderr; its streams were closed.
    OutputLimit(u64),
    /// The component was not run.
    Refused(Refusal),
    /// The host, not the guest, could not go on: for example every pool slot was in use.
    HostFailure(HostFailure),
}

/// How far a run had got when its time ran out, as [`Outcome::Timeout`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Still reading the component file.
    Reading,
    /// Still compiling the component (or checking it against this host).
    Compiling,
    /// Instantiating or running it.
    Running,
}

/// A failure on the host's side: the guest did nothing wrong, and the same run may work later or elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostFailure {
    /// The pooling allocator had nothing free: every one of its component instance slots, or of its core
    /// instances, memories, tables or stacks, was in use. wasmtime's words.
    PoolExhausted(String),
    /// The host's runtime failed, for example it could not start a thread; the reason.
    Runtime(String),
    /// The host panicked while it ran the guest (a bug in wasmtime or here, which a guest may have provoked); the
    /// panic's message. The output written before it is kept.
    Panicked(String),
}

impl fmt::Display for HostFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostFailure::PoolExhausted(reason) => write!(f, "every pool slot is in use ({reason})"),
            HostFailure::Runtime(reason) => write!(f, "the host's runtime failed: {reason}"),
            HostFailure::Panicked(message) => write!(f, "the host panicked: {message}"),
        }
    }
}

impl std::error::Error for HostFailure {}

/// Why a component was refused before running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The file could not be read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What kind of I/O error it was (`NotFound`, `PermissionDenied`, ...).
        kind: io::ErrorKind,
        /// The I/O error in the OS's words.
        reason: String,
    },
    /// The bytes are WAT text, not a binary.
    Text,
    /// The bytes are not WebAssembly at all.
    NotWasm,
    /// A core module, not a component.
    CoreModule,
    /// Not a valid component; wasmtime's reason.
    Invalid(String),
    /// A `wasi:cli/run` export of a version this host does not run (a 0.3 release candidate, a 0.4); the export.
    UnsupportedRun(String),
    /// No `wasi:cli/run` export; what it exports instead.
    NoRunExport {
        /// The names of the component's exports.
        exports: Vec<String>,
    },
    /// An import that this host does not provide.
    UnknownImport(String),
    /// Imports this host provides, but not with the types the component expects; wasmtime's reason.
    Incompatible(String),
    /// A directory of [`Invocation::dirs`](crate::Invocation::dirs) that could not be opened; the reason.
    Directory {
        /// The directory on the host.
        host: PathBuf,
        /// Why it could not be opened.
        reason: String,
    },
}

/// What a guest printed (when captured), and how the run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// How the run ended.
    pub outcome: Outcome,
    /// What the guest wrote to stdout; empty when it went to this process's stdout (`inherit_stdio`).
    pub stdout: Vec<u8>,
    /// What the guest wrote to stderr; empty when it went to this process's stderr (`inherit_stdio`).
    pub stderr: Vec<u8>,
}

/// A run that ended before the guest could write anything: a load that failed, or no pool slot.
impl From<Outcome> for Run {
    fn from(outcome: Outcome) -> Run {
        Run {
            outcome,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }
}

/// Shows everything the guest said, so a failing assertion explains itself.
impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "outcome: {:?}", self.outcome)?;
        writeln!(f, "stdout: {:?}", String::from_utf8_lossy(&self.stdout))?;
        write!(f, "stderr: {:?}", String::from_utf8_lossy(&self.stderr))
    }
}

impl Outcome {
    /// The runner's exit status for this outcome; the table is in the README and in `hello-host --help`.
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::RunFailed => 1,
            // WASI 0.2's `exit` gives only 0 and 1; any other code comes from a host with unstable features.
            Outcome::Exit(code) => u8::try_from(*code).unwrap_or(1),
            Outcome::Refused(_) => 3,
            Outcome::Trap { .. } => 4,
            Outcome::Timeout { .. } => 5,
            Outcome::MemoryLimit(_) => 6,
            Outcome::OutputLimit(_) => 7,
            // EX_SOFTWARE of sysexits.h: an internal error, not the guest's doing.
            Outcome::HostFailure(_) => 70,
        }
    }

    /// Decides how a run that was given `timeout` ended; `memory_breached` and `output_breached` are the limits
    /// it went past, if it did. A breached limit wins over what the guest did next (a guest whose stream was
    /// closed at the output limit usually fails or traps right after).
    pub(crate) fn classify(
        result: Result<wasmtime::Result<Result<(), ()>>, tokio::time::error::Elapsed>,
        timeout: Duration,
        memory_breached: Option<u64>,
        output_breached: Option<u64>,
    ) -> Outcome {
        if let Some(limit) = memory_breached {
            return Outcome::MemoryLimit(limit);
        }
        if let Some(limit) = output_breached {
            return Outcome::OutputLimit(limit);
        }
        match result {
            Err(_elapsed) => Outcome::Timeout {
                limit: timeout,
                stage: Stage::Running,
            },
            Ok(Ok(Ok(()))) => Outcome::Success,
            Ok(Ok(Err(()))) => Outcome::RunFailed,
            Ok(Err(error)) => match error.downcast_ref::<I32Exit>() {
                Some(I32Exit(0)) => Outcome::Success,
                Some(I32Exit(code)) => Outcome::Exit(*code),
                // The pool had no instance, memory, table or stack left: the host's limit, not the guest's fault.
                None if error.chain().any(|cause| cause.is::<PoolConcurrencyLimitError>()) => {
                    Outcome::HostFailure(HostFailure::PoolExhausted(error.root_cause().to_string()))
                }
                None => Outcome::Trap {
                    kind: error.downcast_ref::<Trap>().copied(),
                    message: trap_message(&error),
                },
            },
        }
    }

    /// One line in plain words that names the component (`name`, usually its path); `None` for success.
    pub fn describe(&self, name: &str) -> Option<String> {
        Some(match self {
            Outcome::Success => return None,
            Outcome::HostFailure(failure) => format!("could not run `{name}`: {failure}"),
            Outcome::RunFailed => format!("`{name}` failed: run returned an error"),
            Outcome::Exit(code) => format!("`{name}` exited with status {code}"),
            Outcome::Trap { message, .. } => format!("`{name}` trapped: {message}"),
            Outcome::Timeout { limit, stage } => {
                let still = match stage {
                    Stage::Reading => " while still reading it",
                    Stage::Compiling => " while still compiling",
                    Stage::Running => "",
                };
                format!("`{name}` timed out after {}{still}", format_duration(*limit))
            }
            Outcome::MemoryLimit(limit) => format!("`{name}` exceeded the memory limit of {}", format_size(*limit)),
            Outcome::OutputLimit(limit) => format!("`{name}` exceeded the output limit of {}", format_size(*limit)),
            Outcome::Refused(refusal) => refusal.describe(name),
        })
    }
}

/// `64 MiB` when exact in a binary unit, else bytes: a limit as it was most likely written.
fn format_size(bytes: u64) -> String {
    let binary = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match binary
        .iter()
        .find(|(_, scale)| bytes >= *scale && bytes.is_multiple_of(*scale))
    {
        Some((unit, scale)) => format!("{} {unit}", bytes / scale),
        None => format!("{bytes} bytes"),
    }
}

/// The trap in plain words, from the code where wasmtime has one, else from the error itself.
fn trap_message(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => "stack overflow".to_owned(),
        Some(Trap::UnreachableCodeReached) => "reached an `unreachable` instruction".to_owned(),
        Some(Trap::MemoryOutOfBounds) => "out-of-bounds memory access".to_owned(),
        Some(other) => other.to_string().trim_start_matches("wasm trap: ").to_owned(),
        None => error.root_cause().to_string(),
    }
}

impl Refusal {
    /// One line in plain words that names the component.
    pub fn describe(&self, name: &str) -> String {
        self.describe_as(&format!("`{name}`"))
    }

    /// The line, with `name` (a file name in backticks, or words) where the component is named.
    fn describe_as(&self, name: &str) -> String {
        match self {
            Refusal::Unreadable { reason, .. } => format!("cannot read {name}: {reason}"),
            Refusal::Text => format!("{name} is WAT text, not a binary component (convert it with wasm-tools parse)"),
            Refusal::NotWasm => format!("{name} is not a WebAssembly binary"),
            Refusal::CoreModule => format!(
                "{name} is a core module, not a component (build with --target wasm32-wasip2, or wrap it with \
                 wasm-tools component new)"
            ),
            Refusal::Invalid(reason) => format!("{name} is not a valid component: {reason}"),
            Refusal::NoRunExport { exports } if exports.is_empty() => {
                format!("{name} does not export wasi:cli/run (it exports nothing)")
            }
            Refusal::NoRunExport { exports } => {
                format!("{name} does not export wasi:cli/run (exports: {})", exports.join(", "))
            }
            Refusal::UnsupportedRun(export) => {
                format!("{name} exports {export}, which this host does not run (it runs wasi:cli/run {RUN_VERSIONS})")
            }
            Refusal::UnknownImport(import) => {
                format!("{name} imports {import}, which this host does not provide")
            }
            Refusal::Incompatible(reason) => {
                format!("{name} cannot be linked with this host: {reason}")
            }
            Refusal::Directory { host, reason } => {
                format!("cannot open the directory `{}` for {name}: {reason}", host.display())
            }
        }
    }
}

/// The same line as [`Refusal::describe`], naming the file where the refusal knows it, else "the component".
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unreadable { path, .. } => f.write_str(&self.describe(&path.display().to_string())),
            _ => f.write_str(&self.describe_as("the component")),
        }
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_they_were_written() {
        assert_eq!(format_size(64 << 20), "64 MiB");
        assert_eq!(format_size(1000), "1000 bytes");
        assert_eq!(format_size(0), "0 bytes");
        let timeout = |millis, stage| {
            let limit = Duration::from_millis(millis);
            Outcome::Timeout { limit, stage }.describe("x.wasm").unwrap()
        };
        assert_eq!(timeout(500, Stage::Running), "`x.wasm` timed out after 500ms");
        assert_eq!(timeout(2000, Stage::Running), "`x.wasm` timed out after 2s");
        assert_eq!(timeout(1500, Stage::Running), "`x.wasm` timed out after 1s 500ms");
        assert_eq!(
            timeout(1000, Stage::Compiling),
            "`x.wasm` timed out after 1s while still compiling"
        );
        assert_eq!(
            timeout(1000, Stage::Reading),
            "`x.wasm` timed out after 1s while still reading it"
        );
    }
}
