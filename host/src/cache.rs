//! Compiled components kept on disk between runs, so that a second run of the same file does not compile again.
//!
//! An entry is `Component::serialize` output named by the SHA-256 of the component's bytes and of the engine's
//! compatibility hash (wasmtime version and settings). Deserializing is `unsafe`: the bytes are trusted as native
//! code. So a folder is used only when nobody but this user can have written it or anything in it: the folder
//! and each entry must belong to this user and be writable by neither group nor others (on Unix). Otherwise the
//! load compiles without the cache and writes nothing there, and says so ([`CacheUse::Bypassed`]).

use std::fmt;
use std::fs::Metadata;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;

/// Whether a load compiled the component or took it from the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// Compiled now, and stored if the folder could be written. (Also what a load that was refused or ran out
    /// of time reports, unless it had found the cache unsafe.)
    Compiled,
    /// Deserialized from an entry that an earlier load stored.
    Cached,
    /// The folder or the entry could have been written by someone else: compiled without the cache, and
    /// nothing written there.
    Bypassed(UnsafeCache),
}

/// A cache folder that is not used because someone other than this user could have written it or an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsafeCache {
    /// The cache folder.
    pub dir: PathBuf,
    /// What is wrong with it or with one of its entries, in words.
    pub reason: String,
}

/// Reads "not using the cache folder `DIR`: REASON".
impl fmt::Display for UnsafeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not using the cache folder `{}`: {}",
            self.dir.display(),
            self.reason
        )
    }
}

impl std::error::Error for UnsafeCache {}

/// What the cache has for one component, and what a load should do with it.
pub(crate) enum Entry {
    /// The folder cannot be created or the entry cannot be read: compile without the cache, as `--no-cache`.
    Unavailable,
    /// Someone else could have written the folder or the entry: compile, and use and write nothing there.
    Unsafe(UnsafeCache),
    /// No entry yet: compile, then store one at this path.
    Missing(PathBuf),
    /// An entry that only this user could have written: deserialize it (and if that fails, compile and store).
    Found(PathBuf),
}

/// A folder of compiled components, keyed by the component's bytes and the engine's settings.
#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    /// A cache in `dir`. The folder is created (readable and writable by this user only) at the first load.
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

    /// Where the entry for `bytes` compiled by `engine` is, and whether it may be used. Creates the folder (for
    /// this user only) if it is missing.
    pub(crate) fn entry(&self, engine: &Engine, bytes: &[u8]) -> Entry {
        let bypassed = |reason: String| {
            Entry::Unsafe(UnsafeCache {
                dir: self.dir.clone(),
                reason,
            })
        };
        match self.open_dir() {
            Err(reason) => return bypassed(reason),
            Ok(false) => return Entry::Unavailable,
            Ok(true) => {}
        }
        let path = self.dir.join(format!("{}.cwasm", key(engine, bytes)));
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) => match only_ours(&metadata, false) {
                Ok(()) => Entry::Found(path),
                Err(reason) => {
                    let name = path.file_name().unwrap_or_default().display();
                    bypassed(format!("its entry `{name}` {reason}"))
                }
            },
            Err(error) if error.kind() == ErrorKind::NotFound => Entry::Missing(path),
            // Unreadable for another reason: compile, and leave the folder alone.
            Err(_) => Entry::Unavailable,
        }
    }

    /// Creates the folder if it is missing (for this user only), then checks it. `Ok(false)`: it could not be
    /// created; `Err`: someone else could write it.
    fn open_dir(&self) -> Result<bool, String> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        if builder.create(&self.dir).is_err() {
            return Ok(false);
        }
        match std::fs::metadata(&self.dir) {
            Ok(metadata) => only_ours(&metadata, true)
                .map(|()| true)
                .map_err(|reason| format!("it {reason}")),
            Err(_) => Ok(false),
        }
    }

    /// Writes to a temporary file of this process and load alone (readable and writable by this user only),
    /// then renames it: a concurrent run sees the whole entry or none, and two writers never share a file.
    pub(crate) fn store(entry: &Path, serialized: &[u8]) -> std::io::Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let temporary = entry.with_extension(format!("{}-{number}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options
            .open(&temporary)
            .and_then(|mut file| file.write_all(serialized))
            .and_then(|()| std::fs::rename(&temporary, entry));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

/// The entry's name: the SHA-256 of the engine's compatibility hash (wasmtime version and settings) and of the
/// component's bytes.
fn key(engine: &Engine, bytes: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let digest = Sha256::new()
        .chain_update(hasher.finish().to_le_bytes())
        .chain_update(bytes)
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `Ok` when the folder (`dir`) or entry belongs to this user and neither group nor others may write it;
/// otherwise what is wrong, as words that follow "it". Outside Unix there is no owner to check.
fn only_ours(metadata: &Metadata, dir: bool) -> Result<(), String> {
    let kind_ok = if dir { metadata.is_dir() } else { metadata.is_file() };
    if !kind_ok {
        return Err(format!("is not a {}", if dir { "folder" } else { "regular file" }));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        if metadata.uid() != user {
            return Err(format!("belongs to user {}, not to this user ({user})", metadata.uid()));
        }
        if metadata.mode() & 0o022 != 0 {
            return Err(format!(
                "is writable by its group or others (mode {:o})",
                metadata.mode() & 0o7777
            ));
        }
    }
    Ok(())
}
