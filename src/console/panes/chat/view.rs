//! The user chat pane: the conversation with the assistant and then the agent, its buttons,
//! local echoes of sent messages, and the composer.

use crate::console::{App, ComposeMode, Focus, Link};
use crate::protocol::HandoffState;
use crate::ui::layout::{inner, with_composer};
use crate::ui::message::Look;
use crate::ui::transcript::{Viewport, anchored};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The parts of the chat pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatAreas {
    /// The transcript.
    pub transcript: Rect,
    /// The composer (its first line is a rule).
    pub composer: Rect,
}

/// Splits the chat pane.
pub fn areas(app: &App, pane: Rect) -> ChatAreas {
    let (transcript, composer) = with_composer(inner(pane), app.chat.composer.lines().len());
    ChatAreas {
        transcript,
        composer,
    }
}

/// What the transcript shows at its current scroll position.
pub fn view(app: &App, area: Rect) -> Viewport {
    let theme = &app.theme;
    let focused_message = if app.focus == Focus::Buttons {
        app.chat
            .transcript
            .latest_with_buttons()
            .map(|(_, m)| m.id.clone())
    } else {
        None
    };
    let mut tail: Vec<Line<'static>> = Vec::new();
    for echo in &app.chat.echoes {
        tail.push(Line::from(vec![
            Span::styled("You", theme.user),
            Span::styled("  sending…", theme.muted),
        ]));
        for line in crate::text::clean_text(&echo.text, true).lines() {
            tail.push(Line::from(Span::styled(format!("  {line}"), theme.muted)));
        }
        tail.push(Line::default());
    }
    if let Some(who) = &app.chat.typing {
        tail.push(Line::from(Span::styled(
            format!("{} is typing…", crate::text::clean(who)),
            theme.muted,
        )));
    }
    anchored(
        app.chat.transcript.messages(),
        Vec::new(),
        tail,
        area,
        app.chat.scroll.anchor,
        |m| Look {
            theme,
            width: area.width as usize,
            focused: (focused_message.as_ref() == Some(&m.id)).then_some(app.chat.button),
            spinner: app.spinner,
            user_name: "You",
            own: Some(crate::protocol::Role::User),
        },
    )
}

/// Everyone in a live chat, in the order they came (after a barge-in, more than one), cleaned:
/// "Lisa", "Lisa and Sam".
pub fn agent_names(agent: &str, with: &[String]) -> String {
    let names: Vec<String> = with
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(agent))
        .map(|a| crate::text::clean(a).into_owned())
        .collect();
    match names.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

fn title(app: &App) -> Line<'static> {
    let theme = &app.theme;
    let who = match &app.chat.state {
        HandoffState::Connected { agent, with, .. } => {
            let what = if with.is_empty() {
                "live agent"
            } else {
                "live agents"
            };
            format!(" You ⇄ {} ({what}) ", agent_names(agent, with))
        }
        _ => " You ⇄ Assistant ".to_owned(),
    };
    // Web is the default (what protocol-1 clients are); other platforms are named.
    let who = match app.chat.platform {
        crate::protocol::Platform::Web => who,
        other => format!(" {}:{who}", other.label()),
    };
    Line::from(Span::styled(who, theme.title))
}

/// Draws the chat pane.
pub fn render(app: &App, frame: &mut Frame<'_>, pane: Rect) {
    let theme = &app.theme;
    let focused = matches!(app.focus, Focus::Chat | Focus::Buttons);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title(app))
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .style(theme.base);
    frame.render_widget(block, pane);
    let a = areas(app, pane);
    if app.chat.transcript.is_empty() && app.chat.echoes.is_empty() {
        render_empty(app, frame, a.transcript);
    } else {
        let v = view(app, a.transcript);
        frame.render_widget(Paragraph::new(v.lines), a.transcript);
        crate::console::view::render_scroll_hint(app, frame, a.transcript, app.chat.scroll);
    }
    let label = match app.chat.mode {
        ComposeMode::Message => "Message",
        ComposeMode::AttachPath { .. } => "Attach a file (Esc cancels)",
        ComposeMode::UserName { .. } => "New conversation as (Esc cancels)",
    };
    render_composer(
        app,
        frame,
        a.composer,
        app.focus == Focus::Chat,
        &app.chat.composer,
        label,
    );
}

fn render_empty(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let theme = &app.theme;
    let status = match &app.user_link {
        Link::Connecting => format!("Connecting to {}…", app.url),
        Link::Reconnecting { attempt, error } => {
            format!(
                "Reconnecting (attempt {attempt}): {}",
                crate::text::clean(error)
            )
        }
        Link::Connected => "Connected to the assistant.".to_owned(),
    };
    let mut lines = vec![
        Line::from(Span::styled(status, theme.muted)),
        Line::default(),
        Line::from(Span::styled("Try typing:", theme.muted)),
        Line::from(Span::styled(
            "  I'd like to speak to a live agent",
            theme.base,
        )),
        Line::default(),
        Line::from(vec![
            Span::styled("Press ", theme.muted),
            Span::styled("F1", theme.key),
            Span::styled(" for help.", theme.muted),
        ]),
    ];
    if let Some(error) = &app.theme_error {
        lines.insert(0, Line::default());
        lines.insert(
            0,
            Line::from(Span::styled(
                crate::text::clean(error).into_owned(),
                theme.error,
            )),
        );
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}

/// Draws a composer: a rule with a label, then the text area.
pub fn render_composer(
    app: &App,
    frame: &mut Frame<'_>,
    area: Rect,
    focused: bool,
    composer: &ratatui_textarea::TextArea<'static>,
    label: &str,
) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    let rule_style = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    let hint = if focused {
        "  Enter sends · Alt+Enter new line"
    } else {
        ""
    };
    let rule = Line::from(vec![
        Span::styled(format!("─ {label} "), rule_style),
        Span::styled(hint, theme.muted),
    ]);
    frame.render_widget(Paragraph::new(rule), Rect { height: 1, ..area });
    let text_area = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let mut composer = composer.clone();
    composer.set_style(theme.base);
    composer.set_placeholder_style(theme.muted);
    composer.set_cursor_style(if focused {
        theme.base.add_modifier(ratatui::style::Modifier::REVERSED)
    } else {
        theme.base
    });
    frame.render_widget(&composer, text_area);
}
