//! Hello, world! as an HTTP handler: a `wasi:http/incoming-handler` component that answers every request with
//! `200 OK` and the text `Hello, world!`.

// `generate_all`: the WASI interfaces come from `wit/deps`, not from a bindings crate, so generate them too.
wit_bindgen::generate!({ world: "{{wit_world}}", generate_all });

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

struct Handler;

impl Guest for Handler {
    // No `unwrap` or allocation here: either would link std's panic machinery, which imports `wasi:cli`
    // interfaces that `wasmtime serve` does not provide unless asked (`-S cli=y`).
    fn handle(_request: IncomingRequest, response_out: ResponseOutparam) {
        // Headers go in before the response is made: a response's own headers are immutable.
        let headers = Fields::new();
        let Ok(()) = headers.append("content-type", b"text/plain; charset=utf-8") else {
            return;
        };
        let response = OutgoingResponse::new(headers);
        let Ok(body) = response.body() else { return };
        // The status and headers go out first; the body streams after them.
        ResponseOutparam::set(response_out, Ok(response));
        if let Ok(stream) = body.write() {
            let _ = stream.blocking_write_and_flush(b"Hello, world!\n");
        }
        // The body must be finished (its stream dropped first) for the response to end.
        let _ = OutgoingBody::finish(body, None);
    }
}

// The export names a wasm symbol that native linkers reject, so it exists only on wasm; natively the crate still
// builds, which lets `cargo test` build this package's tests.
#[cfg(target_arch = "wasm32")]
export!(Handler);
