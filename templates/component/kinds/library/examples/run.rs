//! Calls the component's `greet` on wasmtime, embedded, and prints the greeting: what
//! `wasmtime run --invoke 'greet("<name>")' <component>` does, in a few lines. Usage: `run <component.wasm> <name>`.

use std::process::ExitCode;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({ path: "wit", world: "{{wit_world}}" });

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

    let component = {{wit_world | remove: "%" | upper_camel_case}}::instantiate(&mut store, &component, &linker)?;
    let greeter = component.{{wit_module}}_component_greeter();
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
