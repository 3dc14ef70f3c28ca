//! A small harness that runs `wasi:cli` command components on an embedded wasmtime and captures what they
//! print.
//!
//! ```no_run
//! let output = hello_host::run_file("target/wasm32-wasip2/release/hello.wasm")?;
//! assert_eq!(output.stdout, b"Hello, world!\n");
//! # Ok::<(), wasmtime::Error>(())
//! ```

use std::fmt;
use std::path::Path;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Result, Store};
use wasmtime_wasi::p2::bindings::sync::{Command, CommandPre};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

/// Most bytes kept of each of stdout and stderr; past it, the guest's stream reports `closed`.
pub const CAPTURE_LIMIT: usize = 1 << 20;

/// How a command's `run` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// `run` returned `ok`.
    Success,
    /// `run` returned `err`.
    Failure,
    /// The guest called `wasi:cli/exit` with this code (`exit(ok)` is 0, `exit(err)` is 1).
    Exit(i32),
}

impl ExitStatus {
    /// The status a process would report: 0 for success, else non-zero.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Exit(code) => code,
        }
    }
}

/// What a guest printed, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: ExitStatus,
}

/// Shows everything the guest said, so a failing assertion explains itself.
impl fmt::Display for RunOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "status: {:?}", self.status)?;
        writeln!(f, "stdout: {:?}", String::from_utf8_lossy(&self.stdout))?;
        write!(f, "stderr: {:?}", String::from_utf8_lossy(&self.stderr))
    }
}

/// An engine and a linker with WASI 0.2 in it: create once, load and run many components.
pub struct Harness {
    engine: Engine,
    linker: Linker<GuestState>,
}

impl Harness {
    pub fn new() -> Result<Self> {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Ok(Harness { engine, linker })
    }

    /// Compiles a component from its binary encoding. Text (WAT) is refused: a file must be what it claims.
    pub fn load_bytes(&self, bytes: &[u8]) -> Result<Component> {
        Component::from_binary(&self.engine, bytes)
    }

    /// Reads and compiles a component file.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<Component> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            wasmtime::Error::from(e).context(format!("failed to read `{}`", path.display()))
        })?;
        self.load_bytes(&bytes)
            .map_err(|e| e.context(format!("failed to compile `{}`", path.display())))
    }

    /// Instantiates `component` in a fresh store and calls its `wasi:cli/run`, capturing stdout and stderr.
    ///
    /// An `Err` means the guest could not be instantiated or trapped; a guest that exits is an `Ok`.
    pub fn run(&self, component: &Component) -> Result<RunOutput> {
        let pre = CommandPre::new(self.linker.instantiate_pre(component)?)?;
        let stdout = MemoryOutputPipe::new(CAPTURE_LIMIT);
        let stderr = MemoryOutputPipe::new(CAPTURE_LIMIT);
        let ctx = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        let mut store = Store::new(
            &self.engine,
            GuestState {
                ctx,
                table: ResourceTable::new(),
            },
        );
        let status = run_command(&pre, &mut store)?;
        Ok(RunOutput {
            stdout: stdout.contents().to_vec(),
            stderr: stderr.contents().to_vec(),
            status,
        })
    }
}

/// Reads, compiles and runs a component file in a new [`Harness`].
pub fn run_file(path: impl AsRef<Path>) -> Result<RunOutput> {
    let harness = Harness::new()?;
    harness.run(&harness.load_file(path)?)
}

/// Compiles and runs a component's binary encoding in a new [`Harness`].
pub fn run_bytes(bytes: &[u8]) -> Result<RunOutput> {
    let harness = Harness::new()?;
    harness.run(&harness.load_bytes(bytes)?)
}

fn run_command(pre: &CommandPre<GuestState>, store: &mut Store<GuestState>) -> Result<ExitStatus> {
    let command: Command = pre.instantiate(&mut *store)?;
    match command.wasi_cli_run().call_run(&mut *store) {
        Ok(Ok(())) => Ok(ExitStatus::Success),
        Ok(Err(())) => Ok(ExitStatus::Failure),
        Err(error) => match error.downcast_ref::<I32Exit>() {
            Some(I32Exit(0)) => Ok(ExitStatus::Success),
            Some(I32Exit(code)) => Ok(ExitStatus::Exit(*code)),
            None => Err(error),
        },
    }
}

struct GuestState {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}
