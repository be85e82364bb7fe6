//! The runner's helpers: a request's answer against what the step expected, the button to
//! press, reading until an expectation holds, a quiet spell.

use super::actor::{Actor, Answer};
use super::expect::{self, Viewer};
use super::runner::Miss;
use crate::protocol::{
    Button, ButtonAction, ButtonState, ButtonStyle, ClientMsg, ConversationEvent, ConversationId,
    MessageId, ServerMsg,
};
use std::time::Duration;
use tokio::time::Instant;

/// A request's answer against the error code it should have failed with, if any.
pub(super) fn answered(answer: Answer, fails: Option<String>) -> Result<(), Miss> {
    match (answer, fails) {
        (Answer::Ack, None) => Ok(()),
        (Answer::Ack, Some(code)) => Err(Miss::new(format!("error {code}"), "an ack")),
        (Answer::Error(code, message), want) => {
            let got = serde_json::to_value(code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if want.as_deref() == Some(got.as_str()) {
                Ok(())
            } else {
                Err(Miss::new(
                    want.map_or_else(|| "an ack".into(), |w| format!("error {w}")),
                    format!("error {got}: {message}"),
                ))
            }
        }
    }
}

/// Builds a request from its id.
pub(super) type Maker = Box<dyn FnOnce(crate::protocol::RequestId) -> ClientMsg + Send>;

/// The `attach` of a file whose content is `text`.
pub(super) fn attach(
    conversation: ConversationId,
    name: &str,
    content_type: &str,
    text: &str,
) -> Maker {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let (name, content_type) = (name.to_owned(), content_type.to_owned());
    Box::new(move |id| ClientMsg::Attach {
        id,
        conversation,
        name,
        content_type,
        data,
    })
}

/// An agent's private `note` to the other agents of the chat.
pub(super) fn note(conversation: ConversationId, text: &str) -> Maker {
    let text = text.to_owned();
    Box::new(move |id| ClientMsg::Note {
        id,
        conversation,
        text,
    })
}

/// An observer's `notify` of the user, its buttons `choice:<label>` each (the broker sets
/// their state).
pub(super) fn notify(conversation: ConversationId, text: &str, labels: &[String]) -> Maker {
    let text = text.to_owned();
    let buttons = labels
        .iter()
        .map(|label| Button {
            button_text: label.clone(),
            style: ButtonStyle::Outlined,
            action: ButtonAction::Choice(label.clone()),
            state: ButtonState::Active,
        })
        .collect();
    Box::new(move |id| ClientMsg::Notify {
        id,
        conversation: Some(conversation),
        text,
        buttons,
    })
}

/// The latest version of the latest message with a button of this label or action.
pub(super) fn find_button(
    log: &[ServerMsg],
    label: Option<&str>,
    action: Option<&str>,
) -> Result<(MessageId, ButtonAction), String> {
    let mut offered = Vec::new();
    for msg in log.iter().rev() {
        let ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } = msg
        else {
            continue;
        };
        for b in message.buttons() {
            let wire = serde_json::to_value(&b.action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
            if label == Some(b.button_text.as_str())
                || (action.is_some() && wire.as_deref() == action)
            {
                return Ok((message.id.clone(), b.action.clone()));
            }
            offered.push(b.button_text.clone());
        }
    }
    Err(format!("buttons {offered:?}"))
}

/// No message from someone else reaches the actor for `ms` milliseconds.
pub(super) async fn quiet(actor: &mut Actor, viewer: &Viewer<'_>, ms: u64) -> Result<(), Miss> {
    let from = actor.log.len();
    let until = Instant::now() + Duration::from_millis(ms);
    while actor
        .read(until)
        .await
        .map_err(|e| Miss::new("a quiet connection", e))?
        .is_some()
    {}
    match expect::any_message(&actor.log, from, viewer) {
        None => Ok(()),
        Some(text) => Err(Miss::new(
            format!("no message within {ms} ms"),
            format!("{text:?}"),
        )),
    }
}

/// Reads until `check` holds or `deadline` passes; `Err` says what was seen last.
pub(super) async fn poll<T>(
    actor: &mut Actor,
    deadline: Instant,
    check: impl Fn(&[ServerMsg]) -> Result<T, String>,
) -> Result<T, String> {
    loop {
        match check(&actor.log) {
            Ok(found) => return Ok(found),
            Err(seen) => match actor.read(deadline).await {
                Ok(Some(_)) => {}
                Ok(None) => return Err(seen),
                Err(e) => return Err(format!("{seen}; then {e}")),
            },
        }
    }
}

/// The `invite` request of an agent's step: `agent` asked into the actor's live chat.
pub(super) fn invite(conversation: ConversationId, agent: String) -> Maker {
    Box::new(move |id| ClientMsg::Invite {
        id,
        conversation,
        agent,
    })
}
