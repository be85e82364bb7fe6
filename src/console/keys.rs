//! The key bindings, as data: the help overlay lists them and the status bar shows the first
//! few of the focused pane. `update` implements them.

use super::app::Focus;

/// One binding: the keys and what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The keys, as shown ("Alt+1..9").
    pub keys: &'static str,
    /// What they do.
    pub action: &'static str,
}

const fn b(keys: &'static str, action: &'static str) -> Binding {
    Binding { keys, action }
}

/// Bindings that work everywhere.
pub const GLOBAL: &[Binding] = &[
    b("Tab / Shift+Tab", "next / previous pane or widget"),
    b(
        "F1, ?",
        "this help (? outside text fields or empty composers)",
    ),
    b("F2, i", "show / hide the inspector (i outside text fields)"),
    b("Ctrl+P", "command palette: every action by name"),
    b("Alt+1..9", "press the n-th button of the latest message"),
    b("PgUp / PgDn, wheel", "scroll the pane"),
    b(
        "Ctrl+L",
        "links of the latest message: Enter opens, c copies",
    ),
    b(
        "Ctrl+N",
        "new conversation, as the user you name (asks; Esc cancels)",
    ),
    b(
        "mouse click",
        "focus a pane, press a button, pick a request",
    ),
    b("Ctrl+C, q", "quit (q outside text fields)"),
];

/// Bindings of the user's composer.
pub const CHAT: &[Binding] = &[
    b("Enter", "send"),
    b("Alt+Enter", "new line"),
    b("Ctrl+O", "send a file (live chat)"),
    b("Up / Down", "recall sent messages (empty composer)"),
    b("Tab", "go to the buttons"),
    b("\"Stop chat\"", "typed and sent, ends a live chat"),
];

/// Bindings of the buttons of the latest message.
pub const BUTTONS: &[Binding] = &[
    b("Left / Right", "choose a button"),
    b("Enter, Space", "press it"),
    b("Esc", "back to the composer"),
];

/// Bindings of the inbox list.
pub const INBOX: &[Binding] = &[
    b("Up / Down", "choose a request or chat"),
    b("a", "accept the request (on another's live chat: barge in)"),
    b("r", "reject the request (asks a reason)"),
    b("e", "end your live chat"),
    b("t", "transfer your live chat (asks to whom)"),
    b("Enter", "write a reply"),
    b("s", "act as the next agent of the desk"),
    b("p", "toggle presence available / away"),
];

/// Bindings of the reply composer.
pub const REPLY: &[Binding] = &[
    b("Enter", "send the reply (or answer the question)"),
    b("Alt+Enter", "new line"),
    b("Ctrl+O", "send the user a file (live chat)"),
    b("Esc", "back to the list (or cancel the question)"),
];

/// Bindings of the inspector.
pub const INSPECTOR: &[Binding] = &[
    b("/", "filter frames (Enter or Esc ends editing)"),
    b("Backspace", "shorten the filter"),
    b("Up / Down", "scroll one frame"),
    b("Home / End", "oldest / latest frame"),
    b("c", "clear the filter"),
];

/// The bindings of a focus.
pub fn pane(focus: Focus) -> (&'static str, &'static [Binding]) {
    match focus {
        Focus::Chat => ("User chat: composer", CHAT),
        Focus::Buttons => ("User chat: buttons", BUTTONS),
        Focus::Inbox => ("Agent inbox", INBOX),
        Focus::Reply => ("Agent inbox: reply", REPLY),
        Focus::Inspector => ("Inspector", INSPECTOR),
    }
}
