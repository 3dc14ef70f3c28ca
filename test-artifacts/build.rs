//! Builds the guest components that the tests run, and writes their paths into `guests.rs` as constants named
//! `<PACKAGE>_<PROFILE>`, e.g. `HELLO_RELEASE`.
//!
//! The guest build is a nested cargo with its own target directory: sharing the outer one would wait forever
//! on the lock that the outer cargo holds while it runs this script.

use std::env;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// Per profile, the guests to build: package and component file (a cdylib's has underscores, a bin's not).
/// The test programs are built in release only: small components compile quickly in every test.
const GUESTS: [(&str, &[(&str, &str)]); 2] = [
    ("debug", &[("hello", "hello.wasm")]),
    (
        "release",
        &[
            ("hello", "hello.wasm"),
            ("echo", "echo.wasm"),
            ("long-output", "long-output.wasm"),
        ],
    ),
];

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("test-artifacts has no parent")?;
    let inputs = [
        "src",
        "wit",
        "test-programs",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "rust-toolchain.toml",
    ];
    for input in inputs {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let target_dir = out_dir.join("guest-target");
    let mut constants = String::new();
    for (profile, guests) in GUESTS {
        build_guests(root, profile, guests, &target_dir)?;
        for (package, file) in guests {
            let wasm = target_dir.join(TARGET).join(profile).join(file);
            let name = format!("{}_{}", package.replace('-', "_"), profile).to_uppercase();
            constants += &format!("/// `{file}` of package `{package}`, {profile} profile.\n");
            constants += &format!(
                "pub const {name}: &str = {:?};\n",
                wasm.to_str().ok_or("guest path is not UTF-8")?
            );
        }
    }
    fs::write(out_dir.join("guests.rs"), constants)?;
    Ok(())
}

/// Runs `cargo build --target wasm32-wasip2` for these packages in one profile.
fn build_guests(root: &Path, profile: &str, guests: &[(&str, &str)], target_dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut cargo = Command::new(env::var_os("CARGO").ok_or("CARGO is not set")?);
    cargo
        .current_dir(root)
        .args(["build", "--quiet", "--locked", "--target", TARGET]);
    for (package, _) in guests {
        cargo.args(["--package", package]);
    }
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
        .map_err(|e| format!("failed to start cargo to build the guests: {e}"))?;
    if !status.success() {
        return Err(format!("failed to build the {profile} guests for {TARGET}: {status}").into());
    }
    Ok(())
}
