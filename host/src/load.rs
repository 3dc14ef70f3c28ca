//! Loading a component (reading it, then compiling it or taking it from the compile cache) within a deadline.
//!
//! Compiling is blocking Cranelift work that cannot be interrupted, so a bounded load runs on a thread of its
//! own and the caller stops waiting at the deadline. The thread is then abandoned: it finishes compiling in the
//! background and its result is dropped, and it stores nothing in the cache from that moment (the runner exits
//! instead, which ends it).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmtime::Engine;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::p2::bindings::CommandPre;

use crate::cache::{CacheUse, CompileCache, Entry, UnsafeCache};
use crate::{GuestState, Harness, HostFailure, Outcome, Program, Refusal, read_component};

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

/// What a load starts from.
pub(crate) enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// The engine and the linker: all that compiling and checking a component needs, cheap to clone into a thread.
#[derive(Clone)]
pub(crate) struct Loader {
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<GuestState>>,
}

/// What a loading thread shares with the caller waiting for it.
#[derive(Default)]
struct Job {
    compiling: AtomicBool,
    /// Set, under its lock, when the caller stops waiting. A cache store holds the lock while it writes, so once
    /// the caller has set it, nothing more is written: no entry is left half-written by a process that exits.
    abandoned: Mutex<bool>,
    /// Set as soon as the load finds the cache unsafe, so that the caller can say so even if it gives up.
    bypassed: Mutex<Option<UnsafeCache>>,
}

impl Job {
    fn bypassed(&self, unsafe_cache: &UnsafeCache) {
        *self.bypassed.lock().unwrap_or_else(PoisonError::into_inner) = Some(unsafe_cache.clone());
    }

    /// How the cache was used, for a load that did not finish.
    fn cache_use(&self) -> CacheUse {
        match self.bypassed.lock().unwrap_or_else(PoisonError::into_inner).clone() {
            Some(unsafe_cache) => CacheUse::Bypassed(unsafe_cache),
            None => CacheUse::Compiled,
        }
    }

    /// Runs `store` unless the caller has stopped waiting; the caller cannot stop waiting while it runs.
    fn unless_abandoned(&self, store: impl FnOnce()) {
        let abandoned = self.abandoned.lock().unwrap_or_else(PoisonError::into_inner);
        if !*abandoned {
            store();
        }
    }
}

impl Loader {
    /// Compiles a binary component. Text and core modules are refused with a reason, before wasmtime parses.
    pub(crate) fn compile(&self, bytes: &[u8]) -> Result<Component, Refusal> {
        Refusal::check_header(bytes)?;
        // `{e:#}`: wasmtime says where parsing failed, and its cause says why.
        Component::from_binary(&self.engine, bytes).map_err(|e| Refusal::Invalid(format!("{e:#}")))
    }

