//! The real binary in tmux: type the seed 000 conversation, press Start agent chat with the
//! keyboard, accept in the inbox, and read Lisa's greeting with `capture-pane`. Skipped (with
//! the reason printed) only when tmux is not installed, and never in CI.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);
const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "send-keys failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn type_line(&self, text: &str) {
        self.send(&["-l", text]);
        self.send(&["Enter"]);
    }

    fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Polls the screen until `pred` holds; fails with the last screen after [`WAIT`].
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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
    fn click(&self, label: &str) {
        let screen = self.see(label);
        let (row, col) = screen
            .lines()
            .enumerate()
            .find_map(|(y, line)| line.find(label).map(|b| (y, line[..b].chars().count())))
            .unwrap_or_else(|| panic!("{label:?} not on screen:\n{screen}"));
        let (x, y) = (col + 2, row + 1); // 1-based, one cell into the label
        self.send(&["-l", &format!("\u{1b}[<0;{x};{y}M\u{1b}[<0;{x};{y}m")]);
    }

    fn see(&self, text: &str) -> String {
        self.wait(text, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        _ = self.run(&["kill-server"]);
    }
}

/// Starts the real binary in a 160x48 tmux window, or says why it cannot (no tmux).
fn start(name: &str) -> Option<(Tmux, tempfile::TempDir)> {
    start_with(name, "")
}

/// [`start`] with more options for the binary (shell words, no quotes).
fn start_with(name: &str, options: &str) -> Option<(Tmux, tempfile::TempDir)> {
    if Command::new("tmux").arg("-V").output().is_err() {
        // In CI a missing tmux is a broken set-up, not a reason to skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is not installed; .ci/run installs it"
        );
        eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
        return None;
    }
    let dir = tempfile::tempdir().expect("a temporary folder for the log");
    let log = dir.path().join("handoff.log");
    // A shell around the console reports how it exited and whether the terminal is back in
    // canonical (cooked) mode, then stays so the screen can be read.
    let command = format!(
        "sh -c '{} {options} --log-file {}; echo \"exit status $?\"; stty -a | grep -o -- \"-\\{{0,1\\}}icanon\"; exec sleep 60'",
        env!("CARGO_BIN_EXE_handoff"),
        log.display()
    );
    let tmux = Tmux {
        socket: format!("handoff-e2e-{name}-{}", std::process::id()),
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
    Some((tmux, dir))
}

/// Types seed 000 up to the summary with its buttons.
fn ask_for_an_agent(tmux: &Tmux) {
    tmux.type_line("I'd like to speak to a live agent");
    tmux.see("provide more details");
    tmux.type_line("I'm running into a strange issue with a SQL database that I'm using.");
    tmux.see("Other help options");
    tmux.see("✓ Determining appropriate live agent queue");
}

/// Quits with q and checks the program exited cleanly and restored the terminal.
fn quit(tmux: &Tmux) {
    tmux.send(&["q"]);
    // The shell prints the exit status, then the terminal's canonical-mode flag.
    let mode = |screen: &str| {
        screen
            .lines()
            .map(str::trim)
            .find(|l| *l == "icanon" || *l == "-icanon")
            .map(str::to_owned)
    };
    let screen = tmux.wait("the console to exit", |s| {
        s.contains("exit status") && mode(s).is_some()
    });
    assert!(screen.contains("exit status 0"), "{screen}");
    assert!(
        !screen.contains("Agent inbox"),
        "the alternate screen is gone:\n{screen}"
    );
    assert_eq!(
        mode(&screen).as_deref(),
        Some("icanon"),
        "raw mode is off again:\n{screen}"
    );
}

