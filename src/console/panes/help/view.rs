//! The help overlay: the bindings of the focused pane, then the global ones, then the theme.

use crate::console::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

fn section(app: &App, (title, bindings): super::Section, lines: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    lines.push(Line::from(Span::styled(title.to_owned(), t.title)));
    for (keys, does) in bindings {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<20}"), t.key),
            Span::styled(does, t.base),
        ]));
    }
    lines.push(Line::default());
}

/// The overlay's lines; the introduction only when there is room for it.
pub fn lines(app: &App, roomy: bool) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    if roomy {
        lines.extend([
            Line::from(Span::styled(
                "Play both sides: chat as the user on the left, answer as the agent on the right.",
                t.base,
            )),
            Line::from(Span::styled(
                "Ask for a live agent, give details, press Start agent chat, then accept in the \
                 inbox.",
                t.muted,
            )),
            Line::default(),
        ]);
    }
    section(app, super::focused(app), &mut lines);
    if crate::console::replay::autoplay::live(app).is_some() {
        let table = crate::console::replay::autoplay::AUTOPLAY;
        let rows = crate::console::keymap::help(table).collect();
        section(app, ("Autoplay (while it plays)", rows), &mut lines);
    }
    section(app, super::everywhere(), &mut lines);
    lines.push(Line::from(vec![
        Span::styled("Theme: ", t.muted),
        Span::styled(app.theme.name.clone(), t.base),
        Span::styled("  (--theme dark|light|high-contrast|PATH)", t.muted),
    ]));
    lines.push(Line::from(Span::styled(
        "Esc, F1 or ? closes this help.",
        t.muted,
    )));
    lines
}

/// The overlay's box in `area`, its lines and how far it can scroll: a pure function of the
/// state, shared by rendering and by the keys that scroll it.
fn geometry(app: &App, area: Rect) -> (u16, u16, Vec<Line<'static>>, u16) {
    let lines = lines(app, area.height >= 32);
    let width = 84.min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows = lines
        .iter()
        .map(|l| l.width().div_ceil(inner).max(1))
        .sum::<usize>() as u16;
    let height = (rows + 2).min(area.height);
    let max_scroll = rows.saturating_sub(height.saturating_sub(2));
    (width, height, lines, max_scroll)
}

/// How many lines the overlay can scroll at the terminal's size (0 when it fits).
pub fn max_scroll(app: &App) -> u16 {
    geometry(app, app.size).3
}

/// Draws the overlay centred in `area`.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let (width, height, lines, max_scroll) = geometry(app, area);
    let scroll = app.help_scroll.min(max_scroll);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, popup);
    let title = if max_scroll > 0 {
        format!(" Help ({scroll}/{max_scroll}, ↑↓ scroll) ")
    } else {
        " Help ".to_owned()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(Span::styled(title, app.theme.title)))
        .border_style(app.theme.border_focused)
        .style(app.theme.base);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        popup,
    );
}
