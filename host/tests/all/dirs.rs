//! Directories given to a guest (`Invocation::dirs`, the runner's `--dir` and `--dir-rw`): what it can read, list
//! and write there, and that every way out is refused, with the host's files checked afterwards.
//!
//! The `fs` guest passes each path to `wasi:filesystem` as written, so the host itself must refuse the escapes.
#![cfg(unix)] // the fixtures are symbolic links

use std::path::{Path, PathBuf};

use crate::common::{Scratch, load_and_run};
use hello_host::{Harness, Invocation, Limits, Outcome, Preopen};

/// `outside/secret.txt`, and beside it `shared/`, the folder the guest gets as `/data`, which holds `hello.txt`,
/// `sub/note.txt`, and two links out: `up` (relative, to `../outside`) and `abs` (absolute, to the secret).
struct Tree {
    scratch: Scratch,
}

const SECRET: &str = "secret\n";
const HELLO: &str = "hello\n";

impl Tree {
    fn new(name: &str) -> Tree {
        let scratch = Scratch::new(name);
        let root = scratch.path();
        std::fs::create_dir_all(root.join("outside")).unwrap();
        std::fs::write(root.join("outside/secret.txt"), SECRET).unwrap();
        std::fs::create_dir_all(root.join("shared/sub")).unwrap();
        std::fs::write(root.join("shared/hello.txt"), HELLO).unwrap();
        std::fs::write(root.join("shared/sub/note.txt"), "note\n").unwrap();
        std::os::unix::fs::symlink("../outside", root.join("shared/up")).unwrap();
        std::os::unix::fs::symlink(root.join("outside/secret.txt"), root.join("shared/abs")).unwrap();
        Tree { scratch }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.scratch.path().join(relative)
    }

    /// The absolute host path of the secret, as a guest would try it.
    fn secret(&self) -> String {
        self.path("outside/secret.txt").display().to_string()
    }

    fn shared(&self, writable: bool) -> Preopen {
        Preopen {
            host: self.path("shared"),
            guest: "/data".to_owned(),
            writable,
        }
    }

    /// Every file below the scratch folder (links not followed) with its contents: the host's side of the story.
    fn snapshot(&self) -> Vec<(PathBuf, Option<Vec<u8>>)> {
        fn walk(dir: &Path, found: &mut Vec<(PathBuf, Option<Vec<u8>>)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
            entries.sort();
            for path in entries {
                let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
                if kind.is_dir() {
                    found.push((path.clone(), None));
                    walk(&path, found);
                } else if kind.is_symlink() {
                    found.push((
                        path.clone(),
                        Some(std::fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes()),
                    ));
                } else {
                    found.push((path.clone(), Some(std::fs::read(&path).unwrap())));
                }
            }
        }
        let mut found = Vec::new();
        walk(self.scratch.path(), &mut found);
        found
    }
}

/// What one operation of the `fs` guest must print after `<operation> <operands>: `.
enum Expect {
    /// `ok`, then this text (with its leading space, if any).
    Prints(&'static str),
    /// `error <code>`: any code, since which one is the host's choice.
    Fails,
    /// Either, when the host may choose; what follows must hold both ways.
    Either,
}

use Expect::{Either, Fails, Prints};

/// Runs the `fs` guest with these directories and operations, and checks each line it prints against the
/// operation's expectation. The guest must end by itself: status 0 when every operation worked, else 1.
fn run_fs(dirs: Vec<Preopen>, cases: &[(&[&str], Expect)]) {
    let harness = Harness::new(Limits::default()).unwrap();
    let words = cases.iter().flat_map(|(words, _)| words.iter());
    let invocation = Invocation {
        args: std::iter::once(&"fs").chain(words).map(|s| s.to_string()).collect(),
        dirs,
        ..Invocation::default()
    };
    let run = load_and_run(&harness, test_artifacts::FS_RELEASE, &invocation);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len(), "one line per operation:\n{run}");
    for (line, (words, expect)) in lines.iter().zip(cases) {
        let label = words.join(" ");
        let good = match expect {
            Prints(text) => *line == format!("{label}: ok{text}"),
            Fails => line.starts_with(&format!("{label}: error ")),
            Either => line.starts_with(&format!("{label}: ")),
        };
        assert!(
            good,
            "`{label}` printed `{line}`, which is not what was expected\n{run}"
        );
    }
    let failed = lines.iter().any(|line| line.contains(": error "));
    let expected = if failed { Outcome::Exit(1) } else { Outcome::Success };
    assert_eq!(run.outcome, expected, "{run}");
}

