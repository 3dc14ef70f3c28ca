//! A harness that runs `wasi:cli` command components on an embedded wasmtime, within limits, and says how each
//! run ended.
//!
//! ```no_run
//! use hello_host::{Harness, Invocation, Limits, Outcome};
//!
//! let harness = Harness::new(Limits::default())?;
//! let run = harness.run_file("target/wasm32-wasip2/release/hello.wasm", &Invocation::default());
//! assert_eq!(run.outcome, Outcome::Success, "{run}");
//! assert_eq!(run.stdout, b"Hello, world!\n");
//! # Ok::<(), wasmtime::Error>(())
//! ```
//!
//! Every run gets a fresh store, its own limits and, by default, captured stdout and stderr. Whatever happens (a
//! trap, a limit, an exit), the output written before it is kept.
//!
//! The public API is what the runner (`src/main.rs`), the tests, the benchmark, the fuzz targets and a user of the
//! library need; everything else is private to the crate.
//!
//! # How a run ends
//!
//! One [`Harness`] (an engine and a linker with WASI 0.2) loads and runs any number of components, each in a fresh
//! store with the same [`Limits`], and says how each run ended in a [`Run`]:
//!
//! ```no_run
//! use hello_host::{Harness, Invocation, Limits, Outcome};
//!
//! let harness = Harness::new(Limits::default())?;
//! let run = harness.run_file("target/wasm32-wasip2/release/hello.wasm", &Invocation::default());
//! match run.outcome {
//!     Outcome::Success => assert_eq!(run.stdout, b"Hello, world!\n"),
//!     Outcome::Trap { kind, message } => eprintln!("trapped ({kind:?}): {message}"),
//!     other => eprintln!("{other:?}"),
//! }
//! # Ok::<(), wasmtime::Error>(())
//! ```
//!
//! [`Outcome`] is one of `Success`, `RunFailed`, `Exit(code)`, `Trap { kind, message }`, `Timeout`,
//! `MemoryLimit`, `OutputLimit`, `Refused(Refusal)` or `HostFailure(HostFailure)`; `Timeout { limit, stage }` says
//! whether it was still reading, compiling or running ([`Stage`]). A [`Refusal`] says why a component was not run;
//! an unreadable file keeps its path and `io::ErrorKind` (`Refusal::Unreadable { path, kind, reason }`). A
//! [`HostFailure`] is the host's side failing, never the guest's doing: `PoolExhausted` when every slot of the pool
//! stayed in use (a run past [`POOL_SLOTS`] concurrent ones waits for a slot, for at most the timeout) and
//! `Runtime`. Both implement `Display` (the same one line the runner prints, with "the component" for the file's
//! name where it is not known) and `std::error::Error`, so `?` takes them into `Box<dyn Error>` or `anyhow`;
//! `describe(name)` names the file.
//!
//! Stdout and stderr are captured in every case (`Invocation { inherit_stdio: true, .. }` streams them instead, as
//! the runner does). [`Invocation`] also carries the guest's arguments (`args`, program name first), its
//! environment (`env`) and its directories (`dirs`, each a [`Preopen`] `{ host, guest, writable }`, as the runner's
//! `--dir` and `--dir-rw` make them); a directory that cannot be opened is a `Refusal::Directory`.
//!
//! # Deadlines
//!
//! [`Harness::run_file`] and [`Harness::run_bytes`] (and [`Harness::run_file_cached`], the same through a compile
//! cache, which the runner uses) keep `Limits::timeout` from the call to the end, compiling included, as the
//! runner does with `--timeout` alone; with `Limits::compile_timeout` set (the runner's default, 5 minutes),
//! loading has that budget and `timeout` starts when the component is ready. They compile on a thread of their own
//! and stop waiting at the deadline. Cranelift cannot be interrupted, so that thread then finishes in the
//! background, its result dropped (a process can exit, as the runner does). [`Harness::load_file`] and
//! [`Harness::load_bytes`] are not bounded: they return when compiling is done, however long, and suit components
//! you trust; [`Harness::run`] bounds instantiation and `run`, from when the run gets a pool slot.
//!
//! # The public API
//!
//! [`Harness`] (`new`, `with_allocation`, `load_file`, `load_bytes`, `run`, `run_file`, `run_bytes`,
//! `run_file_cached`), [`Program`], [`Limits`], [`Allocation`] and [`POOL_SLOTS`], [`Invocation`], [`Preopen`],
//! [`Run`], [`Outcome`] (`describe`, `exit_code`), [`Refusal`] (`describe`), [`HostFailure`], [`Stage`], [`Trap`],
//! [`read_component`], the one-off [`run_file`] and [`run_bytes`] (each builds a whole harness; make one `Harness`
//! for many runs), and [`cache`]'s `CompileCache`, `CacheUse` and `UnsafeCache`, the runner's compile cache
//! (`CacheUse::Bypassed(UnsafeCache)` when it was not used, because the folder or an entry is not the user's own
//! or is writable by others; `UnsafeCache` is an error too). The runner's command line, exit statuses and cache
//! rule are in `docs/runner.md`.

