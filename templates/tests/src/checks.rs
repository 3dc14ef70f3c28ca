//! The checks that are not one flavor's: the names table, the prompts in a terminal, what stays in step with the
//! repository, the generated project's line budget, wkg's refusals, and the kinds' files free of Liquid tags.

use crate::run::{free_port, output, run};
use crate::template::{Context, Flavor, rendered, same_lock};
use anyhow::{Context as _, Result, bail};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

/// A row of templates/names.
pub struct Name {
    pub name: String,
    pub ok: bool,
    /// `all` runs every flavor's whole `cargo test`; kinds (comma-separated), that kind's first flavor's; `build`
    /// builds every flavor's component; `-` checks only what generation gives (WIT, lock).
    pub more: String,
}

pub fn names(ctx: &Context) -> Result<Vec<Name>> {
    crate::template::table(&ctx.root.join("templates/names"))?
        .into_iter()
        .map(|row| match &row[..] {
            [name, expected, more, ..] if expected == "ok" || expected == "refused" => Ok(Name {
                name: name.clone(),
                ok: expected == "ok",
                more: more.clone(),
            }),
            _ => bail!("templates/names: not `name ok|refused more why`: {}", row.join(" ")),
        })
        .collect()
}

/// The name works in every flavor, or, refused, stops cargo-generate with one line naming it before anything is
/// written.
pub fn name(ctx: &Context, number: usize, name: &Name, flavors: &[Flavor]) -> Result<()> {
    let names = ctx.work().join("names");
    if !name.ok {
        let destination = names.join(number.to_string());
        fs::create_dir_all(&destination)?;
        let refusal = output(&mut ctx.generate(&destination, &name.name, &[]))?;
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&refusal.stdout),
            String::from_utf8_lossy(&refusal.stderr)
        );
        if refusal.status.success() {
            bail!("`{}` was not refused", name.name);
        }
        if fs::read_dir(&destination)?.next().is_some() {
            bail!("a refused `{}` left files behind", name.name);
        }
        let naming: Vec<&str> = said.lines().filter(|line| line.contains("project name `")).collect();
        let [line] = naming[..] else {
            bail!("cargo-generate did not say in one line which name it refused:\n{said}");
        };
        println!(
            "{}: refused: {}",
            name.name,
            &line[line.find("project name `").unwrap_or(0)..]
        );
        return Ok(());
    }
    let mut kinds_seen = Vec::new();
    for flavor in flavors {
        let kind = flavor.kind();
        let first_of_kind = !kinds_seen.contains(&kind);
        kinds_seen.push(kind);
        let fully = name.more == "all" || (first_of_kind && name.more.split(',').any(|more| more == kind));
        let destination = names.join(format!("{number}-{}", flavor.number));
        let checked = (|| -> Result<&str> {
            let project = ctx.generated(&destination, &name.name, &flavor.defines)?;
            rendered(&project)?;
            if project.join("wit").is_dir() {
                run(Command::new("wasm-tools")
                    .args(["component", "wit", "wit"])
                    .current_dir(&project))
                .context("the WIT")?;
            }
            ctx.link_target(&project)?;
            let lock = fs::read(project.join("Cargo.lock"))?;
            let cargo = |args: &[&str]| run(Command::new("cargo").args(args).current_dir(&project));
            // The lock as generated is the one cargo wants: resolving with `--locked` leaves it as it is.
            cargo(&["metadata", "--quiet", "--locked", "--format-version", "1"]).context("cargo metadata --locked")?;
            let checked = if fully {
                cargo(&["test", "--quiet", "--locked"]).context("cargo test")?;
                "WIT parses, lock its own, cargo test passes"
            } else if name.more == "build" {
                cargo(&["build", "--quiet", "--locked", "--target", "wasm32-wasip2"]).context("cargo build")?;
                "WIT parses, lock its own, builds"
            } else {
                "WIT parses, lock its own"
            };
            same_lock(&project, &lock)?;
            Ok(checked)
        })()
        .with_context(|| flavor.line.clone())?;
        println!("{}, {}: {checked}", name.name, flavor.line);
    }
    Ok(())
}

