//! Runs the command on an embedded wasmtime, with this process's stdio: no wasmtime CLI needed.
//!
//!     cargo build --release --target wasm32-wasip2
//!     cargo run --example run -- [--debug] target/wasm32-wasip2/release/{{crate_name}}.wasm

use std::process::ExitCode;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, OptLevel, Result, Store, format_err};
use wasmtime_wasi::p3::bindings::CommandPre;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let usage = || format_err!("usage: run [--debug] <component.wasm>");
    let mut args = std::env::args().skip(1).peekable();
    // `--debug` (README: Debugging): the component compiled with its DWARF and unoptimised, so that gdb stops at
    // breakpoints in its source.
    let debug = args.next_if_eq("--debug").is_some();
    let wasm = args.next().ok_or_else(usage)?;
    let mut config = Config::new();
    config.wasm_component_model_async(true).debug_info(debug);
    if debug {
        config.cranelift_opt_level(OptLevel::None);
    }
    let engine = Engine::new(&config)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    let component = Component::from_file(&engine, wasm)?;
    let pre = CommandPre::new(linker.instantiate_pre(&component)?)?;
    let host = Host {
        ctx: WasiCtx::builder().inherit_stdio().build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);
    let command = pre.instantiate_async(&mut store).await?;
    let run = store.run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await);
    // `run` says only that it failed, not why: exit 1, as the wasmtime CLI does.
    Ok(match run.await?? {
        Ok(()) => ExitCode::SUCCESS,
        Err(()) => ExitCode::FAILURE,
    })
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
