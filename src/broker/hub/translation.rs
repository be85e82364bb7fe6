//! Dynamic translation in the hub (brokering rule 6). A message of a live chat is shown as its
//! author wrote it, then replaced (same id) by its translation, which carries the original in
//! `translation`. The user's text is translated inside the chat's FIFO lane, so the system
//! receives the English in order; an agent's text is translated in a task of its own (bounded
//! by [`MAX_IN_FLIGHT`](crate::translate::flow::MAX_IN_FLIGHT)). A failure replaces the message
//! with itself and the reason: nothing is held back or lost.

use super::{Hub, HubMsg, Logged};
use crate::connectors::{ChatCommand, HISTORY_LIMIT_BYTES, HandoffRequest, Speaker};
use crate::protocol::{
    Audience, ChatMessage, ConversationEvent, ConversationId, Part, Role, Translation,
};
use crate::translate::flow::{Outcome, Translation as Service};
use tokio::sync::mpsc;

/// The translation of one user message for the agent, run in the chat's lane.
pub(super) struct ToAgent {
    service: Service,
    conversation: ConversationId,
    /// The user's message the text came from, replaced once translated.
    message: ChatMessage,
    /// The language found in the user's earlier messages.
    known: Option<String>,
    tx: mpsc::Sender<HubMsg>,
}

impl ToAgent {
    /// `command` for the system: a user's text in English; anything else as it is.
    pub(super) async fn run(self, command: ChatCommand) -> ChatCommand {
        let ChatCommand::Text {
            text,
            client_message_id,
        } = command
        else {
            return command;
        };
        let outcome = match self.service.permit() {
            Ok(_held) => self.service.to_agent(&text, self.known.as_deref()).await,
            Err(why) => Some(Service::refused(&text, why)),
        };
        let Some(outcome) = outcome else {
            return ChatCommand::Text {
                text,
                client_message_id,
            };
        };
        let replaced = translated(self.message, &text, &outcome);
        let _ = self
            .tx
            .send(HubMsg::Translated(self.conversation, replaced))
            .await;
        ChatCommand::Text {
            text: outcome.text,
            client_message_id,
        }
    }
}

/// The user's request in the agents' language: its title, the words agents and the system
/// read first (brokering rule 6). Left as written when nothing needs translating or the
/// translator fails.
pub(super) async fn request_to_agent(service: &Service, request: &mut HandoffRequest) {
    let mut known = None;
    if let Some(outcome) = to_agent(service, &request.title, None).await {
        known = outcome.from;
        request.title = outcome.text;
    }
    // The user's lines of the history too, newest first, as many as agents are shown.
    let mut budget = HISTORY_LIMIT_BYTES;
    for line in request.history.iter_mut().rev() {
        if line.text.len() > budget {
            break;
        }
        budget -= line.text.len();
        if line.speaker != Speaker::User {
            continue;
        }
        if let Some(outcome) = to_agent(service, &line.text, known.as_deref()).await {
            known = known.or(outcome.from);
            line.text = outcome.text;
        }
    }
}

/// `text` in the agents' language, when it needed translating and the translator managed.
async fn to_agent(service: &Service, text: &str, known: Option<&str>) -> Option<Outcome> {
    let outcome = match service.permit() {
        Ok(_held) => service.to_agent(text, known).await,
        Err(_) => None,
    };
    outcome.filter(|o| o.error.is_none())
}

/// `message` showing `outcome`'s text, with `original` and how it was translated.
fn translated(mut message: ChatMessage, original: &str, outcome: &Outcome) -> ChatMessage {
    message.parts = vec![Part::text(crate::text::paragraph(&outcome.text))];
    message.translation = Some(Box::new(Translation {
        original: original.to_owned(),
        from: outcome.from.clone(),
        to: outcome.to.clone(),
        error: outcome.error.clone(),
    }));
    message
}

/// The only rich text of a message of `role`, as plain text (a file or buttons are not
/// translated).
fn plain_text(message: &ChatMessage, role: Role) -> Option<String> {
    match (message.role == role, message.parts.as_slice()) {
        (true, [Part::RichText { rich_text }]) => Some(crate::text::to_plain(rich_text)),
        _ => None,
    }
}

/// The user's messages in `log`, latest first.
fn user_messages(log: &[Logged]) -> impl Iterator<Item = &ChatMessage> {
    log.iter().rev().filter_map(|l| match &l.event {
        ConversationEvent::Message { message } if message.role == Role::User => Some(message),
        _ => None,
    })
}

/// The language the user's latest translated message was written in.
fn known_language(log: &[Logged]) -> Option<String> {
    user_messages(log).find_map(|m| m.translation.as_ref()?.from.clone())
}

impl Hub {
    /// The translation a user's text needs before it goes to the system, when translation is
    /// on: the user's message it came from is the latest in the log.
    pub(super) fn to_agent(&self, conv: &ConversationId, command: &ChatCommand) -> Option<ToAgent> {
        let service = self.settings.translation.clone()?;
        if !matches!(command, ChatCommand::Text { .. }) {
            return None;
        }
        let log = &self.conversations.get(conv)?.log;
        Some(ToAgent {
            service,
            conversation: conv.clone(),
            message: user_messages(log).next()?.clone(),
            known: known_language(log),
            tx: self.tx.clone(),
        })
    }

    /// An agent's message both sides see: translated for the user in a task of its own.
    pub(super) fn to_user(
        &self,
        conv: &ConversationId,
        audience: Audience,
        event: &ConversationEvent,
    ) {
        let (Some(service), Audience::Both, ConversationEvent::Message { message }) =
            (self.settings.translation.clone(), audience, event)
        else {
            return;
        };
        let (Some(text), Some(entry)) = (
            plain_text(message, Role::Agent),
            self.conversations.get(conv),
        ) else {
            return;
        };
        let known = known_language(&entry.log);
        let hint = user_messages(&entry.log).find_map(|m| plain_text(m, Role::User));
        let (tx, conv, message) = (self.tx.clone(), conv.clone(), message.clone());
        let permit = service.permit();
        tokio::spawn(async move {
            let outcome = match permit {
                Ok(_held) => {
                    service
                        .to_user(&text, known.as_deref(), hint.as_deref())
                        .await
                }
                Err(why) => Some(Service::refused(&text, why)),
            };
            if let Some(outcome) = outcome {
                let replaced = translated(message, &text, &outcome);
                let _ = tx.send(HubMsg::Translated(conv, replaced)).await;
            }
        });
    }

    /// A translation is done: the message is replaced for both sides.
    pub(super) fn translated(&mut self, conv: &ConversationId, message: ChatMessage) {
        if self.conversations.contains_key(conv) {
            self.append(conv, Audience::Both, ConversationEvent::Message { message });
        }
    }
}
