//! Mouse input, hit-tested with the same layout functions the panes draw with.

use super::{To, WHEEL, scroll};
use crate::console::app::{App, Focus};
use crate::console::msg::Command;
use crate::console::panes::help::keys::HelpKey;
use crate::console::panes::{chat, help, inbox};
use crate::ui::layout::{self, hit};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

pub(super) fn mouse_event(app: &mut App, mouse: MouseEvent) -> Vec<Command> {
    let rects = layout::panes(app.size, app.inspector.open);
    if rects.too_small || app.help {
        if app.help {
            let action = match mouse.kind {
                MouseEventKind::Down(_) => HelpKey::Close,
                MouseEventKind::ScrollUp => HelpKey::Up,
                MouseEventKind::ScrollDown => HelpKey::Down,
                _ => return Vec::new(),
            };
            help::scroll(app, Some(action));
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
        MouseEventKind::ScrollUp => scroll(app, pane, To::Lines(WHEEL)),
        MouseEventKind::ScrollDown => scroll(app, pane, To::Lines(-WHEEL)),
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
            let areas = chat::view::areas(app, rects.chat);
            let view = chat::view::view(app, areas.transcript);
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
                return chat::input::press(app, &message, b.index);
            }
            app.focus = Focus::Chat;
        }
        Focus::Inbox => {
            let areas = inbox::view::areas(app, rects.inbox);
            if hit(areas.composer, col, row) {
                app.focus = Focus::Reply;
                return Vec::new();
            }
            app.focus = Focus::Inbox;
            if let Some((_, action)) = inbox::view::actions(app, rects.inbox)
                .into_iter()
                .find(|(r, _)| hit(*r, col, row))
            {
                return inbox::input::inbox_action(app, action);
            }
        }
        _ => app.focus = pane,
    }
    Vec::new()
}