/// The prompts, answered in a terminal (tmux), make the same project as `--define`s.
pub fn prompts(ctx: &Context) -> Result<()> {
    let prompted = ctx.work().join("prompted");
    fs::create_dir_all(&prompted)?;
    let tmux = Tmux(format!("template-tests-{}", std::process::id()));
    let session = format!(
        "cd '{}' && cargo generate --path '{}' --vcs none; echo \"exit $?\" > status; sleep 600",
        prompted.display(),
        ctx.root.join("templates/component").display()
    );
    run(tmux
        .command()
        .args(["new-session", "-d", "-x", "200", "-y", "50", &session]))
    .context("tmux")?;
    tmux.answer("Project Name:", &["Prompted_1", "Enter"])?;
    tmux.answer("Kind:", &["Enter"])?; // command, the first choice
    tmux.answer("WASI:", &["Down", "Enter"])?; // the follow-up question for commands: 0.3
    let status = prompted.join("status");
    for _ in 0..100 {
        if status.exists() {
            break;
        }
        sleep(Duration::from_millis(200));
    }
    let said = fs::read_to_string(&status).context("cargo generate did not finish")?;
    if said.trim() != "exit 0" {
        bail!("cargo generate, prompted, ended with {said}: {}", tmux.screen()?);
    }
    fs::remove_file(&status)?;
    let defines = ["kind=command".to_string(), "wasi=0.3".to_string()];
    let defined = ctx.generated(&ctx.work().join("defined"), "Prompted_1", &defines)?;
    run(Command::new("diff")
        .arg("-r")
        .arg(&defined)
        .arg(prompted.join("prompted-1")))
    .context("prompted and defined differ")?;
    println!("prompted: Prompted_1, command, WASI 0.3: the same files as --define kind=command wasi=0.3");
    Ok(())
}

/// A tmux server of our own, ended when dropped.
struct Tmux(String);

impl Tmux {
    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.0]);
        command
    }

    fn screen(&self) -> Result<String> {
        run(self.command().args(["capture-pane", "-p"]))
    }

    /// Types `keys` once `text` is on the screen.
    fn answer(&self, text: &str, keys: &[&str]) -> Result<()> {
        for _ in 0..100 {
            if self.screen()?.contains(text) {
                return run(self.command().arg("send-keys").args(keys)).map(drop);
            }
            sleep(Duration::from_millis(200));
        }
        bail!("cargo-generate did not ask {text:?}:\n{}", self.screen()?)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}

/// The default flavor named `hello` is the root crate.
pub fn hello_is_root(ctx: &Context) -> Result<()> {
    let hello = ctx.generated(&ctx.work().join("as-root"), "hello", &[])?;
    for file in ["src/lib.rs", "wit/world.wit"] {
        same_file(&ctx.root.join(file), &hello.join(file))?;
    }
    Ok(())
}

/// The minimal flavor named `hello` is test-programs/minimal, whose size tests/all/sizes.rs budgets.
pub fn minimal_is_test_program(ctx: &Context) -> Result<()> {
    let hello = ctx.generated(&ctx.work().join("as-minimal"), "hello", &["minimal=true".to_string()])?;
    same_file(
        &ctx.root.join("test-programs/minimal/src/lib.rs"),
        &hello.join("src/lib.rs"),
    )
}

/// The composed kind's library is the library kind's guest, but for its first line and its bindings' WIT.
pub fn composed_greeter(ctx: &Context) -> Result<()> {
    let kinds = ctx.root.join("templates/component/kinds");
    run(Command::new("diff")
        .args([
            "-u",
            "-I",
            "^//! ",
            "-I",
            "^wit_bindgen::generate!",
            "-I",
            "^// The package's WIT is the workspace's",
        ])
        .arg(kinds.join("library/src/lib.rs"))
        .arg(kinds.join("composed/library/src/lib.rs")))
    .map(drop)
}

fn same_file(expected: &Path, generated: &Path) -> Result<()> {
    run(Command::new("diff").arg("-u").arg(expected).arg(generated)).map(drop)
}

