//! Hello, world! as a WASI 0.3 HTTP handler: an async `wasi:http/handler` that answers `GET /` with
//! `Hello, world!`, streams the body of a `POST /echo` back as it arrives, and answers anything else with 404.

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_world}}", generate_all });

use exports::wasi::http::handler::Guest;
use wasi::http::types::{ErrorCode, Fields, Method, Request, Response};
use wit_bindgen::{FutureReader, StreamReader, StreamResult};

struct Handler;

impl Guest for Handler {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        match (
            request.get_method(),
            request.get_path_with_query().as_deref(),
        ) {
            (Method::Get, Some("/")) => text(200, b"Hello, world!\n"),
            (Method::Post, Some("/echo")) => echo(request),
            _ => text(404, b"Not found\n"),
        }
    }
}

/// A plain-text response whose body is `body`.
fn text(status: u16, body: &'static [u8]) -> Result<Response, ErrorCode> {
    let (mut writer, contents) = wit_stream::new();
    // The host reads the body only after `handle` has returned the response, so it is written by a task that
    // goes on running after the return.
    wit_bindgen::spawn_local(async move {
        writer.write_all(body.to_vec()).await;
    });
    let (_, trailers) = wit_future::new(|| Ok(None));
    respond(status, "text/plain; charset=utf-8", contents, trailers)
}

/// Answers with the request's own body, chunk by chunk as it arrives, and with its content type.
fn echo(request: Request) -> Result<Response, ErrorCode> {
    let content_type = request.get_headers().get("content-type");
    let content_type = content_type
        .first()
        .and_then(|value| std::str::from_utf8(value).ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    // `read`'s future tells the host, when it resolves, that the body was read to its end.
    let (read, read_result) = wit_future::new(|| Ok(()));
    let (mut incoming, trailers) = Request::consume_body(request, read_result);
    let (mut outgoing, contents) = wit_stream::new();
    wit_bindgen::spawn_local(async move {
        while let (StreamResult::Complete(_), chunk) =
            incoming.read(Vec::with_capacity(64 << 10)).await
        {
            // Whatever is left unwritten means the client went away.
            if !outgoing.write_all(chunk).await.is_empty() {
                break;
            }
        }
        drop(read);
    });
    // The request's trailers, if it has any, become the response's.
    respond(200, &content_type, contents, trailers)
}

/// A response with `status`, a `content-type` header, and a body that ends, with `trailers`, once `contents` does.
fn respond(
    status: u16,
    content_type: &str,
    contents: StreamReader<u8>,
    trailers: FutureReader<Result<Option<Fields>, ErrorCode>>,
) -> Result<Response, ErrorCode> {
    let header = ("content-type".to_owned(), content_type.as_bytes().to_vec());
    let headers = Fields::from_list(&[header])
        .map_err(|error| ErrorCode::InternalError(Some(format!("content-type: {error:?}"))))?;
    // The second half says whether the host sent the response whole; nothing here would act on it.
    let (response, _) = Response::new(headers, Some(contents), trailers);
    response
        .set_status_code(status)
        .map_err(|()| ErrorCode::InternalError(Some(format!("status {status}"))))?;
    Ok(response)
}

// The export names a wasm symbol that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` build this package's tests.
#[cfg(target_arch = "wasm32")]
export!(Handler);
