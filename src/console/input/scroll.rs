//! Scrolling the panes by keys and the wheel.

use crate::console::app::{App, Focus, Scroll};
use crate::console::panes::{chat, inbox, inspector};
use crate::ui::layout;
use ratatui::layout::Rect;

/// Scrolls the pane of a focus by `lines` (positive: back in time).
pub(super) fn scroll(app: &mut App, focus: Focus, lines: isize) {
    let apply = |s: &mut Scroll| {
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
            let max = inspector::max_back(app);
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
    let v = chat::view::view(app, area);
    app.chat.scroll.back = v.back;
    let area = inbox_transcript_area(app);
    let v = inbox::view::view(app, area);
    if let Some(chat) = app.inbox.chats.get_mut(app.inbox.selected) {
        chat.scroll.back = v.back;
    }
}

/// The chat transcript's area at the current size.
pub fn chat_transcript_area(app: &App) -> Rect {
    let rects = layout::panes(app.size, app.inspector.open);
    chat::view::areas(app, rects.chat).transcript
}

/// The inbox transcript's area at the current size.
pub fn inbox_transcript_area(app: &App) -> Rect {
    let rects = layout::panes(app.size, app.inspector.open);
    inbox::view::areas(app, rects.inbox).transcript
}
