//! Does what its arguments say to the first directory the host gave it, and prints one line per operation:
//! `<operation> <operands>: ok ...` or `<operation> <operands>: error <code>`. Exits with status 1 when an
//! operation failed, as a command-line tool does, else 0.
//!
//! Operations (paths are relative to that directory, except for `std-*`):
//! - `preopens`: the names of the directories the guest was given
//! - `read PATH`, `list PATH`, `write PATH TEXT`, `mkdir PATH`, `remove PATH`, `symlink TARGET PATH`: one
//!   `wasi:filesystem` call each (`open-at`, `read-directory`, ...), the path passed to the host as written
//! - `std-read PATH`, `std-write PATH TEXT`: `std::fs`, as an ordinary program would, with the guest's own paths
//!
//! A `bin`: std's `main` is the `wasi:cli/run` export.

use wasi::filesystem::preopens::get_directories;
use wasi::filesystem::types::{Descriptor, DescriptorFlags, ErrorCode, OpenFlags, PathFlags};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let preopens = get_directories();
    let mut words = args.iter().map(String::as_str);
    let mut failed = false;
    while let Some(operation) = words.next() {
        let operands: Vec<&str> = match operation {
            "preopens" => vec![],
            "write" | "std-write" | "symlink" => words.by_ref().take(2).collect(),
            _ => words.by_ref().take(1).collect(),
        };
        let [first, second] = [0, 1].map(|at| operands.get(at).copied().unwrap_or_default());
        let std_error = |e: std::io::Error| format!("{:?}", e.kind());
        let result = match (operation, preopens.first()) {
            ("preopens", _) => Ok(preopens
                .iter()
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join(" ")),
            ("std-read", _) => std::fs::read(first).map(|bytes| show(&bytes)).map_err(std_error),
            ("std-write", _) => std::fs::write(first, second).map(|()| String::new()).map_err(std_error),
            (_, None) => Err("no directory".to_owned()),
            (_, Some((dir, _))) => match operation {
                "read" => read(dir, first),
                "list" => list(dir, first),
                "write" => write(dir, first, second),
                "mkdir" => dir.create_directory_at(first).map(|()| String::new()),
                "remove" => dir.unlink_file_at(first).map(|()| String::new()),
                "symlink" => dir.symlink_at(first, second).map(|()| String::new()),
                _ => Err(ErrorCode::Unsupported),
            }
            .map_err(|code| code.name().to_owned()),
        };
        let label = [operation].into_iter().chain(operands).collect::<Vec<_>>().join(" ");
        match result {
            Ok(text) if text.is_empty() => println!("{label}: ok"),
            Ok(text) => println!("{label}: ok {text}"),
            Err(error) => {
                failed = true;
                println!("{label}: error {error}")
            }
        }
    }
    std::process::exit(failed.into());
}

fn read(dir: &Descriptor, path: &str) -> Result<String, ErrorCode> {
    let file = dir.open_at(
        PathFlags::SYMLINK_FOLLOW,
        path,
        OpenFlags::empty(),
        DescriptorFlags::READ,
    )?;
    let mut bytes = Vec::new();
    loop {
        let (chunk, end) = file.read(4096, bytes.len() as u64)?;
        bytes.extend(chunk);
        if end {
            return Ok(show(&bytes));
        }
    }
}

fn list(dir: &Descriptor, path: &str) -> Result<String, ErrorCode> {
    let listed = dir.open_at(
        PathFlags::SYMLINK_FOLLOW,
        path,
        OpenFlags::DIRECTORY,
        DescriptorFlags::READ,
    )?;
    let entries = listed.read_directory()?;
    let mut names = Vec::new();
    while let Some(entry) = entries.read_directory_entry()? {
        names.push(entry.name);
    }
    names.sort();
    Ok(names.join(" "))
}

fn write(dir: &Descriptor, path: &str, text: &str) -> Result<String, ErrorCode> {
    let file = dir.open_at(
        PathFlags::SYMLINK_FOLLOW,
        path,
        OpenFlags::CREATE | OpenFlags::TRUNCATE,
        DescriptorFlags::WRITE,
    )?;
    file.write(text.as_bytes(), 0)?;
    Ok(String::new())
}

/// File contents, quoted and escaped so that a line stays one line.
fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}
