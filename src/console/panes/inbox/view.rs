//! The agent inbox pane: the desk's agents, the list of requests and chats, the selected one's
//! details with its actions, its transcript (with the user's history on accept), the reply
//! composer.

use super::{DeskChat, InboxAction, Question, ReplyMode};
use crate::console::{App, Focus, Link};
use crate::protocol::{EndReason, Presence};
use crate::text::clean;
use crate::ui::layout::{inner, with_composer};
use crate::ui::message::{Look, duration};
use crate::ui::richtext::wrap;
use crate::ui::transcript::{Viewport, anchored};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The parts of the inbox pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxAreas {
    /// The agents line.
    pub agents: Rect,
    /// The list of requests and chats.
    pub list: Rect,
    /// The selected item's details and actions.
    pub details: Rect,
    /// The selected item's transcript.
    pub transcript: Rect,
    /// The reply composer.
    pub composer: Rect,
}

const LIST_MAX: usize = 5;
/// The clickable hint that switches agents.
const SWITCH_HINT: &str = "  (s switch)";

/// Where an action was drawn: line, column, width.
type ActionSpot = (usize, u16, u16, InboxAction);

/// The lines of the selected item's details, and where its actions are (line, x, width).
fn details(app: &App, chat: &DeskChat, width: usize) -> (Vec<Line<'static>>, Vec<ActionSpot>) {
    let t = &app.theme;
    let me = app.inbox.agent.as_deref().unwrap_or_default();
    let user = chat.user.as_ref().map_or_else(
        || "the user".to_owned(),
        |u| format!("{} ({})", clean(&u.name), clean(&u.id)),
    );
    let mut lines = Vec::new();
    let status = if let Some(EndReason::HandedOver { system }) = &chat.ended {
        let agent = chat.assigned().map_or("an agent", String::as_str);
        let (agent, system) = (clean(agent), clean(system));
        Span::styled(format!("Taken by {agent} · goes on in {system}"), t.muted)
    } else if let Some(reason) = &chat.ended {
        Span::styled(format!("Ended {reason}"), t.muted)
    } else if let Some(agent) = chat.assigned() {
        let others: Vec<_> = chat
            .agents
            .iter()
            .filter(|a| *a != me)
            .map(|a| clean(a))
            .collect();
        if let Some((_, by)) = chat.invited.iter().find(|(to, _)| to == me) {
            let live: Vec<_> = chat.agents.iter().map(|a| clean(a)).collect();
            let text = format!(
                "{} invites you to join · live with {}",
                clean(by),
                live.join(", ")
            );
            Span::styled(text, t.warn)
        } else if !chat.is_in(me) {
            Span::styled(format!("Taken by {}", clean(agent)), t.muted)
        } else if others.is_empty() {
            Span::styled("Live chat".to_owned(), t.ok)
        } else {
            Span::styled(format!("Live chat with {}", others.join(", ")), t.ok)
        }
    } else {
        let waiting = duration(app.now.saturating_sub(chat.queued_at));
        let ringing = chat
            .offered_to
            .as_ref()
            .map_or(String::new(), |a| format!(" · ringing {}", clean(a)));
        Span::styled(format!("Waiting {waiting}{ringing}"), t.warn)
    };
    lines.push(Line::from(vec![
        status,
        Span::styled(format!(" · {user}"), t.user),
    ]));
    let title = vec![(format!("“{}”", clean(&chat.title)), t.title)];
    lines.extend(wrap(&title, width, ""));
    let mut context = vec![(format!("Topic: {}", clean(&chat.topic)), t.base)];
    for (k, v) in &chat.context {
        context.push((format!(" · {}={}", clean(k), clean(v)), t.muted));
    }
    if let Some(style) = chat.style {
        context.push((format!(" · via {style}"), t.muted));
    }
    lines.extend(wrap(&context, width, ""));
    for (agent, reason) in &chat.rejected {
        lines.push(Line::from(Span::styled(
            format!("Rejected by {}: {}", clean(agent), clean(reason)),
            t.muted,
        )));
    }
    lines.extend(invitation_lines(app, chat));
    let mut actions = Vec::new();
    let labels: Vec<(&str, InboxAction)> = chat
        .offers(me)
        .iter()
        .map(|&action| (button_label(action), action))
        .collect();
    if !labels.is_empty() {
        let mut spans = Vec::new();
        let mut x = 0u16;
        for (label, action) in labels {
            let style = if action == InboxAction::Accept {
                t.button_filled
            } else {
                t.button_outlined
            };
            actions.push((lines.len(), x, label.chars().count() as u16, action));
            spans.push(Span::styled(label.to_owned(), style));
            spans.push(Span::raw(" "));
            x += label.chars().count() as u16 + 1;
        }
        lines.push(Line::from(spans));
    }
    (lines, actions)
}

