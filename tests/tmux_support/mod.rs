//! The real binary in a real terminal: a tmux server of the test's own, keys sent with
//! `send-keys`, the screen read with `capture-pane`. A shell around the console reports how it
//! exited and whether the terminal is back in canonical mode, then stays so it can be read.

#![allow(dead_code)] // each test file uses its own part

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test waits for.
pub const WAIT: Duration = Duration::from_secs(20);

/// A tmux server of our own (its own socket), killed on drop.
pub struct Tmux {
    socket: String,
    /// A temporary folder for the log, the crash log and files to send.
    pub dir: tempfile::TempDir,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// Sends keys (tmux names: `Enter`, `Tab`, `BTab`, `C-o`; `-l` then text for literal text).
    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "send-keys failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Types a line and presses Enter.
    pub fn type_line(&self, text: &str) {
        self.send(&["-l", text]);
        self.send(&["Enter"]);
    }

    /// The screen as text.
    pub fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Polls the screen until `pred` holds; fails with the last screen after [`WAIT`].
    pub fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the left button on the first cell showing `label`, as a terminal with SGR mouse
    /// reporting (which the console enables) would send it.
    pub fn click(&self, label: &str) {
        let screen = self.see(label);
        let (row, col) = screen
            .lines()
            .enumerate()
            .find_map(|(y, line)| line.find(label).map(|b| (y, line[..b].chars().count())))
            .unwrap_or_else(|| panic!("{label:?} not on screen:\n{screen}"));
        let (x, y) = (col + 2, row + 1); // 1-based, one cell into the label
        self.send(&["-l", &format!("\u{1b}[<0;{x};{y}M\u{1b}[<0;{x};{y}m")]);
    }

    /// Waits until `text` is on screen.
    pub fn see(&self, text: &str) -> String {
        self.wait(text, |s| s.contains(text))
    }

    /// Waits for the console to exit; returns the screen and the terminal's canonical-mode
    /// flag as the shell printed it (`icanon` once raw mode is off).
    pub fn exited(&self) -> (String, Option<String>) {
        let mode = |screen: &str| {
            screen
                .lines()
                .map(str::trim)
                .find(|l| *l == "icanon" || *l == "-icanon")
                .map(str::to_owned)
        };
        let screen = self.wait("the console to exit", |s| {
            s.contains("exit status") && mode(s).is_some()
        });
        let mode = mode(&screen);
        (screen, mode)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        _ = self.run(&["kill-server"]);
    }
}

/// Whether tmux is here; outside CI a missing tmux skips the test with the reason printed.
pub fn available() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is not installed; .ci/run installs it"
    );
    eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
    false
}

/// Starts the real binary with `args` and environment `env` in a 160x48 window and waits for
/// both of its connections; `None` when tmux is missing.
pub fn start(name: &str, args: &[&str], env: &[(&str, &str)]) -> Option<Tmux> {
    if !available() {
        return None;
    }
    let dir = tempfile::tempdir().expect("a temporary folder for the log");
    let log = dir.path().join("handoff.log");
    let exports = env
        .iter()
        .fold(String::new(), |all, (k, v)| all + k + "=" + v + " ");
    let command = format!(
        "sh -c '{exports}{} --log-file {} {}; echo \"exit status $?\"; stty -a | grep -o -- \"-\\{{0,1\\}}icanon\"; exec sleep 60'",
        env!("CARGO_BIN_EXE_handoff"),
        log.display(),
        args.join(" ")
    );
    let tmux = Tmux {
        socket: format!("handoff-{name}-{}", std::process::id()),
        dir,
    };
    let out = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "160",
        "-y",
        "48",
        "-e",
        "TERM=xterm-256color",
        &command,
    ]);
    assert!(
        out.status.success(),
        "tmux new-session: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    tmux.wait("both connections", |s| s.contains("● user ● agent"));
    Some(tmux)
}
