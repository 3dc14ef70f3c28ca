//! Builds the command for wasm32-wasip2, then runs it on an embedded wasmtime with WASI 0.3, in this
//! process.

use std::{path::PathBuf, process::Command, sync::LazyLock};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Result, Store};
use wasmtime_wasi::p3::bindings::CommandPre;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView, p2::pipe::MemoryOutputPipe};

/// The component, compiled and linked once for all the tests.
static PRE: LazyLock<CommandPre<Host>> = LazyLock::new(|| {
    // WASI 0.3 needs async functions, streams and futures: on by default with the `component-model-async`
    // feature, and said here because wasmtime 50 still calls its support "very incomplete".
    let mut config = Config::new();
    config.wasm_component_model_async(true);
    let engine = Engine::new(&config).expect("wasmtime starts");
    let component = Component::from_file(&engine, &*COMPONENT).expect("the component compiles");
    let mut linker = Linker::new(&engine);
    // WASI 0.2 too: std's panic paths (and `println!`) use it, even in a WASI 0.3 component.
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI 0.2 links");
    wasmtime_wasi::p3::add_to_linker(&mut linker).expect("WASI 0.3 links");
    let pre = linker.instantiate_pre(&component).expect("imports are met");
    CommandPre::new(pre).expect("exports run")
});

#[tokio::test]
async fn prints_hello() -> Result<()> {
    let (stdout, stderr) = (
        MemoryOutputPipe::new(1 << 16),
        MemoryOutputPipe::new(1 << 16),
    );
    let host = Host {
        ctx: WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(PRE.engine(), host);
    let command = PRE.instantiate_async(&mut store).await?;
    // An async export is called from inside the store's event loop, which also runs the streams.
    let run = store.run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await);
    let run = run.await;
    let (stdout, stderr) = (stdout.contents(), stderr.contents());
    let printed = format!("the guest printed {stdout:?} to stdout, {stderr:?} to stderr");
    assert!(
        matches!(run, Ok(Ok(Ok(())))),
        "run did not succeed: {run:?}; {printed}"
    );
    assert_eq!(&stdout[..], b"Hello, world!\n", "{printed}");
    assert!(stderr.is_empty(), "{printed}");
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
