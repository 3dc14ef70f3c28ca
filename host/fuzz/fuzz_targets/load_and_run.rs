//! Arbitrary bytes through the whole load-and-run path of the harness, under tight limits. Every input must
//! end in an outcome (refused, trapped, limited, or ran); a panic or a hang is a bug.

#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use hello_host::{Harness, Invocation, Limits};
use libfuzzer_sys::fuzz_target;

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let limits = Limits {
        timeout: Duration::from_millis(100),
        max_memory: 16 << 20,
        max_output: 64 << 10,
    };
    Harness::new(limits).expect("the harness starts")
});

fuzz_target!(|bytes: &[u8]| {
    let _ = HARNESS.run_bytes(bytes, &Invocation::default());
});
