//! Calls the component's `greet` on wasmtime, embedded, and prints the greeting: what
//! `wasmtime run --invoke 'greet("<name>")' <component>` does, in a few lines. Usage: `run <component.wasm> <name>`.

use std::process::ExitCode;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

wasmtime::component::bindgen!({ path: "wit", world: "{{wit_world}}" });

fn greet(path: &str, name: &str) -> wasmtime::Result<String> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, path)?;
    // The component imports nothing, so the linker provides nothing.
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
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
