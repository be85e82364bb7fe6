//! Terminal input: a key goes to the focused pane first, which consumes it or not, then to the
//! global keymap; mouse events are hit-tested with the same layout functions the UI draws with.

pub(crate) mod file_prompt;
pub(crate) mod global;
mod mouse;
pub(crate) mod prompt;
mod scroll;

use super::app::{App, Focus};
use super::msg::Command;
use super::panes::{chat, help, inbox, inspector, links, palette};
pub(crate) use chat::input::MESSAGE_PLACEHOLDER;
use mouse::mouse_event;
use scroll::{To, scroll};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;

/// Lines a `PageUp` / `PageDown` scrolls.
const PAGE: isize = 10;
/// Lines a mouse wheel notch scrolls.
const WHEEL: isize = 3;

/// Whether the focused pane used a key.
pub(crate) enum Handled {
    Yes(Vec<Command>),
    No,
}

/// Handles one terminal event.
pub fn handle(app: &mut App, event: Event) -> Vec<Command> {
    match event {
        Event::Resize(w, h) => {
            app.size = Rect::new(0, 0, w, h);
            app.dirty = true;
            Vec::new()
        }
        Event::Paste(text) => {
            // Terminals paste line ends as CR (or a CRLF mix): the sanitiser keeps each as a line.
            let text = crate::text::clean_text(&text, true).into_owned();
            match app.focus {
                Focus::Chat => _ = app.chat.composer.insert_str(text),
                Focus::Reply => _ = app.inbox.composer.insert_str(text),
                Focus::Inspector if app.inspector.editing_filter => {
                    app.inspector.filter.push_str(&text.replace('\n', " "));
                }
                _ => return Vec::new(),
            }
            app.dirty = true;
            Vec::new()
        }
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            app.dirty = true;
            key_event(app, key)
        }
        Event::Mouse(mouse) => mouse_event(app, mouse),
        _ => Vec::new(),
    }
}

/// Opens the help overlay at its top.
pub(crate) fn open_help(app: &mut App) {
    help::open(app);
}

/// A key: an open overlay takes it; then the global chords with Ctrl or Alt, the focused
/// pane's table, and the global plain keys, each from its table.
fn key_event(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C'))
    {
        app.quit = true;
        return vec![Command::Quit];
    }
    if app.help {
        help::key(app, key);
        return Vec::new();
    }
    if app.links.is_some() {
        app.dirty = true;
        return links::key(app, key);
    }
    if app.palette.is_some() {
        app.dirty = true;
        return palette::input::key(app, key);
    }
    if let Some(commands) = crate::console::replay::autoplay::key(app, &key) {
        return commands;
    }
    for step in [Step::Modified, Step::Pane, Step::Plain] {
        let handled = match step {
            Step::Modified => global::handle(app, key, true),
            Step::Pane => pane_key(app, key),
            Step::Plain => global::handle(app, key, false),
        };
        if let Handled::Yes(commands) = handled {
            return commands;
        }
    }
    Vec::new()
}

/// Who gets a key, in order.
#[derive(Clone, Copy)]
enum Step {
    Modified,
    Pane,
    Plain,
}

pub(crate) fn toggle_inspector(app: &mut App) {
    app.inspector.open = !app.inspector.open;
    if !app.inspector.open && app.focus == Focus::Inspector {
        app.focus = Focus::Chat;
    }
}

fn pane_key(app: &mut App, key: KeyEvent) -> Handled {
    match app.focus {
        Focus::Chat => chat::input::chat_key(app, key),
        Focus::Buttons => chat::input::buttons_key(app, key),
        Focus::Inbox => inbox::input::inbox_key(app, key),
        Focus::Reply => inbox::input::reply_key(app, key),
        Focus::Inspector => inspector::key(app, key),
    }
}

/// Feeds a key to a composer unless it is one the console keeps (Tab, Esc, paging, F-keys).
pub(crate) fn composer_key(composer: &mut TextArea<'static>, key: KeyEvent) -> bool {
    if matches!(
        key.code,
        KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Esc
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::F(_)
    ) {
        return false;
    }
    composer.input(key);
    true
}

/// Why a request carrying `text` cannot go: its frame would be over the broker's
/// `max_message_bytes` (from `welcome`), which would close the connection (1009).
pub(crate) fn over_limit(
    app: &App,
    text: &str,
    frame: impl Fn(String) -> crate::protocol::ClientMsg,
) -> Option<String> {
    let max = app.broker.as_ref()?.max_message_bytes;
    let size = serde_json::to_string(&frame(text.to_owned())).map_or(usize::MAX, |f| f.len());
    (size > max).then(|| {
        format!(
            "Not sent: the message is {}, over the broker's limit of {} (--max-message-bytes); it is still in the composer",
            crate::protocol::human_size(size as u64),
            crate::protocol::human_size(max as u64),
        )
    })
}

/// The longest request id the console makes, for sizing frames before they get an id.
pub(crate) const LONGEST_ID: &str = "u-18446744073709551615";

/// The composer's text as it would be sent (trimmed), leaving the composer as it is.
pub(crate) fn peek_text(composer: &TextArea<'static>) -> String {
    composer.lines().join("\n").trim().to_owned()
}

pub(crate) fn take_text(composer: &mut TextArea<'static>) -> String {
    let text = composer.lines().join("\n").trim().to_owned();
    composer.clear();
    text
}
