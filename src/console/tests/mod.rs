//! `update` and rendering driven by hand-made broker frames (no IO).

use super::*;
use crate::protocol::{
    AgentInfo, Audience, BrokerInfo, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage,
    ClientMsg, ClientRole, ConversationEvent, DeskAgent, EndReason, ErrorCode, HandoffState,
    HandoffStyle, Part, Presence, RequestId, Role, ServerMsg, StepStatus, UserInfo,
};
use crate::theme::Theme;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;

fn broker() -> BrokerInfo {
    BrokerInfo {
        version: "0.1.0".into(),
        system: "8x8 (mock)".into(),
        style: HandoffStyle::Brokered,
        queue_timeout_ms: 120_000,
        max_message_bytes: 65_536,
        max_attachment_bytes: 10 * 1024 * 1024,
        transcript_ttl_ms: None,
    }
}

/// The broker's welcome on a connection: this protocol version and [`broker`].
fn welcomed(
    session: &str,
    role: ClientRole,
    conversation: Option<&str>,
    agent: Option<&str>,
    resume: Option<&str>,
) -> ServerMsg {
    ServerMsg::Welcome {
        protocol: 1,
        session: session.into(),
        role,
        conversation: conversation.map(Into::into),
        agent: agent.map(Into::into),
        resume: resume.map(Into::into),
        broker: broker(),
    }
}

/// What the broker sent on `side`'s connection.
fn from_broker(app: &mut App, side: Side, msg: ServerMsg) -> Vec<Command> {
    update(app, Msg::Server { side, msg })
}

fn welcome(app: &mut App) {
    let user = welcomed("s-1", ClientRole::User, Some("c-1"), None, None);
    let agent = welcomed("s-2", ClientRole::Agent, None, Some("Lisa"), None);
    from_broker(app, Side::User, user);
    from_broker(app, Side::Agent, agent);
    let desk = ServerMsg::Desk {
        agents: vec![
            desk_agent("Lisa", Presence::Available, 0),
            desk_agent("Sam", Presence::Away, 0),
        ],
    };
    from_broker(app, Side::Agent, desk);
}

fn event(app: &mut App, side: Side, seq: u64, event: ConversationEvent) {
    // As the broker sends them: the desk's messages go to both sides (agent-only ones are
    // private notes), its other events to agents.
    let audience = match (side, &event) {
        (Side::User, _) => Audience::User,
        (Side::Agent, ConversationEvent::Message { .. }) => Audience::Both,
        (Side::Agent, _) => Audience::Agent,
    };
    let msg = ServerMsg::Event {
        conversation: "c-1".into(),
        seq,
        at: 1_000,
        audience,
        event,
    };
    from_broker(app, side, msg);
}

fn message(id: &str, role: Role, parts: Vec<Part>) -> ConversationEvent {
    let agent = (role == Role::Agent).then(|| AgentInfo {
        name: "Lisa".into(),
        avatar: None,
        on_behalf: true,
    });
    ConversationEvent::Message {
        message: ChatMessage {
            id: id.into(),
            role,
            agent,
            parts,
            at: 0,
            request: None,
            translation: None,
        },
    }
}

fn buttons(state: ButtonState) -> Part {
    let b = |t: &str, style, action| Button {
        button_text: t.into(),
        style,
        action,
        state,
    };
    Part::Buttons {
        buttons: vec![
            b(
                "Start agent chat",
                ButtonStyle::Filled,
                ButtonAction::StartAgentChat,
            ),
            b(
                "Edit / Add details",
                ButtonStyle::Outlined,
                ButtonAction::EditDetails,
            ),
            b(
                "Other help options",
                ButtonStyle::Outlined,
                ButtonAction::OtherHelp,
            ),
        ],
    }
}

/// The broker acknowledges request `id` on `side`.
fn ack(app: &mut App, side: Side, id: &RequestId) {
    let msg = ServerMsg::ack(id.clone());
    from_broker(app, side, msg);
}

fn key(code: KeyCode) -> Msg {
    chord(code, KeyModifiers::NONE)
}

/// A key pressed with modifiers.
fn chord(code: KeyCode, mods: KeyModifiers) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(code, mods)))
}

/// Ctrl and a letter.
fn ctrl(c: char) -> Msg {
    chord(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// A left click on a cell.
fn click(column: u16, row: u16) -> Msg {
    Msg::Input(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }))
}

