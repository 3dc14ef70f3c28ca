//! The components the tests run: guests built by `build.rs` (their paths are constants, one per guest and
//! profile), and hand-written WAT fixtures turned into components in-process.

mod strip;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

pub use strip::strip_custom_sections;

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// The repository's `wit/`, the one copy of the WIT that the guests build against.
fn wit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("wit")
}

/// The test fixtures' own worlds (`fixtures:hostile/...`), which use the WASI packages of `wit/deps`.
fn fixtures_wit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("fixtures")
        .join("wit")
}

/// Turns a core module written in WAT into a component of `world`: a world of `wit/` (`"hello"`) or of the
/// fixtures' WIT (`"fixtures:hostile/command"`).
///
/// The library form of `wasm-tools component embed wit --world <world> <wat>` piped into
/// `wasm-tools component new`.
pub fn component_from_wat(wat: &str, world: &str) -> Result<Vec<u8>> {
    let mut module = wat::parse_str(wat).context("failed to parse the WAT module")?;
    let mut resolve = Resolve::default();
    let mut push = |dir: PathBuf| {
        resolve
            .push_dir(&dir)
            .map(|(package, _)| package)
            .with_context(|| format!("failed to load WIT from `{}`", dir.display()))
    };
    let hello = push(wit_dir())?;
    push(fixtures_wit_dir())?;
    let world = resolve.select_world(&[hello], Some(world))?;
    // `false`: names keep their versions (`wasi:cli/stdout@0.2.3`), as wasm-component-ld writes them.
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8, false)?;
    ComponentEncoder::default()
        .validate(true)
        .module(&module)?
        .encode()
        .context("failed to encode the component")
}