#[test]
fn seed_000_in_the_real_binary() {
    let Some((tmux, dir)) = start("keys") else {
        return;
    };
    ask_for_an_agent(&tmux);

    // Tab into the buttons (Start agent chat has focus), Enter presses it.
    tmux.send(&["Tab"]);
    tmux.see("▸Start agent chat");
    tmux.send(&["Enter"]);
    tmux.see("[ Accept (a) ]");

    // Tab to the inbox and accept.
    tmux.send(&["Tab"]);
    tmux.send(&["a"]);
    let screen = tmux.wait("Lisa's greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    });
    assert!(screen.contains("Lisa said:"), "{screen}");
    assert!(
        screen.contains("Your live agent chat has started!"),
        "{screen}"
    );
    println!("{screen}");

    // Accepting put Lisa in the reply box; back in the user's composer (two panes back),
    // Ctrl+O sends Lisa a file by its path.
    tmux.see("Reply   Enter sends");
    let log = dir.path().join("crash.log");
    std::fs::write(&log, "faulting module sqlsrv.dll, 0x80004005\n").expect("a file to send");
    tmux.send(&["BTab"]);
    tmux.send(&["BTab"]);
    tmux.send(&["C-o"]);
    tmux.see("Attach a file (Esc cancels)");
    tmux.type_line(&log.display().to_string());
    let screen = tmux.wait("the file on both sides", |s| {
        s.matches("📎 crash.log  text/plain · 39 B").count() == 2
    });
    assert!(screen.contains("crash.log sent"), "{screen}");

    // q outside a text field quits: the program exits cleanly and the terminal is restored.
    tmux.send(&["Tab"]);
    quit(&tmux);
}

#[test]
fn seed_000_in_the_real_binary_by_mouse() {
    let Some((tmux, _dir)) = start("mouse") else {
        return;
    };
    ask_for_an_agent(&tmux);
    tmux.click("Start agent chat");
    tmux.see("Pressed \"Start agent chat\"");
    tmux.click("[ Accept (a) ]");
    tmux.wait("Lisa's greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    });
    tmux.click("[ End chat (e) ]");
    tmux.see("ended by Lisa");
    // Click the inbox list so q is not typed into a composer.
    tmux.click("Acting as");
    quit(&tmux);
}

/// One handoff in a style, to its end: ask, press Start agent chat, accept in the inbox, chat
/// both ways, and the agent ends it.
fn handoff_to_the_end(style: &str) {
    let Some((tmux, _dir)) = start_with(&format!("style-{style}"), &format!("--style {style}"))
    else {
        return;
    };
    tmux.type_line("I'd like to speak to a live agent");
    tmux.see("provide more details");
    tmux.type_line("I'm running into a strange issue with a SQL database that I'm using.");
    if style == "api" {
        // The API style asks a routing question first.
        tmux.see("which database you're using?");
        tmux.type_line("PostgreSQL");
    }
    tmux.see("Other help options");
    tmux.send(&["M-1"]);
    tmux.see("[ Accept (a) ]");
    tmux.send(&["Tab"]);
    tmux.send(&["a"]);
    tmux.wait("Lisa's greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    });
    tmux.see("live with Lisa");
    // Accepting put Lisa in the reply box: she answers, the user answers back.
    tmux.see("Reply   Enter sends");
    tmux.type_line("Which error code do you see?");
    tmux.wait("Lisa's reply on both sides", |s| {
        s.matches("Which error code do you see?").count() == 2
    });
    tmux.send(&["BTab"]);
    tmux.send(&["BTab"]);
    tmux.type_line("Error 18456 at login");
    tmux.wait("the user's answer on both sides", |s| {
        s.matches("Error 18456 at login").count() == 2
    });
    // Lisa ends it from the list (one Tab from the user's composer).
    tmux.send(&["Tab"]);
    tmux.send(&["e"]);
    tmux.see("ended by Lisa");
    tmux.see("Lisa ended the chat.");
    quit(&tmux);
}

#[test]
fn a_brokered_handoff_runs_to_its_end() {
    handoff_to_the_end("brokered");
}

#[test]
fn a_url_handoff_runs_to_its_end() {
    handoff_to_the_end("url");
}

#[test]
fn an_api_handoff_runs_to_its_end() {
    handoff_to_the_end("api");
}

#[test]
fn a_channel_handoff_runs_to_its_end() {
    handoff_to_the_end("channel");
}
