//! Calls the component's `greet` on wasmtime, embedded, and prints the greeting: what
//! `wasmtime run --invoke 'greet("<name>")' <component>` does, in a few lines. Usage: `run [--debug] <component.wasm> <name>`.

use std::process::ExitCode;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, OptLevel, Store};

wasmtime::component::bindgen!({ path: "wit", world: "{{wit_world}}" });

fn greet(path: &str, name: &str, debug: bool) -> wasmtime::Result<String> {
    let engine = engine(debug)?;
    let component = Component::from_file(&engine, path)?;
    // The component imports nothing, so the linker provides nothing.
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let component = {{wit_world | remove: "%" | upper_camel_case}}::instantiate(&mut store, &component, &linker)?;
    let greeter = component.{{wit_module}}_component_greeter();
    greeter.call_greet(&mut store, name)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let debug = args.next_if_eq("--debug").is_some();
    let [path, name] = &args.collect::<Vec<_>>()[..] else {
        eprintln!("usage: run [--debug] <component.wasm> <name>");
        return ExitCode::from(2);
    };
    match greet(path, name, debug) {
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
