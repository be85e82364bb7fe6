//! The help overlay: the bindings of the focused pane, then the global ones, all read from
//! the same tables that dispatch the keys. Also the hint lines other panes draw from theirs.

pub mod keys;
pub mod view;

use crate::console::app::{App, Focus};
use crate::console::input::{global, prompt};
use crate::console::keymap::{Row, dispatch, help};
use crate::console::panes::chat::{ComposeMode, keys as chat};
use crate::console::panes::inbox::{ReplyMode, keys as inbox};
use crate::console::panes::inspector::keys as inspector;
use crate::theme::Theme;
use crossterm::event::KeyEvent;
use keys::{HELP, HelpKey};
use ratatui::text::{Line, Span};

/// Lines a page of the help scrolls.
const PAGE: u16 = 10;

/// A pane's title and bindings, as the help and the status bar show them.
pub type Section = (&'static str, Vec<(&'static str, &'static str)>);

/// The bindings of what has focus now (a composer that asks something has the prompt's).
pub fn focused(app: &App) -> Section {
    let asking = "Answering a question";
    match app.focus {
        Focus::Chat if app.chat.mode != ComposeMode::Message => {
            (asking, help(prompt::KEYS).collect())
        }
        Focus::Chat => ("User chat: composer", help(chat::COMPOSER).collect()),
        Focus::Buttons => ("User chat: buttons", help(chat::BUTTONS).collect()),
        Focus::Inbox => ("Agent inbox", help(inbox::LIST).collect()),
        Focus::Reply if app.inbox.mode != ReplyMode::Reply => {
            (asking, help(prompt::KEYS).collect())
        }
        Focus::Reply => ("Agent inbox: reply", help(inbox::REPLY).collect()),
        Focus::Inspector if app.inspector.editing_filter => {
            ("Inspector: filter", help(inspector::FILTER).collect())
        }
        Focus::Inspector => ("Inspector", help(inspector::INSPECTOR).collect()),
    }
}

/// The bindings that work everywhere.
pub fn everywhere() -> Section {
    ("Everywhere", help(global::GLOBAL).collect())
}

/// A one-line hint of a table: "Enter run · Esc close".
pub fn hint_line<A>(theme: &Theme, table: &[Row<A>]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (keys, does)) in help(table).enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.push(Span::styled(keys, theme.key));
        spans.push(Span::styled(format!(" {does}"), theme.muted));
    }
    Line::from(spans)
}

/// Opens the help at its top.
pub(crate) fn open(app: &mut App) {
    app.help = true;
    app.help_scroll = 0;
}

/// A key while the help is open: it takes them all.
pub(crate) fn key(app: &mut App, key: KeyEvent) {
    scroll(app, dispatch(HELP, &key));
}

/// Scrolls the help (or closes it), within what it can scroll at the terminal's size.
pub(crate) fn scroll(app: &mut App, action: Option<HelpKey>) {
    let max = view::max_scroll(app);
    let at = app.help_scroll;
    app.help_scroll = match action {
        Some(HelpKey::Close) => {
            app.help = false;
            at
        }
        Some(HelpKey::Up) => at.saturating_sub(1),
        Some(HelpKey::Down) => (at + 1).min(max),
        Some(HelpKey::PageUp) => at.saturating_sub(PAGE),
        Some(HelpKey::PageDown) => (at + PAGE).min(max),
        Some(HelpKey::Top) => 0,
        Some(HelpKey::Bottom) => max,
        None => at,
    };
    app.dirty = true;
}
