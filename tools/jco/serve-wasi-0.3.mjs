// Serves a WASI 0.3 `wasi:http/handler`, transpiled by `jco transpile` with its `wasi:http` imports mapped to
// preview3-shim, on preview3-shim's HTTP server (Node 24): `jco serve` cannot, as it maps `wasi:http` to
// preview2-shim. Usage: node serve-wasi-0.3.mjs <transpiled component.js> <port>
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { HttpServer } from "@bytecodealliance/preview3-shim/http";

const [module, port] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(resolve(module)));
// jco's bindings return `handle`'s `ok` value and throw its `error-code`; the shim's server takes the result.
const server = new HttpServer({
  async handle(request) {
    try {
      return { tag: "ok", val: await handler.handle(request) };
    } catch (error) {
      return { tag: "err", val: error };
    }
  },
});
server.on("error", (error) => console.error(error));
await server.listen(Number(port), "127.0.0.1");
console.log(`Listening on http://127.0.0.1:${port}`);
