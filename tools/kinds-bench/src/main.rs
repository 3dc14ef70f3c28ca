//! Per-call cost of the template's kinds of component, side by side in one process on one engine: a WASI 0.2
//! command, a `wasi:http/incoming-handler` and a WASI 0.3 `wasi:http/handler` (both answered in-process, no
//! socket), a WASI 0.3 command, and the composed
//! kind's command twice: composed with its library (its `greet` answered by the other component) and alone with
//! `greet` answered by the host, as its test does. Those two also once more on one instance each, `run` called
//! again and again: the call itself, without a store and instantiation per call.
//!
//! Usage: `kinds-bench <command.wasm> <http.wasm> <http-p3.wasm> <p3.wasm> <composed.wasm> <composed-command.wasm>`
//! (`tools/kinds-bench/run` builds them all). Prints one Markdown table of medians and ratios.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, Response};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Config, Engine, Result, Store, bail, ensure, format_err};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView, p2::pipe::MemoryOutputPipe};
use wasmtime_wasi_http::p2::bindings::{ProxyPre, http::types::Scheme};
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView};
use wasmtime_wasi_http::{WasiHttpHooks, WasiHttpView};

const WARM_UP: usize = 200;
const TIMED: usize = 2_000;
const HELLO: &[u8] = b"Hello, world!\n";

// One thread, as in the template's tests: the machine's other core is left to the machine's other work.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, http, http_p3, p3, composed, alone] = &args[..] else {
        bail!(
            "usage: kinds-bench <command.wasm> <http.wasm> <http-p3.wasm> <p3.wasm> <composed.wasm> <composed-command.wasm>"
        );
    };

    // One engine for all. WASI 0.3 needs the component model's async (on by default with the cargo feature; said
    // here because wasmtime 50 calls its support very incomplete); async host calls need nothing more. The
    // allocator is the default, on-demand.
    let mut config = Config::new();
    config.wasm_component_model_async(true);
    let engine = Engine::new(&config)?;
    // One linker with everything: each component's imports are resolved once, by `instantiate_pre`, so what
    // it does not import costs nothing per call.
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    let pre = |path: &String| -> Result<InstancePre<Host>> {
        let component =
            Component::from_file(&engine, path).map_err(|error| error.context(format!("compiling {path}")))?;
        linker.instantiate_pre(&component)
    };
    let command = wasmtime_wasi::p2::bindings::CommandPre::new(pre(command)?)?;
    let http = ProxyPre::new(pre(http)?)?;
    let http_p3 = ServicePre::new(pre(http_p3)?)?;
    let p3 = wasmtime_wasi::p3::bindings::CommandPre::new(pre(p3)?)?;
    let composed = wasmtime_wasi::p2::bindings::CommandPre::new(pre(composed)?)?;
    // The command alone: the same linker, and the host side of `greeter` in Rust, as the generated test has it.
    let alone = {
        let component = Component::from_file(&engine, alone)?;
        let mut linker = linker.clone();
        let greeter = component
            .component_type()
            .imports(&engine)
            .map(|(name, _)| name)
            .find(|name| name.ends_with(":component/greeter"))
            .ok_or_else(|| format_err!("{alone} imports no greeter"))?
            .to_string();
        linker
            .instance(&greeter)?
            .func_wrap("greet", |_, (name,): (String,)| Ok((format!("Hello, {name}!"),)))?;
        wasmtime_wasi::p2::bindings::CommandPre::new(linker.instantiate_pre(&component)?)?
    };

    let mut composed_again = Again::new(&composed).await?;
    let mut alone_again = Again::new(&alone).await?;

    let mut times: [Vec<Duration>; 10] = Default::default();
    for round in 0..WARM_UP + TIMED {
        // Interleaved, one call of each kind per round: a burst of load from elsewhere falls on all of them.
        let took = [
            timed(run_command(&command)).await?,
            timed(handle_get(&http)).await?,
            timed(handle_get_p3(&http_p3)).await?,
            timed(instantiate(http.instance_pre())).await?,
            timed(instantiate(http_p3.instance_pre())).await?,
            timed(run_p3(&p3)).await?,
            timed(run_command(&composed)).await?,
            timed(run_command(&alone)).await?,
            timed(composed_again.run()).await?,
            timed(alone_again.run()).await?,
        ];
        if round >= WARM_UP {
            for (kind, took) in took.into_iter().enumerate() {
                times[kind].push(took);
            }
        }
    }

    composed_again.printed_hello_each_time(WARM_UP + TIMED)?;
    alone_again.printed_hello_each_time(WARM_UP + TIMED)?;
    let [
        command,
        http,
        http_p3,
        http_new,
        http_p3_new,
        p3,
        composed,
        alone,
        composed_again,
        alone_again,
    ] = times.map(|mut times| {
        times.sort();
        (times[times.len() / 2], times[times.len() * 9 / 10])
    });
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!("| per call ({TIMED} timed after {WARM_UP} warm-up, interleaved) | median | 90th percentile | goal |");
    println!("| --- | --- | --- | --- |");
    for (name, (median, p90)) in [
        ("WASI 0.2 command: store + instantiate + run + stdout", command),
        ("http handler: store + instantiate + handle GET + body", http),
        (
            "WASI 0.3 http handler: store + instantiate + run_concurrent + handle GET + body",
            http_p3,
        ),
        ("http handler: store + instantiate only", http_new),
        ("WASI 0.3 http handler: store + instantiate only", http_p3_new),
        ("WASI 0.3 command: store + instantiate + run_concurrent + stdout", p3),
        (
            "composed command and library: store + instantiate both + run (one greet) + stdout",
            composed,
        ),
        (
            "composed kind's command alone, greet answered by the host: the same",
            alone,
        ),
        (
            "composed, one instance: run again (one greet, component to component) + stdout",
            composed_again,
        ),
        (
            "alone, one instance: run again (one greet, answered by the host) + stdout",
            alone_again,
        ),
    ] {
        println!("| {name} | {:.1} µs | {:.1} µs | |", micros(median), micros(p90));
    }
    println!(
        "| http / WASI 0.2 command | {:.2}x | | at most 2x |",
        ratio(http.0, command.0)
    );
    println!(
        "| WASI 0.3 / WASI 0.2 http handler | {:.2}x | | at most 1.2x |",
        ratio(http_p3.0, http.0)
    );
    println!("| WASI 0.3 / WASI 0.2 command | {:.2}x | | |", ratio(p3.0, command.0));
    println!(
        "| composed / greet answered by the host | {:.2}x | | at most 1.5x |",
        ratio(composed.0, alone.0)
    );
    println!(
        "| the same, one instance each (the call itself) | {:.2}x | | at most 1.5x |",
        ratio(composed_again.0, alone_again.0)
    );
    Ok(())
}

