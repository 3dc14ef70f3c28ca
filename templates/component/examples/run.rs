{%- if wasi == "0.3" -%}
//! Runs the command on an embedded wasmtime, with this process's stdio: no wasmtime CLI needed.
//!
//!     cargo build --release --target wasm32-wasip2
//!     cargo run --example run -- target/wasm32-wasip2/release/{{crate_name}}.wasm

use std::process::ExitCode;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Result, Store, format_err};
use wasmtime_wasi::p3::bindings::CommandPre;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let usage = || format_err!("usage: run <component.wasm>");
    let wasm = std::env::args().nth(1).ok_or_else(usage)?;
    let mut config = Config::new();
    config.wasm_component_model_async(true);
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
{%- elsif kind == "command" -%}
//! Runs a command component on wasmtime, embedded, with this process's arguments and stdio: what
//! `wasmtime run <component> [args]` does, in a few lines. Usage: `run <component.wasm> [args]`.

use std::process::ExitCode;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

fn run(args: &[String]) -> wasmtime::Result<ExitCode> {
    let engine = Engine::default();
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: run <component.wasm> [args]");
        return ExitCode::from(2);
    }
    run(&args).unwrap_or_else(|error| {
        eprintln!("error: failed to run `{}`: {error:#}", args[0]);
        ExitCode::FAILURE
    })
}
{%- else -%}
//! Calls the component's `greet` on wasmtime, embedded, and prints the greeting: what
//! `wasmtime run --invoke 'greet("<name>")' <component>` does, in a few lines. Usage: `run <component.wasm> <name>`.

use std::process::ExitCode;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({ path: "wit", world: "{{wit_name}}" });

fn greet(path: &str, name: &str) -> wasmtime::Result<String> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, path)?;
    let mut linker = Linker::new(&engine);
    // Rust's std imports a few WASI interfaces of its own (for panics, say), even in a library.
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let host = Host {
        ctx: WasiCtx::builder().inherit_stderr().build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);

    let component = {{wit_name | upper_camel_case}}::instantiate(&mut store, &component, &linker)?;
    let greeter = component.{{wit_name | snake_case}}_component_greeter();
    greeter.call_greet(&mut store, name)
}

fn main() -> ExitCode {
    let [path, name] = &std::env::args().skip(1).collect::<Vec<_>>()[..] else {
        eprintln!("usage: run <component.wasm> <name>");
        return ExitCode::from(2);
    };
    match greet(path, name) {
        Ok(greeting) => {
            println!("{greeting}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: failed to call greet in `{path}`: {error:#}");
            ExitCode::FAILURE
        }
    }
}
{%- endif %}

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