/// The chat's invitations: open ones, then declined ones with their reasons.
fn invitation_lines(app: &App, chat: &DeskChat) -> Vec<Line<'static>> {
    let t = &app.theme;
    let open = chat.invited.iter().map(|(to, by)| {
        let text = format!(
            "{} invited {} · waiting for an answer",
            clean(by),
            clean(to)
        );
        Line::from(Span::styled(text, t.muted))
    });
    let declined = chat.declined.iter().map(|(to, by, reason)| {
        let why = if reason.is_empty() {
            String::new()
        } else {
            format!(": {}", clean(reason))
        };
        let text = format!("{} declined {}'s invitation{why}", clean(to), clean(by));
        Line::from(Span::styled(text, t.muted))
    });
    open.chain(declined).collect()
}

/// A chat action's button, with its key.
fn button_label(action: InboxAction) -> &'static str {
    match action {
        InboxAction::Accept => "[ Accept (a) ]",
        InboxAction::Reject => "[ Reject (r) ]",
        InboxAction::End => "[ End chat (e) ]",
        InboxAction::Transfer => "[ Transfer (t) ]",
        InboxAction::Invite => "[ Invite agent (i) ]",
        InboxAction::Note => "[ Note (n) ]",
        InboxAction::SwitchAgent | InboxAction::Select(_) => "",
    }
}

/// Splits the inbox pane.
pub fn areas(app: &App, pane: Rect) -> InboxAreas {
    let inside = inner(pane);
    let (top, composer) = with_composer(inside, app.inbox.composer.lines().len());
    let agents = Rect {
        height: top.height.min(1),
        ..top
    };
    let list_height =
        (app.inbox.chats.len().clamp(1, LIST_MAX) as u16).min(top.height.saturating_sub(1));
    let list = Rect {
        y: agents.y + agents.height,
        height: list_height,
        ..top
    };
    let room = top.height.saturating_sub(agents.height + list.height);
    // Details take what they need while there is no chat to show below them; with a chat,
    // at most half of the room.
    let details_height = app.selected_chat().map_or(0, |c| {
        let want = details(app, c, top.width as usize).0.len() as u16 + 1;
        let chat_shown = !c.transcript.is_empty() || c.assigned().is_some();
        want.min(if chat_shown { room / 2 } else { room })
    });
    let details = Rect {
        y: list.y + list.height,
        height: details_height,
        ..top
    };
    let used = agents.height + list.height + details_height;
    let transcript = Rect {
        y: details.y + details_height,
        height: top.height.saturating_sub(used),
        ..top
    };
    InboxAreas {
        agents,
        list,
        details,
        transcript,
        composer,
    }
}

/// The first item shown in the list (the list scrolls to keep the selection visible).
fn list_start(app: &App, rows: usize) -> usize {
    (app.inbox.selected + 1).saturating_sub(rows)
}

/// The clickable things of the inbox, on screen.
pub fn actions(app: &App, pane: Rect) -> Vec<(Rect, InboxAction)> {
    let a = areas(app, pane);
    // Only the "(s switch)" hint at the end of the agents line switches agents.
    let line_width = agents_line(app).width() as u16;
    let hint = SWITCH_HINT.chars().count() as u16;
    let switch = Rect {
        x: a.agents.x + line_width.saturating_sub(hint).min(a.agents.width),
        width: hint.min(
            a.agents
                .width
                .saturating_sub(line_width.saturating_sub(hint)),
        ),
        ..a.agents
    };
    let mut out = vec![(switch, InboxAction::SwitchAgent)];
    let start = list_start(app, a.list.height as usize);
    for row in 0..a.list.height {
        let index = start + row as usize;
        if index < app.inbox.chats.len() {
            out.push((
                Rect {
                    y: a.list.y + row,
                    height: 1,
                    ..a.list
                },
                InboxAction::Select(index),
            ));
        }
    }
    if let Some(chat) = app.selected_chat() {
        let (_, spots) = details(app, chat, a.details.width as usize);
        for (line, x, width, action) in spots {
            if (line as u16) < a.details.height {
                out.push((
                    Rect::new(a.details.x + x, a.details.y + line as u16 + 1, width, 1),
                    action,
                ));
            }
        }
    }
    out
}

/// What the selected chat's transcript shows.
pub fn view(app: &App, area: Rect) -> Viewport {
    let theme = &app.theme;
    let Some(chat) = app.selected_chat() else {
        return Viewport::default();
    };
    let mut head = Vec::new();
    if chat.assigned().is_some() && !chat.history.is_empty() {
        head.push(Line::from(Span::styled(
            "History with the assistant",
            theme.muted.add_modifier(ratatui::style::Modifier::BOLD),
        )));
        for line in chat.history.lines() {
            head.extend(wrap(
                &[(clean(line).into_owned(), theme.muted)],
                area.width as usize,
                "  ",
            ));
        }
        head.push(Line::default());
    }
    let tail = if chat.user_typing {
        vec![Line::from(Span::styled("The user is typing…", theme.muted))]
    } else {
        Vec::new()
    };
    let user_name = chat.user.as_ref().map_or("User", |u| u.name.as_str());
    anchored(
        chat.transcript.messages(),
        head,
        tail,
        area,
        chat.scroll.anchor,
        |_| Look {
            theme,
            width: area.width as usize,
            focused: None,
            spinner: app.spinner,
            user_name,
            own: Some(crate::protocol::Role::Agent),
        },
    )
}

