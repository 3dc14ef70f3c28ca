//! Debugging a generated project's component under gdb, in every flavor (`debug::`): the README's Debugging
//! commands, as written, stop at their breakpoint, and so does `.vscode/launch.json` as gdb would run it, after its
//! build task. A breakpoint names a function of the crate (`break my_thing_2::{impl#0}::run`), and the check finds
//! that function in the generated `src/lib.rs`: gdb must stop inside it, at a line whose text is that file's. An HTTP
//! handler's example is a server: it is started on a free port, asked once, and gdb stops while it answers.

use crate::readme::Readme;
use crate::run::{Server, free_port, output, run, sh};
use crate::template::{Context, Flavor};
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::PoisonError;
use std::thread::sleep;
use std::time::{Duration, Instant};

pub fn check(ctx: &Context, flavor: &Flavor) -> Result<()> {
    if !crate::run::on_path("gdb") {
        bail!("gdb is not on PATH (apt-get install gdb)");
    }
    // The examples' binaries have the same name in every project, in the shared target.
    let _turn = ctx.same_name.lock().unwrap_or_else(PoisonError::into_inner);
    let project = ctx.generated(
        &ctx.work().join(format!("debug-{}", flavor.number)),
        // A name of its own: the components of the flavors are built into one target folder.
        &format!("debugged-{}", flavor.number),
        &flavor.defines,
    )?;
    ctx.link_target(&project)?;
    let server = flavor.kind() == "http";
    let readme = Readme::read(&project.join("README.md"))?;
    let commands = readme.block("debug")?;
    let breakpoint = Breakpoint::in_commands(commands, &project).context("the README's Debugging commands")?;
    let printed = if server {
        // The example takes a port after the component: the gdb line is the last.
        served(
            ctx,
            |port| sh(&format!("{} {port}", commands.trim_end()), &project),
            "readme",
        )
    } else {
        // gdb reads its further commands from stdin, which is empty: it quits once `bt` has run.
        printed(&mut sh(commands, &project))
    };
    breakpoint
        .stopped(&printed.context("the README's Debugging commands")?)
        .context("the README's Debugging commands")?;
    launch_config(ctx, &project, &breakpoint, server).context(".vscode/launch.json")
}

/// A breakpoint on a function of the project's crate, by its path as gdb names it (`break
/// my_thing_2::{impl#0}::run`), and where that function is in the crate's `src/lib.rs`.
struct Breakpoint {
    path: String,
    file: &'static str,
    /// The source's lines, and the function's first and last line (from 1).
    source: Vec<String>,
    lines: (usize, usize),
}

impl Breakpoint {
    /// The first `break` in `commands` (gdb's `-ex` or a setup command), which must name a function of the crate.
    fn in_commands(commands: &str, project: &Path) -> Result<Breakpoint> {
        let (_, rest) = commands
            .split_once("break ")
            .context("the commands set no breakpoint")?;
        let path: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect();
        let crate_name = project
            .file_name()
            .context("the project has no folder name")?
            .to_string_lossy()
            .replace('-', "_");
        let function = match path.strip_prefix(&format!("{crate_name}::")) {
            Some(inner) => inner.rsplit("::").next().unwrap_or_default(),
            None => bail!(
                "`break {path}` names no function of the crate `{crate_name}` (a line is not found from the code)"
            ),
        };
        let file = "src/lib.rs";
        let text = fs::read_to_string(project.join(file)).with_context(|| format!("reading {file}"))?;
        let source: Vec<String> = text.lines().map(str::to_string).collect();
        let lines = span(&source, function).with_context(|| format!("`fn {function}` in {file}"))?;
        Ok(Breakpoint {
            path,
            file,
            source,
            lines,
        })
    }

