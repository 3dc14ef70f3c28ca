//! Serves the component on http://127.0.0.1:8080 from an embedded wasmtime with WASI 0.3: no wasmtime CLI needed.
//!
//!     cargo build --release --target wasm32-wasip2
//!     cargo run --example serve -- [--debug] target/wasm32-wasip2/release/{{crate_name}}.wasm [port]
//!
//! Each request gets a new instance, as under `wasmtime serve`, and both bodies stream: the guest reads the
//! request's as it arrives and hyper sends the response's as the guest writes it. Ctrl-C stops it.

use bytes::Bytes;
use http_body_util::{BodyExt, channel::Channel};
use hyper::{Request, Response, body::Incoming, server::conn::http1, service::service_fn};
use std::sync::Arc;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, OptLevel, Result, Store, format_err};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView};
use wasmtime_wasi_http::{WasiHttpHooks, WasiHttpView, io::TokioIo};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    let debug = args.next_if_eq("--debug").is_some();
    let wasm = args
        .next()
        .ok_or_else(|| format_err!("usage: serve [--debug] <component.wasm> [port]"))?;
    let port: u16 = args.next().map_or(Ok(8080), |port| port.parse())?;
    let engine = engine(debug)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    let component = Component::from_file(&engine, wasm)?;
    let pre = Arc::new(ServicePre::new(linker.instantiate_pre(&component)?)?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "Listening on http://{} (Ctrl-C stops)",
        listener.local_addr()?
    );
    loop {
        let (client, _) = listener.accept().await?;
        let pre = pre.clone();
        let service = service_fn(move |request| handle(pre.clone(), request));
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(client), service));
    }
}

/// WASI 0.3 needs async functions, streams and futures. `--debug` (README: Debugging): the component compiled
/// with its DWARF and unoptimised, so that gdb stops at breakpoints in its source.
fn engine(debug: bool) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model_async(true).debug_info(debug);
    if debug {
        config.cranelift_opt_level(OptLevel::None);
    }
    Engine::new(&config)
}

async fn handle(
    pre: Arc<ServicePre<Host>>,
    req: Request<Incoming>,
) -> Result<Response<Channel<Bytes, Error>>> {
    // What the guest prints (a panic message, say) shows here.
    let host = Host {
        ctx: WasiCtx::builder().inherit_stdout().inherit_stderr().build(),
        ..Host::default()
    };
    let mut store = Store::new(pre.engine(), host);
    let service = pre.instantiate_async(&mut store).await?;
    let (request, read) = wasmtime_wasi_http::p3::Request::from_http(&mut DenyOutgoing, req);
    let (head, head_rx) = tokio::sync::oneshot::channel();
    // The store's event loop runs the guest, and with it both bodies, until the response's body has ended, so it
    // runs on a task of its own; hyper gets the head as soon as there is one, and the body frame by frame.
    let task = tokio::spawn(async move {
        store
            .run_concurrent(async |store| {
                let respond = async {
                    let response = service.handle(store, request).await?;
                    let response =
                        response.map_err(|code| format_err!("the handler failed: {code:?}"))?;
                    let response =
                        store.with(|store| response.into_http(store, async { Ok(()) }))?;
                    let (parts, mut body) = response.into_parts();
                    let (mut frames, channel) = Channel::new(1);
                    if head.send(Response::from_parts(parts, channel)).is_err() {
                        return Ok(());
                    }
                    while let Some(frame) = body.frame().await {
                        // A send fails only when hyper has dropped the body: the client went away.
                        if frames.send(frame?).await.is_err() {
                            break;
                        }
                    }
                    Ok::<_, wasmtime::Error>(())
                };
                let (responded, read) = tokio::join!(respond, read);
                responded.and(read.map_err(wasmtime::Error::from))
            })
            .await?
    });
    match head_rx.await {
        Ok(response) => Ok(response),
        // No response: the task says why (a trap, say).
        Err(_) => Err(task
            .await?
            .err()
            .unwrap_or_else(|| format_err!("no response was set"))),
    }
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

/// Refuses the guest's outgoing requests: this server has no TLS stack to make them with.
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
