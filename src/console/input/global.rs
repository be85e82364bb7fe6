//! The keys that work everywhere, as one table that dispatches them and is the help's
//! "Everywhere" section.

use super::{Handled, PAGE, To, scroll};
use crate::console::app::{App, Focus};
use crate::console::keymap::{Chord, Row, alt, ch, ctrl, dispatch_if, key, row};
use crate::console::msg::Command;
use crate::console::panes::{chat, help, links, palette};
use crate::console::replay::ScenarioKey;
use crate::protocol::ButtonState;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a global key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalKey {
    /// Focus the next pane or widget.
    NextFocus,
    /// Focus the previous one.
    PreviousFocus,
    /// Open the help.
    Help,
    /// Show or hide the inspector.
    Inspector,
    /// Open the command palette.
    Palette,
    /// Press the n-th button (the digit pressed) of the latest message with buttons.
    PressNth,
    /// Scroll the focused pane back.
    PageUp,
    /// Scroll it forward.
    PageDown,
    /// Scroll it to the oldest message.
    Top,
    /// Scroll it to the bottom and follow new messages.
    Bottom,
    /// The links of the latest message with links.
    Links,
    /// A new conversation, as a user named at a prompt.
    NewConversation,
    /// Quit.
    Quit,
    /// Record, replay, fork (`console::replay`).
    Scenario(crate::console::replay::ScenarioKey),
}

