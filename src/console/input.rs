//! Terminal input: a key goes to the focused pane first, which consumes it or not, then to the
//! global keymap; mouse events are hit-tested with the same layout functions the UI draws with.

use super::app::{App, Focus, Pending, ReplyMode};
use super::msg::{Command, Side};
use super::update::echo;
use crate::protocol::{ButtonState, ClientMsg, Presence};
use crate::ui::inbox::InboxAction;
use crate::ui::layout::{self, hit};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
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
            let text = crate::ui::sanitize::clean_text(&text, true).into_owned();
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

fn key_event(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, KeyCode::Char('c' | 'C')) {
        app.quit = true;
        return vec![Command::Quit];
    }
    if app.help {
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('?' | 'q')
        ) {
            app.help = false;
        }
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
        KeyCode::F(1) => app.help = true,
        KeyCode::Char('?') if !typing => app.help = true,
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

fn toggle_inspector(app: &mut App) {
    app.inspector.open = !app.inspector.open;
    if !app.inspector.open && app.focus == Focus::Inspector {
        app.focus = Focus::Chat;
    }
}

/// The focus order, skipping what is not there.
fn focus_order(app: &App) -> Vec<Focus> {
    let mut order = vec![Focus::Chat];
    if app.chat.transcript.latest_with_buttons().is_some() {
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

fn take_text(composer: &mut TextArea<'static>) -> String {
    let text = composer.lines().join("\n").trim().to_owned();
    composer.clear();
    text
}

fn chat_key(app: &mut App, key: KeyEvent) -> Handled {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Enter if alt => app.chat.composer.insert_newline(),
        KeyCode::Enter => return Handled::Yes(send_say(app)),
        // `?` on an empty composer asks for help rather than starting a question.
        KeyCode::Char('?') if app.chat.composer.is_empty() => app.help = true,
        KeyCode::Up | KeyCode::Down
            if app.chat.composer.is_empty() || app.chat.recall.is_some() =>
        {
            recall(app, key.code == KeyCode::Up);
        }
        _ => {
            app.chat.recall = None;
            let was_empty = app.chat.composer.is_empty();
            if !composer_key(&mut app.chat.composer, key) {
                return Handled::No;
            }
            return Handled::Yes(user_typing(app, was_empty));
        }
    }
    Handled::Yes(Vec::new())
}

/// Tells the agent the user started or stopped typing (only in a live chat, where it shows).
fn user_typing(app: &mut App, was_empty: bool) -> Vec<Command> {
    let now_empty = app.chat.composer.is_empty();
    let live = matches!(
        app.chat.state,
        crate::protocol::HandoffState::Connected { .. }
    );
    match (&app.chat.conversation, live && was_empty != now_empty) {
        (Some(conversation), true) => {
            let conversation = conversation.clone();
            let id = app.request_id(Side::User, Pending::Other);
            vec![Command::Send {
                side: Side::User,
                msg: ClientMsg::Typing {
                    id,
                    conversation,
                    on: !now_empty,
                },
            }]
        }
        _ => Vec::new(),
    }
}

/// Tells the user the agent started or stopped typing in the selected live chat.
fn agent_typing(app: &mut App, was_empty: bool) -> Vec<Command> {
    let now_empty = app.inbox.composer.is_empty();
    let me = app.inbox.agent.clone();
    let live = app
        .selected_chat()
        .filter(|c| c.ended.is_none() && c.assigned.is_some() && c.assigned == me);
    match (live.map(|c| c.conversation.clone()), was_empty != now_empty) {
        (Some(conversation), true) if app.inbox.mode == ReplyMode::Reply => {
            let id = app.request_id(Side::Agent, Pending::Other);
            vec![Command::Send {
                side: Side::Agent,
                msg: ClientMsg::Typing {
                    id,
                    conversation,
                    on: !now_empty,
                },
            }]
        }
        _ => Vec::new(),
    }
}

fn recall(app: &mut App, older: bool) {
    let n = app.chat.history.len();
    if n == 0 {
        return;
    }
    let next = match (app.chat.recall, older) {
        (None, true) => Some(n - 1),
        (None, false) => None,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) => (i + 1 < n).then_some(i + 1),
    };
    app.chat.recall = next;
    let text = next.map_or(String::new(), |i| app.chat.history[i].clone());
    app.chat.composer = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
    app.chat
        .composer
        .set_placeholder_text("Type a message; Enter sends");
    app.chat
        .composer
        .set_cursor_line_style(ratatui::style::Style::new());
    app.chat
        .composer
        .move_cursor(ratatui_textarea::CursorMove::Bottom);
    app.chat
        .composer
        .move_cursor(ratatui_textarea::CursorMove::End);
}