/// The most lines a generated default project may have outside wit/deps and its lock (issue #35: what the user
/// reads first does not grow).
const LINE_BUDGET: usize = 408;

/// A generated default project stays within its line budget, which BENCHMARKS.md states.
pub fn line_count(ctx: &Context) -> Result<()> {
    let hello = ctx.generated(&ctx.work().join("counted"), "hello", &[])?;
    let lines = count_lines(&hello, &hello.join("wit/deps"))?;
    if lines > LINE_BUDGET {
        bail!("a generated default project has {lines} lines outside wit/deps and the lock, over {LINE_BUDGET}");
    }
    let benchmarks = fs::read_to_string(ctx.root.join("BENCHMARKS.md"))?;
    if !benchmarks.contains(&format!("at most {LINE_BUDGET}")) {
        bail!("BENCHMARKS.md does not give the generated project's budget as \"at most {LINE_BUDGET}\" lines");
    }
    println!("a generated default project: {lines} lines outside wit/deps and the lock, at most {LINE_BUDGET}");
    Ok(())
}

fn count_lines(dir: &Path, skipped: &Path) -> Result<usize> {
    let mut lines = 0;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path == skipped || path.file_name().is_some_and(|name| name == "Cargo.lock") {
            continue;
        }
        lines += if path.is_dir() {
            count_lines(&path, skipped)?
        } else {
            fs::read(&path)?.iter().filter(|&&byte| byte == b'\n').count()
        };
    }
    Ok(lines)
}

/// Publishing fails clearly: to a registry that is not there, and a file that is not a component.
pub fn refusals(ctx: &Context) -> Result<()> {
    let registry = ctx.registry()?;
    let nowhere = format!("127.0.0.1:{}", free_port()?);
    // The smallest component: the preamble alone.
    let component = ctx.work().join("empty-component.wasm");
    fs::write(&component, b"\0asm\x0d\x00\x01\x00")?;
    let not_a_component = ctx.work().join("not-a-component.wasm");
    fs::write(&not_a_component, "not wasm\n")?;
    refused(
        "Connection refused",
        &["--insecure", &nowhere, &format!("{nowhere}/nowhere/my-thing-2:0.1.0")],
        &component,
    )?;
    refused(
        "Unable to parse component",
        &[&format!("{}/refused/my-thing-2:0.1.0", registry.address)],
        &not_a_component,
    )
}

/// `wkg oci push <args> <file>` fails, and its message says `cause`.
fn refused(cause: &str, args: &[&str], file: &Path) -> Result<()> {
    let mut command = Command::new("wkg");
    command
        .args(["oci", "push"])
        .args(args)
        .arg(file)
        .env("RUST_BACKTRACE", "0");
    let refusal = output(&mut command)?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refusal.stdout),
        String::from_utf8_lossy(&refusal.stderr)
    );
    if refusal.status.success() {
        bail!("wkg oci push {} succeeded", args.join(" "));
    }
    if !said.contains(cause) {
        bail!("wkg's message does not say {cause:?}:\n{said}");
    }
    // The message's first line, and its deepest cause.
    let deepest = said.lines().rfind(|line| {
        line.trim_start()
            .split_once(": ")
            .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
    });
    println!(
        "wkg oci push {}: {} ... {}",
        args.join(" "),
        said.lines().next().unwrap_or(""),
        deepest.unwrap_or("").trim()
    );
    Ok(())
}

/// Every file under templates/component/kinds is the file it becomes, but for names: no Liquid tag (`{%`).
pub fn plain_kinds(ctx: &Context) -> Result<()> {
    let mut tagged = Vec::new();
    let mut folders = vec![ctx.root.join("templates/component/kinds")];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if String::from_utf8_lossy(&fs::read(&path)?).contains("{%") {
                tagged.push(path.display().to_string());
            }
        }
    }
    if !tagged.is_empty() {
        tagged.sort();
        bail!(
            "Liquid tags under kinds/ (a flavor's differences are files of its own):\n{}",
            tagged.join("\n")
        );
    }
    Ok(())
}
