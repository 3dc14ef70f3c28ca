//! Runs a command component on wasmtime, embedded, with this process's arguments and stdio: what
//! `wasmtime run <component> [args]` does, in a few lines. Usage: `run [--debug] <component.wasm> [args]`.

use std::process::ExitCode;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, OptLevel, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

fn run(args: &[String], debug: bool) -> wasmtime::Result<ExitCode> {
    let engine = engine(debug)?;
    let component = Component::from_file(&engine, &args[0])?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let host = Host {
        ctx: WasiCtx::builder().inherit_stdio().args(args).build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);

    let command = Command::instantiate(&mut store, &component, &linker)?;
    match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(ExitCode::SUCCESS),
        Ok(Err(())) => Ok(ExitCode::FAILURE),
        // The guest called `exit`: its status becomes ours.
        Err(error) => match error.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(ExitCode::from(exit.0 as u8)),
            None => Err(error),
        },
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let debug = args.next_if_eq("--debug").is_some();
    let args: Vec<String> = args.collect();
    if args.is_empty() {
        eprintln!("usage: run [--debug] <component.wasm> [args]");
        return ExitCode::from(2);
    }
    run(&args, debug).unwrap_or_else(|error| {
        eprintln!("error: failed to run `{}`: {error:#}", args[0]);
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

/// What the component's WASI imports work on: its context (stdio, arguments) and its resources.
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
