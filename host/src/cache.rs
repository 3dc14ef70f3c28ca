//! Compiled components kept on disk between runs, so that a second run of the same file does not compile again.
//!
//! An entry is `Component::serialize` output named by the SHA-256 of the component's bytes and of the engine's
//! compatibility hash (wasmtime version and settings). Only files in our own cache folder are deserialized:
//! deserializing is `unsafe` because the bytes are trusted as native code.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use crate::load::{Job, Loader};
use crate::{Harness, Program, Refusal};

/// Whether a load compiled the component or took it from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// Compiled now (and stored, if the folder could be written).
    Compiled,
    /// Deserialized from an entry that an earlier load stored.
    Cached,
}

/// A folder of compiled components, keyed by the component's bytes and the engine's settings.
#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    /// A cache in `dir`, created when the first entry is stored.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CompileCache { dir: dir.into() }
    }

    /// `$XDG_CACHE_HOME/hello-host`, else `$HOME/.cache/hello-host`.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))?;
        Some(base.join("hello-host"))
    }

    /// Like [`Harness::load_bytes`], through the cache. A cache that cannot be read or written is skipped.
    /// Not bounded by the timeout; [`Harness::run_file_cached`] is.
    pub fn load(&self, harness: &Harness, bytes: &[u8]) -> Result<(Program, CacheUse), Refusal> {
        self.load_for(&harness.loader, bytes, &Job::default())
    }

    /// The load itself, on the thread of a bounded load: `job` says whether the caller still waits for it.
    pub(crate) fn load_for(&self, loader: &Loader, bytes: &[u8], job: &Job) -> Result<(Program, CacheUse), Refusal> {
        let entry = self.dir.join(format!("{}.cwasm", self.key(loader, bytes)));
        // SAFETY: `entry` is a file that `store` below wrote from `Component::serialize` in our cache folder,
        // named by the hash of bytes that compiled; wasmtime itself refuses entries from another wasmtime
        // version or configuration. Bytes that never compiled have no entry, and `compile` refuses them.
        if let Ok(component) = unsafe { Component::deserialize_file(&loader.engine, &entry) } {
            return Ok((loader.prepare(component)?, CacheUse::Cached));
        }
        let program = loader.prepare(loader.compile(bytes)?)?;
        if let Ok(serialized) = program.component().serialize() {
            // Nothing is stored once the caller has stopped waiting (it may be about to exit).
            job.unless_abandoned(|| {
                let _ = self.store(&entry, &serialized);
            });
        }
        Ok((program, CacheUse::Compiled))
    }

    fn key(&self, loader: &Loader, bytes: &[u8]) -> String {
        let mut engine = DefaultHasher::new();
        loader.engine.precompile_compatibility_hash().hash(&mut engine);
        let digest = Sha256::new()
            .chain_update(engine.finish().to_le_bytes())
            .chain_update(bytes)
            .finalize();
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Writes to a temporary file of this process and load alone, then renames it: a concurrent run sees the
    /// whole entry or none, and two writers never share a temporary file.
    fn store(&self, entry: &Path, serialized: &[u8]) -> std::io::Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(&self.dir)?;
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let temporary = entry.with_extension(format!("{}-{number}.tmp", std::process::id()));
        let written = std::fs::File::create_new(&temporary)
            .and_then(|mut file| file.write_all(serialized))
            .and_then(|()| std::fs::rename(&temporary, entry));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}
