//! Composes the command with the library and runs the result on wasmtime, embedded, with this process's stdio:
//! what `wac plug <command> --plug <library> -o composed.wasm` and then `wasmtime run composed.wasm` do, in a few
//! lines. Usage: `run [--debug] <command.wasm> <library.wasm>`.

use std::error::Error;
use std::process::ExitCode;

use wac_graph::{CompositionGraph, EncodeOptions, types::Package};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, OptLevel, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

fn run(command: &str, library: &str, debug: bool) -> Result<ExitCode, Box<dyn Error + Send + Sync>> {
    // The library's `greeter` export goes into the command's import.
    let mut graph = CompositionGraph::new();
    let command = Package::from_file("composed:command", None, command, graph.types_mut())?;
    let command = graph.register_package(command)?;
    let library = Package::from_file("composed:library", None, library, graph.types_mut())?;
    let library = graph.register_package(library)?;
    wac_graph::plug(&mut graph, vec![library], command)?;
    let composed = graph.encode(EncodeOptions::default())?;

    let engine = engine(debug)?;
    let component = Component::new(&engine, composed)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let host = Host {
        ctx: WasiCtx::builder().inherit_stdio().build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);
    let command = Command::instantiate(&mut store, &component, &linker)?;
    Ok(match command.wasi_cli_run().call_run(&mut store)? {
        Ok(()) => ExitCode::SUCCESS,
        Err(()) => ExitCode::FAILURE,
    })
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let debug = args.next_if_eq("--debug").is_some();
    let [command, library] = &args.collect::<Vec<_>>()[..] else {
        eprintln!("usage: run [--debug] <command.wasm> <library.wasm>");
        return ExitCode::from(2);
    };
    run(command, library, debug).unwrap_or_else(|error| {
        eprintln!("error: failed to compose and run `{command}` with `{library}`: {error}");
        ExitCode::FAILURE
    })
}

/// `--debug` (README: Debugging): the component compiled with its DWARF and unoptimised, so that gdb stops at
/// breakpoints in its source.
fn engine(debug: bool) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.debug_info(debug);
    if debug {
        config.cranelift_opt_level(OptLevel::None);
    }
    Engine::new(&config)
}

/// What the component's WASI imports work on: its context (stdio) and its resources.
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
