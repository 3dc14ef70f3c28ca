//! Compiled components kept on disk between runs, so that a second run of the same file does not compile again.
//!
//! An entry is `Component::serialize` output named by the SHA-256 of the component's bytes and of the engine's
//! compatibility hash (wasmtime version and settings). Only files in our own cache folder are deserialized:
//! deserializing is `unsafe` because the bytes are trusted as native code.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

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
    pub fn load(&self, harness: &Harness, bytes: &[u8]) -> Result<(Program, CacheUse), Refusal> {
        let entry = self.dir.join(format!("{}.cwasm", self.key(harness, bytes)));
        // SAFETY: `entry` is a file that `store` below wrote from `Component::serialize` in our cache folder,
        // named by the hash of bytes that compiled; wasmtime itself refuses entries from another wasmtime
        // version or configuration. Bytes that never compiled have no entry, and `compile` refuses them.
        if let Ok(component) = unsafe { Component::deserialize_file(harness.engine(), &entry) } {
            return Ok((harness.prepare(component)?, CacheUse::Cached));
        }
        let program = harness.prepare(harness.compile(bytes)?)?;
        if let Ok(serialized) = program.component().serialize() {
            let _ = self.store(&entry, &serialized);
        }
        Ok((program, CacheUse::Compiled))
    }

    fn key(&self, harness: &Harness, bytes: &[u8]) -> String {
        let mut engine = DefaultHasher::new();
        harness.engine().precompile_compatibility_hash().hash(&mut engine);
        let digest = Sha256::new()
            .chain_update(engine.finish().to_le_bytes())
            .chain_update(bytes)
            .finalize();
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Writes to a temporary file and renames it, so that a concurrent run never reads half an entry.
    fn store(&self, entry: &Path, serialized: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let temporary = entry.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::File::create(&temporary)?.write_all(serialized)?;
        std::fs::rename(&temporary, entry)
    }
}
