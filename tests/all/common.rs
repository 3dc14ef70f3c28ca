//! What the tests of this package share.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use hello_host::{Harness, Invocation, Limits, Outcome, Run, Source};
use wit_component::DecodedWasm;

pub const HELLO: &[u8] = b"Hello, world!\n";

/// What every hello component, Rust or WAT, imports and exports: nothing more than printing needs.
pub const HELLO_IMPORTS: [&str; 3] = ["wasi:cli/stdout@0.2.3", "wasi:io/error@0.2.3", "wasi:io/streams@0.2.3"];
pub const HELLO_EXPORTS: [&str; 1] = ["wasi:cli/run@0.2.3"];

/// Loads and runs a component on a harness of its own, default limits, output captured; a load that fails is a
/// run that printed nothing.
pub fn run(source: impl Into<Source>) -> Run {
    let harness = Harness::new(Limits::default()).expect("wasmtime starts");
    harness
        .load(source)
        .map_or_else(Run::from, |program| harness.run(&program, &Invocation::default()))
}

/// Asserts that a guest printed exactly `Hello, world!\n`, nothing on stderr, and succeeded.
pub fn assert_prints_hello(what: &str, output: &Run) {
    assert!(
        output.stdout == HELLO && output.stderr.is_empty() && output.outcome == Outcome::Success,
        "{what} did not print exactly {:?}:\n{output}",
        String::from_utf8_lossy(HELLO),
    );
}

/// The names of a component's imports and exports, read by decoding its type (not by searching its bytes).
pub fn interface(what: &str, component: &[u8]) -> (BTreeSet<String>, BTreeSet<String>) {
    let decoded = wit_component::decode(component).unwrap_or_else(|e| panic!("failed to decode {what}: {e:?}"));
    let DecodedWasm::Component(resolve, world) = decoded else {
        panic!("{what} is a WIT package, not a component");
    };
    let world = &resolve.worlds[world];
    let imports = world.imports.keys().map(|key| resolve.name_world_key(key)).collect();
    let exports = world.exports.keys().map(|key| resolve.name_world_key(key)).collect();
    (imports, exports)
}

/// Asserts that a component imports and exports exactly what hello needs, at WASI 0.2.3.
pub fn assert_hello_interface(what: &str, component: &[u8]) {
    let (imports, exports) = interface(what, component);
    assert_eq!(
        imports,
        BTreeSet::from(HELLO_IMPORTS.map(String::from)),
        "imports of {what}"
    );
    assert_eq!(
        exports,
        BTreeSet::from(HELLO_EXPORTS.map(String::from)),
        "exports of {what}"
    );
}

/// Every file under `dir`, by path relative to `dir`, with its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap_or_else(|e| panic!("failed to list `{}`: {e}", current.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = fs::read(&path).unwrap();
                found.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    found
}

/// A file's bytes; a test that cannot read its input fails with the path.
pub fn read(path: impl AsRef<Path>) -> Vec<u8> {
    let path = path.as_ref();
    fs::read(path).unwrap_or_else(|e| panic!("failed to read `{}`: {e}", path.display()))
}
