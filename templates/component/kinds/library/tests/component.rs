//! Builds the component and runs it on wasmtime, as a host would.

use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

wasmtime::component::bindgen!({ path: "wit", world: "{{wit_world}}" });

/// Calls `greet` in a fresh instance of the component, on a host that provides nothing: no WASI.
fn greet(name: &str) -> wasmtime::Result<String> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &*COMPONENT)?;
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let component = {{wit_world | remove: "%" | upper_camel_case}}::instantiate(&mut store, &component, &linker)?;
    let greeter = component.{{wit_module}}_component_greeter();
    greeter.call_greet(&mut store, name)
}

#[test]
fn imports_nothing() -> wasmtime::Result<()> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &*COMPONENT)?;
    let imports: Vec<_> = component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
    assert!(imports.is_empty(), "the component imports {imports:?}");
    Ok(())
}

#[test]
fn greets_an_ascii_name() -> wasmtime::Result<()> {
    assert_eq!(greet("world")?, "Hello, world!");
    Ok(())
}

#[test]
fn greets_a_name_beyond_ascii() -> wasmtime::Result<()> {
    assert_eq!(greet("Wörld")?, "Hello, Wörld!");
    assert_eq!(greet("世界")?, "Hello, 世界!");
    Ok(())
}

#[test]
fn greets_the_empty_name() -> wasmtime::Result<()> {
    assert_eq!(greet("")?, "Hello, !");
    Ok(())
}

/// The release component (the one you ship), built once for all the tests, in a target folder of
/// its own: the `cargo test` that runs these tests may hold the lock on the usual one.
static COMPONENT: LazyLock<PathBuf> = LazyLock::new(|| {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo starts");
    assert!(status.success(), "building the component failed");
    target.join("wasm32-wasip2/release/{{crate_name}}.wasm")
});
