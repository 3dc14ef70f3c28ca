//! Debugging a generated project's component under gdb, for the kinds whose example runs and ends (`debug::`):
//! the README's Debugging commands, as written, stop at their breakpoint in `src/lib.rs` and the backtrace names
//! that file and line; so does `.vscode/launch.json` as gdb would run it, after its build task.

use crate::readme::Readme;
use crate::run::{on_path, output, run, sh};
use crate::template::Context;
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::PoisonError;

/// The kinds checked: each example runs its component once and exits.
pub const KINDS: [&str; 3] = ["command", "library", "composed"];

pub fn check(ctx: &Context, kind: &str) -> Result<()> {
    if !on_path("gdb") {
        bail!("gdb is not on PATH (apt-get install gdb)");
    }
    // The examples' binaries have the same name in every project, in the shared target.
    let _turn = ctx.same_name.lock().unwrap_or_else(PoisonError::into_inner);
    let project = ctx.generated(
        &ctx.work().join(format!("debug-{kind}")),
        // A name of its own: the components of the kinds are built into one target folder.
        &format!("debugged-{kind}"),
        &[format!("kind={kind}")],
    )?;
    ctx.link_target(&project)?;
    let readme = Readme::read(&project.join("README.md"))?;
    let commands = readme.block("debug")?;
    let line = breakpoint_line(commands)?;
    // gdb reads its further commands from stdin, which is empty: it quits once `bt` has run.
    let printed = printed(&mut sh(commands, &project)).context("the README's Debugging commands")?;
    stopped_at(&printed, line).context("the README's Debugging commands")?;
    launch_config(&project, line).context(".vscode/launch.json")
}

/// The line of `src/lib.rs` that the commands break at: `break $PWD/src/lib.rs:LINE`.
fn breakpoint_line(commands: &str) -> Result<u32> {
    let (_, rest) = commands
        .split_once("/src/lib.rs:")
        .context("the commands set no breakpoint in src/lib.rs")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().context("the breakpoint has no line number")
}

/// Stdout and stderr together, whatever the exit status.
fn printed(command: &mut Command) -> Result<String> {
    let output = output(command)?;
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// gdb stopped at the breakpoint, and the backtrace's first frame is that file and line.
fn stopped_at(printed: &str, line: u32) -> Result<()> {
    let place = format!("src/lib.rs:{line}");
    // `Breakpoint 1, <function> at <place>`, which gdb may wrap before `at`, and prefixes with the thread when
    // there are several.
    let hit = printed.contains("Breakpoint 1, ") && printed.contains(&format!("at {place}\n"));
    let frame = printed
        .lines()
        .any(|text| text.starts_with("#0 ") && text.ends_with(&format!(" at {place}")));
    if !hit || !frame {
        bail!("gdb did not stop at {place} with it at the top of the backtrace:\n{printed}");
    }
    Ok(())
}

/// The launch configuration's build task, then its program, arguments and setup commands under `gdb -batch`.
fn launch_config(project: &Path, line: u32) -> Result<()> {
    let folder = project.display().to_string();
    let read = |name: &str| -> Result<Value> {
        let text = fs::read_to_string(project.join(".vscode").join(name))?;
        Ok(serde_json::from_str(&text.replace("${workspaceFolder}", &folder))?)
    };
    let (launch, tasks) = (read("launch.json")?, read("tasks.json")?);
    let config = &launch["configurations"][0];
    let task = tasks["tasks"]
        .as_array()
        .and_then(|tasks| tasks.iter().find(|task| task["label"] == config["preLaunchTask"]))
        .context("no task in tasks.json is the configuration's preLaunchTask")?;
    let build = task["command"].as_str().context("the task has no command")?;
    run(&mut sh(build, project)).context("the build task")?;

    let mut gdb = Command::new("gdb");
    gdb.arg("-batch").current_dir(project);
    for setup in config["setupCommands"].as_array().context("no setupCommands")? {
        gdb.args(["-ex", setup["text"].as_str().context("a setup command has no text")?]);
    }
    gdb.args(["-ex", "run", "-ex", "bt", "--args"]);
    gdb.arg(config["program"].as_str().context("no program")?);
    for arg in config["args"].as_array().context("no args")? {
        gdb.arg(arg.as_str().context("an argument is not a string")?);
    }
    stopped_at(&printed(&mut gdb)?, line)
}
