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
