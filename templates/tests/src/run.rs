//! Commands and servers: output captured, and shown in the error when one fails.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::Duration;

pub const HELLO: &str = "Hello, world!\n";

/// `script` for `bash -euo pipefail -c`, in `dir`.
pub fn sh(script: &str, dir: &Path) -> Command {
    let mut command = Command::new("bash");
    command.args(["-euo", "pipefail", "-c", script]).current_dir(dir);
    command
}

/// The command as one would type it, for messages.
fn shown(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|arg| arg.to_string_lossy().into_owned()));
    format!("`{}`", words.join(" "))
}

/// Runs `command` to its end, whatever its exit status; Err only if it cannot start.
pub fn output(command: &mut Command) -> Result<Output> {
    command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{} cannot start", shown(command)))
}

/// Runs `command` and gives its standard output; Err with everything it printed if it exits non-zero.
pub fn run(command: &mut Command) -> Result<String> {
    let output = output(command)?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{} exited with {}:\n{stdout}{}",
            shown(command),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

/// Runs `command`, which must print exactly `Hello, world!\n`.
pub fn prints_hello(command: &mut Command) -> Result<()> {
    let printed = run(command)?;
    if printed != HELLO {
        bail!("{} printed {printed:?}", shown(command));
    }
    Ok(())
}

/// A loopback port that nothing listens on, from the OS.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A server in a process group of its own, which dropping it ends with everything it started (cargo, say, and
/// the example it runs), on success and failure alike.
pub struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `command` with its output in the file `log`.
    pub fn start(mut command: Command, log: PathBuf) -> Result<Server> {
        let file = File::create(&log)?;
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("{} cannot start", shown(&command)))?;
        Ok(Server { child, log })
    }

    /// What it has printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Err with what it printed if it has exited.
    pub fn running(&mut self) -> Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => bail!("the server exited with {status}:\n{}", self.log()),
        }
    }

    /// Asks `url` (with `body`, a POST) once the server answers, which may be after it has built, and checks that
    /// the answer is `Hello, world!\n`.
    pub fn says_hello(&mut self, url: &str, body: Option<&[u8]>) -> Result<()> {
        let (_, text) = self.ask(url, body)?;
        if text != HELLO.as_bytes() {
            bail!("{url} answered {:?}", String::from_utf8_lossy(&text));
        }
        Ok(())
    }

    /// Asks `url` (with `body`, a POST) once the server answers, which may be after it has built: the status and
    /// the body.
    pub fn ask(&mut self, url: &str, body: Option<&[u8]>) -> Result<(u16, Vec<u8>)> {
        let http = http();
        let mut last = None;
        for _ in 0..600 {
            let answer = match body {
                None => http.get(url).call(),
                Some(body) => http.post(url).send(body),
            };
            match answer {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    return Ok((status, response.body_mut().read_to_vec()?));
                }
                Err(error) => last = Some(error),
            }
            self.running()?;
            sleep(Duration::from_millis(500));
        }
        bail!("{url} did not answer in 5 minutes ({last:?}):\n{}", self.log())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The whole group: a shell or cargo in front of the server would leave the server itself running.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

/// An HTTP client for the servers on loopback: no proxy from the environment, and a bound on each request.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        // A 404 is an answer to check, not an error.
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent()
}

/// Whether `tool` is an executable on PATH.
pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}
