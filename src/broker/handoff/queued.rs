//! The assistant while the user waits for an agent: queued, not blocked. The offer's "Edit /
//! Add details" and "Other help options" stay active (only "Start agent chat" was pressed);
//! questions get the assistant's answer, "Edit / Add details" adds to the request the agent
//! sees (the desk gets the request again, updated, and the system a message with the added
//! details), and the place in the queue is kept throughout. The buttons expire when the wait
//! ends.

use super::messages::button_mut;
use super::{Conversation, Effect};
use crate::broker::assistant::{self, say};
use crate::connectors::{ChatCommand, HISTORY_LIMIT_BYTES};
use crate::protocol::{Audience, ButtonAction, ButtonState, ConversationEvent, Millis, Part};

/// The longest a request's title may grow by details added while waiting, in characters;
/// details beyond it are refused (the user is told), the title stays as it was.
pub const MAX_TITLE_CHARS: usize = 4000;

/// How details the user adds while waiting are sent to the system.
pub const DETAILS_ADDED: &str = "Details added while waiting: ";

/// `m:ss` of a wait.
fn waited(since: Millis, now: Millis) -> String {
    let secs = now.saturating_sub(since) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl Conversation {
    /// "Edit / Add details" can be pressed again on the offer the user waits under.
    fn rearm_edit(&mut self, out: &mut Vec<Effect>) {
        let Some(offer) = self.offer.as_mut() else {
            return;
        };
        if let Some(button) = button_mut(offer, &ButtonAction::EditDetails) {
            button.state = ButtonState::Active;
            let event = ConversationEvent::Message {
                message: offer.clone(),
            };
            out.push(Effect::Emit(Audience::User, event));
        }
    }

    /// The user talks to the assistant while waiting for an agent.
    pub(super) fn while_waiting(
        &mut self,
        text: &str,
        since: Millis,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        if assistant::is_stop_chat(text) {
            self.user_leaves(now, out);
        } else if self.private.editing {
            self.add_to_request(text, since, now, out);
        } else if assistant::is_agent_request(text) {
            let waited = waited(since, now);
            self.assistant_says(vec![Part::text(say::already_waiting(&waited))], now, out);
        } else {
            let answer = match self.settings.assistant.routing.matching(text) {
                Some(rule) => say::queued_topic(&rule.topic),
                None => say::QUEUED_FALLBACK.to_owned(),
            };
            let still = say::still_queued(&waited(since, now));
            self.assistant_says(vec![Part::text(answer), Part::text(still)], now, out);
        }
    }

    /// "Edit / Add details" while waiting: the next text adds to the request.
    pub(super) fn edit_while_waiting(&mut self, now: Millis, out: &mut Vec<Effect>) {
        self.private.editing = true;
        self.assistant_says(vec![Part::text(say::EDIT_WHILE_QUEUED)], now, out);
    }

    /// Adds `text` to the waiting request's title and sends the desk the updated request.
    fn add_to_request(&mut self, text: &str, since: Millis, now: Millis, out: &mut Vec<Effect>) {
        self.private.editing = false;
        let Some(mut route) = self.private.route.clone() else {
            return;
        };
        let title = format!("{} {}", route.title, text.trim());
        if title.chars().count() > MAX_TITLE_CHARS {
            let refused = say::request_too_long(MAX_TITLE_CHARS);
            self.assistant_says(vec![Part::text(refused)], now, out);
            self.rearm_edit(out);
            return;
        }
        route.title = title;
        let request = self.request(&route);
        self.private.route = Some(route);
        let event = ConversationEvent::Request {
            history: request.history_text(HISTORY_LIMIT_BYTES),
            title: request.title,
            user: request.user,
            topic: request.topic,
            context: request.context,
            queued_at: since,
            style: self.settings.style,
        };
        out.push(Effect::Emit(Audience::Agent, event));
        // The system hears it too, as a message on the waiting chat (its APIs take messages
        // while queued; one that holds them until an agent joins sends them then).
        let client_message_id = self.client_message_id();
        out.push(Effect::Chat(ChatCommand::Text {
            text: format!("{DETAILS_ADDED}{}", text.trim()),
            client_message_id,
        }));
        let added = say::details_added(&waited(since, now));
        self.assistant_says(vec![Part::text(added)], now, out);
        self.rearm_edit(out);
    }
}
