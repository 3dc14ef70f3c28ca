//! Paths of the guest components that `build.rs` built for the tests, one constant per guest and profile.

include!(concat!(env!("OUT_DIR"), "/guests.rs"));
