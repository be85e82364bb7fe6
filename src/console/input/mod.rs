//! Terminal input: a key goes to the focused pane first, which consumes it or not, then to the
//! global keymap; mouse events are hit-tested with the same layout functions the UI draws with.

mod chat;
mod file_prompt;
mod inbox;
mod palette;
mod prompt;

use super::app::{App, Focus};
use super::msg::Command;
use crate::protocol::ButtonState;
use crate::ui::layout::{self, hit};
pub(crate) use chat::MESSAGE_PLACEHOLDER;
use chat::{buttons_key, chat_key, press, press_nth};

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
pub(crate) use inbox::REPLY_PLACEHOLDER;
use inbox::{inbox_action, inbox_key, inspector_key, reply_key};
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;

/// Lines a `PageUp` / `PageDown` scrolls.
const PAGE: isize = 10;
/// Lines a mouse wheel notch scrolls.
const WHEEL: isize = 3;

/// Whether the focused pane used a key.
enum Handled {
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
    app.help = true;
    app.help_scroll = 0;
}

fn key_event(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, KeyCode::Char('c' | 'C')) {
        app.quit = true;
        return vec![Command::Quit];
    }
    if app.help {
        let max = crate::ui::help::max_scroll(app);
        match key.code {
            KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('?' | 'q') => app.help = false,
            KeyCode::Up | KeyCode::Char('k') => app.help_scroll = app.help_scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => app.help_scroll = (app.help_scroll + 1).min(max),
            KeyCode::PageUp => app.help_scroll = app.help_scroll.saturating_sub(10),
            KeyCode::PageDown => app.help_scroll = (app.help_scroll + 10).min(max),
            KeyCode::Home => app.help_scroll = 0,
            KeyCode::End => app.help_scroll = max,
            _ => {}
        }
        app.dirty = true;
        return Vec::new();
    }
    if app.links.is_some() {
        app.dirty = true;
        return crate::console::links::key(app, key);
    }
    if app.palette.is_some() {
        app.dirty = true;
        return palette::key(app, key);
    }
    if ctrl && matches!(key.code, KeyCode::Char('p' | 'P')) {
        palette::open(app);
        return Vec::new();
    }
    if ctrl && matches!(key.code, KeyCode::Char('l' | 'L')) {
        crate::console::links::open_latest(app);
        return Vec::new();
    }
    if ctrl && matches!(key.code, KeyCode::Char('n' | 'N')) {
        chat::ask_user_name(app);
        return Vec::new();
    }
    if alt && let KeyCode::Char(c @ '1'..='9') = key.code {
        return press_nth(app, c as usize - '1' as usize);
    }
    if let Handled::Yes(commands) = pane_key(app, key) {
        return commands;
    }
    let typing = app.typing_focus();
    match key.code {
        KeyCode::Tab => cycle_focus(app, true),
        KeyCode::BackTab => cycle_focus(app, false),
        KeyCode::F(1) => open_help(app),
        KeyCode::Char('?') if !typing => open_help(app),
        KeyCode::F(2) => toggle_inspector(app),
        KeyCode::Char('i') if !typing => toggle_inspector(app),
        KeyCode::Char('q') if !typing => {
            app.quit = true;
            return vec![Command::Quit];
        }
        KeyCode::PageUp => scroll(app, app.focus, PAGE),
        KeyCode::PageDown => scroll(app, app.focus, -(PAGE)),
        _ => {}
    }
    Vec::new()
}

pub(super) fn toggle_inspector(app: &mut App) {
    app.inspector.open = !app.inspector.open;
    if !app.inspector.open && app.focus == Focus::Inspector {
        app.focus = Focus::Chat;
    }
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
    if app.focus == Focus::Buttons {
        focus_first_active_button(app);
    }
}

fn focus_first_active_button(app: &mut App) {
    if let Some((_, m)) = app.chat.transcript.latest_with_buttons() {
        app.chat.button = m
            .buttons()
            .position(|b| b.state == ButtonState::Active)
            .unwrap_or(0);
    }
}

fn pane_key(app: &mut App, key: KeyEvent) -> Handled {
    match app.focus {
        Focus::Chat => chat_key(app, key),
        Focus::Buttons => buttons_key(app, key),
        Focus::Inbox => inbox_key(app, key),
        Focus::Reply => reply_key(app, key),
        Focus::Inspector => inspector_key(app, key),
    }
}

