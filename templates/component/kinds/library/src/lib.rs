//! A WebAssembly component that exports a `greet` function of its own (see `wit/world.wit`).

wit_bindgen::generate!({ world: "{{wit_world}}" });

use exports::{{wit_module}}::component::greeter::Guest;

struct Greeter;

impl Guest for Greeter {
    fn greet(name: String) -> String {
        format!("Hello, {name}!")
    }
}

// The export names wasm symbols that native linkers reject, so it exists only on wasm, and not in a unit-test
// build, whose harness is a command of its own. Natively the crate still builds, so `cargo test` runs the unit
// test below and builds the host tests.
#[cfg(all(target_arch = "wasm32", not(test)))]
export!(Greeter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name() {
        assert_eq!(Greeter::greet("Wörld 世界".to_string()), "Hello, Wörld 世界!");
        assert_eq!(Greeter::greet(String::new()), "Hello, !");
    }
}
