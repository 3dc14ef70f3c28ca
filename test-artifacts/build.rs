//! Builds the guest components that the tests run, and writes their paths into `guests.rs` as constants.
//!
//! The guest build is a nested cargo with its own target directory: sharing the outer one would wait forever
//! on the lock that the outer cargo holds while it runs this script.

use std::env;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("test-artifacts has no parent")?;
    for input in [
        "src",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let target_dir = out_dir.join("guest-target");
    let mut constants = String::new();
    for profile in ["debug", "release"] {
        let wasm = build_guest(root, "hello", profile, &target_dir)?;
        let name = format!("HELLO_{}", profile.to_uppercase());
        constants += &format!("/// `hello.wasm`, {profile} profile.\npub const {name}: &str = {wasm:?};\n");
    }
    fs::write(out_dir.join("guests.rs"), constants)?;
    Ok(())
}

/// Runs `cargo build --target wasm32-wasip2` for one package and profile; returns the component's path.
fn build_guest(root: &Path, package: &str, profile: &str, target_dir: &Path) -> Result<String, Box<dyn Error>> {
    let mut cargo = Command::new(env::var_os("CARGO").ok_or("CARGO is not set")?);
    cargo
        .current_dir(root)
        .args(["build", "--quiet", "--target", TARGET, "--package", package]);
    if profile == "release" {
        cargo.arg("--release");
    }
    // The outer build's flags and wrappers (clippy, coverage) are for the host, not for the guest.
    let status = cargo
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER")
        .status()
        .map_err(|e| format!("failed to start cargo for guest `{package}`: {e}"))?;
    if !status.success() {
        return Err(format!("failed to build guest `{package}` ({profile}) for {TARGET}: {status}").into());
    }
    let wasm = target_dir
        .join(TARGET)
        .join(profile)
        .join(format!("{}.wasm", package.replace('-', "_")));
    let wasm = wasm
        .to_str()
        .ok_or_else(|| format!("guest path is not UTF-8: `{}`", wasm.display()))?;
    Ok(wasm.to_owned())
}
