//! What every case shares: the repository, the scratch folder, generating a project, and the registry and wasm
//! runner, each started or built once, by the first case that needs it.

use crate::run::{Server, free_port, http, on_path, run};
use anyhow::{Context as _, Result, anyhow, bail};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::thread::sleep;
use std::time::Duration;
use tempfile::TempDir;

pub struct Context {
    pub root: PathBuf,
    /// Outside the repository, so that nothing of the repository's (its workspace, its config) applies.
    pub work: TempDir,
    /// One target folder for every generated project, so that wasmtime compiles once; each project's `target`
    /// links to it.
    shared_target: PathBuf,
    registry: OnceLock<Result<Registry, String>>,
    runner: OnceLock<Result<String, String>>,
    /// Every flavor's project has the same name, so the same files in the shared target (the component, the
    /// examples, the tests' own build in `target/tmp`): the flavors take turns.
    pub same_name: Mutex<()>,
    /// Each flavor's release component size, printed at the end.
    pub sizes: Mutex<Vec<(usize, String, u64)>>,
}

/// A flavor: one line of templates/flavors, its `--define`s.
pub struct Flavor {
    /// Its line among the flavors, from 1.
    pub number: usize,
    pub line: String,
    pub defines: Vec<String>,
}

impl Flavor {
    /// The value that the flavor defines for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.defines
            .iter()
            .find_map(|define| define.strip_prefix(key)?.strip_prefix('='))
    }

    pub fn kind(&self) -> &str {
        self.get("kind").unwrap_or("command")
    }
}

/// An OCI registry on loopback, for the READMEs' Publish commands: the CNCF distribution registry (Debian's
/// docker-registry), on a free port, with its storage in the scratch folder. It speaks plain http.
pub struct Registry {
    pub address: String,
    _server: Server,
}

impl Context {
    pub fn new() -> Result<Context> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
        let shared_target = root.join("target/template");
        fs::create_dir_all(&shared_target)?;
        Ok(Context {
            work: tempfile::Builder::new().prefix("template-tests").tempdir()?,
            root,
            shared_target,
            registry: OnceLock::new(),
            runner: OnceLock::new(),
            same_name: Mutex::new(()),
            sizes: Mutex::new(Vec::new()),
        })
    }

    pub fn work(&self) -> &Path {
        self.work.path()
    }

    /// Every line of templates/flavors.
    pub fn flavors(&self) -> Result<Vec<Flavor>> {
        Ok(table(&self.root.join("templates/flavors"))?
            .into_iter()
            .enumerate()
            .map(|(index, defines)| Flavor {
                number: index + 1,
                line: defines.join(" "),
                defines,
            })
            .collect())
    }

    /// `cargo generate` of the template into `destination`, as `name`, with `defines`.
    pub fn generate(&self, destination: &Path, name: &str, defines: &[String]) -> Command {
        let mut command = Command::new("cargo");
        command
            .arg("generate")
            .arg("--path")
            .arg(self.root.join("templates/component"));
        command.arg("--destination").arg(destination).args(["--name", name]);
        for define in defines {
            command.args(["--define", define]);
        }
        command.args(["--vcs", "none", "--silent"]);
        command
    }

    /// Generates into a new folder `destination`, and gives the project's folder in it.
    pub fn generated(&self, destination: &Path, name: &str, defines: &[String]) -> Result<PathBuf> {
        fs::create_dir_all(destination)?;
        run(&mut self.generate(destination, name, defines)).context("cargo generate")?;
        let mut entries = fs::read_dir(destination)?;
        Ok(entries.next().context("cargo generate made nothing")??.path())
    }

    /// Links the project's `target` to the shared target folder.
    pub fn link_target(&self, project: &Path) -> Result<()> {
        std::os::unix::fs::symlink(&self.shared_target, project.join("target"))
            .context("linking the shared target folder")
    }

    pub fn registry(&self) -> Result<&Registry> {
        let registry = self
            .registry
            .get_or_init(|| self.start_registry().map_err(|error| format!("{error:#}")));
        registry.as_ref().map_err(|error| anyhow!("the registry: {error}"))
    }

    fn start_registry(&self) -> Result<Registry> {
        if !on_path("docker-registry") {
            bail!("docker-registry is not on PATH (apt-get install docker-registry)");
        }
        let address = format!("127.0.0.1:{}", free_port()?);
        let config = self.work().join("registry.yml");
        let storage = self.work().join("registry");
        fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {address}\n",
                storage.display()
            ),
        )?;
        let mut command = Command::new("docker-registry");
        command.arg("serve").arg(&config);
        let mut server = Server::start(command, self.work().join("registry.log"))?;
        let url = format!("http://{address}/v2/");
        for _ in 0..100 {
            if http().get(&url).call().is_ok() {
                return Ok(Registry {
                    address,
                    _server: server,
                });
            }
            server.running()?;
            sleep(Duration::from_millis(100));
        }
        bail!("the registry did not answer at {url}:\n{}", server.log())
    }

    /// What runs wasm here besides the embedded tests, as a command prefix: the wasmtime CLI where it is on PATH,
    /// else this repository's runner.
    pub fn runner(&self) -> Result<&str> {
        let runner = self.runner.get_or_init(|| {
            if on_path("wasmtime") {
                return Ok("wasmtime run".to_string());
            }
            run(Command::new("cargo")
                .args(["build", "--quiet", "--locked", "--package", "hello-host"])
                .current_dir(&self.root))
            .map_err(|error| format!("building hello-host: {error:#}"))?;
            Ok(self.root.join("target/debug/hello-host").display().to_string())
        });
        runner.as_deref().map_err(|error| anyhow!("{error}"))
    }

    pub fn jco(&self) -> PathBuf {
        self.root.join("tools/jco/node_modules/.bin/jco")
    }
}

/// The rows of a table file: its lines that are neither blank nor comments, split at whitespace.
pub fn table(path: &Path) -> Result<Vec<Vec<String>>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .collect())
}

/// Err naming every line of every file under `dir` with `{{` or `{%` left: Liquid that was not rendered. `${{`
/// is GitHub Actions' own syntax in the workflow file.
pub fn rendered(dir: &Path) -> Result<()> {
    let mut found = Vec::new();
    unrendered(dir, &mut found)?;
    if !found.is_empty() {
        bail!("unrendered placeholders:\n{}", found.join("\n"));
    }
    Ok(())
}

fn unrendered(dir: &Path, found: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_symlink() {
            continue;
        }
        if path.is_dir() {
            unrendered(&path, found)?;
            continue;
        }
        let text = String::from_utf8_lossy(&fs::read(&path)?).into_owned();
        for (number, line) in text.lines().enumerate() {
            let liquid = line.contains("{%") || line.match_indices("{{").any(|(at, _)| !line[..at].ends_with('$'));
            if liquid {
                found.push(format!("{}:{}: {line}", path.display(), number + 1));
            }
        }
    }
    Ok(())
}

/// Err if the project's Cargo.lock is no longer `generated`.
pub fn same_lock(project: &Path, generated: &[u8]) -> Result<()> {
    if fs::read(project.join("Cargo.lock"))? != generated {
        bail!("cargo rewrote the generated Cargo.lock");
    }
    Ok(())
}
