//! The replay panel (the scenario's steps with ✓ / ✗, and for a failure what was expected and
//! what was seen) and the status bar's "● REC" and replay progress.

use super::play::{Mark, Replay};
use crate::console::app::App;
use crate::scenario::{Action, Step};
use crate::text::clean;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// The inbox's area, and the replay panel's below it while a scenario is loaded.
pub fn split(app: &App, inbox: Rect) -> (Rect, Option<Rect>) {
    if app.scenario.replay.is_none() || inbox.height < 16 {
        return (inbox, None);
    }
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inbox);
    (top, Some(bottom))
}

/// The status bar's scenario spans: "● REC 12" while recording, "▶ 3/14" while replaying.
pub fn status(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = Vec::new();
    if let Some(rec) = &app.scenario.recording {
        spans.push(Span::styled(
            format!("● REC {} ", rec.recorder.len()),
            t.error,
        ));
    }
    if let Some(r) = &app.scenario.replay {
        let failed = r.marks.iter().any(|m| matches!(m, Some(Mark::Fail(..))));
        let style = if failed { t.error } else { t.ok };
        let what = match (r.forked, r.paused(), r.autoplay) {
            (true, _, _) => "forked at".to_owned(),
            (false, true, _) => "⏸".to_owned(),
            (false, false, Some(speed)) if speed > 1 => format!("▶ ×{speed}"),
            (false, false, _) => "▶".to_owned(),
        };
        spans.push(Span::styled(
            format!("{what} {}/{} ", r.at, r.scenario.steps.len()),
            style,
        ));
    }
    spans
}

/// One line about a step: who does what.
fn describe(step: &Step) -> String {
    let detail = match &step.action {
        Action::Say { text, .. } | Action::Reply { text, .. } => format!(" {text:?}"),
        Action::Press { label: Some(l), .. } => format!(" {l:?}"),
        Action::Reject { reason, .. } => format!(" {reason:?}"),
        Action::Transfer { to, .. } | Action::Invite { to, .. } => format!(" to {to}"),
        Action::See {
            equals,
            contains,
            matches,
        } => {
            let text = equals.as_ref().or(contains.as_ref()).or(matches.as_ref());
            text.map(|t| format!(" {t:?}")).unwrap_or_default()
        }
        Action::State { is, .. } => format!(" {is}"),
        Action::Event { kind, .. } => format!(" {kind}"),
        Action::Buttons { labels, .. } => format!(" {labels:?}"),
        _ => String::new(),
    };
    clean(&format!("{} {}{detail}", step.actor, step.action.name())).into_owned()
}

/// The panel's title: the scenario and its keys; while an autoplay plays, its speed and the
/// autoplay table's keys.
fn title(app: &App, r: &super::Replay) -> Line<'static> {
    let t = &app.theme;
    if super::autoplay::live(app).is_none() {
        let name = clean(&r.scenario.name);
        let keys = " · F6 step · F7 end · F8 to ▸ (Alt+↑/↓) · F9 fork ";
        return Line::from(Span::styled(format!(" Replay: {name}{keys}"), t.title));
    }
    let speed = r.autoplay.unwrap_or(1);
    let state = if r.paused() { "paused" } else { "playing" };
    // The scenario's name gives way to the keys, which must fit half a terminal.
    let mut spans = vec![Span::styled(
        format!(" Autoplay {state} ×{speed} · "),
        t.title,
    )];
    let hint = crate::console::panes::help::hint_line(t, super::autoplay::AUTOPLAY);
    // F9 (fork) is in the help: the title stays within half a terminal.
    spans.extend(hint.spans);
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// Draws the replay panel.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let Some(r) = &app.scenario.replay else {
        return;
    };
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(title(app, r));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The step being played stays in view, or the mark while it is being moved.
    let focus = if r.follow_mark { r.mark } else { r.at };
    let width = usize::from(inner.width).max(1);
    let (mut lines, mut focus_row, mut rows) = (Vec::new(), 0, 0);
    for (i, step) in r.scenario.steps.iter().enumerate() {
        if i == focus {
            focus_row = rows;
        }
        let first = lines.len();
        lines.extend(step_lines(app, r, i, step));
        // Rows once wrapped (about: words wrap early), as the scroll below counts rows.
        rows += lines[first..]
            .iter()
            .map(|l| l.width().div_ceil(width).max(1))
            .sum::<usize>();
    }
    let skip = focus_row.saturating_sub(usize::from(inner.height) / 2);
    frame.render_widget(
        Paragraph::new(lines)
            .style(t.base)
            .scroll((u16::try_from(skip).unwrap_or(u16::MAX), 0))
            .wrap(Wrap { trim: false }),
        inner,
    );
}

/// The lines of step `i`: its mark, number and description, then what failed, if it did.
fn step_lines<'a>(app: &App, r: &Replay, i: usize, step: &Step) -> Vec<Line<'a>> {
    let t = &app.theme;
    let (sign, style) = match r.marks.get(i).cloned().flatten() {
        Some(Mark::Pass) => ("✓", t.step_success),
        Some(Mark::Fail(..)) => ("✗", t.step_failure),
        None if i == r.at && r.running() => ("…", t.step_pending),
        None => ("·", t.muted),
    };
    let pointer = if i == r.mark { "▸" } else { " " };
    let mut lines = vec![Line::from(vec![
        Span::raw(pointer),
        Span::styled(format!("{sign} {:>3} ", i + 1), style),
        Span::raw(describe(step)),
    ])];
    if let Some(Some(Mark::Fail(expected, seen))) = r.marks.get(i) {
        lines.push(Line::styled(
            format!("      expected {}", clean(expected)),
            t.step_failure,
        ));
        lines.push(Line::styled(
            format!("      seen     {}", clean(seen)),
            t.step_failure,
        ));
    }
    lines
}
