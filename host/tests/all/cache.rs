//! The compile cache: a second load of the same bytes deserializes instead of compiling, and an entry that
//! is not what we wrote is compiled again, never trusted.

use hello_host::cache::{CacheUse, CompileCache};
use hello_host::{Harness, Invocation, Limits, Outcome};

#[test]
fn second_load_of_the_same_component_comes_from_the_cache() {
    let scratch = crate::common::Scratch::new("cache-hit");
    let dir = scratch.path();
    let cache = CompileCache::new(dir);
    let harness = Harness::new(Limits::default()).unwrap();
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();

    let (_, first) = cache.load(&harness, &hello).unwrap();
    let (program, second) = cache.load(&harness, &hello).unwrap();
    assert_eq!((first, second), (CacheUse::Compiled, CacheUse::Cached));
    let run = harness.run(&program, &Invocation::default());
    assert!(
        run.outcome == Outcome::Success && run.stdout == b"Hello, world!\n",
        "{run}"
    );

    // Another component is another entry.
    let echo = std::fs::read(test_artifacts::ECHO_RELEASE).unwrap();
    assert_eq!(cache.load(&harness, &echo).unwrap().1, CacheUse::Compiled);
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 2);
}

#[test]
fn damaged_cache_entry_is_compiled_again() {
    let scratch = crate::common::Scratch::new("cache-damaged");
    let dir = scratch.path();
    let cache = CompileCache::new(dir);
    let harness = Harness::new(Limits::default()).unwrap();
    let hello = std::fs::read(test_artifacts::HELLO_RELEASE).unwrap();
    cache.load(&harness, &hello).unwrap();
    let entry = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&entry, b"not a compiled component").unwrap();

    let (program, used) = cache.load(&harness, &hello).unwrap();
    assert_eq!(used, CacheUse::Compiled);
    assert_eq!(harness.run(&program, &Invocation::default()).stdout, b"Hello, world!\n");
    assert_eq!(
        cache.load(&harness, &hello).unwrap().1,
        CacheUse::Cached,
        "the entry was not rewritten"
    );
}
