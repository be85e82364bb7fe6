//! The links overlay: each link's label and where it goes, the highlighted one marked, and the
//! keys to open or copy it.

use super::{keys, shown};
use crate::console::App;
use crate::text::clean;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Draws the overlay centred in `area`.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let Some(overlay) = &app.links else {
        return;
    };
    let t = &app.theme;
    let mut lines = Vec::new();
    for (i, item) in overlay.items.iter().enumerate() {
        let mark = if i == overlay.selected { "▸" } else { " " };
        let style = if i == overlay.selected { t.key } else { t.base };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{} ", i + 1), t.muted),
            Span::styled(clean(&item.label).into_owned(), style),
        ]));
        lines.push(Line::from(Span::styled(
            format!("   {}", clean(&shown(&item.url))),
            t.link,
        )));
    }
    lines.push(Line::from(""));
    lines.push(super::super::help::hint_line(&app.theme, keys::LINKS));
    let width = area.width.saturating_sub(4).min(90);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(Span::styled(" Links ", t.title)))
        .border_style(t.border_focused)
        .style(t.base);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        popup,
    );
}
