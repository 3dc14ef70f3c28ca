//! Builds the component and runs it on wasmtime, as a host would.

use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

#[test]
fn prints_hello_world() -> wasmtime::Result<()> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &*COMPONENT)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let stdout = MemoryOutputPipe::new(64 * 1024);
    let host = Host {
        ctx: WasiCtx::builder().stdout(stdout.clone()).build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);

    let command = WasiCommand::instantiate(&mut store, &component, &linker)?;
    let status = command.wasi_cli_run().call_run(&mut store)?;

    let stdout = stdout.contents();
    let printed = String::from_utf8_lossy(&stdout);
    assert_eq!(status, Ok(()), "run failed after printing {printed:?}");
    assert_eq!(&stdout[..], b"Hello, world!\n", "printed {printed:?}");
    Ok(())
}

/// The release component (the one you ship), built once for all the tests, in a target folder of
/// its own: the `cargo test` that runs these tests may hold the lock on the usual one.
static COMPONENT: LazyLock<PathBuf> = LazyLock::new(|| {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo starts");
    assert!(status.success(), "building the component failed");
    target.join("wasm32-wasip2/release/{{crate_name}}.wasm")
});

/// What the component's WASI imports work on: its context (stdio) and its resources.
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
