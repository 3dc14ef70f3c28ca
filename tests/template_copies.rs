//! The template (`templates/component`) must be self-contained, so it carries copies of some of the
//! repository's files. Each copy must equal its original, byte for byte: edit the original, then run
//! `templates/sync`.
//! (That the template's default flavor renders to the root crate's `src/lib.rs` and `wit/world.wit` is checked
//! with the real cargo-generate, by `.ci/template-test`.)

mod common;

use std::path::Path;

use common::read;

const TEMPLATE: &str = "templates/component";

/// Folders and files that the template carries as exact copies (`templates/sync` makes them).
const COPIES: [&str; 8] = [
    "host/src",
    "wit/deps",
    "src/output.rs",
    "test-artifacts/build.rs",
    ".cargo/config.toml",
    "rust-toolchain.toml",
    "rustfmt.toml",
    "Cargo.lock",
];

/// The world, which the template names after the project.
const WORLD: &str = "wit/world.wit";

/// The harness manifest, which the template has without the test-only dependencies.
const HOST_MANIFEST: &str = "host/Cargo.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn template_copies_equal_their_originals() {
    for copy in COPIES {
        let (original, in_template) = (root().join(copy), root().join(TEMPLATE).join(copy));
        if original.is_dir() {
            let (ours, theirs) = (common::files(&original), common::files(&in_template));
            let names = |files: &std::collections::BTreeMap<_, _>| files.keys().cloned().collect::<Vec<_>>();
            assert_eq!(
                names(&ours),
                names(&theirs),
                "the files of `{copy}` and of its copy in {TEMPLATE}"
            );
            for (path, bytes) in &ours {
                assert!(
                    bytes == &theirs[path],
                    "{TEMPLATE}/{copy}/{} differs from {copy}/{0}",
                    path.display()
                );
            }
        } else {
            assert!(
                read(&original) == read(&in_template),
                "{TEMPLATE}/{copy} differs from {copy}"
            );
        }
    }
}

#[test]
fn template_world_is_the_root_world_with_the_name_left_open() {
    let template = String::from_utf8(read(root().join(TEMPLATE).join(WORLD))).unwrap();
    let original = String::from_utf8(read(root().join(WORLD))).unwrap();
    assert_eq!(template.replace("{{wit_name}}", "hello"), original);
}

#[test]
fn template_host_manifest_is_the_root_one_without_its_test_dependencies() {
    let template = String::from_utf8(read(root().join(TEMPLATE).join("host/Cargo.toml.liquid"))).unwrap();
    let original = String::from_utf8(read(root().join(HOST_MANIFEST))).unwrap();
    let (without_tests, _) = original
        .split_once("\n[dev-dependencies]")
        .expect("host/Cargo.toml has dev-dependencies");
    assert_eq!(template.trim_end(), without_tests.trim_end());
}
