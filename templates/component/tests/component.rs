{%- if kind == "http" -%}
//! Builds the handler for wasm32-wasip2, then answers requests with it on an embedded wasmtime, in this
//! process: no socket, and nothing goes out to the network.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use std::{path::PathBuf, process::Command, sync::LazyLock};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Result, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView, p2::pipe::MemoryOutputPipe};
use wasmtime_wasi_http::p2::bindings::{ProxyPre, http::types::Scheme};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView};
use wasmtime_wasi_http::{WasiHttpHooks, WasiHttpView};

/// The component, compiled and linked once for all the tests.
static PRE: LazyLock<ProxyPre<Host>> = LazyLock::new(|| {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &*COMPONENT).expect("the component compiles");
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI links");
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).expect("wasi:http links");
    let pre = linker.instantiate_pre(&component).expect("imports are met");
    ProxyPre::new(pre).expect("exports a handler")
});

/// Asks a new instance, and checks that it answers 200 with exactly `Hello, world!\n`.
async fn assert_says_hello(request: Request<Full<Bytes>>) -> Result<()> {
    let printed = MemoryOutputPipe::new(1 << 16);
    let host = Host {
        ctx: WasiCtx::builder()
            .stdout(printed.clone())
            .stderr(printed.clone())
            .build(),
        ..Host::default()
    };
    let mut store = Store::new(PRE.engine(), host);
    // `Full`'s error type is `Infallible`; the host wants its own.
    let request = request.map(|body| body.map_err(|never| -> Error { match never {} }));
    let mut http = store.data_mut().http();
    let request = http.new_incoming_request(Scheme::Http, request)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let response_out = http.new_response_outparam(sender)?;
    let proxy = PRE.instantiate_async(&mut store).await?;
    let handled = proxy
        .wasi_http_incoming_handler()
        .call_handle(&mut store, request, response_out);
    // The guest writes the body after it has set the response: read it while `handle` runs.
    let answered = async {
        let (head, body) = receiver.await.ok()?.ok()?.into_parts();
        Some((head, body.collect().await.ok()?.to_bytes()))
    };
    let (handled, answered) = tokio::join!(handled, answered);
    let printed = format!("the guest printed {:?}", printed.contents());
    handled.map_err(|error| error.context(printed.clone()))?;
    let (head, body) = answered.unwrap_or_else(|| panic!("no complete response; {printed}"));
    assert_eq!(head.status, 200, "{printed}");
    assert_eq!(
        head.headers["content-type"], "text/plain; charset=utf-8",
        "{printed}"
    );
    assert_eq!(body, Bytes::from_static(b"Hello, world!\n"), "{printed}");
    Ok(())
}

#[tokio::test]
async fn get_root() -> Result<()> {
    assert_says_hello(Request::get("http://localhost/").body(Full::default())?).await
}

#[tokio::test]
async fn get_another_path() -> Result<()> {
    assert_says_hello(Request::get("http://localhost/a/b?c=d").body(Full::default())?).await
}

#[tokio::test]
async fn post_with_a_body() -> Result<()> {
    let body = Full::new(Bytes::from_static(b"some data"));
    assert_says_hello(Request::post("http://localhost/form").body(body)?).await
}

#[derive(Default)]
struct Host {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: DenyOutgoing,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        let (ctx, table, hooks) = (&mut self.http, &mut self.table, &mut self.hooks);
        WasiHttpCtxView { ctx, table, hooks }
    }
}

/// Refuses the handler's own outgoing requests: a test must not reach the network.
#[derive(Default)]
struct DenyOutgoing;

type Sent = Box<dyn Future<Output = Result<(), Error>> + Send>;

impl WasiHttpHooks for DenyOutgoing {
    fn send_request(
        &mut self,
        _: Request<WasiBody>,
        _: Option<RequestOptions>,
        _: Sent,
    ) -> Box<dyn Future<Output = Result<(Response<WasiBody>, Sent), Error>> + Send> {
        Box::new(async { Err(Error::HttpRequestDenied) })
    }
}
{%- elsif wasi == "0.3" -%}
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
{%- else -%}
//! Builds the component and runs it on wasmtime, as a host would.

use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
{%- if kind == "command" %}
use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
{%- endif %}
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
{%- if kind == "library" %}

wasmtime::component::bindgen!({ path: "wit", world: "{{wit_name}}" });
{%- endif %}
{%- if kind == "command" %}

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
{%- else %}

/// Calls `greet` in a fresh instance of the component.
fn greet(name: &str) -> wasmtime::Result<String> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &*COMPONENT)?;
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

#[test]
fn greets_an_ascii_name() -> wasmtime::Result<()> {
    assert_eq!(greet("world")?, "Hello, world!");
    Ok(())
}

#[test]
fn greets_a_name_beyond_ascii() -> wasmtime::Result<()> {
    assert_eq!(greet("Wörld")?, "Hello, Wörld!");
    assert_eq!(greet("世界")?, "Hello, 世界!");
    Ok(())
}

#[test]
fn greets_the_empty_name() -> wasmtime::Result<()> {
    assert_eq!(greet("")?, "Hello, !");
    Ok(())
}
{%- endif %}
{%- endif %}

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
{%- if kind != "http" %}

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
{%- endif %}