fn send_say(app: &mut App) -> Vec<Command> {
    let Some(conversation) = app.chat.conversation.clone() else {
        app.notify(
            true,
            "Not connected to the broker yet; the message was kept",
        );
        return Vec::new();
    };
    let text = take_text(&mut app.chat.composer);
    if text.is_empty() {
        return Vec::new();
    }
    app.chat.recall = None;
    app.chat.history.push(text.clone());
    app.chat.scroll = super::app::Scroll::default();
    let id = app.request_id(Side::User, Pending::Say);
    echo(app, id.clone(), text.clone());
    vec![Command::Send {
        side: Side::User,
        msg: ClientMsg::Say {
            id,
            conversation,
            text,
        },
    }]
}

fn buttons_key(app: &mut App, key: KeyEvent) -> Handled {
    let count = app
        .chat
        .transcript
        .latest_with_buttons()
        .map_or(0, |(_, m)| m.buttons().count());
    match key.code {
        KeyCode::Left | KeyCode::Up | KeyCode::Char('h' | 'k') => {
            app.chat.button = app.chat.button.saturating_sub(1);
        }
        KeyCode::Right | KeyCode::Down | KeyCode::Char('l' | 'j') => {
            app.chat.button = (app.chat.button + 1).min(count.saturating_sub(1));
        }
        KeyCode::Enter | KeyCode::Char(' ') => {
            return Handled::Yes(press_nth(app, app.chat.button));
        }
        KeyCode::Esc => app.focus = Focus::Chat,
        _ => return Handled::No,
    }
    Handled::Yes(Vec::new())
}

/// Presses the n-th button (from 0) of the latest message with buttons.
fn press_nth(app: &mut App, n: usize) -> Vec<Command> {
    let Some((_, message)) = app.chat.transcript.latest_with_buttons() else {
        app.notify(true, "No buttons to press");
        return Vec::new();
    };
    let id = message.id.clone();
    press(app, &id, n)
}

fn press(app: &mut App, message: &crate::protocol::MessageId, n: usize) -> Vec<Command> {
    let (Some(conversation), Some(button)) = (
        app.chat.conversation.clone(),
        app.chat
            .transcript
            .get(message)
            .and_then(|m| m.buttons().nth(n))
            .cloned(),
    ) else {
        return Vec::new();
    };
    if button.state != ButtonState::Active {
        let state = match button.state {
            ButtonState::Pressed => "was already pressed",
            ButtonState::Expired => "has expired",
            _ => "is disabled",
        };
        app.notify(
            true,
            format!(
                "\"{}\" {state}",
                crate::ui::sanitize::clean(&button.button_text)
            ),
        );
        return Vec::new();
    }
    let id = app.request_id(Side::User, Pending::Press(button.button_text.clone()));
    app.chat.scroll = super::app::Scroll::default();
    vec![Command::Send {
        side: Side::User,
        msg: ClientMsg::Press {
            id,
            conversation,
            message: message.clone(),
            action: button.action,
        },
    }]
}

fn inbox_key(app: &mut App, key: KeyEvent) -> Handled {
    let n = app.inbox.chats.len();
    let commands = match key.code {
        KeyCode::Up | KeyCode::Char('k') => {
            app.inbox.selected = app.inbox.selected.saturating_sub(1);
            Vec::new()
        }
        KeyCode::Down | KeyCode::Char('j') => {
            app.inbox.selected = (app.inbox.selected + 1).min(n.saturating_sub(1));
            Vec::new()
        }
        KeyCode::Char('a') => inbox_action(app, InboxAction::Accept),
        KeyCode::Char('r') => inbox_action(app, InboxAction::Reject),
        KeyCode::Char('e') => inbox_action(app, InboxAction::End),
        KeyCode::Char('s') => inbox_action(app, InboxAction::SwitchAgent),
        KeyCode::Char('p') => toggle_presence(app),
        KeyCode::Enter => {
            app.focus = Focus::Reply;
            Vec::new()
        }
        _ => return Handled::No,
    };
    Handled::Yes(commands)
}

fn toggle_presence(app: &mut App) -> Vec<Command> {
    let me = app.inbox.agent.clone().unwrap_or_default();
    let now = app
        .inbox
        .desk
        .iter()
        .find(|a| a.name == me)
        .map(|a| a.presence);
    let presence = if now == Some(Presence::Available) {
        Presence::Away
    } else {
        Presence::Available
    };
    let id = app.request_id(Side::Agent, Pending::Other);
    vec![Command::Send {
        side: Side::Agent,
        msg: ClientMsg::SetPresence { id, presence },
    }]
}

