//! `long-output N`: writes N bytes (byte i is `i % 251`) to stdout with `output::write_all`, and fails
//! with exit(err) if the stream fails.
//!
//! A `bin`: std's `main` is the `wasi:cli/run` export and reads the arguments; the bindings are only for the
//! stdout stream that `write_all` takes.

use std::process::ExitCode;

wit_bindgen::generate!({
    inline: "package test:long-output; world long-output { import wasi:cli/stdout@0.2.3; }",
    path: "../../wit",
    world: "test:long-output/long-output",
    generate_all,
});

mod output;

fn main() -> ExitCode {
    let Some(length) = std::env::args().nth(1).and_then(|arg| arg.parse::<usize>().ok()) else {
        eprintln!("usage: long-output <BYTES>");
        return ExitCode::from(2);
    };
    let bytes: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
    match output::write_all(&wasi::cli::stdout::get_stdout(), &bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
