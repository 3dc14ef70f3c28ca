//! Builds both components and runs them on wasmtime, as a host would: the library alone, the command alone with
//! its import answered by this test, and the two composed into one command, as `wac plug` composes them.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use wac_graph::{CompositionGraph, EncodeOptions, types::Package};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// wasmtime's and wac's errors both convert into this.
type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The interface between the two components, as the component model names it.
const GREETER: &str = "{{wit_package | remove: "%"}}:component/greeter";

mod library {
    wasmtime::component::bindgen!({ path: "wit", world: "library" });
}

#[test]
fn library_greets_any_name() -> Result<()> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &COMPONENTS.library)?;
    let mut store = Store::new(&engine, ());
    // The library imports nothing, so the linker provides nothing.
    let library = library::Library::instantiate(&mut store, &component, &Linker::new(&engine))?;
    let greeter = library.{{wit_module}}_component_greeter();
    assert_eq!(greeter.call_greet(&mut store, "world")?, "Hello, world!");
    assert_eq!(greeter.call_greet(&mut store, "Wörld 世界")?, "Hello, Wörld 世界!");
    assert_eq!(greeter.call_greet(&mut store, "")?, "Hello, !");
    Ok(())
}

#[test]
fn command_alone_prints_what_its_import_returns() -> Result<()> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &COMPONENTS.command)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    // The host side of `greeter`, written here in Rust: the command cannot tell it from the library.
    linker
        .instance(GREETER)?
        .func_wrap("greet", |_, (name,): (String,)| Ok((format!("Hi, {name}!"),)))?;
    assert_eq!(run(&engine, &component, &linker)?, b"Hi, world!\n");
    Ok(())
}

#[test]
fn composed_prints_hello_world_and_imports_only_wasi() -> Result<()> {
    let engine = Engine::default();
    let component = Component::new(&engine, compose(&COMPONENTS.command, &COMPONENTS.library)?)?;
    let mut imports: Vec<_> = component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
    imports.sort();
    assert_eq!(imports, ["wasi:cli/stdout@0.2.3", "wasi:io/error@0.2.3", "wasi:io/streams@0.2.3"]);
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    assert_eq!(run(&engine, &component, &linker)?, b"Hello, world!\n");
    Ok(())
}

/// Plugs the library's `greeter` export into the command's import: what `wac plug` does.
fn compose(command: &Path, library: &Path) -> Result<Vec<u8>> {
    let mut graph = CompositionGraph::new();
    let command = Package::from_file("composed:command", None, command, graph.types_mut())?;
    let command = graph.register_package(command)?;
    let library = Package::from_file("composed:library", None, library, graph.types_mut())?;
    let library = graph.register_package(library)?;
    wac_graph::plug(&mut graph, vec![library], command)?;
    Ok(graph.encode(EncodeOptions::default())?)
}

/// Runs a command component and returns what it printed, or the error with what it printed so far.
fn run(engine: &Engine, component: &Component, linker: &Linker<Host>) -> Result<Vec<u8>> {
    let stdout = MemoryOutputPipe::new(64 * 1024);
    let host = Host {
        ctx: WasiCtx::builder().stdout(stdout.clone()).build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(engine, host);
    let command = WasiCommand::instantiate(&mut store, component, linker)?;
    let status = command.wasi_cli_run().call_run(&mut store)?;
    let printed = stdout.contents();
    assert_eq!(status, Ok(()), "run failed after printing {:?}", String::from_utf8_lossy(&printed));
    Ok(printed.to_vec())
}

/// The two release components (the ones you ship), built once for all the tests, in a target folder of their
/// own: the `cargo test` that runs these tests may hold the lock on the usual one.
static COMPONENTS: LazyLock<Components> = LazyLock::new(|| {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--target", "wasm32-wasip2", "--workspace"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo starts");
    assert!(status.success(), "building the components failed");
    let release = target.join("wasm32-wasip2/release");
    Components {
        command: release.join("{{crate_name}}.wasm"),
        library: release.join("{{crate_name}}_library.wasm"),
    }
});

struct Components {
    command: PathBuf,
    library: PathBuf,
}

/// What the components' WASI imports work on: their context (stdio) and their resources.
struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}
