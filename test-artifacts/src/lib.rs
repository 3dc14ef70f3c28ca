//! The components the tests run: guests built by `build.rs` (their paths are constants, one per guest and
//! profile), and hand-written WAT fixtures turned into components in-process.

use std::path::Path;

use anyhow::{Context, Result};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// The repository's `wit/` folder, the one copy of the WIT that every guest and fixture builds against.
pub fn wit_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit"))
}

/// Turns a core module written in WAT into a component of `world` from `wit_dir`.
///
/// The library form of `wasm-tools component embed <wit_dir> --world <world> <wat>` piped into
/// `wasm-tools component new`.
pub fn component_from_wat(wat: &str, wit_dir: &Path, world: &str) -> Result<Vec<u8>> {
    let mut module = wat::parse_str(wat).context("failed to parse the WAT module")?;
    let mut resolve = Resolve::default();
    let (package, _) = resolve
        .push_dir(wit_dir)
        .with_context(|| format!("failed to load WIT from `{}`", wit_dir.display()))?;
    let world = resolve.select_world(&[package], Some(world))?;
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)?;
    ComponentEncoder::default()
        .validate(true)
        .module(&module)?
        .encode()
        .context("failed to encode the component")
}