/// Feeds a key to a composer unless it is one the console keeps (Tab, Esc, paging, F-keys).
fn composer_key(composer: &mut TextArea<'static>, key: KeyEvent) -> bool {
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
fn over_limit(
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
const LONGEST_ID: &str = "u-18446744073709551615";

/// The composer's text as it would be sent (trimmed), leaving the composer as it is.
fn peek_text(composer: &TextArea<'static>) -> String {
    composer.lines().join("\n").trim().to_owned()
}

fn take_text(composer: &mut TextArea<'static>) -> String {
    let text = composer.lines().join("\n").trim().to_owned();
    composer.clear();
    text
}

/// Scrolls the pane of a focus by `lines` (positive: back in time).
fn scroll(app: &mut App, focus: Focus, lines: isize) {
    let apply = |s: &mut super::app::Scroll| {
        s.back = s.back.saturating_add_signed(lines);
        if s.back == 0 {
            s.unseen = 0;
        }
    };
    match focus {
        Focus::Chat | Focus::Buttons => apply(&mut app.chat.scroll),
        Focus::Inbox | Focus::Reply => {
            if let Some(chat) = app.inbox.chats.get_mut(app.inbox.selected) {
                apply(&mut chat.scroll);
            }
        }
        Focus::Inspector => {
            let max = crate::ui::inspector::max_back(app);
            app.inspector.back = app
                .inspector
                .back
                .saturating_add_signed(lines.signum())
                .min(max);
        }
    }
    clamp_scrolls(app);
}

/// Keeps scroll-back within what the transcripts can show (so `PageDown` works at once after
/// scrolling past the top).
fn clamp_scrolls(app: &mut App) {
    let area = chat_transcript_area(app);
    let v = crate::ui::chat::view(app, area);
    app.chat.scroll.back = v.back;
    let area = inbox_transcript_area(app);
    let v = crate::ui::inbox::view(app, area);
    if let Some(chat) = app.inbox.chats.get_mut(app.inbox.selected) {
        chat.scroll.back = v.back;
    }
}

/// The chat transcript's area at the current size.
pub fn chat_transcript_area(app: &App) -> Rect {
    let rects = layout::panes(app.size, app.inspector.open);
    crate::ui::chat::areas(app, rects.chat).transcript
}

/// The inbox transcript's area at the current size.
pub fn inbox_transcript_area(app: &App) -> Rect {
    let rects = layout::panes(app.size, app.inspector.open);
    crate::ui::inbox::areas(app, rects.inbox).transcript
}

fn mouse_event(app: &mut App, mouse: MouseEvent) -> Vec<Command> {
    let rects = layout::panes(app.size, app.inspector.open);
    if rects.too_small || app.help {
        if app.help {
            let max = crate::ui::help::max_scroll(app);
            match mouse.kind {
                MouseEventKind::Down(_) => app.help = false,
                MouseEventKind::ScrollUp => app.help_scroll = app.help_scroll.saturating_sub(1),
                MouseEventKind::ScrollDown => app.help_scroll = (app.help_scroll + 1).min(max),
                _ => return Vec::new(),
            }
            app.dirty = true;
        }
        return Vec::new();
    }
    let (col, row) = (mouse.column, mouse.row);
    let pane = if hit(rects.chat, col, row) {
        Focus::Chat
    } else if hit(rects.inbox, col, row) {
        Focus::Inbox
    } else if rects.inspector.is_some_and(|r| hit(r, col, row)) {
        Focus::Inspector
    } else {
        return Vec::new();
    };
    match mouse.kind {
        MouseEventKind::ScrollUp => scroll(app, pane, WHEEL),
        MouseEventKind::ScrollDown => scroll(app, pane, -(WHEEL)),
        MouseEventKind::Down(MouseButton::Left) => {
            app.dirty = true;
            return click(app, pane, rects, col, row);
        }
        _ => return Vec::new(),
    }
    app.dirty = true;
    Vec::new()
}

fn click(app: &mut App, pane: Focus, rects: layout::PaneRects, col: u16, row: u16) -> Vec<Command> {
    match pane {
        Focus::Chat => {
            let areas = crate::ui::chat::areas(app, rects.chat);
            let view = crate::ui::chat::view(app, areas.transcript);
            if let Some(b) = view.buttons.iter().find(|b| hit(b.rect, col, row)) {
                let latest = app
                    .chat
                    .transcript
                    .latest_with_buttons()
                    .map(|(_, m)| m.id.clone());
                if latest.as_ref() == Some(&b.message) {
                    app.focus = Focus::Buttons;
                    app.chat.button = b.index;
                }
                let message = b.message.clone();
                return press(app, &message, b.index);
            }
            app.focus = Focus::Chat;
        }
        Focus::Inbox => {
            let areas = crate::ui::inbox::areas(app, rects.inbox);
            if hit(areas.composer, col, row) {
                app.focus = Focus::Reply;
                return Vec::new();
            }
            app.focus = Focus::Inbox;
            if let Some((_, action)) = crate::ui::inbox::actions(app, rects.inbox)
                .into_iter()
                .find(|(r, _)| hit(*r, col, row))
            {
                return inbox_action(app, action);
            }
        }
        _ => app.focus = pane,
    }
    Vec::new()
}
