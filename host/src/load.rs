//! Loading a component into a [`Program`]: reading it, checking it (its header, then what it exports and
//! imports) and compiling it or taking it from the compile cache, within a deadline.
//!
//! Compiling is blocking Cranelift work that cannot be interrupted, so a bounded load runs on a thread of its
//! own and the caller stops waiting at the deadline. The thread is then abandoned: it finishes compiling in the
//! background and its result is dropped, and it stores nothing in the cache from that moment (the runner exits
//! instead, which ends it).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmtime::Engine;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::{p2, p3};

use crate::cache::{CacheUse, CompileCache, Entry};
use crate::guest::GuestState;
use crate::outcome::{HostFailure, Outcome, Refusal, Stage};

/// A component that passed the checks and is ready to instantiate (imports resolved, `run` found).
#[derive(Clone)]
pub struct Program {
    pub(crate) component: Component,
    pub(crate) pre: CommandPre,
    cache_use: CacheUse,
}

impl Program {
    /// Whether loading compiled the component, took it from the compile cache, or bypassed an unsafe cache.
    pub fn cache_use(&self) -> &CacheUse {
        &self.cache_use
    }

    /// Which WASI the component's `wasi:cli/run` export speaks.
    pub fn wasi(&self) -> Wasi {
        match self.pre {
            CommandPre::P2(_) => Wasi::P2,
            CommandPre::P3(_) => Wasi::P3,
        }
    }
}

/// The WASI versions a [`Program`] can speak, read from its `wasi:cli/run` export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wasi {
    /// WASI 0.2 (`wasi:cli/run@0.2.x`): a synchronous `run`, and streams as resources.
    P2,
    /// WASI 0.3 (`wasi:cli/run@0.3.x`): an `async` `run`, with the component model's streams and futures.
    P3,
}

/// The command's `run`, pre-instantiated for the WASI version it exports.
#[derive(Clone)]
pub(crate) enum CommandPre {
    P2(p2::bindings::CommandPre<GuestState>),
    P3(p3::bindings::CommandPre<GuestState>),
}

/// What [`Harness::load`](crate::Harness::load) loads: a component file, or a component's bytes. Paths
/// (`&str`, `&Path`, `PathBuf`) are files, and `Vec<u8>` and `&[u8]` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A binary component file, read when loading.
    File(PathBuf),
    /// A binary component in memory.
    Bytes(Vec<u8>),
}

impl From<&str> for Source {
    fn from(path: &str) -> Self {
        Source::File(path.into())
    }
}

impl From<&Path> for Source {
    fn from(path: &Path) -> Self {
        Source::File(path.to_owned())
    }
}

impl From<PathBuf> for Source {
    fn from(path: PathBuf) -> Self {
        Source::File(path)
    }
}

impl From<Vec<u8>> for Source {
    fn from(bytes: Vec<u8>) -> Self {
        Source::Bytes(bytes)
    }
}

impl From<&[u8]> for Source {
    fn from(bytes: &[u8]) -> Self {
        Source::Bytes(bytes.to_vec())
    }
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
}

