//! The compile cache: a second load of the same bytes deserializes instead of compiling, and an entry that
//! is not what we wrote is compiled again, never trusted.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use hello_host::cache::{CacheUse, CompileCache};
use hello_host::{Allocation, Harness, Invocation, Limits, Outcome};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn second_load_of_the_same_component_comes_from_the_cache() {
    let scratch = crate::common::Scratch::new("cache-hit");
    let dir = &scratch.path().join("cache"); // made by the cache itself, for this user only
    let cache = CompileCache::new(dir);
    let harness = Harness::new(Limits::default()).unwrap().with_cache(cache.clone());
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();

    let first = harness.load(hello.as_slice()).unwrap().cache_use().clone();
    let program = harness.load(hello.as_slice()).unwrap();
    let second = program.cache_use().clone();
    assert_eq!((first, second), (CacheUse::Compiled, CacheUse::Cached));
    let run = harness.run(&program, &Invocation::default());
    assert!(
        run.outcome == Outcome::Success && run.stdout == b"Hello, world!\n",
        "{run}"
    );

    // Another component is another entry.
    let echo = std::fs::read(test_artifacts::ECHO_RELEASE).unwrap();
    assert_eq!(
        harness.load(echo.as_slice()).unwrap().cache_use().clone(),
        CacheUse::Compiled
    );
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 2);
}

#[test]
fn a_debug_build_never_reuses_an_optimised_entry() {
    let scratch = crate::common::Scratch::new("cache-debug");
    let dir = &scratch.path().join("cache"); // made by the cache itself, for this user only
    let cache = CompileCache::new(dir);
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    let optimised = Harness::new(Limits::default()).unwrap().with_cache(cache.clone());
    let debuggable = Harness::debuggable(Limits::default(), Allocation::default())
        .unwrap()
        .with_cache(cache.clone());

    assert_eq!(
        optimised.load(hello.as_slice()).unwrap().cache_use().clone(),
        CacheUse::Compiled
    );
    let program = debuggable.load(hello.as_slice()).unwrap();
    let first = program.cache_use().clone();
    assert_eq!(first, CacheUse::Compiled, "the debug build took the optimised entry");
    assert_eq!(
        debuggable.load(hello.as_slice()).unwrap().cache_use().clone(),
        CacheUse::Cached
    );
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 2);
    assert_eq!(
        debuggable.run(&program, &Invocation::default()).stdout,
        b"Hello, world!\n"
    );
}

#[test]
fn damaged_cache_entry_is_compiled_again() {
    let scratch = crate::common::Scratch::new("cache-damaged");
    let dir = &scratch.path().join("cache"); // made by the cache itself, for this user only
    let cache = CompileCache::new(dir);
    let harness = Harness::new(Limits::default()).unwrap().with_cache(cache.clone());
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    harness.load(hello.as_slice()).unwrap();
    let entry = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&entry, b"not a compiled component").unwrap();

    let program = harness.load(hello.as_slice()).unwrap();
    let used = program.cache_use().clone();
    assert_eq!(used, CacheUse::Compiled);
    assert_eq!(harness.run(&program, &Invocation::default()).stdout, b"Hello, world!\n");
    assert_eq!(
        harness.load(hello.as_slice()).unwrap().cache_use().clone(),
        CacheUse::Cached,
        "the entry was not rewritten"
    );
}

#[test]
fn cache_folder_and_entries_are_this_users_alone() {
    let scratch = crate::common::Scratch::new("cache-modes");
    let dir = scratch.path().join("new/cache");
    let cache = CompileCache::new(&dir);
    let harness = Harness::new(Limits::default()).unwrap().with_cache(cache.clone());
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    assert_eq!(
        harness.load(hello.as_slice()).unwrap().cache_use().clone(),
        CacheUse::Compiled
    );
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!((mode(&dir), entries.len()), (0o700, 1), "{entries:?}");
    assert_eq!(mode(&entries[0]), 0o600);
}

#[test]
fn a_folder_others_can_write_is_not_used() {
    let scratch = crate::common::Scratch::new("cache-group-writable");
    let dir = scratch.path();
    chmod(dir, 0o770);
    let harness = Harness::new(Limits::default())
        .unwrap()
        .with_cache(CompileCache::new(dir));
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    let program = harness.load(hello.as_slice()).unwrap();
    let used = program.cache_use().clone();
    let CacheUse::Bypassed(unsafe_cache) = used else {
        panic!("used: {used:?}")
    };
    assert_eq!(
        unsafe_cache.to_string(),
        format!(
            "not using the cache folder `{}`: it is writable by its group or others (mode 770)",
            dir.display()
        )
    );
    assert_eq!(harness.run(&program, &Invocation::default()).stdout, b"Hello, world!\n");
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 0, "it wrote into the folder");
}

#[test]
fn an_entry_others_can_write_is_not_used() {
    let scratch = crate::common::Scratch::new("cache-entry-writable");
    let dir = scratch.path();
    chmod(dir, 0o700);
    let cache = CompileCache::new(dir);
    let harness = Harness::new(Limits::default()).unwrap().with_cache(cache.clone());
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    harness.load(hello.as_slice()).unwrap();
    let entry = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    chmod(&entry, 0o666);
    let written = std::fs::metadata(&entry).unwrap().modified().unwrap();

    let program = harness.load(hello.as_slice()).unwrap();
    let used = program.cache_use().clone();
    let CacheUse::Bypassed(unsafe_cache) = used else {
        panic!("used: {used:?}")
    };
    let name = entry.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        unsafe_cache.reason,
        format!("its entry `{name}` is writable by its group or others (mode 666)")
    );
    assert_eq!(harness.run(&program, &Invocation::default()).stdout, b"Hello, world!\n");
    assert_eq!(
        std::fs::metadata(&entry).unwrap().modified().unwrap(),
        written,
        "the entry was rewritten"
    );
}
