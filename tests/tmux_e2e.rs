//! The real binary in tmux: type the seed 000 conversation, press Start agent chat with the
//! keyboard, accept in the inbox, and read Lisa's greeting with `capture-pane`. Skipped (with
//! the reason printed) only when tmux is not installed, and never in CI.

const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

mod tmux_support;

use tmux_support::Tmux;

/// Starts the real binary in tmux; `None` when tmux is missing (outside CI).
fn start(name: &str) -> Option<Tmux> {
    tmux_support::start(&format!("e2e-{name}"), &[], &[])
}

/// [`start`] with more options for the binary (shell words, no quotes).
fn start_with(name: &str, options: &str) -> Option<Tmux> {
    let args: Vec<&str> = options.split_whitespace().collect();
    tmux_support::start(&format!("e2e-{name}"), &args, &[])
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
    let (screen, mode) = tmux.exited();
    assert!(screen.contains("exit status 0"), "{screen}");
    assert!(
        !screen.contains("Agent inbox"),
        "the alternate screen is gone:\n{screen}"
    );
    assert_eq!(
        mode.as_deref(),
        Some("icanon"),
        "raw mode is off again:\n{screen}"
    );
}

#[test]
fn seed_000_in_the_real_binary() {
    let Some(tmux) = start("keys") else {
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
    let log = tmux.dir.path().join("crash.log");
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
    let Some(tmux) = start("mouse") else {
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
    let Some(tmux) = start_with(&format!("style-{style}"), &format!("--style {style}")) else {
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
    // While a brokered request waits, the offer's other buttons stay live (brokering rule 3):
    // Tab visits them before the inbox.
    if style == "brokered" {
        tmux.send(&["Tab"]);
        tmux.see("▸Edit / Add details");
    }
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
