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
    }
}

fn welcome(app: &mut App) {
    let user = ServerMsg::Welcome {
        protocol: 1,
        session: "s-1".into(),
        role: ClientRole::User,
        conversation: Some("c-1".into()),
        agent: None,
        resume: None,
        broker: broker(),
    };
    let agent = ServerMsg::Welcome {
        protocol: 1,
        session: "s-2".into(),
        role: ClientRole::Agent,
        conversation: None,
        agent: Some("Lisa".into()),
        resume: None,
        broker: broker(),
    };
    update(
        app,
        Msg::Server {
            side: Side::User,
            msg: user,
        },
    );
    update(
        app,
        Msg::Server {
            side: Side::Agent,
            msg: agent,
        },
    );
    let desk = ServerMsg::Desk {
        agents: vec![
            DeskAgent {
                name: "Lisa".into(),
                presence: Presence::Available,
                active_chats: 0,
            },
            DeskAgent {
                name: "Sam".into(),
                presence: Presence::Away,
                active_chats: 0,
            },
        ],
    };
    update(
        app,
        Msg::Server {
            side: Side::Agent,
            msg: desk,
        },
    );
}

fn event(app: &mut App, side: Side, seq: u64, event: ConversationEvent) {
    let audience = if side == Side::User {
        Audience::User
    } else {
        Audience::Agent
    };
    let msg = ServerMsg::Event {
        conversation: "c-1".into(),
        seq,
        at: 1_000,
        audience,
        event,
    };
    update(app, Msg::Server { side, msg });
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
    let msg = ServerMsg::Ack { id: id.clone() };
    update(app, Msg::Server { side, msg });
}

fn key(code: KeyCode) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
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
    event(
        &mut app,
        Side::User,
        2,
        message(
            "m1",
            Role::User,
            vec![Part::text("<p>I'd like to speak to a live agent</p>")],
        ),
    );
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

mod chat;
mod inbox;
mod keys;
mod links;
mod palette;
mod screen;
mod session;