/// Ctrl and a key that is not a letter.
const fn ctrl_key(code: KeyCode) -> Chord {
    Chord {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

const fn alt_digit(c: char) -> (Chord, GlobalKey) {
    (alt(KeyCode::Char(c)), GlobalKey::PressNth)
}

/// The bindings that work everywhere.
pub const GLOBAL: &[Row<GlobalKey>] = &[
    row(
        "Tab / Shift+Tab",
        "next / previous pane or widget",
        &[
            (key(KeyCode::Tab), GlobalKey::NextFocus),
            (key(KeyCode::BackTab), GlobalKey::PreviousFocus),
        ],
    ),
    row(
        "F1, ?",
        "this help (? outside text fields or empty composers)",
        &[
            (key(KeyCode::F(1)), GlobalKey::Help),
            (ch('?'), GlobalKey::Help),
        ],
    ),
    row(
        "F2, i",
        "show / hide the inspector (i outside text fields)",
        &[
            (key(KeyCode::F(2)), GlobalKey::Inspector),
            (ch('i'), GlobalKey::Inspector),
        ],
    ),
    row(
        "Ctrl+P",
        "command palette: every action by name",
        &[(ctrl('p'), GlobalKey::Palette)],
    ),
    row(
        "Alt+1..9",
        "press the n-th button of the latest message",
        &[
            alt_digit('1'),
            alt_digit('2'),
            alt_digit('3'),
            alt_digit('4'),
            alt_digit('5'),
            alt_digit('6'),
            alt_digit('7'),
            alt_digit('8'),
            alt_digit('9'),
        ],
    ),
    row(
        "PgUp / PgDn, wheel",
        "scroll the pane",
        &[
            (key(KeyCode::PageUp), GlobalKey::PageUp),
            (key(KeyCode::PageDown), GlobalKey::PageDown),
        ],
    ),
    row(
        "Ctrl+Home/Ctrl+End",
        "oldest message / follow the latest",
        &[
            (ctrl_key(KeyCode::Home), GlobalKey::Top),
            (ctrl_key(KeyCode::End), GlobalKey::Bottom),
        ],
    ),
    row(
        "Ctrl+L",
        "links of the latest message: Enter opens, c copies",
        &[(ctrl('l'), GlobalKey::Links)],
    ),
    row(
        "Ctrl+N",
        "new conversation, as the user you name (asks; Esc cancels)",
        &[(ctrl('n'), GlobalKey::NewConversation)],
    ),
    row(
        "F5",
        "record a scenario / stop and save it (● REC)",
        &[(key(KeyCode::F(5)), GlobalKey::Scenario(ScenarioKey::Record))],
    ),
    row(
        "F6 / F7 / F8",
        "replay: one step / to the end / to the marked step",
        &[
            (key(KeyCode::F(6)), GlobalKey::Scenario(ScenarioKey::Step)),
            (
                key(KeyCode::F(7)),
                GlobalKey::Scenario(ScenarioKey::RunToEnd),
            ),
            (
                key(KeyCode::F(8)),
                GlobalKey::Scenario(ScenarioKey::RunToMark),
            ),
        ],
    ),
    row(
        "Alt+Up / Alt+Down",
        "replay: move the step mark",
        &[
            (alt(KeyCode::Up), GlobalKey::Scenario(ScenarioKey::MarkUp)),
            (
                alt(KeyCode::Down),
                GlobalKey::Scenario(ScenarioKey::MarkDown),
            ),
        ],
    ),
    row(
        "F9",
        "fork the replay: go on by hand, F5 saves it",
        &[(key(KeyCode::F(9)), GlobalKey::Scenario(ScenarioKey::Fork))],
    ),
    row(
        "mouse click",
        "focus a pane, press a button, pick a request",
        &[],
    ),
    row(
        "Ctrl+C, q",
        "quit (q outside text fields)",
        &[(ctrl('c'), GlobalKey::Quit), (ch('q'), GlobalKey::Quit)],
    ),
];

/// A global key, from the table; `No` when it binds nothing there. With `modified`, only
/// the chords with Ctrl or Alt are looked at: those go before the focused pane (no text field
/// types them), the plain ones after it, so text fields get their letters (and `?` on an
/// empty composer comes here to open the help).
pub(super) fn handle(app: &mut App, event: KeyEvent, modified: bool) -> Handled {
    let held = KeyModifiers::CONTROL | KeyModifiers::ALT;
    let Some(action) = dispatch_if(GLOBAL, &event, |c| !modified || c.mods.intersects(held)) else {
        return Handled::No;
    };
    match action {
        GlobalKey::NextFocus => cycle_focus(app, true),
        GlobalKey::PreviousFocus => cycle_focus(app, false),
        GlobalKey::Help => help::open(app),
        GlobalKey::Inspector => super::toggle_inspector(app),
        GlobalKey::Palette => palette::input::open(app),
        GlobalKey::PressNth => {
            let KeyCode::Char(c @ '1'..='9') = event.code else {
                return Handled::No;
            };
            return Handled::Yes(chat::input::press_nth(app, c as usize - '1' as usize));
        }
        GlobalKey::PageUp => scroll(app, app.focus, To::Lines(PAGE)),
        GlobalKey::PageDown => scroll(app, app.focus, To::Lines(-PAGE)),
        GlobalKey::Top => scroll(app, app.focus, To::Top),
        GlobalKey::Bottom => scroll(app, app.focus, To::Bottom),
        GlobalKey::Links => links::open_latest(app),
        GlobalKey::NewConversation => chat::input::ask_user_name(app),
        GlobalKey::Scenario(k) => return Handled::Yes(crate::console::replay::key(app, k)),
        GlobalKey::Quit => {
            app.quit = true;
            return Handled::Yes(vec![Command::Quit]);
        }
    }
    Handled::Yes(Vec::new())
}

/// The focus order, skipping what is not there.
fn focus_order(app: &App) -> Vec<Focus> {
    let mut order = vec![Focus::Chat];
    let pressable = app
        .chat
        .transcript
        .latest_with_buttons()
        .is_some_and(|(_, m)| m.buttons().any(|b| b.state == ButtonState::Active));
    if pressable {
        order.push(Focus::Buttons);
    }
    order.extend([Focus::Inbox, Focus::Reply]);
    if app.inspector.open {
        order.push(Focus::Inspector);
    }
    order
}

fn cycle_focus(app: &mut App, forward: bool) {
    let order = focus_order(app);
    let at = order.iter().position(|f| *f == app.focus).unwrap_or(0);
    let n = order.len();
    app.focus = order[if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    }];
    if app.focus == Focus::Buttons
        && let Some((_, m)) = app.chat.transcript.latest_with_buttons()
    {
        app.chat.button = m
            .buttons()
            .position(|b| b.state == ButtonState::Active)
            .unwrap_or(0);
    }
}
