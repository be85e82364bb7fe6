//! The command palette overlay: the filter as typed, the matching actions with their keys, the
//! highlighted one marked.

use crate::console::App;
use crate::text::clean;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws the palette near the top of `area`.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let Some(palette) = &app.palette else {
        return;
    };
    let t = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", t.key),
        Span::styled(clean(&palette.filter).into_owned(), t.base),
        Span::styled("▏", t.muted),
    ])];
    let matches = palette.matches();
    if matches.is_empty() {
        lines.push(Line::from(Span::styled("No action has that name", t.muted)));
    }
    for (i, entry) in matches.iter().enumerate() {
        let chosen = i == palette.selected;
        let mark = if chosen { "▸ " } else { "  " };
        let style = if chosen { t.key } else { t.base };
        let mut spans = vec![
            Span::styled(mark, t.muted),
            Span::styled(entry.label, style),
        ];
        if !entry.keys.is_empty() {
            spans.push(Span::styled(format!("  {}", entry.keys), t.muted));
        }
        lines.push(Line::from(spans));
    }
    lines.push(super::super::help::hint_line(t, super::keys::PALETTE));
    let width = area.width.saturating_sub(4).min(64);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 4,
        width,
        height,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(Span::styled(" Command palette ", t.title)))
        .border_style(t.border_focused)
        .style(t.base);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