#[test]
fn a_read_only_directory_can_be_read_and_listed_but_not_changed_or_left() {
    let tree = Tree::new("dirs-read-only");
    let secret = tree.secret();
    let before = tree.snapshot();
    run_fs(
        vec![tree.shared(false)],
        &[
            (&["preopens"], Prints(" /data")),
            (&["read", "hello.txt"], Prints(" \"hello\\n\"")),
            (&["read", "sub/note.txt"], Prints(" \"note\\n\"")),
            (&["std-read", "/data/hello.txt"], Prints(" \"hello\\n\"")),
            (&["list", "."], Prints(" abs hello.txt sub up")),
            // Ways out: `..`, an absolute host path, links to outside (relative and absolute).
            (&["read", "../outside/secret.txt"], Fails),
            (&["read", "sub/../../outside/secret.txt"], Fails),
            (&["read", &secret], Fails),
            (&["std-read", &secret], Fails),
            (&["std-read", "/data/../outside/secret.txt"], Fails),
            (&["read", "up/secret.txt"], Fails),
            (&["read", "abs"], Fails),
            (&["list", ".."], Fails),
            (&["list", "up"], Fails),
            // Changes: none may happen.
            (&["write", "new.txt", "x"], Fails),
            (&["write", "hello.txt", "changed"], Fails),
            (&["std-write", "/data/new.txt", "x"], Fails),
            (&["mkdir", "made"], Fails),
            (&["remove", "hello.txt"], Fails),
            (&["symlink", "../outside/secret.txt", "mine"], Fails),
        ],
    );
    assert_eq!(tree.snapshot(), before, "the guest changed the host's files");
}

#[test]
fn a_writable_directory_can_be_changed_but_not_left() {
    let tree = Tree::new("dirs-writable");
    let evil = tree.path("outside/evil.txt").display().to_string();
    let secret = tree.secret();
    run_fs(
        vec![tree.shared(true)],
        &[
            (&["write", "new.txt", "fresh"], Prints("")),
            (&["read", "new.txt"], Prints(" \"fresh\"")),
            (&["std-write", "/data/std.txt", "plain"], Prints("")),
            (&["mkdir", "made"], Prints("")),
            (&["write", "made/inner.txt", "inner"], Prints("")),
            (&["remove", "hello.txt"], Prints("")),
            // Ways out, for writing.
            (&["write", "../outside/evil.txt", "x"], Fails),
            (&["write", &evil, "x"], Fails),
            (&["std-write", &evil, "x"], Fails),
            (&["write", "up/evil.txt", "x"], Fails),
            (&["write", "abs", "overwritten"], Fails),
            // A link the guest makes itself: wasmtime-wasi lets it make a relative one that points outside (it is
            // only a name), but following it is refused like any other.
            (&["symlink", "../outside/secret.txt", "mine"], Either),
            (&["read", "mine"], Fails),
            (&["write", "mine", "overwritten"], Fails),
            (&["symlink", &secret, "mine-absolute"], Either),
            (&["read", "mine-absolute"], Fails),
        ],
    );
    let read = |path: &str| std::fs::read_to_string(tree.path(path)).unwrap();
    assert_eq!(read("shared/new.txt"), "fresh");
    assert_eq!(read("shared/std.txt"), "plain");
    assert_eq!(read("shared/made/inner.txt"), "inner");
    assert!(!tree.path("shared/hello.txt").exists());
    assert_eq!(read("outside/secret.txt"), SECRET);
    let outside: Vec<_> = std::fs::read_dir(tree.path("outside"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["secret.txt"], "the guest wrote outside its directory");
}

#[test]
fn without_directories_the_guest_has_no_filesystem() {
    run_fs(
        vec![],
        &[
            (&["preopens"], Prints("")),
            (&["std-read", "/etc/hostname"], Fails),
            (&["read", "x"], Fails),
        ],
    );
}

#[test]
fn a_directory_that_cannot_be_opened_is_a_refusal() {
    let harness = Harness::new(Limits::default()).unwrap();
    let missing = Path::new("no/such/directory");
    let invocation = Invocation {
        dirs: vec![Preopen {
            host: missing.to_owned(),
            guest: "/data".to_owned(),
            writable: false,
        }],
        ..Invocation::default()
    };
    let run = load_and_run(&harness, test_artifacts::FS_RELEASE, &invocation);
    let hello_host::Outcome::Refused(refusal) = &run.outcome else {
        panic!("not refused:\n{run}")
    };
    assert!(
        refusal
            .describe("fs.wasm")
            .starts_with("cannot open the directory `no/such/directory` for `fs.wasm`: "),
        "{refusal:?}"
    );
}
