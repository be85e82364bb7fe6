//! The real binary in tmux with text that crashed the first version: messages that start with a
//! non-ASCII character, from the user and from the agent, in the assistant chat and in a live
//! chat. And a crash, on purpose, gives the terminal back and says where the crash log is.

mod tmux_support;

const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

#[test]
fn non_ascii_messages_from_both_sides_are_shown_and_the_console_keeps_running() {
    let Some(tmux) = tmux_support::start("unicode", &[], &[]) else {
        return;
    };
    // To the assistant first: each used to panic the console's rich-text parser.
    for text in ["été chaud", "¿dónde?", "日本"] {
        tmux.type_line(text);
        tmux.see(text);
    }
    tmux.type_line("I'd like to speak to a live agent");
    tmux.see("provide more details");
    tmux.type_line("I'm running into a strange issue with a SQL database that I'm using.");
    tmux.see("Other help options");
    tmux.send(&["Tab"]);
    tmux.see("▸Start agent chat");
    tmux.send(&["Enter"]);
    tmux.see("[ Accept (a) ]");
    tmux.send(&["Tab"]);
    tmux.send(&["a"]);
    tmux.wait("Lisa's greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    });

    // Lisa (the reply box has focus after accepting) writes first, then the user.
    tmux.type_line("¿dónde? 日本語 👩‍💻 été");
    tmux.wait("Lisa's reply on both sides", |s| {
        s.matches("¿dónde? 日本語 👩‍💻 été").count() == 2
    });
    tmux.send(&["BTab"]);
    tmux.send(&["BTab"]);
    tmux.type_line("été chaud 👍 שלום");
    let screen = tmux.wait("the user's message on both sides", |s| {
        s.matches("été chaud 👍 שלום").count() == 2
    });
    assert!(
        screen.contains("● user ● agent"),
        "still connected:\n{screen}"
    );
    assert!(!screen.contains("exit status"), "still running:\n{screen}");
}

#[test]
fn a_crash_gives_the_terminal_back_and_says_where_the_log_is() {
    let Some(tmux) = tmux_support::start("crash", &[], &[("HANDOFF_DEBUG_PANIC", "1")]) else {
        return;
    };
    let (screen, mode) = tmux.exited();
    assert!(screen.contains("exit status 101"), "{screen}");
    assert_eq!(
        mode.as_deref(),
        Some("icanon"),
        "raw mode is off again:\n{screen}"
    );
    assert!(
        !screen.contains("Agent inbox"),
        "the alternate screen is gone:\n{screen}"
    );
    assert!(
        screen.contains("handoff crashed: HANDOFF_DEBUG_PANIC asked for a crash"),
        "{screen}"
    );
    let crash_log = tmux.dir.path().join("handoff-crash.log");
    assert!(screen.contains("The crash log is at"), "{screen}");
    let log = std::fs::read_to_string(&crash_log).expect("the crash log");
    assert!(
        log.contains("HANDOFF_DEBUG_PANIC asked for a crash"),
        "{log}"
    );
    assert!(
        log.contains("backtrace") || log.contains("handoff::"),
        "{log}"
    );
}
