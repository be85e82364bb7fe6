//! Pure rendering of the console: `render(&App, &mut Frame)` and one module per pane. Nothing
//! here changes the state; the layout functions are shared with mouse hit-testing.

pub mod chat;
pub mod help;
pub mod inbox;
pub mod inspector;
pub mod layout;
pub mod links;
pub mod message;
pub mod palette;
pub mod richtext;
pub mod status;
pub mod transcript;

use crate::console::{App, Scroll};
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
    chat::render(app, frame, rects.chat);
    inbox::render(app, frame, rects.inbox);
    if let Some(r) = rects.inspector {
        inspector::render(app, frame, r);
    }
    status::render(app, frame, rects.status);
    if app.links.is_some() {
        links::render(app, frame, area);
    }
    if app.palette.is_some() {
        palette::render(app, frame, area);
    }
    if app.help {
        help::render(app, frame, area);
    }
}

/// Draws "n new" (or "more below") at the bottom right of a scrolled-back transcript.
pub(crate) fn render_scroll_hint(app: &App, frame: &mut Frame<'_>, area: Rect, scroll: Scroll) {
    if scroll.back == 0 || area.height == 0 {
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
