//! Dynamic translation over a real WebSocket (brokering rule 6): a user's message reaches the
//! agent in English, the agent's reaches the user in the user's language up to the DNT
//! keyword, each message carrying its original; a translator that fails lets the message
//! through as written, with the reason.

mod common;

use common::Client;
use common::seeds::{connected_chat, say};
use handoff::broker::{self, BrokerConfig};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::protocol::{ChatMessage, ClientMsg, ConversationEvent, Part, Role, ServerMsg};
use handoff::translate::flow::Translation;
use handoff::translate::libre::LibreTranslate;
use handoff::translate::offline::PhraseTable;
use handoff::translate::{Translator, emulator};
use std::sync::Arc;

fn translating(translator: Arc<dyn Translator>, language: Option<&str>) -> BrokerConfig {
    BrokerConfig {
        translation: Some(Translation::new(
            translator,
            "DNT",
            language.map(str::to_owned),
        )),
        ..BrokerConfig::default()
    }
}

/// A translated (or failed) message of `role`, with its text.
fn translated(m: &ServerMsg, role: Role) -> Option<(ChatMessage, String)> {
    let ServerMsg::Event {
        event: ConversationEvent::Message { message },
        ..
    } = m
    else {
        return None;
    };
    match (
        message.role == role,
        message.translation.is_some(),
        message.parts.as_slice(),
    ) {
        (true, true, [Part::RichText { rich_text }]) => {
            Some((message.clone(), handoff::text::to_plain(rich_text)))
        }
        _ => None,
    }
}

async fn reply(lisa: &mut Client, conv: &handoff::protocol::ConversationId, text: &str) {
    let (conversation, text) = (conv.clone(), text.to_owned());
    lisa.request(|id| ClientMsg::Reply {
        id,
        conversation,
        text,
    })
    .await;
}

#[tokio::test]
async fn spanish_reaches_the_agent_in_english_and_the_agents_answer_comes_back_in_spanish() {
    let broker = broker::start(translating(Arc::new(PhraseTable), None))
        .await
        .unwrap();
    let (mut user, mut lisa, conv) = connected_chat(&common::url(&broker)).await;
    say(
        &mut user,
        &conv,
        "text: Hola, necesito ayuda con la impresora",
    )
    .await;
    let seen = lisa
        .wait_for("the user's message in English", |m| {
            translated(m, Role::User).is_some()
        })
        .await;
    let (message, text) = translated(&seen, Role::User).unwrap();
    assert_eq!(text, "Hello, I need help with the printer");
    let translation = message.translation.unwrap();
    assert_eq!(
        translation.original,
        "Hola, necesito ayuda con la impresora"
    );
    assert_eq!(
        (translation.from.as_deref(), translation.to.as_str()),
        (Some("es"), "en")
    );
    assert_eq!(translation.error, None);

    reply(&mut lisa, &conv, "Thank you DNT //path//folder//file").await;
    let seen = user
        .wait_for("the agent's answer in Spanish", |m| {
            translated(m, Role::Agent).is_some()
        })
        .await;
    let (message, text) = translated(&seen, Role::Agent).unwrap();
    assert_eq!(
        text, "Gracias //path//folder//file",
        "what follows DNT arrives verbatim"
    );
    let translation = message.translation.unwrap();
    assert_eq!(translation.original, "Thank you DNT //path//folder//file");
    assert_eq!(
        (translation.from.as_deref(), translation.to.as_str()),
        (Some("en"), "es")
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn with_the_language_set_the_greeting_is_translated_and_english_users_see_no_change() {
    let broker = broker::start(translating(Arc::new(PhraseTable), Some("fr")))
        .await
        .unwrap();
    let (mut user, _lisa, _conv) = connected_chat(&common::url(&broker)).await;
    let seen = user
        .wait_for("the greeting in French", |m| {
            translated(m, Role::Agent).is_some()
        })
        .await;
    let (_, text) = translated(&seen, Role::Agent).unwrap();
    assert!(
        text.starts_with("Bonjour - pouvez-vous donner plus de détails"),
        "{text}"
    );
    broker.shutdown().await;

    let broker = broker::start(translating(Arc::new(PhraseTable), None))
        .await
        .unwrap();
    let (mut user, mut lisa, conv) = connected_chat(&common::url(&broker)).await;
    reply(&mut lisa, &conv, "Thank you").await;
    user.wait_for("the agent's answer", |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. }
            if message.role == Role::Agent && message.parts == vec![Part::text("<p>Thank you</p>")])
    })
    .await;
    assert!(
        !user
            .seen
            .iter()
            .any(|m| translated(m, Role::Agent).is_some()),
        "an English user reads the agent as written"
    );
    broker.shutdown().await;
}

