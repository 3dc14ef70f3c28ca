//! Builds the handler for wasm32-wasip2, then answers requests with it on an embedded wasmtime with WASI 0.3, in
//! this process: no socket, and nothing goes out to the network.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, channel::Channel, combinators::UnsyncBoxBody};
use hyper::body::Body;
use hyper::{Request, Response};
use std::{path::PathBuf, process::Command, sync::LazyLock};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Result, Store, format_err};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView, p2::pipe::MemoryOutputPipe};
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView};
use wasmtime_wasi_http::{WasiHttpHooks, WasiHttpView};

/// The component, compiled and linked once for all the tests.
static PRE: LazyLock<ServicePre<Host>> = LazyLock::new(|| {
    // WASI 0.3 needs async functions, streams and futures.
    let mut config = Config::new();
    config.wasm_component_model_async(true);
    let engine = Engine::new(&config).expect("wasmtime starts");
    let component = Component::from_file(&engine, &*COMPONENT).expect("the component compiles");
    let mut linker = Linker::new(&engine);
    // WASI 0.2 too: std's panic paths use it, even in a WASI 0.3 component.
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI 0.2 links");
    wasmtime_wasi::p3::add_to_linker(&mut linker).expect("WASI 0.3 links");
    wasmtime_wasi_http::p3::add_to_linker(&mut linker).expect("wasi:http links");
    let pre = linker.instantiate_pre(&component).expect("imports are met");
    ServicePre::new(pre).expect("exports a handler")
});

/// What a new instance answered: the response's head and its whole body.
struct Answer {
    head: hyper::http::response::Parts,
    body: Bytes,
}

/// Asks a new instance, reading the response's body to its end while the guest writes it.
async fn ask<B>(request: Request<B>) -> Result<Answer>
where
    B: Body<Data = Bytes, Error = Error> + Send + 'static,
{
    let printed = MemoryOutputPipe::new(1 << 16);
    let host = Host {
        ctx: WasiCtx::builder()
            .stdout(printed.clone())
            .stderr(printed.clone())
            .build(),
        ..Host::default()
    };
    let mut store = Store::new(PRE.engine(), host);
    let service = PRE.instantiate_async(&mut store).await?;
    let (request, read) = wasmtime_wasi_http::p3::Request::from_http(&mut DenyOutgoing, request);
    // The handler, the request's body and the response's body all make progress inside the store's event loop.
    let answered = store
        .run_concurrent(async |store| {
            let answer = async {
                let response = service.handle(store, request).await?;
                let response =
                    response.map_err(|code| format_err!("the handler failed: {code:?}"))?;
                let response = store.with(|store| response.into_http(store, async { Ok(()) }))?;
                let (head, body) = response.into_parts();
                let body = body.collect().await?.to_bytes();
                Ok::<_, wasmtime::Error>(Answer { head, body })
            };
            let (answer, read) = tokio::join!(answer, read);
            read?;
            answer
        })
        .await;
    let printed = format!("the guest printed {:?}", printed.contents());
    answered
        .and_then(|answer| answer)
        .map_err(|error| error.context(printed))
}

fn empty() -> UnsyncBoxBody<Bytes, Error> {
    Full::default()
        .map_err(|never| match never {})
        .boxed_unsync()
}

#[tokio::test]
async fn get_root_says_hello() -> Result<()> {
    let answer = ask(Request::get("http://localhost/").body(empty())?).await?;
    assert_eq!(answer.head.status, 200);
    assert_eq!(
        answer.head.headers["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(answer.body, Bytes::from_static(b"Hello, world!\n"));
    Ok(())
}

#[tokio::test]
async fn echo_streams_the_body_back() -> Result<()> {
    // 1 MiB in 16 chunks, each sent when the one before has been taken: the guest reads the body as it arrives.
    let sent: Bytes = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let (mut sender, body) = Channel::<Bytes, Error>::new(1);
    let chunks = sent.clone();
    tokio::spawn(async move {
        for start in (0..chunks.len()).step_by(1 << 16) {
            let chunk = chunks.slice(start..start + (1 << 16));
            if sender.send_data(chunk).await.is_err() {
                break;
            }
        }
    });
    let request = Request::post("http://localhost/echo")
        .header("content-type", "application/x-test")
        .body(body)?;
    let answer = ask(request).await?;
    assert_eq!(answer.head.status, 200);
    assert_eq!(answer.head.headers["content-type"], "application/x-test");
    assert!(
        answer.body == sent,
        "the echo is not the body that was sent"
    );
    Ok(())
}

#[tokio::test]
async fn another_path_is_not_found() -> Result<()> {
    let answer = ask(Request::get("http://localhost/a/b?c=d").body(empty())?).await?;
    assert_eq!(answer.head.status, 404);
    assert_eq!(answer.body, Bytes::from_static(b"Not found\n"));
    Ok(())
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
