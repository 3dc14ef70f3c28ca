//! Composes the command with the library and runs the result on wasmtime, embedded, with this process's stdio:
//! what `wac plug <command> --plug <library> -o composed.wasm` and then `wasmtime run composed.wasm` do, in a few
//! lines. Usage: `run <command.wasm> <library.wasm>`.

use std::error::Error;
use std::process::ExitCode;

use wac_graph::{CompositionGraph, EncodeOptions, types::Package};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

fn run(command: &str, library: &str) -> Result<ExitCode, Box<dyn Error + Send + Sync>> {
    // The library's `greeter` export goes into the command's import.
    let mut graph = CompositionGraph::new();
    let command = Package::from_file("composed:command", None, command, graph.types_mut())?;
    let command = graph.register_package(command)?;
    let library = Package::from_file("composed:library", None, library, graph.types_mut())?;
    let library = graph.register_package(library)?;
    wac_graph::plug(&mut graph, vec![library], command)?;
    let composed = graph.encode(EncodeOptions::default())?;

    let engine = Engine::default();
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
    let [command, library] = &std::env::args().skip(1).collect::<Vec<_>>()[..] else {
        eprintln!("usage: run <command.wasm> <library.wasm>");
        return ExitCode::from(2);
    };
    run(command, library).unwrap_or_else(|error| {
        eprintln!("error: failed to compose and run `{command}` with `{library}`: {error}");
        ExitCode::FAILURE
    })
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
