//! Builds the guest components listed in `guests.txt` and writes their paths into `guests.rs` as constants
//! named `<PACKAGE>_<PROFILE>`, e.g. `HELLO_RELEASE`.
//!
//! The guest build is a nested cargo with its own target directory, `TEST_GUESTS_TARGET_DIR` (set in
//! `.cargo/config.toml`): sharing the outer one would wait forever on the lock that the outer cargo holds while it
//! runs this script, and one folder for all outer builds (test, clippy) builds each guest once.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;
use std::process::Command;
use std::{env, fs};

const TARGET: &str = "wasm32-wasip2";

/// The list of guests, from the repository root.
const GUEST_LIST: &str = "test-artifacts/guests.txt";

/// What every guest build reads besides its own package folder.
const SHARED_INPUTS: [&str; 4] = ["wit", "Cargo.lock", ".cargo/config.toml", "rust-toolchain.toml"];

fn main() -> Result<(), Box<dyn Error>> {
    // Read when run, not compiled in: cargo may reuse this script's binary for a same-named package elsewhere.
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let root = manifest_dir.parent().ok_or("test-artifacts has no parent")?;
    let list = fs::read_to_string(root.join(GUEST_LIST))?;
    // profile -> [(package, folder, component file)]
    let mut guests: BTreeMap<&str, Vec<(&str, &str, &str)>> = BTreeMap::new();
    let lines = list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'));
    for line in lines {
        let [profile, package, folder, file] = line.split_whitespace().collect::<Vec<_>>()[..] else {
            return Err(format!("guests.txt: expected `profile package folder file`, found `{line}`").into());
        };
        guests.entry(profile).or_default().push((package, folder, file));
    }
    let folders = guests
        .values()
        .flatten()
        .flat_map(|(_, dir, _)| [format!("{dir}/src"), format!("{dir}/Cargo.toml")]);
    for input in folders.chain([GUEST_LIST].into_iter().chain(SHARED_INPUTS).map(String::from)) {
        // Only what exists: cargo would rerun the script on every build for a path that does not.
        if root.join(&input).exists() {
            println!("cargo:rerun-if-changed={}", root.join(&input).display());
        }
    }

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    println!("cargo:rerun-if-env-changed=TEST_GUESTS_TARGET_DIR");
    let target_dir =
        env::var_os("TEST_GUESTS_TARGET_DIR").ok_or("TEST_GUESTS_TARGET_DIR is not set (.cargo/config.toml)")?;
    let target_dir = PathBuf::from(target_dir);
    let mut constants = String::new();
    for (profile, guests) in &guests {
        let mut cargo = Command::new(env::var_os("CARGO").ok_or("CARGO is not set")?);
        // Cargo calls the profile whose output goes to `debug/` `dev`.
        let profile_name = if *profile == "debug" { "dev" } else { profile };
        cargo
            .current_dir(root)
            .args(["build", "--quiet", "--locked", "--target", TARGET]);
        cargo.args(["--profile", profile_name]);
        for (package, _, file) in guests {
            cargo.args(["--package", package]);
            let wasm = target_dir.join(TARGET).join(profile).join(file);
            let name = format!("{package}_{profile}").replace('-', "_").to_uppercase();
            constants +=
                &format!("/// `{file}` of `{package}`, {profile} profile.\npub const {name}: &str = {wasm:?};\n");
        }
        // The outer build's flags and wrappers (clippy, coverage) are for the host, not for the guests.
        let status = cargo
            .env("CARGO_TARGET_DIR", &target_dir)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("RUSTC_WRAPPER")
            .status()
            .map_err(|e| format!("failed to start cargo to build the guests: {e}"))?;
        if !status.success() {
            return Err(format!("failed to build the {profile} guests for {TARGET}: {status}").into());
        }
    }
    fs::write(out_dir.join("guests.rs"), constants)?;
    Ok(())
}