#[tokio::test]
async fn a_failing_translator_lets_the_message_through_as_written_with_the_reason() {
    let emu = emulator::spawn(([127, 0, 0, 1], 0).into(), Some("right-key".into()))
        .await
        .unwrap();
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let wrong_key = LibreTranslate::new(&emu.base_url(), Some(Secret::new("wrong-key")), policy);
    let broker = broker::start(translating(Arc::new(wrong_key), None))
        .await
        .unwrap();
    let (mut user, mut lisa, conv) = connected_chat(&common::url(&broker)).await;
    say(&mut user, &conv, "text: Hola").await;
    let seen = lisa
        .wait_for("the user's message with the notice", |m| {
            translated(m, Role::User).is_some()
        })
        .await;
    let (message, text) = translated(&seen, Role::User).unwrap();
    assert_eq!(text, "Hola", "delivered as written");
    let why = message.translation.unwrap().error.unwrap();
    assert!(
        why.starts_with("LibreTranslate:") && why.contains("403"),
        "{why}"
    );
    assert!(!why.contains("wrong-key"), "the key is redacted: {why}");
    broker.shutdown().await;
}

/// A user who asks for an agent and gives the details in Spanish, then presses Start agent
/// chat; Lisa watches the desk.
async fn ask_in_spanish(url: &str) -> (Client, Client) {
    let (mut user, conv) = Client::join_user(url).await;
    let lisa = Client::join_agent(url, "Lisa").await;
    say(&mut user, &conv, "text: I'd like to speak to a live agent").await;
    common::seeds::state_reached(&mut user, "collecting details").await;
    say(
        &mut user,
        &conv,
        "text: Hola, necesito ayuda con la impresora",
    )
    .await;
    common::seeds::state_reached(&mut user, "offered").await;
    common::seeds::press_start(&mut user, &conv).await;
    (user, lisa)
}

#[tokio::test]
async fn the_request_written_before_the_chat_reaches_the_agent_in_english() {
    let broker = broker::start(translating(Arc::new(PhraseTable), None))
        .await
        .unwrap();
    let url = common::url(&broker);
    let (_user, mut lisa) = ask_in_spanish(&url).await;
    lisa.wait_for("the request in English", |m| {
        matches!(m, ServerMsg::Event { event: ConversationEvent::Request { title, .. }, .. }
            if title == "Hello, I need help with the printer")
    })
    .await;
    broker.shutdown().await;
}

#[tokio::test]
async fn on_an_emulated_system_the_inbox_shows_the_request_and_its_history_in_english() {
    let systems =
        handoff::systems::SystemsConfig::from_toml("test.toml", "[servicenow]\n").unwrap();
    let engine = handoff::engine::start_on_system(
        handoff::systems::servicenow::NAME,
        &systems,
        handoff::emulators::desk::AgentScript::manual(),
        translating(Arc::new(PhraseTable), None),
    )
    .await
    .unwrap();
    let url = common::url(&engine.broker);
    let (_user, mut lisa) = ask_in_spanish(&url).await;
    let request = lisa
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
    let ServerMsg::Event {
        event: ConversationEvent::Request { title, history, .. },
        ..
    } = request
    else {
        unreachable!()
    };
    assert_eq!(title, "Hello, I need help with the printer");
    assert!(
        history.contains("Hello, I need help with the printer"),
        "{history}"
    );
    assert!(!history.contains("impresora"), "{history}");
    engine.shutdown().await;
}
