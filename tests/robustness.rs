//! The broker never panics on what clients send: random text through the frame decoder, and
//! random user input through the handoff state machine, in every state it can reach.

use handoff::broker::assistant::AssistantConfig;
use handoff::broker::handoff::{Conversation, HandoffSettings, Input, StartOutcome};
use handoff::connectors::{Availability, ChatEvent};
use handoff::protocol::{
    AgentInfo, ButtonAction, EndReason, HandoffStyle, MessageId, UserInfo, decode_client,
};
use std::sync::Arc;

const PIECES: &[&str] = &[
    "agent",
    "human",
    "sql",
    "database",
    "stop chat",
    "Stop Chat",
    "İ",
    "ß",
    "😀",
    "<b>",
    "&nbsp;",
    "&#x110000;",
    "it's an ",
    "\u{0}",
    "\u{1b}[31m",
    "\n",
    " ",
    "vpn",
    "printer",
    "{",
    "\"",
    "type",
    "hello",
    ":",
    "say",
    "press",
    "id",
    "1",
    "}",
    "[",
];

fn random_text(rng: &mut fastrand::Rng) -> String {
    (0..rng.usize(0..12))
        .map(|_| PIECES[rng.usize(..PIECES.len())])
        .collect()
}

#[test]
fn random_frames_never_panic_the_decoder() {
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..20_000 {
        let _ = decode_client(&random_text(&mut rng));
    }
}

#[test]
fn random_inputs_never_panic_the_state_machine() {
    let mut rng = fastrand::Rng::with_seed(11);
    for style in [
        HandoffStyle::Brokered,
        HandoffStyle::Url,
        HandoffStyle::Api,
        HandoffStyle::Channel,
    ] {
        for run in 0..200 {
            let settings = HandoffSettings {
                assistant: Arc::new(AssistantConfig {
                    follow_ups: run % 2 == 0,
                    ..AssistantConfig::default()
                }),
                style,
                queue_timeout_ms: 1000,
            };
            let mut c = Conversation::new("c-1".into(), UserInfo::default(), settings);
            let mut now = 0;
            for _ in 0..40 {
                now += rng.u64(0..5000);
                let input = match rng.usize(0..12) {
                    0..=3 => Input::UserText(random_text(&mut rng)),
                    4 => Input::Press {
                        message: MessageId(format!("m-{}", rng.usize(0..20))),
                        action: [
                            ButtonAction::StartAgentChat,
                            ButtonAction::EditDetails,
                            ButtonAction::OtherHelp,
                            ButtonAction::Choice(random_text(&mut rng)),
                        ][rng.usize(..4)]
                        .clone(),
                    },
                    5 => Input::Availability(
                        [
                            Availability::Available(1),
                            Availability::Unavailable,
                            Availability::Unknown,
                        ][rng.usize(..3)],
                    ),
                    6 => Input::Started(match rng.usize(..4) {
                        0 => Ok(StartOutcome::Chat),
                        1 => Ok(StartOutcome::Redirect {
                            url: random_text(&mut rng),
                            via: None,
                            chat: rng.bool(),
                        }),
                        2 => Ok(StartOutcome::Posted {
                            channel: random_text(&mut rng),
                            chat: rng.bool(),
                        }),
                        _ => Err(random_text(&mut rng)),
                    }),
                    7 => Input::Chat(ChatEvent::AgentJoined {
                        agent: AgentInfo {
                            name: random_text(&mut rng),
                            avatar: None,
                            on_behalf: false,
                        },
                    }),
                    8 => Input::Chat(ChatEvent::AgentMessage {
                        agent: AgentInfo {
                            name: "Lisa".into(),
                            avatar: None,
                            on_behalf: rng.bool(),
                        },
                        text: random_text(&mut rng),
                    }),
                    9 => Input::Chat(ChatEvent::Ended {
                        reason: EndReason::Agent {
                            agent: "Lisa".into(),
                        },
                    }),
                    10 => Input::Timeout {
                        generation: rng.u64(0..4),
                    },
                    _ => Input::UserEnd,
                };
                let _ = c.handle(input, now);
            }
        }
    }
}
