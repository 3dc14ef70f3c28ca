//! Prints each argument on a line, then each environment variable as `KEY=VALUE`, sorted.
//! A `bin`: std's `main` is the `wasi:cli/run` export, and std reads the arguments and environment.

fn main() {
    for arg in std::env::args() {
        println!("{arg}");
    }
    let mut vars: Vec<_> = std::env::vars().collect();
    vars.sort();
    for (key, value) in vars {
        println!("{key}={value}");
    }
}
