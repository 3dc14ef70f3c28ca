//! The root package's tests, in one binary (one link of wasmtime): a module per guest or subject.

mod common;
mod hello;
mod long_output;
mod seed_wat;
mod sizes;
mod wit_deps;