#![warn(missing_docs)]

pub mod cache;
mod guest;
mod limiter;
mod load;
mod outcome;
mod output;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig, Store};
use wasmtime_wasi::{FsPerms, WasiCtx};

use cache::{CacheUse, CompileCache};
use guest::GuestState;
use limiter::MemoryLimiter;
use load::{CommandPre, Loader, Source};
pub use load::{Program, Wasi, read_component};
pub use outcome::{HostFailure, Outcome, Refusal, Run, Stage};
use output::{OutputBudget, OutputSink};
/// wasmtime's trap codes, as [`Outcome::Trap`] carries them.
pub use wasmtime::Trap;

/// The limits of one run. The defaults suit small command-line components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time for a whole run, host calls included: from the call of [`Harness::run_file`] or
    /// [`Harness::run_bytes`], reading and compiling too; for [`Harness::run`], instantiation and `run`. With a
    /// [`Limits::compile_timeout`], it starts when the component is ready to run instead.
    pub timeout: Duration,
    /// A budget of its own for reading and compiling, in [`Harness::run_file`] and [`Harness::run_bytes`]:
    /// large real components take seconds to compile, which should not eat the run's time. `None` (the default):
    /// [`Limits::timeout`] bounds everything from the start.
    pub compile_timeout: Option<Duration>,
    /// Bytes of linear memory, all memories of the component together. Rust guests start at about 1.1 MiB.
    pub max_memory: u64,
    /// Bytes the guest may write to stdout and stderr together; past it, its streams are closed.
    pub max_output: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(10),
            compile_timeout: None,
            max_memory: 64 << 20,
            max_output: 16 << 20,
        }
    }
}

/// What a guest gets besides its limits: arguments, environment, directories, and where its stdio goes.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    /// The guest's arguments, program name first (the runner passes the component's path).
    pub args: Vec<String>,
    /// The guest's environment variables. Nothing is inherited from the host.
    pub env: Vec<(String, String)>,
    /// Host directories the guest may use; without any, it has no filesystem at all.
    pub dirs: Vec<Preopen>,
    /// Connect the guest to this process's stdin, stdout and stderr instead of capturing (the runner does).
    pub inherit_stdio: bool,
    /// Let the guest use the host's network: TCP and UDP to and from any address, and name lookups. Without it,
    /// every socket address is refused (WASI's `access-denied`), as are name lookups.
    pub inherit_network: bool,
}

