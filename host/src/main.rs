//! `hello-host <COMPONENT>`: runs a `wasi:cli` command component on the embedded wasmtime.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: hello-host <COMPONENT>");
        return ExitCode::from(2);
    };
    match hello_host::run_file(&path) {
        Ok(output) => {
            // Best effort: a closed stdout or stderr must not hide the guest's status.
            let _ = std::io::stdout().write_all(&output.stdout);
            let _ = std::io::stderr().write_all(&output.stderr);
            ExitCode::from(output.status.code().clamp(0, 255) as u8)
        }
        Err(error) => {
            eprintln!("hello-host: {error:#}");
            ExitCode::from(2)
        }
    }
}
