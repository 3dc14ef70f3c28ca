//! What the fuzz targets share: one harness under tight limits, and the structural mutator.

use std::sync::LazyLock;
use std::time::Duration;

use hello_host::{Harness, Invocation, Limits};

pub mod mutate;

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let limits = Limits {
        timeout: Duration::from_millis(100),
        compile_timeout: Duration::from_secs(10),
        max_memory: 16 << 20,
        max_output: 64 << 10,
    };
    Harness::new(limits).expect("the harness starts")
});

/// Loads and runs `bytes`. Every input must end in an outcome (refused, trapped, limited, or ran); a panic or a
/// hang is a bug.
pub fn load_and_run(bytes: &[u8]) {
    if let Ok(program) = HARNESS.load(bytes) {
        let _ = HARNESS.run(&program, &Invocation::default());
    }
}