/// Clicks the second cell of `needle` where a `w`×`h` screen draws it (inside a button's
/// brackets or its first letter).
fn click_on(app: &mut App, w: u16, h: u16, needle: &str) -> Vec<Command> {
    let (text, _) = screen(app, w, h);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap();
    let start = line.find(needle).unwrap();
    let col = line[..start].chars().count() as u16 + 1;
    update(app, click(col, row as u16))
}

/// The button action `cmds` press, if they are one press.
fn pressed(cmds: &[Command]) -> Option<ButtonAction> {
    match cmds {
        [
            Command::Send {
                msg: ClientMsg::Press { action, .. },
                ..
            },
        ] => Some(action.clone()),
        _ => None,
    }
}

/// What the inspector's list says of an inbound frame `text`.
fn summary_of(app: &mut App, text: &str) -> String {
    update(app, received(Side::Agent, 1, text));
    app.inspector
        .frames
        .back()
        .map(|f| f.summary.clone())
        .unwrap_or_default()
}

/// Up to `most` pieces drawn from `pieces`: arbitrary text from a fixed seed, so that a
/// failure repeats.
fn pieced(rng: &mut fastrand::Rng, pieces: &[&str], most: usize) -> String {
    (0..rng.usize(0..most))
        .map(|_| pieces[rng.usize(..pieces.len())])
        .collect()
}

/// The seed conversation's first user message, as the broker sends it on the user's side.
fn first_user_message(app: &mut App, seq: u64) {
    let text = Part::text("<p>I'd like to speak to a live agent</p>");
    event(app, Side::User, seq, message("m1", Role::User, vec![text]));
}

/// A frame `side`'s connection received, as the inspector sees it.
fn received(side: Side, at: u64, text: impl Into<String>) -> Msg {
    Msg::Frame {
        side,
        direction: Direction::In,
        at,
        text: text.into(),
    }
}

/// An agent of the desk list.
fn desk_agent(name: &str, presence: Presence, active_chats: u32) -> DeskAgent {
    DeskAgent {
        name: name.into(),
        presence,
        active_chats,
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, key(KeyCode::Char(c)));
    }
}

/// The seed 000 conversation up to the summary with its buttons.
fn offered() -> App {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    app.size = ratatui::layout::Rect::new(0, 0, 160, 48);
    welcome(&mut app);
    first_user_message(&mut app, 2);
    event(
        &mut app,
        Side::User,
        3,
        message(
            "m2",
            Role::Assistant,
            vec![Part::text(
                "<p>Could you please provide more details about the issue you're experiencing so I can connect you with a live agent effectively?</p>",
            )],
        ),
    );
    event(
        &mut app,
        Side::User,
        4,
        message(
            "m3",
            Role::User,
            vec![Part::text(
                "<p>I'm running into a strange issue with a SQL database that I'm using.</p>",
            )],
        ),
    );
    event(
        &mut app,
        Side::User,
        5,
        message(
            "m4",
            Role::Assistant,
            vec![
                Part::step(
                    "<p>Determining appropriate live agent queue</p>",
                    StepStatus::Success,
                ),
                Part::text(
                    "<p>I understand you're having an issue with your <strong>SQL Database </strong>and would like to speak with a live agent. Please review the provided available option to proceed.&nbsp;</p>",
                ),
                buttons(ButtonState::Active),
            ],
        ),
    );
    app
}

fn screen(app: &App, w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::console::view::render(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let text = (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, buf)
}

fn request() -> ConversationEvent {
    ConversationEvent::Request {
        title: "I'm running into a strange issue with a SQL database that I'm using.".into(),
        user: UserInfo::default(),
        topic: "SQL Database".into(),
        context: BTreeMap::from([("domain".into(), "IT".into()), ("language".into(), "en".into())]),
        history: "Alex Kim: I'd like to speak to a live agent\nAssistant: Could you please provide more details?".into(),
        queued_at: 1_000,
        style: HandoffStyle::Brokered,
    }
}

mod autoplay;
mod chat;
mod echo_ack;
mod faults;
mod inbox;
mod invite;
mod keys;
mod links;
mod notices;
mod palette;
mod platforms;
mod replay_panel;
mod restart;
mod screen;
mod session;
