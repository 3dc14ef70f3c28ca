//! A harness that runs `wasi:cli` command components, WASI 0.2 or 0.3, on an embedded wasmtime, within limits,
//! and says how each run ended.
//!
//! ```no_run
//! use hello_host::{Harness, Invocation, Limits, Outcome};
//!
//! let harness = Harness::new(Limits::default())?;
//! let program = harness.load("target/wasm32-wasip2/release/hello.wasm").map_err(|outcome| format!("{outcome:?}"))?;
//! let run = harness.run(&program, &Invocation::default());
//! match run.outcome {
//!     Outcome::Success => assert_eq!(run.stdout, b"Hello, world!\n"),
//!     Outcome::Trap { kind, message } => eprintln!("trapped ({kind:?}): {message}"),
//!     other => eprintln!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Two jobs, one entry point each. [`Harness::load`] reads (from a file or bytes, any [`Source`]), checks and
//! compiles a component within [`Limits::compile_timeout`], through a [`cache::CompileCache`] if the harness has
//! one ([`Harness::with_cache`]), into a [`Program`]: pre-instantiated, its WASI version ([`Wasi`]) read from its
//! `wasi:cli/run` export. [`Harness::run`] runs a program in a fresh store within [`Limits::timeout`] and the
//! other limits, and says how it ended in a [`Run`]: an [`Outcome`] and what the guest wrote to stdout and
//! stderr (captured unless [`Invocation::inherit_stdio`]), kept whatever happened (a trap, a limit, an exit). A
//! load that fails is an `Outcome` too (refused, timed out, or the host failing), and `Run::from` it is a run
//! that printed nothing.
//!
//! Outcomes and refusals implement `Display` (the one line the runner prints) and `std::error::Error`. The
//! runner's command line, exit statuses and cache rule are in `docs/runner.md`.

#![warn(missing_docs)]

pub mod cache;
mod guest;
mod limiter;
mod load;
mod outcome;
mod output;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig, Store};
use wasmtime_wasi::{FsPerms, WasiCtx};

use cache::CompileCache;
use guest::GuestState;
use limiter::MemoryLimiter;
use load::{CommandPre, Loader};
pub use load::{Program, Source, Wasi};
pub use outcome::{HostFailure, Outcome, Refusal, Run, Stage};
use output::{OutputBudget, OutputSink};
/// wasmtime's trap codes, as [`Outcome::Trap`] carries them.
pub use wasmtime::Trap;

/// The limits of one run. The defaults suit small command-line components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time to instantiate and run, host calls and time spent waiting on futures included, from when
    /// [`Harness::run`] has its pool slot.
    pub timeout: Duration,
    /// Wall-clock time for [`Harness::load`] to read, check and compile: large real components take seconds to
    /// compile, and a component that Cranelift would take minutes on is stopped.
    pub compile_timeout: Duration,
    /// Bytes of linear memory, all memories of the component together. Rust guests start at about 1.1 MiB.
    pub max_memory: u64,
    /// Bytes the guest may write to stdout and stderr together; past it, its streams are closed.
    pub max_output: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(10),
            compile_timeout: Duration::from_secs(300),
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
    /// The latest this run may end, before its [`Limits::timeout`] if that comes first: the runner's `--timeout`
    /// given alone is one deadline for loading and running together.
    pub deadline: Option<Instant>,
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
    cache: Option<CompileCache>,
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
            cache: None,
            runtime,
            slots: allocation.slots().map(Slots::new),
        })
    }

    /// The same harness, taking compiled components from `cache` and storing them there (the runner does).
    pub fn with_cache(self, cache: CompileCache) -> Self {
        Harness {
            cache: Some(cache),
            ..self
        }
    }

    /// Reads (for a file), checks and compiles a component, through the compile cache if the harness has one,
    /// within [`Limits::compile_timeout`]. The [`Program`] is pre-instantiated, ready for any number of runs,
    /// and says how the cache was used.
    ///
    /// It is refused ([`Outcome::Refused`]) if it is text, a core module, no component, exports no `wasi:cli/run`
    /// of a version this host runs, or imports anything unknown; past the timeout it is an [`Outcome::Timeout`]
    /// with the [`Stage`] it was in. Compiling cannot be interrupted, so it runs on a thread of its own: at the
    /// deadline this stops waiting and returns, and that thread finishes compiling in the background (using a
    /// core and memory until it is done) and its result is dropped. A process that should not wait for it can
    /// exit, as the runner does.
    pub fn load(&self, source: impl Into<Source>) -> Result<Program, Outcome> {
        let limit = self.limits.compile_timeout;
        self.loader
            .load_until(source.into(), self.cache.as_ref(), Instant::now() + limit, limit)
    }

    /// Instantiates `program` in a fresh store and calls its `wasi:cli/run`, within this harness's limits: from
    /// when the run has its pool slot, [`Limits::timeout`] (or the invocation's deadline, if that comes first).
    ///
    /// With the pooling allocator, a run that finds all [`POOL_SLOTS`] in use waits for one, for at most the
    /// timeout; then it ends as [`HostFailure::PoolExhausted`].
    pub fn run(&self, program: &Program, invocation: &Invocation) -> Run {
        let bounded = |deadline: Instant| invocation.deadline.map_or(deadline, |latest| latest.min(deadline));
        let slot = match self.take_slot(bounded(Instant::now() + self.limits.timeout)) {
            Ok(slot) => slot,
            Err(failure) => return Run::from(failure),
        };
        self.run_in_slot(program, invocation, slot, bounded(Instant::now() + self.limits.timeout))
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
                return Run::from(Outcome::Refused(Refusal::Directory {
                    host: dir.host.clone(),
                    reason: format!("{error:#}"),
                }));
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
