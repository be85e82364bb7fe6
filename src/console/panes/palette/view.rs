//! The command palette overlay: the filter as typed, the matching actions with their keys, the
//! highlighted one marked; an entry that cannot run now is dimmed, and says why when
//! highlighted. While an entry asks a question, the box shows the question instead.

use super::ask::Asking;
use crate::console::App;
use crate::text::clean;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The widest the box gets.
const WIDTH: u16 = 64;

/// Draws the palette near the top of `area`.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let Some(palette) = &app.palette else {
        return;
    };
    let t = &app.theme;
    let width = area.width.saturating_sub(4).min(WIDTH);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let (title, lines) = match &palette.ask {
        Some(asking) => (asking.question.title(), ask_lines(t, asking, inner)),
        None => (" Command palette ", entry_lines(app, inner)),
    };
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 4,
        width,
        height,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(Span::styled(title, t.title)))
        .border_style(t.border_focused)
        .style(t.base);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// The filter, the matching entries and the key hints.
fn entry_lines(app: &App, inner: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(palette) = &app.palette else {
        return Vec::new();
    };
    let mut lines = vec![typed(t, &palette.filter)];
    let matches = palette.matches();
    if matches.is_empty() {
        lines.push(Line::from(Span::styled("No action has that name", t.muted)));
    }
    for (i, entry) in matches.iter().enumerate() {
        let chosen = i == palette.selected;
        let why = super::input::unavailable(app, entry.action);
        let mark = if chosen { "▸ " } else { "  " };
        let style = match (&why, chosen) {
            (Some(_), _) => t.muted,
            (None, true) => t.key,
            (None, false) => t.base,
        };
        let mut spans = vec![
            Span::styled(mark, t.muted),
            Span::styled(palette.label(entry).into_owned(), style),
        ];
        if !entry.keys.is_empty() {
            spans.push(Span::styled(format!("  {}", entry.keys), t.muted));
        }
        if why.is_some() {
            spans.push(Span::styled("  (unavailable)", t.muted));
        }
        lines.push(Line::from(spans));
        if let Some(why) = why.filter(|_| chosen) {
            lines.extend(wrapped(&why, inner, "    ", t.muted));
        }
    }
    lines.push(super::super::help::hint_line(t, super::keys::PALETTE));
    lines
}

/// The answer as typed, what it should look like, what was wrong with it, the keys.
fn ask_lines(t: &Theme, asking: &Asking, inner: usize) -> Vec<Line<'static>> {
    let mut lines = vec![typed(t, &asking.answer)];
    lines.extend(wrapped(&asking.question.hint(), inner, "", t.muted));
    if let Some(problem) = &asking.problem {
        lines.extend(wrapped(&clean(problem), inner, "", t.error));
    }
    lines.push(super::super::help::hint_line(t, super::keys::ASK));
    lines
}

/// "> text▏".
fn typed(t: &Theme, text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled("> ", t.key),
        Span::styled(clean(text).into_owned(), t.base),
        Span::styled("▏", t.muted),
    ])
}

/// `text` in lines of at most `columns` cells, each after `indent`.
fn wrapped(text: &str, columns: usize, indent: &str, style: Style) -> Vec<Line<'static>> {
    let width = columns.saturating_sub(indent.len());
    crate::text::wrap(&[(text.to_owned(), ())], width)
        .into_iter()
        .map(|runs| {
            let line: String = runs.into_iter().map(|(s, ())| s).collect();
            Line::from(Span::styled(format!("{indent}{line}"), style))
        })
        .collect()
}
