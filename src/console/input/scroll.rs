//! Scrolling the panes by keys and the wheel: moves the scroll state by lines, with no
//! geometry (the renderer resolves where that lands; see `console::scroll`).

use crate::console::app::{App, Focus, Scroll};
use crate::console::panes::inspector;

/// Where a scroll goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum To {
    /// Lines back in time (negative: forward).
    Lines(isize),
    /// The oldest message.
    Top,
    /// The bottom, following new messages.
    Bottom,
}

/// Scrolls the pane of a focus.
pub(super) fn scroll(app: &mut App, focus: Focus, to: To) {
    let apply = |s: &mut Scroll, len: usize| match to {
        To::Lines(lines) => s.by(lines, len),
        To::Top => s.home(len),
        To::Bottom => s.end(),
    };
    match focus {
        Focus::Chat | Focus::Buttons => apply(&mut app.chat.scroll, app.chat.transcript.len()),
        Focus::Inbox | Focus::Reply => {
            if let Some(chat) = app.inbox.chats.get_mut(app.inbox.selected) {
                apply(&mut chat.scroll, chat.transcript.len());
            }
        }
        Focus::Inspector => {
            let max = inspector::max_back(app);
            let i = &mut app.inspector;
            i.back = match to {
                To::Lines(lines) => i.back.saturating_add_signed(lines.signum()).min(max),
                To::Top => max,
                To::Bottom => 0,
            };
        }
    }
}
