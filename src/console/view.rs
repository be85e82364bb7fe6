//! Pure rendering of the whole console: `render(&App, &mut Frame)` lays the panes out and asks
//! each pane's `view` to draw itself. Nothing here changes the state, except [`settle_scrolls`],
//! which the driver calls before drawing to keep scrolled-back views on what they show.

use super::app::{App, Scroll};
use super::panes::{chat, help, inbox, inspector, links, palette, status};
use crate::ui::layout;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Draws the whole console.
pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    let rects = layout::panes(area, app.inspector.open);
    if rects.too_small {
        let text = format!(
            "The terminal is {}x{}; the console needs at least {}x{}. Enlarge it, or press Ctrl+C to quit.",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(app.theme.base)
                .block(Block::default().style(app.theme.base)),
            area,
        );
        return;
    }
    chat::view::render(app, frame, rects.chat);
    let (inbox_area, replay_area) = super::replay::view::split(app, rects.inbox);
    inbox::view::render(app, frame, inbox_area);
    if let Some(r) = replay_area {
        super::replay::view::render(app, frame, r);
    }
    if let Some(r) = rects.inspector {
        inspector::view::render(app, frame, r);
    }
    status::render(app, frame, rects.status);
    if app.links.is_some() {
        links::view::render(app, frame, area);
    }
    if app.palette.is_some() {
        palette::view::render(app, frame, area);
    }
    if app.help {
        help::view::render(app, frame, area);
    }
}

/// Settles each scrolled-back transcript on what the renderer resolves its anchor to at the
/// current size (the message at the view's bottom line), or back to following the bottom when
/// it got there. Only anchored views are laid out, and only their visible part.
pub fn settle_scrolls(app: &mut App) {
    let rects = layout::panes(app.size, app.inspector.open);
    if rects.too_small {
        return;
    }
    if !app.chat.scroll.following() {
        let area = chat::view::areas(app, rects.chat).transcript;
        let resolved = chat::view::view(app, area).anchor;
        app.chat.scroll.settle(resolved);
    }
    let selected = app.inbox.selected;
    if app
        .inbox
        .chats
        .get(selected)
        .is_some_and(|c| !c.scroll.following())
    {
        let inbox_area = super::replay::view::split(app, rects.inbox).0;
        let area = inbox::view::areas(app, inbox_area).transcript;
        let resolved = inbox::view::view(app, area).anchor;
        if let Some(chat) = app.inbox.chats.get_mut(selected) {
            chat.scroll.settle(resolved);
        }
    }
}

/// Draws "n new" (or "more below") at the bottom right of a scrolled-back transcript.
pub fn render_scroll_hint(app: &App, frame: &mut Frame<'_>, area: Rect, scroll: Scroll) {
    if scroll.following() || area.height == 0 {
        return;
    }
    let text = if scroll.unseen > 0 {
        format!(" ↓ {} new ", scroll.unseen)
    } else {
        " ↓ more below ".to_owned()
    };
    let width = (text.chars().count() as u16).min(area.width);
    let spot = Rect::new(area.right() - width, area.bottom() - 1, width, 1);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(text, app.theme.button_filled))),
        spot,
    );
}
