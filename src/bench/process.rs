//! The servers under test, each a child process of the current executable (so its CPU time and
//! memory are its own): `handoff serve`, and the bare relay (`handoff bench --bare-relay`). And
//! the probes that read them from `/proc`.

use anyhow::Context as _;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Which server a trial runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The in-tree bare relay, one agent socket for every room (the broker's topology).
    Bare,
    /// The bare relay answering each user frame as the broker answers a `say` (`answers=P`):
    /// the broker's frames without its work.
    Answering,
    /// `handoff serve` with the mock desk.
    Handoff,
}

impl Target {
    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bare => "bare relay",
            Self::Answering => "relay + answers",
            Self::Handoff => "handoff",
        }
    }
}

/// A running server; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Its `ws://` URL, the first line it printed.
    pub url: String,
}

impl Server {
    /// Starts `target` from `exe`, taking at least `connections` connections; handoff logs into
    /// `scratch` and takes agents with `token`.
    pub fn start(
        exe: &Path,
        target: Target,
        connections: usize,
        scratch: &Path,
        token: &str,
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(exe);
        match target {
            Target::Bare | Target::Answering => command.args(["bench", "--bare-relay"]),
            Target::Handoff => command
                .args(["serve", "--listen", "127.0.0.1:0", "--max-connections"])
                .arg(connections.to_string())
                .arg("--log-file")
                .arg(scratch.join("handoff-serve.log"))
                .env(crate::broker::trust::TOKEN_ENV, token),
        };
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("cannot start {} for the {}", exe.display(), target.label())
            })?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let url = line.trim().to_owned();
        let server = Self { child, url };
        anyhow::ensure!(
            server.url.starts_with("ws://"),
            "the {} did not print its URL (got {:?})",
            target.label(),
            server.url
        );
        Ok(server)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Its state is thrown away: nothing to shut down gracefully for.
        _ = self.child.kill();
        _ = self.child.wait();
    }
}

/// CPU time of every thread of process `pid` ("self" for this one), in seconds, from
/// `/proc/PID/task/*/schedstat` (nanoseconds on CPU); NaN where `/proc` cannot tell.
pub fn cpu_seconds(pid: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return f64::NAN;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e9
}

/// A `/proc/PID/status` field in KiB (`VmRSS`, `RssAnon`); NaN where it cannot be read.
pub fn status_kib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN)
}

/// A folder of its own in the temporary folder for the servers' logs, removed when dropped.
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Makes it.
    pub fn new() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "handoff-bench-{}-{:x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        crate::private_files::create_dir_all(&dir)
            .with_context(|| format!("cannot make {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        _ = std::fs::remove_dir_all(&self.0);
    }
}
