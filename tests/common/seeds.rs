//! The seed conversations driven over a broker at a URL, checked turn by turn.

use super::{Client, seed};
use handoff::protocol::{
    ButtonAction, ChatMessage, ClientMsg, ConversationEvent, ConversationId, HandoffState,
    HandoffStyle, MessageId, Part, Role, ServerMsg,
};
use handoff::text::to_plain;
use serde_json::Value;

/// A turn as a list of normalized parts, comparable between the seed and the broker.
#[derive(Debug, PartialEq)]
pub struct Turn {
    user: bool,
    parts: Vec<String>,
}

fn normalize_text(html: &str) -> String {
    to_plain(html)
        .replace("you're experience so", "you're experiencing so") // the seeds' typo
        .replace(" Said:", " said:")
}

pub fn seed_turns(conversation: &Value) -> Vec<Turn> {
    conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let user = m["role"] == "user";
            let parts = m["parts"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| -> Vec<String> {
                    if let Some(text) = p["richText"].as_str() {
                        let plain = normalize_text(text);
                        // The seeds say `Presses "Start agent chat" button`; exports say `Pressed "..."`.
                        if user
                            && (plain.contains("\"Start agent chat\" button")
                                || plain == "Pressed \"Start agent chat\"")
                        {
                            return vec!["press: Start agent chat".into()];
                        }
                        vec![format!("text: {plain}")]
                    } else if let Some(steps) = p["reasoningSteps"].as_array() {
                        steps
                            .iter()
                            .map(|s| {
                                format!(
                                    "step[{}]: {}",
                                    s["status"].as_str().unwrap(),
                                    normalize_text(s["richText"].as_str().unwrap())
                                )
                            })
                            .collect()
                    } else {
                        p["buttons"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|b| {
                                format!(
                                    "button[{}]: {}",
                                    b["style"].as_str().unwrap(),
                                    b["buttonText"].as_str().unwrap()
                                )
                            })
                            .collect()
                    }
                })
                .collect();
            Turn { user, parts }
        })
        .collect()
}

/// The user's transcript: each message in order of first appearance, in its latest version,
/// grouped into turns.
fn broker_turns(seen: &[ServerMsg]) -> Vec<Turn> {
    let mut order: Vec<MessageId> = Vec::new();
    let mut latest: std::collections::HashMap<MessageId, ChatMessage> =
        std::collections::HashMap::default();
    for msg in seen {
        if let ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } = msg
        {
            if !latest.contains_key(&message.id) {
                order.push(message.id.clone());
            }
            latest.insert(message.id.clone(), message.clone());
        }
    }
    let mut turns: Vec<Turn> = Vec::new();
    for id in order {
        let m = &latest[&id];
        let user = m.role == Role::User;
        let parts: Vec<String> = m
            .parts
            .iter()
            .flat_map(|p| -> Vec<String> {
                match p {
                    Part::RichText { rich_text } => {
                        let plain = normalize_text(rich_text);
                        if let Some(label) = plain
                            .strip_prefix("Pressed \"")
                            .and_then(|s| s.strip_suffix('"'))
                        {
                            return vec![format!("press: {label}")];
                        }
                        match (&m.role, &m.agent) {
                            (Role::Agent, Some(agent)) => {
                                vec![format!("text: {} said:\n{plain}", agent.name)]
                            }
                            _ => vec![format!("text: {plain}")],
                        }
                    }
                    Part::ReasoningSteps { reasoning_steps } => reasoning_steps
                        .iter()
                        .map(|s| {
                            format!(
                                "step[{}]: {}",
                                serde_json::to_value(s.status).unwrap().as_str().unwrap(),
                                normalize_text(&s.rich_text)
                            )
                        })
                        .collect(),
                    Part::Buttons { buttons } => buttons
                        .iter()
                        .map(|b| {
                            format!(
                                "button[{}]: {}",
                                serde_json::to_value(b.style).unwrap().as_str().unwrap(),
                                b.button_text
                            )
                        })
                        .collect(),
                    Part::Attachment { attachment } => vec![format!("file: {}", attachment.name)],
                }
            })
            .collect();
        match turns.last_mut() {
            Some(last) if last.user == user => last.parts.extend(parts),
            _ => turns.push(Turn { user, parts }),
        }
    }
    turns
}

