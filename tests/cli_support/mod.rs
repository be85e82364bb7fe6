//! Running the real `handoff` binary for the option tests: to its exit, to the first line it
//! prints, or in tmux until the console has drawn. Every wait is bounded by [`WAIT`] (a safety
//! net, not a timing) and every process started is killed on drop.
#![allow(dead_code)]
// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest any one run may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

/// The binary, in an environment of its own: config, state and cache folders under `home`, so
/// the user's own `handoff.toml` or themes never change what a test sees.
pub fn handoff(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
    cmd.env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .env_remove("HANDOFF_LOG")
        .stdin(Stdio::null());
    cmd
}

/// How a run ended.
#[derive(Debug)]
pub struct Exit {
    /// The exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Exit {
    /// Fails unless the run ended normally, with neither a panic nor a signal.
    pub fn assert_no_panic(&self, what: &str) {
        assert!(
            self.code.is_some() && self.code != Some(101) && !self.stderr.contains("panicked"),
            "{what}: the binary crashed: {self:#?}"
        );
    }
}

fn read_all(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A started process, killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd` to its end; fails if it is still running after [`WAIT`].
pub fn run_to_exit(cmd: &mut Command, what: &str) -> Exit {
    let mut child = Running(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start handoff"),
    );
    let stdout = read_all(child.0.stdout.take().unwrap());
    let stderr = read_all(child.0.stderr.take().unwrap());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < WAIT,
            "{what}: still running after {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Exit {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// A server the test started (`serve`, `emulate`), killed on drop.
pub struct Server {
    _child: Running,
    /// The first line it printed: its URL.
    pub url: String,
}

/// Starts `cmd` and waits for the first line of its stdout, which must start with `prefix`;
/// a process that exits first fails the test with its stderr.
pub fn start_server(cmd: &mut Command, prefix: &str, what: &str) -> Server {
    let mut child = Running(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start handoff"),
    );
    let (tx, rx) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep reading so the server never writes into a closed pipe.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let line = rx.recv_timeout(WAIT).unwrap_or_default();
    if !line.starts_with(prefix) {
        let _ = child.0.kill();
        let mut stderr = String::new();
        let _ = child.0.stderr.take().unwrap().read_to_string(&mut stderr);
        let status = child.0.wait().unwrap();
        panic!(
            "{what}: expected a first line starting {prefix:?}, got {line:?} ({status}); stderr:\n{stderr}"
        );
    }
    Server {
        _child: child,
        url: line.trim().to_owned(),
    }
}

/// A tmux server of our own (its own socket), killed on drop.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "console"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Whether tmux can be used; without it (outside CI) the console's normal starts are skipped.
pub fn tmux_available() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is not installed; .ci/run installs it"
    );
    eprintln!("SKIPPED the console's normal starts: tmux is not installed");
    false
}

/// The text the console shows once both of its connections are up.
pub const CONNECTED: &str = "● user ● agent";

/// Runs the console with `args` in a 120x40 tmux window until it shows [`CONNECTED`]; fails
/// with the screen if the binary exits first (a wrapper script prints how it exited).
pub fn console_starts(home: &Path, args: &[String], what: &str) {
    let script = home.join("console.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\n\"$@\"\necho \"handoff exited with status $?\"\nexec sleep 600\n",
    )
    .unwrap();
    let tmux = Tmux {
        socket: format!("handoff-cli-{}-{}", std::process::id(), unique()),
    };
    let mut command: Vec<&str> = vec![
        "new-session",
        "-d",
        "-s",
        "console",
        "-x",
        "120",
        "-y",
        "40",
    ];
    let env: Vec<String> = [
        "XDG_CONFIG_HOME=config",
        "XDG_STATE_HOME=state",
        "XDG_CACHE_HOME=cache",
    ]
    .iter()
    .map(|kv| {
        let (k, v) = kv.split_once('=').unwrap();
        format!("{k}={}", home.join(v).display())
    })
    .chain(["TERM=xterm-256color".to_owned()])
    .collect();
    for kv in &env {
        command.extend(["-e", kv]);
    }
    let script = script.display().to_string();
    command.extend(["sh", &script, env!("CARGO_BIN_EXE_handoff")]);
    command.extend(args.iter().map(String::as_str));
    let out = tmux.run(&command);
    assert!(
        out.status.success(),
        "tmux new-session: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = Instant::now();
    loop {
        let screen = tmux.capture();
        if screen.contains(CONNECTED) {
            return;
        }
        assert!(
            !screen.contains("handoff exited with status"),
            "{what}: the console exited instead of starting:\n{screen}"
        );
        assert!(
            start.elapsed() < WAIT,
            "{what}: the console did not connect within {WAIT:?}:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
