//! `wit/deps`, and the template's copy of it, must hold exactly the WASI 0.2.3 WIT that upstream published in the
//! `wasi` crate 0.14.1+wasi-0.2.3, byte for byte; the template's WASI 0.3 WIT (`wit-0.3/deps`, which its WASI 0.3
//! kinds share), exactly what the `wasip3` crate 0.10.0 publishes for WASI 0.3.2. Both crates are dev-dependencies pinned with `=`, so this runs
//! offline: cargo has them already.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A crate that publishes WASI's WIT in its `wit/deps`, and the version pinned in Cargo.toml.
type Upstream = (&'static str, &'static str);
const WASI_0_2_3: Upstream = ("wasi", "0.14.1+wasi-0.2.3");
const WASI_0_3: Upstream = ("wasip3", "0.10.0+wasi-0.3.2");

/// `wit/deps` of the pinned crate, found through `cargo metadata` rather than a guess at cargo's cache layout.
fn upstream_wit_deps((name, version): Upstream) -> PathBuf {
    // Filtered to the host, cargo needs only the packages that this build already downloaded.
    let host = format!("--filter-platform={}", host_triple());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["metadata", "--format-version=1", "--offline", "--locked", &host])
        .output()
        .expect("failed to run `cargo metadata`");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata printed JSON");
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name && p["version"] == version)
        .unwrap_or_else(|| panic!("{name} {version} is not a dependency"));
    let manifest = Path::new(package["manifest_path"].as_str().expect("manifest_path is a string"));
    manifest.parent().unwrap().join("wit").join("deps")
}

fn host_triple() -> String {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("failed to run `rustc -vV`");
    let version = String::from_utf8(output.stdout).expect("rustc -vV printed UTF-8");
    let host = version.lines().find_map(|line| line.strip_prefix("host: "));
    host.expect("rustc -vV names the host").to_owned()
}

#[test]
fn wit_deps_are_the_upstream_wasi_0_2_3_files() {
    assert_upstream("wit/deps", WASI_0_2_3);
}

/// Generated projects get their own copy: they must build without this repository.
#[test]
fn template_wit_deps_are_the_upstream_wasi_0_2_3_files() {
    assert_upstream("templates/component/wit/deps", WASI_0_2_3);
}

#[test]
fn template_wasi_0_3_wit_is_the_upstream_wasi_0_3_2_files() {
    assert_upstream("templates/component/wit-0.3/deps", WASI_0_3);
}

/// Every file of `deps` is upstream's, byte for byte, and each package (a folder or a file) is there whole.
fn assert_upstream(deps: &str, upstream @ (name, version): Upstream) {
    let ours = common::files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(deps));
    let upstream_dir = upstream_wit_deps(upstream);
    let upstream = common::files(&upstream_dir);
    assert!(!ours.is_empty(), "{deps} is empty");
    for (path, bytes) in &ours {
        let package = path.components().next().unwrap();
        let from_upstream = upstream
            .get(path)
            .unwrap_or_else(|| panic!("{deps}/{} is not in {name} {version}", path.display()));
        assert!(
            bytes == from_upstream,
            "{deps}/{} differs from `{}`",
            path.display(),
            upstream_dir.display()
        );
        // wit-parser reads every file of a package folder.
        let missing: Vec<_> = upstream
            .keys()
            .filter(|p| p.starts_with(package) && !ours.contains_key(*p))
            .collect();
        assert!(missing.is_empty(), "{deps} lacks upstream files {missing:?}");
    }
}