/// Carries out an inbox action on the selected item.
fn inbox_action(app: &mut App, action: InboxAction) -> Vec<Command> {
    if let InboxAction::Select(i) = action {
        app.inbox.selected = i.min(app.inbox.chats.len().saturating_sub(1));
        return Vec::new();
    }
    if action == InboxAction::SwitchAgent {
        let me = app.inbox.agent.clone().unwrap_or_default();
        let names: Vec<String> = app.inbox.desk.iter().map(|a| a.name.clone()).collect();
        let Some(next) = names
            .iter()
            .position(|n| *n == me)
            .map_or_else(|| names.first(), |i| names.get((i + 1) % names.len()))
            .cloned()
        else {
            app.notify(true, "The desk has no other agent");
            return Vec::new();
        };
        let id = app.request_id(Side::Agent, Pending::ActAs(next.clone()));
        return vec![Command::Send {
            side: Side::Agent,
            msg: ClientMsg::ActAs { id, agent: next },
        }];
    }
    let Some(chat) = app.selected_chat() else {
        app.notify(true, "Nothing selected in the inbox");
        return Vec::new();
    };
    let conversation = chat.conversation.clone();
    match action {
        InboxAction::Accept => {
            let id = app.request_id(Side::Agent, Pending::Accept);
            vec![Command::Send {
                side: Side::Agent,
                msg: ClientMsg::Accept { id, conversation },
            }]
        }
        InboxAction::Reject => {
            app.inbox.mode = ReplyMode::RejectReason(conversation);
            app.focus = Focus::Reply;
            Vec::new()
        }
        InboxAction::End => {
            let id = app.request_id(Side::Agent, Pending::End);
            vec![Command::Send {
                side: Side::Agent,
                msg: ClientMsg::End { id, conversation },
            }]
        }
        InboxAction::SwitchAgent | InboxAction::Select(_) => Vec::new(),
    }
}

fn reply_key(app: &mut App, key: KeyEvent) -> Handled {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Enter if alt => app.inbox.composer.insert_newline(),
        KeyCode::Enter => return Handled::Yes(send_reply(app)),
        KeyCode::Char('?') if app.inbox.composer.is_empty() => app.help = true,
        KeyCode::Esc => {
            app.inbox.mode = ReplyMode::Reply;
            app.focus = Focus::Inbox;
        }
        _ => {
            let was_empty = app.inbox.composer.is_empty();
            if !composer_key(&mut app.inbox.composer, key) {
                return Handled::No;
            }
            return Handled::Yes(agent_typing(app, was_empty));
        }
    }
    Handled::Yes(Vec::new())
}

fn send_reply(app: &mut App) -> Vec<Command> {
    let text = take_text(&mut app.inbox.composer);
    if let ReplyMode::RejectReason(conversation) =
        std::mem::replace(&mut app.inbox.mode, ReplyMode::Reply)
    {
        let reason = if text.is_empty() {
            "no reason given".to_owned()
        } else {
            text
        };
        let id = app.request_id(Side::Agent, Pending::Reject);
        app.focus = Focus::Inbox;
        return vec![Command::Send {
            side: Side::Agent,
            msg: ClientMsg::Reject {
                id,
                conversation,
                reason,
            },
        }];
    }
    if text.is_empty() {
        return Vec::new();
    }
    let Some(chat) = app.selected_chat() else {
        app.notify(true, "Select a live chat to reply to");
        return Vec::new();
    };
    let conversation = chat.conversation.clone();
    if let Some(chat) = app.inbox.chats.get_mut(app.inbox.selected) {
        chat.scroll = super::app::Scroll::default();
    }
    let id = app.request_id(Side::Agent, Pending::Reply);
    vec![Command::Send {
        side: Side::Agent,
        msg: ClientMsg::Reply {
            id,
            conversation,
            text,
        },
    }]
}

fn inspector_key(app: &mut App, key: KeyEvent) -> Handled {
    let ins = &mut app.inspector;
    if ins.editing_filter {
        match key.code {
            KeyCode::Enter | KeyCode::Esc => ins.editing_filter = false,
            KeyCode::Backspace => _ = ins.filter.pop(),
            KeyCode::Char(c) => ins.filter.push(c),
            _ => return Handled::No,
        }
        ins.back = 0;
        return Handled::Yes(Vec::new());
    }
    match key.code {
        KeyCode::Char('/') => ins.editing_filter = true,
        KeyCode::Char('c') | KeyCode::Esc => ins.filter.clear(),
        KeyCode::Up | KeyCode::Char('k') => {
            ins.back = (ins.back + 1).min(ins.frames.len().saturating_sub(1));
        }
        KeyCode::Down | KeyCode::Char('j') => ins.back = ins.back.saturating_sub(1),
        KeyCode::Home => ins.back = ins.frames.len().saturating_sub(1),
        KeyCode::End => ins.back = 0,
        _ => return Handled::No,
    }
    Handled::Yes(Vec::new())
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
            let max = app.inspector.frames.len().saturating_sub(1);
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
        if matches!(mouse.kind, MouseEventKind::Down(_)) && app.help {
            app.help = false;
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