fn agents_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let me = app.inbox.agent.clone().unwrap_or_else(|| "…".to_owned());
    let mut spans = vec![
        Span::styled("Acting as ", t.muted),
        Span::styled(clean(&me).into_owned(), t.agent),
    ];
    for agent in &app.inbox.desk {
        let (mark, style) = match agent.presence {
            Presence::Available => ("●", t.ok),
            Presence::Away => ("◐", t.warn),
            Presence::Offline => ("○", t.muted),
        };
        spans.push(Span::styled(format!("  {mark} "), style));
        spans.push(Span::styled(clean(&agent.name).into_owned(), t.base));
    }
    spans.push(Span::styled(SWITCH_HINT, t.key));
    Line::from(spans)
}

fn list_line(app: &App, chat: &DeskChat, selected: bool) -> Line<'static> {
    let t = &app.theme;
    let me = app.inbox.agent.as_deref().unwrap_or_default();
    let (mark, label, style) = match (&chat.ended, chat.assigned()) {
        (Some(_), _) => ("○", "ended  ".to_owned(), t.muted),
        (None, Some(_)) if chat.is_in(me) => ("◆", "live   ".to_owned(), t.ok),
        (None, Some(_)) if chat.invites(me) => ("✉", "invited".to_owned(), t.warn),
        (None, Some(_)) => ("◇", "taken  ".to_owned(), t.muted),
        (None, None) => (
            "●",
            format!("{:<7}", duration(app.now.saturating_sub(chat.queued_at))),
            t.warn,
        ),
    };
    let who = chat.user.as_ref().map_or("", |u| u.name.as_str());
    let mut line = Line::from(vec![
        Span::styled(format!("{mark} {label} "), style),
        Span::styled(format!("{} ", clean(who)), t.user),
        Span::styled(clean(&chat.title).into_owned(), t.base),
    ]);
    if selected {
        line = line.patch_style(t.selected);
    }
    line
}

/// Draws the inbox pane.
pub fn render(app: &App, frame: &mut Frame<'_>, pane: Rect) {
    let t = &app.theme;
    let focused = matches!(app.focus, Focus::Inbox | Focus::Reply);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(Span::styled(" Agent inbox ", t.title)))
        .border_style(if focused { t.border_focused } else { t.border })
        .style(t.base);
    frame.render_widget(block, pane);
    let a = areas(app, pane);
    frame.render_widget(Paragraph::new(agents_line(app)), a.agents);
    if app.inbox.chats.is_empty() {
        // The list is one row when empty; the room below (details and transcript) is free.
        let room = Rect {
            height: a.list.height + a.details.height + a.transcript.height,
            ..a.list
        };
        let text = match &app.agent_link {
            Link::Connected => Span::styled(
                "No requests yet. They appear here when a user asks for an agent.",
                t.muted,
            ),
            Link::Connecting => Span::styled("Connecting to the agent desk…", t.warn),
            Link::Reconnecting { attempt, error } => Span::styled(
                format!("Desk unreachable (attempt {attempt}): {}", clean(error)),
                t.warn,
            ),
        };
        frame.render_widget(
            Paragraph::new(Line::from(text)).wrap(ratatui::widgets::Wrap { trim: true }),
            room,
        );
    } else {
        let start = list_start(app, a.list.height as usize);
        let lines: Vec<Line<'static>> = app
            .inbox
            .chats
            .iter()
            .enumerate()
            .skip(start)
            .take(a.list.height as usize)
            .map(|(i, c)| list_line(app, c, i == app.inbox.selected))
            .collect();
        frame.render_widget(Paragraph::new(lines), a.list);
    }
    if let Some(chat) = app.selected_chat() {
        let (mut lines, _) = details(app, chat, a.details.width as usize);
        lines.insert(
            0,
            Line::from(Span::styled("─".repeat(a.details.width as usize), t.border)),
        );
        frame.render_widget(Paragraph::new(lines), a.details);
        let v = view(app, a.transcript);
        frame.render_widget(Paragraph::new(v.lines), a.transcript);
        crate::console::view::render_scroll_hint(app, frame, a.transcript, chat.scroll);
    }
    let label = match &app.inbox.mode {
        ReplyMode::Reply => "Reply".to_owned(),
        ReplyMode::Ask { question, .. } => match question {
            Question::RejectReason => "Reason for rejecting (Esc cancels)".to_owned(),
            Question::FilePath => "Attach a file for the user (Esc cancels)".to_owned(),
            Question::TransferTo => "Transfer to (Esc cancels)".to_owned(),
            Question::InviteWho => "Invite into this chat (Esc cancels)".to_owned(),
            Question::Note => "🔒 Private note, agents only (Esc cancels)".to_owned(),
            Question::Notify => "Notification for the user (Esc cancels)".to_owned(),
        },
    };
    super::super::chat::view::render_composer(
        app,
        frame,
        a.composer,
        app.focus == Focus::Reply,
        &app.inbox.composer,
        &label,
    );
}