/// A host directory that a guest may use (a WASI preopen), and what it may do there.
///
/// The guest cannot leave it: `..` past its top, absolute paths and symbolic links that point outside are all
/// refused by wasmtime-wasi. Writes to it are not counted against [`Limits::max_output`]: only the timeout and
/// the host filesystem bound them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The directory on the host.
    pub host: PathBuf,
    /// The name the guest sees it by, e.g. `/data` or `.`.
    pub guest: String,
    /// `false`: read files and list directories only. `true`: also create, write, rename and remove.
    pub writable: bool,
}

/// How a harness gets memory, stacks and instance slots for its stores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Allocation {
    /// Slots reserved once and reused, memories initialised copy-on-write: several times cheaper per run.
    /// At most [`POOL_SLOTS`] stores at once, and at most one memory per core module.
    #[default]
    Pooling,
    /// The pool for a process that runs one component (the runner does): one store at a time, with the same
    /// room for that store as [`Allocation::Pooling`] gives one run alone. A third of a millisecond cheaper to
    /// set up, which is much of the cost of a process that runs hello once.
    PoolingOneSlot,
    /// Everything mapped for each store and unmapped after it: no limit on concurrent stores.
    OnDemand,
}

impl Allocation {
    /// How many stores can be alive at once; `None`: no limit.
    fn slots(self) -> Option<u32> {
        match self {
            Allocation::Pooling => Some(POOL_SLOTS),
            Allocation::PoolingOneSlot => Some(1),
            Allocation::OnDemand => None,
        }
    }
}

/// How many component instances a pooling harness can have alive at once: one per concurrent run.
pub const POOL_SLOTS: u32 = 16;

/// How often the epoch advances: running wasm yields to the timeout check at least this often.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// An engine and a linker with WASI 0.2 in it: create once, then load and run many components.
pub struct Harness {
    loader: Loader,
    limits: Limits,
    runtime: tokio::runtime::Runtime,
    /// With the pooling allocator: the free component-instance slots, which a run waits for.
    slots: Option<Slots>,
}

impl Harness {
    /// A harness with the pooling allocator, the fast choice for running one component after another.
    pub fn new(limits: Limits) -> wasmtime::Result<Self> {
        Self::with_allocation(limits, Allocation::default())
    }

    /// A harness with the given allocation strategy (the benchmark compares them).
    pub fn with_allocation(limits: Limits, allocation: Allocation) -> wasmtime::Result<Self> {
        Self::build(limits, allocation, Config::new())
    }

    /// A harness for a native debugger (gdb, lldb): guests are compiled with DWARF that maps their code to
    /// their source, as far as the component carries it, and without Cranelift's optimisations, so that
    /// breakpoints, stepping and locals follow the source. Compiling and running are slower. A compile cache
    /// keeps these apart from optimised entries: an entry's name includes the engine's settings.
    pub fn debuggable(limits: Limits, allocation: Allocation) -> wasmtime::Result<Self> {
        let mut config = Config::new();
        config.debug_info(true).cranelift_opt_level(OptLevel::None);
        Self::build(limits, allocation, config)
    }