pub fn user_texts(conversation: &Value) -> Vec<String> {
    seed_turns(conversation)
        .into_iter()
        .filter(|t| t.user)
        .map(|t| t.parts[0].clone())
        .collect()
}

pub async fn state_reached(user: &mut Client, name: &str) -> HandoffState {
    let mark = user.last_action;
    let msg = user
        .wait_from(mark, name, |m| matches!(m, ServerMsg::Event { event: ConversationEvent::State { state }, .. } if state.name() == name))
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::State { state },
        ..
    } = msg
    else {
        unreachable!()
    };
    state
}

fn offer_message(user: &Client) -> MessageId {
    user.seen
        .iter()
        .rev()
        .find_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } if message
                .buttons()
                .any(|b| b.action == ButtonAction::StartAgentChat) =>
            {
                Some(message.id.clone())
            }
            _ => None,
        })
        .expect("a message with Start agent chat")
}

pub async fn say(user: &mut Client, conv: &ConversationId, text: &str) {
    let text = text.strip_prefix("text: ").unwrap().to_owned();
    let conversation = conv.clone();
    user.request(|id| ClientMsg::Say {
        id,
        conversation,
        text,
    })
    .await;
}

pub async fn press_start(user: &mut Client, conv: &ConversationId) {
    press_on_offer(user, conv, ButtonAction::StartAgentChat).await;
}

/// Presses `action` on the latest offer (the message with "Start agent chat").
pub async fn press_on_offer(user: &mut Client, conv: &ConversationId, action: ButtonAction) {
    let message = offer_message(user);
    let conversation = conv.clone();
    user.request(|id| ClientMsg::Press {
        id,
        conversation,
        message,
        action,
    })
    .await;
}

/// Waits for the next request the agent is shown and returns its title.
pub async fn request_title(agent: &mut Client) -> String {
    let request = agent
        .wait_for("the request", |m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: ConversationEvent::Request { .. },
                    ..
                }
            )
        })
        .await;
    match request {
        ServerMsg::Event {
            event: ConversationEvent::Request { title, .. },
            ..
        } => title,
        _ => unreachable!(),
    }
}

/// The agent waits for the user's request, accepts it, and the user's chat is connected.
pub async fn take_request(user: &mut Client, agent: &mut Client, conv: &ConversationId) {
    request_title(agent).await;
    let conversation = conv.clone();
    agent
        .request(|id| ClientMsg::Accept { id, conversation })
        .await;
    state_reached(user, "connected").await;
}

fn assert_turns(seed: &Value, user: &Client) {
    let expected = seed_turns(seed);
    let actual = broker_turns(&user.seen);
    assert_eq!(
        actual.len(),
        expected.len(),
        "turn count\nexpected: {expected:#?}\nactual: {actual:#?}"
    );
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(a, e, "turn {i} differs");
    }
}

/// Seed 000 (brokered, 8x8 style) against a broker whose mock desk is brokered.
pub async fn seed_000(url: &str) {
    let seed = seed("000");
    let (mut user, conv) = Client::join_user(url).await;
    let mut lisa = Client::join_agent(url, "Lisa").await;
    let texts = user_texts(&seed);

    say(&mut user, &conv, &texts[0]).await;
    state_reached(&mut user, "collecting details").await;
    say(&mut user, &conv, &texts[1]).await;
    state_reached(&mut user, "offered").await;
    assert_eq!(texts[2], "press: Start agent chat");
    press_start(&mut user, &conv).await;
    state_reached(&mut user, "ringing").await;

    // The agent sees the request titled with the user's main utterance, with routing context.
    let request = lisa
        .wait_for("request", |m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: ConversationEvent::Request { .. },
                    ..
                }
            )
        })
        .await;
    let ServerMsg::Event {
        event:
            ConversationEvent::Request {
                title,
                context,
                user: who,
                history,
                ..
            },
        ..
    } = request
    else {
        unreachable!()
    };
    assert_eq!(
        title,
        "I'm running into a strange issue with a SQL database that I'm using."
    );
    assert_eq!(context.get("domain").map(String::as_str), Some("IT"));
    assert_eq!(context.get("queue").map(String::as_str), Some("databases"));
    assert_eq!(who.name, "Alex Kim");
    assert!(
        history.contains("I'd like to speak to a live agent"),
        "{history}"
    );
    lisa.wait_for("offered to Lisa", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Offered { agent }, .. } if agent == "Lisa")).await;

    let conversation = conv.clone();
    lisa.request(|id| ClientMsg::Accept { id, conversation })
        .await;
    let state = state_reached(&mut user, "connected").await;
    assert!(matches!(state, HandoffState::Connected { agent, .. } if agent == "Lisa"));
    let greeting = user
        .wait_for("greeting", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Agent))
        .await;
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = greeting
    else {
        unreachable!()
    };
    let agent = message.agent.unwrap();
    assert_eq!(agent.name, "Lisa");
    assert!(
        agent.on_behalf,
        "the greeting is sent on behalf of the accepting agent"
    );

    assert_turns(&seed, &user);
}

