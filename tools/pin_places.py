"""Where each pin lives: the one list that `.ci/pins` (every copy agrees) and `tools/upgrade` (moves them all) read.

Paths are relative to the repository's root; in each list the first place is the pin's home.
"""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The toolchain's `channel`; its major.minor is every manifest's `rust-version`.
TOOLCHAINS = ["rust-toolchain.toml", "templates/component/rust-toolchain.toml"]
# The template's manifests: each flavor's (`kinds/<flavor>/Cargo.toml.liquid`), and the composed kind's library
# member's.
TEMPLATE_MANIFESTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates/component").glob("**/Cargo.toml.liquid"))
# wasmtime, wasmtime-wasi and wasmtime-wasi-http: one version for all three, wherever any is named.
WASMTIME_CRATES = ["wasmtime", "wasmtime-wasi", "wasmtime-wasi-http"]
WASMTIME = ["Cargo.toml", *TEMPLATE_MANIFESTS, "tools/kinds-bench/Cargo.toml"]
WIT_BINDGEN = ["Cargo.toml", *TEMPLATE_MANIFESTS]
# The wasm-tools crates, on the line wasmtime builds on; `wat` is numbered 1.x of the same line.
WASM_TOOLS_CRATES = ["wasm-encoder", "wasm-mutate", "wasmparser", "wit-component", "wit-parser"]
WASM_TOOLS = ["Cargo.toml", "host/fuzz/Cargo.toml"]
WAC_GRAPH = TEMPLATE_MANIFESTS
# The `wasi` crate whose WIT is our WASI 0.2.3 (the root names it `upstream-wasi-wit`, for the drift test).
WASI_CRATE = ["test-programs/fs/Cargo.toml", *TEMPLATE_MANIFESTS]
# Each flavor's README (`kinds/<flavor>/README.md`).
TEMPLATE_READMES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates/component/kinds").glob("*/README.md"))
# Files that install or quote a tool with `cargo install NAME --version X`.
INSTALLS = [".ci/run", ".ci/template-test", "README.md", "docs/composing-components.md", *TEMPLATE_READMES,
            "templates/component/.github/workflows/ci.yml"]
INSTALLED_TOOLS = ["cargo-generate", "wasm-tools", "wac-cli", "wkg", "wasmtime-cli"]


def manifests():
    """Every Cargo.toml of ours (not under target/ or node_modules/), then the template's."""
    ours = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("**/Cargo.toml")
                  if "target" not in p.parts and "node_modules" not in p.parts)
    return ours + TEMPLATE_MANIFESTS