    fn build(limits: Limits, allocation: Allocation, mut config: Config) -> wasmtime::Result<Self> {
        // Lets a run be interrupted: wasm checks the epoch at loop heads and function entries.
        config.epoch_interruption(true);
        // No 64-bit memories or tables, whatever the default: a `wasi:cli` command does not need them,
        // and the wasmtime this harness was first fuzzed on did not check that a 64-bit table one core instance
        // exports is imported as one by another (a debug build panicked there, a release build let it through).
        config.wasm_memory64(false);
        // No GC proposal either (wasmtime is built without its `gc` feature, but the validator would still take
        // GC's function subtypes): on wasmtime 50.0.1 a call through one aborts the process (GHSA-rc4p-x33f-vpr2,
        // fixed in 50.0.2). Off, such a component is refused before it runs.
        config.wasm_gc(false);
        // WASI 0.3 commands: `async` functions, streams and futures. On by default with wasmtime's feature, said
        // here because a 0.2 harness would not need it.
        config.wasm_component_model_async(true);
        if let Some(slots) = allocation.slots() {
            let mut pool = PoolingAllocationConfig::default();
            // A component has a few core instances (its module, shims, adapters), each with at most one memory.
            // These totals are what one run alone may use, whatever the number of slots.
            pool.total_component_instances(slots)
                .total_core_instances(POOL_SLOTS * 8)
                .total_memories(POOL_SLOTS * 2)
                .total_tables(POOL_SLOTS * 4)
                // One stack per store: a run's calls into the guest are made one after another.
                .total_stacks(slots);
            // The pool's own per-memory maximum stays at its default: the limiter enforces `max_memory`, over
            // all memories together, and so reports a breach as a memory limit rather than a refusal.
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        // Both: a WASI 0.3 command built by Rust's std for wasm32-wasip2 imports 0.2 interfaces too. The names do
        // not collide (`@0.2.x` and `@0.3.x`).
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        // The timeout is a timer on this runtime; one thread drives it (and WASI's host I/O) for every run.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        spawn_epoch_ticker(&engine);
        Ok(Harness {
            loader: Loader {
                engine,
                linker: Arc::new(linker),
            },
            limits,
            runtime,
            slots: allocation.slots().map(Slots::new),
        })
    }

    /// Reads a component file and compiles it; see [`Harness::load_bytes`].
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<Program, Refusal> {
        self.load_bytes(&read_component(path)?)
    }

    /// Compiles a binary component and checks that this host can run it: it exports `wasi:cli/run` and imports
    /// nothing unknown. Text and core modules are refused with a reason before wasmtime parses them. The
    /// [`Program`] is pre-instantiated, ready for any number of runs.
    ///
    /// This blocks until Cranelift is done, however long that takes, and the timeout does not apply: for a
    /// component you do not trust, use [`Harness::run_file`] or [`Harness::run_bytes`], which bound the whole
    /// run, compiling included.
    pub fn load_bytes(&self, bytes: &[u8]) -> Result<Program, Refusal> {
        self.loader.prepare(self.loader.compile(bytes)?)
    }

    /// Reads, checks, compiles and runs a component file, all within the timeout: past it, the run ends as
    /// [`Outcome::Timeout`] with the [`Stage`] it was in. A refusal is an [`Outcome::Refused`].
    ///
    /// Compiling cannot be interrupted, so it runs on a thread of its own; at the deadline this stops waiting
    /// and returns, and that thread finishes compiling in the background (using a core and memory until it is
    /// done) and its result is dropped. A process that should not wait for it can exit, as the runner does.
    pub fn run_file(&self, path: impl AsRef<Path>, invocation: &Invocation) -> Run {
        self.run_source(Source::File(path.as_ref().to_owned()), invocation, None)
            .0
    }

    /// Checks, compiles and runs a component's bytes, all within the timeout; like [`Harness::run_file`].
    pub fn run_bytes(&self, bytes: &[u8], invocation: &Invocation) -> Run {
        self.run_source(Source::Bytes(bytes.to_vec()), invocation, None).0
    }

    /// Like [`Harness::run_file`], taking the compiled component from `cache`, or compiling it and storing it
    /// there; also says how the cache was used. The runner runs every component this way.
    pub fn run_file_cached(
        &self,
        path: impl AsRef<Path>,
        invocation: &Invocation,
        cache: &CompileCache,
    ) -> (Run, CacheUse) {
        self.run_source(Source::File(path.as_ref().to_owned()), invocation, Some(cache))
    }

    /// One deadline from the start (loading, waiting for a pool slot, instantiating and running), or with a
    /// compile timeout, one for loading and then one for the rest.
    fn run_source(&self, source: Source, invocation: &Invocation, cache: Option<&CompileCache>) -> (Run, CacheUse) {
        let start = Instant::now();
        let load_limit = self.limits.compile_timeout.unwrap_or(self.limits.timeout);
        let (program, cache_use) = match self.loader.load_until(source, cache, start + load_limit, load_limit) {
            (Ok(program), cache_use) => (program, cache_use),
            (Err(outcome), cache_use) => return (Run::without_output(outcome), cache_use),
        };
        let deadline = match self.limits.compile_timeout {
            Some(_) => Instant::now() + self.limits.timeout,
            None => start + self.limits.timeout,
        };
        let run = match self.take_slot(deadline) {
            Ok(slot) => self.run_in_slot(&program, invocation, slot, deadline),
            Err(outcome) => Run::without_output(outcome),
        };
        (run, cache_use)
    }

    /// Instantiates `program` in a fresh store and calls its `wasi:cli/run`, within this harness's limits.
    ///
    /// With the pooling allocator, a run that finds all [`POOL_SLOTS`] in use waits for one, for at most the
    /// timeout; then it ends as [`HostFailure::PoolExhausted`]. The timeout starts when the run has its slot.
    pub fn run(&self, program: &Program, invocation: &Invocation) -> Run {
        let slot = match self.take_slot(Instant::now() + self.limits.timeout) {
            Ok(slot) => slot,
            Err(failure) => return Run::without_output(failure),
        };
        self.run_in_slot(program, invocation, slot, Instant::now() + self.limits.timeout)
    }

    /// Waits until `deadline` for a free slot of the pool (at once without a pool).
    fn take_slot(&self, deadline: Instant) -> Result<Option<Slot<'_>>, Outcome> {
        let Some(slots) = &self.slots else {
            return Ok(None);
        };
        match slots.take(deadline) {
            Some(slot) => Ok(Some(slot)),
            None => Err(Outcome::HostFailure(HostFailure::PoolExhausted(format!(
                "all {} component instance slots stayed in use until the timeout",
                slots.count
            )))),
        }
    }