    /// Checks that this host can run a compiled component: it exports `wasi:cli/run` and imports nothing
    /// unknown. The result is pre-instantiated, ready for any number of runs.
    pub(crate) fn prepare(&self, component: Component) -> Result<Program, Refusal> {
        let component_type = component.component_type();
        let exports = || component_type.exports(&self.engine).map(|(name, _)| name.to_owned());
        if !exports().any(|name| name.starts_with("wasi:cli/run@0.2.")) {
            return Err(Refusal::NoRunExport {
                exports: exports().collect(),
            });
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(Refusal::from_link_error)?;
        let pre = CommandPre::new(pre).map_err(|e| Refusal::Invalid(format!("{e:#}")))?;
        Ok(Program { component, pre })
    }

    /// Reads (for a file) and compiles, through `cache` if there is one, on a thread of its own; waits for it
    /// until `deadline`. Past it: [`Outcome::Timeout`] with `limit` and the stage the load was in. How the
    /// cache was used is known even for a load that did not finish.
    pub(crate) fn load_until(
        &self,
        source: Source,
        cache: Option<&CompileCache>,
        deadline: Instant,
        limit: Duration,
    ) -> (Result<Program, Outcome>, CacheUse) {
        let job = Arc::new(Job::default());
        let (sender, receiver) = mpsc::sync_channel(1);
        let (loader, cache, worker_job) = (self.clone(), cache.cloned(), job.clone());
        let worker = std::thread::Builder::new()
            .name("hello-host-load".to_owned())
            .spawn(move || {
                let _ = sender.send(loader.load(source, cache.as_ref(), &worker_job));
            })
            .map_err(|error| {
                Outcome::HostFailure(HostFailure::Runtime(format!(
                    "cannot start a thread to compile on: {error}"
                )))
            });
        let worker = match worker {
            Ok(worker) => worker,
            Err(outcome) => return (Err(outcome), CacheUse::Compiled),
        };
        let loaded = match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Ok((program, cache_use))) => return (Ok(program), cache_use),
            Ok(Err(refusal)) => Err(Outcome::Refused(refusal)),
            Err(RecvTimeoutError::Timeout) => {
                *job.abandoned.lock().unwrap_or_else(PoisonError::into_inner) = true;
                let stage = if job.compiling.load(Ordering::SeqCst) {
                    Stage::Compiling
                } else {
                    Stage::Reading
                };
                Err(Outcome::Timeout { limit, stage })
            }
            // The thread ended without an answer: it panicked. That is a bug to see, as it was before the load
            // moved to a thread (the fuzz target and the mutation test look for panics).
            Err(RecvTimeoutError::Disconnected) => match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!("the load thread always sends its result"),
            },
        };
        (loaded, job.cache_use())
    }

    fn load(&self, source: Source, cache: Option<&CompileCache>, job: &Job) -> Result<(Program, CacheUse), Refusal> {
        let bytes = match source {
            Source::File(path) => read_component(path)?,
            Source::Bytes(bytes) => bytes,
        };
        job.compiling.store(true, Ordering::SeqCst);
        match cache {
            Some(cache) => self.load_cached(cache, &bytes, job),
            None => Ok((self.prepare(self.compile(&bytes)?)?, CacheUse::Compiled)),
        }
    }

    /// Takes the component from the cache, or compiles it and stores it there; `job` says whether the caller
    /// still waits, and learns at once when the cache is bypassed.
    fn load_cached(&self, cache: &CompileCache, bytes: &[u8], job: &Job) -> Result<(Program, CacheUse), Refusal> {
        let compile = || self.prepare(self.compile(bytes)?);
        let path = match cache.entry(&self.engine, bytes) {
            Entry::Unavailable => return Ok((compile()?, CacheUse::Compiled)),
            Entry::Unsafe(unsafe_cache) => {
                job.bypassed(&unsafe_cache);
                return Ok((compile()?, CacheUse::Bypassed(unsafe_cache)));
            }
            Entry::Found(path) => {
                // SAFETY: `path` is a regular file in a folder that only this user can write, which only this
                // user can write either: a store below wrote it from `Component::serialize`, named by the hash of
                // bytes that compiled. wasmtime itself refuses entries from another version or configuration, and
                // a damaged entry fails to deserialize and is written again.
                if let Ok(component) = unsafe { Component::deserialize_file(&self.engine, &path) } {
                    return Ok((self.prepare(component)?, CacheUse::Cached));
                }
                path
            }
            Entry::Missing(path) => path,
        };
        let program = compile()?;
        if let Ok(serialized) = program.component().serialize() {
            // Nothing is stored once the caller has stopped waiting (it may be about to exit).
            job.unless_abandoned(|| {
                let _ = CompileCache::store(&path, &serialized);
            });
        }
        Ok((program, CacheUse::Compiled))
    }
}

impl CompileCache {
    /// Like [`Harness::load_bytes`], through the cache. A folder that cannot be created or written means
    /// compiling every time; an unsafe one is [`CacheUse::Bypassed`]. Not bounded by the timeout;
    /// [`Harness::run_file_cached`] is.
    pub fn load(&self, harness: &Harness, bytes: &[u8]) -> Result<(Program, CacheUse), Refusal> {
        harness.loader.load_cached(self, bytes, &Job::default())
    }
}
