//! The article's hand-written WAT module (length bug fixed), made into a component in-process against our
//! `wit/`, and run on the same harness as the Rust guest.

use crate::common::{assert_hello_interface, assert_prints_hello, run};

const FIXTURE: &str = include_str!("../fixtures/hello.wat");

fn seed_component() -> Vec<u8> {
    test_artifacts::component_from_wat(FIXTURE, "hello")
        .unwrap_or_else(|e| panic!("failed to build tests/fixtures/hello.wat into a component: {e:?}"))
}

#[test]
fn seed_wat_prints_hello() {
    let output = run(seed_component());
    assert_prints_hello("tests/fixtures/hello.wat", &output);
}

#[test]
fn seed_wat_has_the_same_interface_as_the_rust_guest() {
    assert_hello_interface("tests/fixtures/hello.wat", &seed_component());
}

#[test]
fn seed_wat_and_rust_guest_print_identical_bytes() {
    let seed = run(seed_component());
    let rust = run(test_artifacts::HELLO_RELEASE);
    assert_eq!(seed, rust, "WAT:\n{seed}\nRust:\n{rust}");
}