    /// Runs `program` until `deadline`, in a pool slot that it gives back when its store is gone.
    fn run_in_slot(
        &self,
        program: &Program,
        invocation: &Invocation,
        slot: Option<Slot<'_>>,
        deadline: Instant,
    ) -> Run {
        // Declared first, so dropped last: the slot is free again only once the store has been dropped.
        let _slot = slot;
        let budget = Arc::new(OutputBudget::new(self.limits.max_output));
        let (stdout, stderr) = if invocation.inherit_stdio {
            (OutputSink::Stdout, OutputSink::Stderr)
        } else {
            (OutputSink::captured(), OutputSink::captured())
        };
        let mut builder = WasiCtx::builder();
        builder
            .args(&invocation.args)
            .stdout(stdout.stream(&budget))
            .stderr(stderr.stream(&budget));
        for (key, value) in &invocation.env {
            builder.env(key, value);
        }
        if invocation.inherit_stdio {
            builder.inherit_stdin();
        }
        if invocation.inherit_network {
            builder
                .inherit_network()
                .allow_ip_name_lookup(true)
                .allow_tcp(true)
                .allow_udp(true);
        }
        for dir in &invocation.dirs {
            let perms = if dir.writable {
                FsPerms::ReadWrite
            } else {
                FsPerms::ReadOnly
            };
            if let Err(error) = builder.preopened_dir(&dir.host, &dir.guest, perms) {
                return Run::refused(Refusal::Directory {
                    host: dir.host.clone(),
                    reason: format!("{error:#}"),
                });
            }
        }
        let state = GuestState {
            ctx: builder.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(self.limits.max_memory),
        };
        // A panic in wasmtime or wasmtime-wasi (which a hostile guest may provoke) ends this run as a host failure,
        // not the process: what the guest wrote before it is in the sinks, and is kept.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.run_store(program, state, deadline, &budget)))
            .unwrap_or_else(|panic| Outcome::HostFailure(HostFailure::Panicked(panic_message(&*panic))));
        Run {
            outcome,
            stdout: stdout.captured_bytes(),
            stderr: stderr.captured_bytes(),
        }
    }

