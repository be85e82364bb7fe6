//! The status bar: connections, system and style, the conversation's state with its wait, the
//! latest notice, and the keys of the focused pane.

use crate::console::{App, Link};
use crate::protocol::HandoffState;
use crate::text::clean;
use crate::ui::message::duration;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The conversation's state as shown, e.g. "queued 0:42 / fallback 2:00".
pub fn state_text(app: &App) -> String {
    let now = app.now;
    match &app.chat.state {
        HandoffState::Queued {
            since,
            deadline,
            position,
            ..
        } => {
            let pos = position.map_or(String::new(), |p| format!(" #{p}"));
            format!(
                "queued{pos} {} / fallback {}",
                duration(now.saturating_sub(*since)),
                duration(deadline.saturating_sub(*since))
            )
        }
        HandoffState::Ringing {
            agent,
            since,
            deadline,
        } => format!(
            "ringing {} {} / fallback {}",
            clean(agent),
            duration(now.saturating_sub(*since)),
            duration(deadline.saturating_sub(*since))
        ),
        HandoffState::Connected { agent, since, with } => {
            format!(
                "live with {} since {}",
                super::chat::view::agent_names(agent, with),
                crate::ui::message::clock(*since)
            )
        }
        HandoffState::Offered { topic, .. } => format!("offered: {}", clean(topic)),
        HandoffState::Redirected { url } => format!("redirected to {}", clean(url)),
        HandoffState::Posted { channel } => format!("posted to {}", clean(channel)),
        HandoffState::Ended { reason } => format!("ended {reason}"),
        other => other.name().to_owned(),
    }
}

fn link_span(app: &App, name: &str, link: &Link) -> Span<'static> {
    let t = &app.theme;
    match link {
        Link::Connected => Span::styled(format!("● {name}"), t.ok),
        Link::Connecting => Span::styled(format!("◌ {name}"), t.warn),
        Link::Reconnecting { attempt, .. } => {
            Span::styled(format!("◌ {name} retry {attempt}"), t.warn)
        }
    }
}

/// The width of " F1 help " at the right end.
const HELP_WIDTH: usize = 9;

/// `text` in at most `room` columns, cut with "…" when longer; `None` when not even a few
/// columns are left.
fn fit(text: &str, room: usize) -> Option<String> {
    if room < 8 {
        return None;
    }
    if Span::raw(text).width() <= room {
        return Some(text.to_owned());
    }
    let (mut out, mut width) = (String::new(), 0);
    for c in text.chars() {
        width += Span::raw(c.to_string()).width();
        if width + 1 > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    Some(out)
}

/// The focused pane's first three key hints, each as its spans.
fn hint_spans(app: &App) -> Vec<Vec<Span<'static>>> {
    let (_, bindings) = super::help::focused(app);
    bindings
        .into_iter()
        .take(3)
        .map(|(keys, does)| {
            vec![
                Span::styled(keys, app.theme.key),
                Span::raw(format!(" {does} · ")),
            ]
        })
        .collect()
}

/// Draws the status bar.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![
        Span::raw(" "),
        link_span(app, "user", &app.user_link),
        Span::raw(" "),
        link_span(app, "agent", &app.agent_link),
    ];
    let state = [
        Span::raw(" │ "),
        Span::styled(state_text(app), t.title),
        Span::raw(" │ "),
    ];
    let width = |spans: &[Span<'_>]| Line::from(spans.to_vec()).width();
    let free = usize::from(area.width).saturating_sub(width(&spans) + width(&state) + HELP_WIDTH);
    let notice = app
        .shown_notice()
        .map(|n| (clean(&n.text).into_owned(), n.error));
    let want = notice
        .as_ref()
        .map_or(0, |(text, _)| Span::raw(text.as_str()).width() + 3);
    let hints = hint_spans(app);
    let first_hint = hints.first().map_or(0, |h| width(h));
    // The system and style give way on narrow terminals, and to a notice that needs the room.
    if let Some(b) = app.broker.as_ref().filter(|_| area.width >= 100) {
        let system = Span::raw(format!(" │ {} · {}", clean(&b.system), b.style));
        if want == 0 || system.width() + first_hint + want <= free {
            spans.push(system);
        }
    }
    let free = free.saturating_sub(width(&spans[4..]));
    spans.extend(state);
    // The first key hint always shows; the others only beside the whole notice. The notice
    // takes what is left, cut short with "…".
    let mut used = 0;
    let mut shown_hints = Vec::new();
    for (i, hint) in hints.into_iter().enumerate() {
        if i > 0 && used + width(&hint) + want > free {
            break;
        }
        used += width(&hint);
        shown_hints.extend(hint);
    }
    if let Some((text, error)) = notice
        && let Some(text) = fit(&text, free.saturating_sub(used + 3))
    {
        spans.push(Span::styled(text, if error { t.error } else { t.ok }));
        spans.push(Span::raw(" │ "));
    }
    spans.extend(shown_hints);
    // Recording and replay come first: they say what the session is.
    for (i, span) in crate::console::replay::view::status(app)
        .into_iter()
        .enumerate()
    {
        spans.insert(1 + i, span);
    }
    // "F1 help" stays visible at the right end, whatever the width.
    let help = Line::from(vec![Span::styled(" F1", t.key), Span::raw(" help ")]);
    let help_width = HELP_WIDTH as u16;
    let left = Rect {
        width: area.width.saturating_sub(help_width),
        ..area
    };
    let right = Rect {
        x: left.x + left.width,
        width: area.width - left.width,
        ..area
    };
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.status), left);
    frame.render_widget(Paragraph::new(help).style(t.status), right);
}