/// A command instantiated once, whose `run` is called again and again (a component's export may be called any
/// number of times): what a call costs without the store and the instantiation.
struct Again {
    store: Store<Host>,
    stdout: MemoryOutputPipe,
    command: wasmtime_wasi::p2::bindings::Command,
}

impl Again {
    async fn new(pre: &wasmtime_wasi::p2::bindings::CommandPre<Host>) -> Result<Self> {
        let (mut store, stdout) = store(pre.engine());
        let command = pre.instantiate_async(&mut store).await?;
        Ok(Again { store, stdout, command })
    }

    async fn run(&mut self) -> Result<()> {
        let run = self.command.wasi_cli_run().call_run(&mut self.store).await?;
        ensure!(run.is_ok(), "the command's run failed");
        Ok(())
    }

    /// Checked once at the end, so that no call's time includes copying what was printed so far.
    fn printed_hello_each_time(&self, calls: usize) -> Result<()> {
        let printed = self.stdout.contents();
        ensure!(
            printed == HELLO.repeat(calls),
            "the command printed {} bytes in {calls} runs",
            printed.len()
        );
        Ok(())
    }
}

/// How long one call took, once it has succeeded.
async fn timed(call: impl Future<Output = Result<()>>) -> Result<Duration> {
    let start = Instant::now();
    call.await?;
    Ok(start.elapsed())
}

/// A fresh store whose stdout is captured: every call of every kind starts with the same one.
fn store(engine: &Engine) -> (Store<Host>, MemoryOutputPipe) {
    // Room for every run of `Again` (14 bytes each).
    let stdout = MemoryOutputPipe::new(1 << 16);
    let host = Host {
        ctx: WasiCtx::builder().stdout(stdout.clone()).build(),
        table: ResourceTable::new(),
        http: WasiHttpCtx::new(),
        hooks: DenyOutgoing,
    };
    (Store::new(engine, host), stdout)
}