impl Job {
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
        check_header(bytes)?;
        // `{e:#}`: wasmtime says where parsing failed, and its cause says why.
        Component::from_binary(&self.engine, bytes).map_err(|e| Refusal::Invalid(format!("{e:#}")))
    }

    /// Checks that this host can run a compiled component: it exports `wasi:cli/run` and imports nothing
    /// unknown. The result is pre-instantiated, ready for any number of runs.
    pub(crate) fn prepare(&self, component: Component, cache_use: CacheUse) -> Result<Program, Refusal> {
        let component_type = component.component_type();
        let exports: Vec<String> = component_type
            .exports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        let wasi = run_export_wasi(&exports)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(refusal_from_link_error)?;
        let invalid = |e: wasmtime::Error| Refusal::Invalid(format!("{e:#}"));
        let pre = match wasi {
            Wasi::P2 => CommandPre::P2(p2::bindings::CommandPre::new(pre).map_err(invalid)?),
            Wasi::P3 => CommandPre::P3(p3::bindings::CommandPre::new(pre).map_err(invalid)?),
        };
        Ok(Program {
            component,
            pre,
            cache_use,
        })
    }

    /// Reads (for a file) and compiles, through `cache` if there is one, on a thread of its own; waits for it
    /// until `deadline`. Past it: [`Outcome::Timeout`] with `limit` and the stage the load was in.
    pub(crate) fn load_until(
        &self,
        source: Source,
        cache: Option<&CompileCache>,
        deadline: Instant,
        limit: Duration,
    ) -> Result<Program, Outcome> {
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
        let worker = worker?;
        match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(loaded) => loaded.map_err(Outcome::Refused),
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
        }
    }

    fn load(&self, source: Source, cache: Option<&CompileCache>, job: &Job) -> Result<Program, Refusal> {
        let bytes = match source {
            Source::File(path) => read_component(path)?,
            Source::Bytes(bytes) => bytes,
        };
        job.compiling.store(true, Ordering::SeqCst);
        match cache {
            Some(cache) => self.load_cached(cache, &bytes, job),
            None => self.prepare(self.compile(&bytes)?, CacheUse::Compiled),
        }
    }

    /// Takes the component from the cache, or compiles it and stores it there; `job` says whether the caller
    /// still waits.
    fn load_cached(&self, cache: &CompileCache, bytes: &[u8], job: &Job) -> Result<Program, Refusal> {
        let compile = |cache_use| self.prepare(self.compile(bytes)?, cache_use);
        let path = match cache.entry(&self.engine, bytes) {
            Entry::Unavailable => return compile(CacheUse::Compiled),
            Entry::Unsafe(unsafe_cache) => return compile(CacheUse::Bypassed(unsafe_cache)),
            Entry::Found(path) => {
                // SAFETY: `path` is a regular file in a folder that only this user can write, which only this
                // user can write either: a store below wrote it from `Component::serialize`, named by the hash of
                // bytes that compiled. wasmtime itself refuses entries from another version or configuration, and
                // a damaged entry fails to deserialize and is written again.
                if let Ok(component) = unsafe { Component::deserialize_file(&self.engine, &path) } {
                    return self.prepare(component, CacheUse::Cached);
                }
                path
            }
            Entry::Missing(path) => path,
        };
        let program = compile(CacheUse::Compiled)?;
        if let Ok(serialized) = program.component.serialize() {
            // Nothing is stored once the caller has stopped waiting (it may be about to exit).
            job.unless_abandoned(|| {
                let _ = CompileCache::store(&path, &serialized);
            });
        }
        Ok(program)
    }
}

/// Reads a component file; a file that cannot be read is a [`Refusal::Unreadable`] that keeps the error's kind.
fn read_component(path: impl AsRef<Path>) -> Result<Vec<u8>, Refusal> {
    let path = path.as_ref();
    std::fs::read(path).map_err(|error| Refusal::Unreadable {
        path: path.to_owned(),
        kind: error.kind(),
        reason: error.to_string(),
    })
}

/// Which WASI a command speaks, from its `wasi:cli/run` export: 0.3 when it exports both, as `wasmtime run`
/// chooses. A release version only: a `-rc` of 0.3 had other signatures, and 0.4 is not written yet.
fn run_export_wasi(exports: &[String]) -> Result<Wasi, Refusal> {
    let runs = || exports.iter().filter_map(|name| name.strip_prefix("wasi:cli/run@"));
    let release = |version: &str, minor: &str| {
        let mut parts = version.split('.');
        parts.next() == Some("0")
            && parts.next() == Some(minor)
            && parts
                .next()
                .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_none()
    };
    if runs().any(|version| release(version, "3")) {
        return Ok(Wasi::P3);
    }
    if runs().any(|version| release(version, "2")) {
        return Ok(Wasi::P2);
    }
    match runs().next() {
        Some(version) => Err(Refusal::UnsupportedRun(format!("wasi:cli/run@{version}"))),
        None => Err(Refusal::NoRunExport {
            exports: exports.to_vec(),
        }),
    }
}

/// Refuses what is plainly not a binary component, by its first eight bytes, before wasmtime parses it.
fn check_header(bytes: &[u8]) -> Result<(), Refusal> {
    const MAGIC: &[u8] = b"\0asm";
    if !bytes.starts_with(MAGIC) {
        // WAT starts with a form or a comment.
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&[][..], |at| &bytes[at..]);
        let text = start.starts_with(b"(") || start.starts_with(b";;");
        return Err(if text { Refusal::Text } else { Refusal::NotWasm });
    }
    // Bytes 4..8: version and layer. A core module is layer 0; a component is layer 1.
    match bytes.get(6..8) {
        Some([0, 0]) => Err(Refusal::CoreModule),
        _ => Ok(()),
    }
}

/// Turns wasmtime's linking error into the import it names, when it names one.
fn refusal_from_link_error(error: wasmtime::Error) -> Refusal {
    let message = format!("{error:#}");
    let missing = message
        .strip_prefix("component imports instance `")
        .or_else(|| message.strip_prefix("component imports function `"))
        .filter(|_| message.contains("was not found"))
        .and_then(|rest| rest.split('`').next());
    match missing {
        Some(name) => Refusal::UnknownImport(name.to_owned()),
        None => Refusal::Incompatible(message),
    }
}
