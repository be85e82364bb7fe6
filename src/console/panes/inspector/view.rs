//! The inspector: raw protocol frames in both directions, numbered, timestamped, with the
//! event's sequence number, pretty-printed and filterable.

use super::{FrameRecord, matches, max_back};
use crate::console::{App, Direction, Focus};
use crate::ui::message::clock_seconds;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Below this many rows, frames are shown on one line each instead of pretty-printed.
const COMPACT_BELOW: u16 = 14;

fn frame_lines(app: &App, f: &FrameRecord, compact: bool) -> Vec<Line<'static>> {
    let t = &app.theme;
    let (arrow, style) = match f.direction {
        Direction::Out => ("→", t.user),
        Direction::In => ("←", t.assistant),
    };
    let seq = f.seq.map_or(String::new(), |s| format!(" seq {s}"));
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("#{} ", f.number), t.muted),
        Span::styled(format!("{} ", clock_seconds(f.at)), t.muted),
        Span::styled(format!("{arrow} {} ", f.side.label()), style),
        Span::styled(f.summary.clone(), t.title),
        Span::styled(seq, t.muted),
    ])];
    if compact {
        lines[0]
            .spans
            .push(Span::styled(format!(" {}", f.compact), t.base));
    } else {
        lines.extend(
            f.pretty
                .lines()
                .map(|l| Line::from(Span::styled(format!("  {l}"), t.base))),
        );
    }
    lines
}

/// Whether the broker keeps transcripts and for how long (from its `welcome`).
fn transcripts_label(app: &App) -> String {
    match app.broker.as_ref().map(|b| b.transcript_ttl_ms) {
        None => String::new(),
        Some(None) => " transcripts off ".into(),
        Some(Some(ms)) => format!(
            " transcripts kept {}, PII masked ",
            crate::store::ttl::format_ttl(std::time::Duration::from_millis(ms))
        ),
    }
}

/// Draws the inspector.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = &app.theme;
    let ins = &app.inspector;
    let focused = app.focus == Focus::Inspector;
    let filter = if ins.editing_filter {
        format!(" filter: {}▏", ins.filter)
    } else if ins.filter.is_empty() {
        " / to filter ".to_owned()
    } else {
        format!(" filter: {} ", ins.filter)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(vec![
            Span::styled(
                format!(" Inspector · {} frames ", ins.frames.len()),
                t.title,
            ),
            Span::styled(filter, if ins.editing_filter { t.key } else { t.muted }),
            Span::styled(transcripts_label(app), t.muted),
        ]))
        .border_style(if focused { t.border_focused } else { t.border })
        .style(t.base);
    let inside = block.inner(area);
    frame.render_widget(block, area);
    // Newest at the bottom; walk back from the newest match, skipping `back` matches, and stop
    // once the area is full.
    let height = inside.height as usize;
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut total = 0;
    for f in ins
        .frames
        .iter()
        .rev()
        .filter(|f| matches(f, &ins.filter))
        .skip(ins.back.min(max_back(app)))
    {
        if total >= height {
            break;
        }
        let lines = frame_lines(app, f, inside.height < COMPACT_BELOW);
        total += lines.len();
        blocks.push(lines);
    }
    let mut lines: Vec<Line<'static>> = blocks.into_iter().rev().flatten().collect();
    if lines.len() > height {
        lines.drain(..lines.len() - height);
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled("No frames match.", t.muted)));
    }
    frame.render_widget(Paragraph::new(lines), inside);
}