async fn run_command(pre: &wasmtime_wasi::p2::bindings::CommandPre<Host>) -> Result<()> {
    let (mut store, stdout) = store(pre.engine());
    let command = pre.instantiate_async(&mut store).await?;
    let run = command.wasi_cli_run().call_run(&mut store).await?;
    ensure!(run.is_ok(), "the WASI 0.2 command's run failed");
    ensure!(
        stdout.contents() == HELLO,
        "the WASI 0.2 command printed {:?}",
        stdout.contents()
    );
    Ok(())
}

async fn run_p3(pre: &wasmtime_wasi::p3::bindings::CommandPre<Host>) -> Result<()> {
    let (mut store, stdout) = store(pre.engine());
    let command = pre.instantiate_async(&mut store).await?;
    // An async export is called from inside the store's event loop, which also runs the stdout stream.
    let run = store
        .run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await)
        .await??;
    ensure!(run.is_ok(), "the WASI 0.3 command's run failed");
    ensure!(
        stdout.contents() == HELLO,
        "the WASI 0.3 command printed {:?}",
        stdout.contents()
    );
    Ok(())
}

async fn handle_get(pre: &ProxyPre<Host>) -> Result<()> {
    let (mut store, _) = store(pre.engine());
    // `Empty`'s error type is `Infallible`; the host wants its own. The URI needs an authority.
    let request =
        Request::get("http://localhost/").body(Empty::<Bytes>::new().map_err(|never| -> Error { match never {} }))?;
    let mut http = store.data_mut().http();
    let request = http.new_incoming_request(Scheme::Http, request)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let response_out = http.new_response_outparam(sender)?;
    let proxy = pre.instantiate_async(&mut store).await?;
    let handled = proxy
        .wasi_http_incoming_handler()
        .call_handle(&mut store, request, response_out);
    // The guest writes the body after it has set the response: read it while `handle` runs.
    let answered = async {
        let response = receiver.await.map_err(|_| format_err!("no response"))??;
        let (head, body) = response.into_parts();
        Ok::<_, wasmtime::Error>((head.status, body.collect().await?.to_bytes()))
    };
    let (handled, answered) = tokio::join!(handled, answered);
    handled?;
    let (status, body) = answered?;
    ensure!(status == 200 && body == HELLO, "the handler answered {status} {body:?}");
    Ok(())
}

/// A store and an instance, no call: what the size of the component costs before any request.
async fn instantiate(pre: &InstancePre<Host>) -> Result<()> {
    let (mut store, _) = store(pre.engine());
    pre.instantiate_async(&mut store).await?;
    Ok(())
}

async fn handle_get_p3(pre: &ServicePre<Host>) -> Result<()> {
    let (mut store, _) = store(pre.engine());
    let service = pre.instantiate_async(&mut store).await?;
    let request =
        Request::get("http://localhost/").body(Empty::<Bytes>::new().map_err(|never| -> Error { match never {} }))?;
    let (request, read) = wasmtime_wasi_http::p3::Request::from_http(&mut DenyOutgoing, request);
    // The handler, the request's (empty) body and the response's body all run in the store's event loop.
    let (status, body) = store
        .run_concurrent(async |store| {
            let answered = async {
                let response = service.handle(store, request).await?;
                let response = response.map_err(|code| format_err!("the handler failed: {code:?}"))?;
                let response = store.with(|store| response.into_http(store, async { Ok(()) }))?;
                let (head, body) = response.into_parts();
                Ok::<_, wasmtime::Error>((head.status, body.collect().await?.to_bytes()))
            };
            let (answered, read) = tokio::join!(answered, read);
            read?;
            answered
        })
        .await??;
    ensure!(
        status == 200 && body == HELLO,
        "the WASI 0.3 handler answered {status} {body:?}"
    );
    Ok(())
}

struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    hooks: DenyOutgoing,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let (ctx, table) = (&mut self.ctx, &mut self.table);
        WasiCtxView { ctx, table }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        let (ctx, table, hooks) = (&mut self.http, &mut self.table, &mut self.hooks);
        WasiHttpCtxView { ctx, table, hooks }
    }
}

/// Refuses the handler's own outgoing requests (it makes none): without `default-send-request` the hook has no
/// default.
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