    /// Instantiates and runs in a store of its own until `deadline`, and says how it ended.
    fn run_store(&self, program: &Program, state: GuestState, deadline: Instant, budget: &OutputBudget) -> Outcome {
        let mut store = Store::new(&self.loader.engine, state);
        store.limiter(|state| &mut state.limiter);
        // Running wasm yields at every epoch tick, so that the timeout below can fire even in a tight loop.
        store.epoch_deadline_async_yield_and_update(1);

        let guest = async {
            match &program.pre {
                CommandPre::P2(pre) => {
                    let command = pre.instantiate_async(&mut store).await?;
                    command.wasi_cli_run().call_run(&mut store).await
                }
                CommandPre::P3(pre) => {
                    let command = pre.instantiate_async(&mut store).await?;
                    // An async `run` is called inside the store's event loop, which also drives its streams and
                    // futures; the loop ends when `run` returns, or with a trap when nothing can make progress.
                    store
                        .run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await)
                        .await?
                }
            }
        };
        // The timer is made inside the runtime: tokio's timers need its context. It bounds time spent waiting
        // on the host (a sleep, a future that never resolves) as well as running wasm.
        let deadline = tokio::time::Instant::from_std(deadline);
        let result = self
            .runtime
            .block_on(async { tokio::time::timeout_at(deadline, guest).await });
        let limiter = &store.data().limiter;
        Outcome::classify(
            result,
            self.limits.timeout,
            limiter.exceeded().then_some(self.limits.max_memory),
            budget.exceeded().then_some(self.limits.max_output),
        )
    }
}

/// What a panic said: its message when it has one (`panic!` with a string or a format).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

impl CompileCache {
    /// Like [`Harness::load_bytes`], through the cache. A folder that cannot be created or written means
    /// compiling every time; an unsafe one is [`CacheUse::Bypassed`]. Not bounded by the timeout;
    /// [`Harness::run_file_cached`] is.
    pub fn load(&self, harness: &Harness, bytes: &[u8]) -> Result<(Program, CacheUse), Refusal> {
        harness.loader.load_cached_now(self, bytes)
    }
}

/// A counting semaphore over the pool's component-instance slots, so that a run past the last free one waits
/// instead of failing in wasmtime.
struct Slots {
    count: u32,
    free: Mutex<u32>,
    freed: Condvar,
}

impl Slots {
    fn new(count: u32) -> Self {
        Slots {
            count,
            free: Mutex::new(count),
            freed: Condvar::new(),
        }
    }

    /// A free slot, waiting for one until `deadline`; `None` if none was freed by then.
    fn take(&self, deadline: Instant) -> Option<Slot<'_>> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            free = self
                .freed
                .wait_timeout(free, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *free -= 1;
        Some(Slot(self))
    }
}

/// One slot of [`Slots`], given back when dropped.
struct Slot<'a>(&'a Slots);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] for as long as the engine lives.
fn spawn_epoch_ticker(engine: &Engine) {
    let engine = engine.weak();
    std::thread::spawn(move || {
        while let Some(engine) = engine.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(EPOCH_TICK);
        }
    });
}

/// Reads, compiles and runs a component file with default limits and captured output. Each call builds a whole
/// [`Harness`] (engine, runtime, pool): for more than one run, make a harness once and use [`Harness::run_file`].
pub fn run_file(path: impl AsRef<Path>) -> wasmtime::Result<Run> {
    Ok(Harness::new(Limits::default())?.run_file(path, &Invocation::default()))
}

/// Compiles and runs a component's bytes with default limits and captured output; like [`run_file`], one
/// [`Harness`] per call.
pub fn run_bytes(bytes: &[u8]) -> wasmtime::Result<Run> {
    Ok(Harness::new(Limits::default())?.run_bytes(bytes, &Invocation::default()))
}