/// Seed 001 (API style, Vayusphere) against a broker whose mock desk is in API style.
pub async fn seed_001(url: &str) {
    let redirect = seed_001_turns(url).await;
    assert!(redirect.starts_with("https://"), "{redirect}");
}

/// Seed 001 turn by turn against a broker handing off in API style (the mock desk or the
/// Vayusphere connector); returns the URL the user was redirected to.
pub async fn seed_001_turns(url: &str) -> String {
    let seed = seed("001");
    let (mut user, conv) = Client::join_user(url).await;
    let mut lisa = Client::join_agent(url, "Lisa").await;
    let texts = user_texts(&seed);

    say(&mut user, &conv, &texts[0]).await;
    state_reached(&mut user, "collecting details").await;
    say(&mut user, &conv, &texts[1]).await;
    let state = state_reached(&mut user, "follow-up").await;
    assert!(
        matches!(state, HandoffState::FollowUp { question } if question == "can you tell me which database you're using?")
    );
    say(&mut user, &conv, &texts[2]).await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    let state = state_reached(&mut user, "redirected").await;
    let HandoffState::Redirected { url: redirect } = state else {
        panic!("not redirected: {state:?}");
    };

    // Enqueued through the API: the desk has the request, routed to the expert pool.
    let request = lisa
        .wait_for("request", |m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: ConversationEvent::Request { .. },
                    ..
                }
            )
        })
        .await;
    let ServerMsg::Event {
        event:
            ConversationEvent::Request {
                topic,
                context,
                style,
                ..
            },
        ..
    } = request
    else {
        unreachable!()
    };
    assert_eq!(topic, "Azure SQL Database");
    assert_eq!(
        context.get("expertise").map(String::as_str),
        Some("Azure SQL Database")
    );
    assert_eq!(style, HandoffStyle::Api);

    assert_turns(&seed, &user);
    redirect
}

/// Seed 002 (URL style, `BeyondTrust`) against a broker whose mock desk is in URL style.
pub async fn seed_002(url: &str) {
    let seed = seed("002");
    let (mut user, conv) = Client::join_user(url).await;
    let texts = user_texts(&seed);

    say(&mut user, &conv, &texts[0]).await;
    state_reached(&mut user, "collecting details").await;
    say(&mut user, &conv, &texts[1]).await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    let state = state_reached(&mut user, "redirected").await;
    assert_eq!(
        state,
        HandoffState::Redirected {
            url:
                "https://livechat.acme.com/start-chat?queue_id=71f1cbd2-83ae-4e54-a03a-2ee8d31a7dee"
                    .into()
        }
    );
    assert_turns(&seed, &user);
}

/// A user in a live chat with Lisa (who accepted by hand), after her greeting.
pub async fn connected_chat(url: &str) -> (Client, Client, ConversationId) {
    let (mut user, conv) = Client::join_user(url).await;
    let lisa = live_with_lisa(url, &mut user, &conv).await;
    (user, lisa, conv)
}

/// Takes `user`'s conversation to a live chat with Lisa (who accepts by hand), after her
/// greeting; returns Lisa.
pub async fn live_with_lisa(url: &str, user: &mut Client, conv: &ConversationId) -> Client {
    let mut lisa = Client::join_agent(url, "Lisa").await;
    say(user, conv, "text: I need an agent, outlook keeps crashing").await;
    state_reached(user, "offered").await;
    press_start(user, conv).await;
    state_reached(user, "ringing").await;
    let c = conv.clone();
    lisa.request(|id| ClientMsg::Accept {
        id,
        conversation: c,
    })
    .await;
    state_reached(user, "connected").await;
    user.wait_for("greeting", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Agent)).await;
    lisa
}