    /// gdb stopped at the breakpoint, with the function at the top of the backtrace, at one of its lines, whose
    /// text gdb printed as the source has it.
    fn stopped(&self, printed: &str) -> Result<()> {
        let shown = || format!("gdb did not stop in `{}`:\n{printed}", self.path);
        if !printed
            .lines()
            .any(|text| text.contains("Breakpoint 1, ") || text.contains("hit Breakpoint 1"))
        {
            bail!(shown());
        }
        // `#0  my_thing_2::{impl#0}::run () at src/lib.rs:14`
        // gdb wraps a long frame when its output is not a terminal: the indented lines after it are the rest.
        let mut lines = printed.lines().skip_while(|text| !text.starts_with("#0 "));
        let mut frame = lines.next().with_context(shown)?.to_string();
        for rest in lines.take_while(|text| text.starts_with(' ')) {
            frame.push(' ');
            frame.push_str(rest.trim());
        }
        let (called, place) = frame.rsplit_once(" at ").with_context(shown)?;
        let line: usize = place
            .strip_prefix(&format!("{}:", self.file))
            .and_then(|line| line.parse().ok())
            .with_context(shown)?;
        let name = called
            .trim_start_matches("#0")
            .trim()
            .split(" (")
            .next()
            .unwrap_or_default();
        let (first, last) = self.lines;
        if name != self.path || !(first..=last).contains(&line) {
            bail!(
                "gdb stopped at {}:{line} (`{frame}`), not in `{}`, lines {first} to {last}:\n{printed}",
                self.file,
                self.path
            );
        }
        // gdb prints the line it stopped at: `14\t        get_stdout()`.
        let text = format!("{line}\t{}", self.source[line - 1]);
        if !printed.lines().any(|printed| printed == text) {
            bail!("gdb did not print line {line} as the source has it ({text:?}):\n{printed}");
        }
        println!("gdb stopped in `{}` at {}:{line}", self.path, self.file);
        Ok(())
    }
}

/// The first and last line (from 1) of the one `fn <function>` in `source`: from its signature to the line that
/// closes its body.
fn span(source: &[String], function: &str) -> Result<(usize, usize)> {
    let signature = |text: &str| {
        text.split_once(&format!("fn {function}"))
            .is_some_and(|(before, after)| {
                !before.trim_start().starts_with("//")
                    && (before.is_empty() || before.ends_with(' '))
                    && (after.starts_with('(') || after.starts_with('<'))
            })
    };
    let found: Vec<usize> = (0..source.len()).filter(|&at| signature(&source[at])).collect();
    let [first] = found[..] else {
        bail!("not one function of that name ({} found)", found.len());
    };
    let mut depth = 0i32;
    let mut opened = false;
    for (at, text) in source.iter().enumerate().skip(first) {
        let code = text.split("//").next().unwrap_or_default();
        for c in code.chars() {
            match c {
                '{' => (depth, opened) = (depth + 1, true),
                '}' => depth -= 1,
                _ => {}
            }
        }
        if opened && depth == 0 {
            return Ok((first + 1, at + 1));
        }
    }
    bail!("its body does not end")
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

/// `command`, a gdb running an HTTP example on a free port (and building it first): once the example listens,
/// one request, then what gdb printed once it has quit (its stdin is empty, so it quits after `bt`).
fn served(ctx: &Context, command: impl FnOnce(u16) -> Command, name: &str) -> Result<String> {
    let port = free_port()?;
    let mut server = Server::start(command(port), ctx.work().join(format!("debug-{name}-{port}.log")))?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    // Held open until gdb has quit: the example is stopped in the middle of answering it.
    let mut request = None;
    let started = Instant::now();
    while server.running().is_ok() {
        if started.elapsed() > Duration::from_secs(900) {
            bail!("gdb did not stop and quit in 15 minutes:\n{}", server.log());
        }
        if request.is_none()
            && let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1))
        {
            stream.write_all(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")?;
            request = Some(stream);
        }
        sleep(Duration::from_millis(200));
    }
    if request.is_none() {
        bail!("the example never listened on port {port}:\n{}", server.log());
    }
    Ok(server.log())
}

/// The launch configuration's build task, then its program, arguments and setup commands under `gdb -batch`.
fn launch_config(ctx: &Context, project: &Path, readme: &Breakpoint, server: bool) -> Result<()> {
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
    let mut setup_commands = String::new();
    for setup in config["setupCommands"].as_array().context("no setupCommands")? {
        let text = setup["text"].as_str().context("a setup command has no text")?;
        gdb.args(["-ex", text]);
        setup_commands.push_str(text);
        setup_commands.push('\n');
    }
    let breakpoint = Breakpoint::in_commands(&setup_commands, project)?;
    if breakpoint.path != readme.path {
        bail!("it breaks at `{}`, the README at `{}`", breakpoint.path, readme.path);
    }
    gdb.args(["-ex", "run", "-ex", "bt", "--args"]);
    gdb.arg(config["program"].as_str().context("no program")?);
    for arg in config["args"].as_array().context("no args")? {
        gdb.arg(arg.as_str().context("an argument is not a string")?);
    }
    let printed = if server {
        served(
            ctx,
            |port| {
                gdb.arg(port.to_string());
                gdb
            },
            "launch",
        )
    } else {
        printed(&mut gdb)
    };
    breakpoint.stopped(&printed?)
}
