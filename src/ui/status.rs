//! The status bar: connections, system and style, the conversation's state with its wait, the
//! latest notice, and the keys of the focused pane.

use super::message::duration;
use crate::console::{App, Link, keys};
use crate::protocol::HandoffState;
use crate::text::clean;
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
        HandoffState::Connected { agent, since } => {
            format!(
                "live with {} since {}",
                clean(agent),
                super::message::clock(*since)
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

/// Draws the status bar.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![
        Span::raw(" "),
        link_span(app, "user", &app.user_link),
        Span::raw(" "),
        link_span(app, "agent", &app.agent_link),
    ];
    // On narrow terminals the system and style give way to the state and the keys.
    if let Some(b) = app.broker.as_ref().filter(|_| area.width >= 100) {
        spans.push(Span::raw(format!(" │ {} · {}", clean(&b.system), b.style)));
    }
    spans.push(Span::raw(" │ "));
    spans.push(Span::styled(state_text(app), t.title));
    spans.push(Span::raw(" │ "));
    let recent = app
        .notices
        .back()
        .filter(|n| app.now.saturating_sub(n.at) < crate::console::NOTICE_SHOWN_MS);
    if let Some(n) = recent {
        spans.push(Span::styled(
            clean(&n.text).into_owned(),
            if n.error { t.error } else { t.ok },
        ));
        spans.push(Span::raw(" │ "));
    }
    let (_, bindings) = keys::pane(app.focus);
    for binding in bindings.iter().take(3) {
        spans.push(Span::styled(binding.keys, t.key));
        spans.push(Span::raw(format!(" {} · ", binding.action)));
    }
    // "F1 help" stays visible at the right end, whatever the width.
    let help = Line::from(vec![Span::styled(" F1", t.key), Span::raw(" help ")]);
    let help_width = help.width() as u16;
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
