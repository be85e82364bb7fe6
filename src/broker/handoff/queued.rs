//! The assistant while the user waits for an agent: queued, not blocked. Questions get the
//! assistant's answer, "Edit / Add details" adds to the request the agent sees (the desk gets
//! the request again, updated), and the other options stay on offer; the place in the queue
//! is kept throughout.

use super::messages::offer_buttons;
use super::{Conversation, Effect};
use crate::broker::assistant::{self, say};
use crate::connectors::HISTORY_LIMIT_BYTES;
use crate::protocol::{Audience, ConversationEvent, Millis, Part};

/// The longest a request's title may grow by details added while waiting, in characters;
/// details beyond it are refused (the user is told), the title stays as it was.
pub const MAX_TITLE_CHARS: usize = 4000;

/// `m:ss` of a wait.
fn waited(since: Millis, now: Millis) -> String {
    let secs = now.saturating_sub(since) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl Conversation {
    /// Once queued: what stays on offer while the user waits ("Edit / Add details", "Other
    /// help options"), as buttons.
    pub(super) fn offer_while_queued(&mut self, now: Millis, out: &mut Vec<Effect>) {
        self.expire_buttons(out);
        let parts = vec![
            Part::text(say::WHILE_QUEUED),
            Part::Buttons {
                buttons: offer_buttons(false),
            },
        ];
        let message = self.new_assistant_message(parts, now);
        self.emit_message(message.clone(), Audience::User, out);
        self.offer = Some(message);
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
        let added = say::details_added(&waited(since, now));
        self.assistant_says(vec![Part::text(added)], now, out);
        self.offer_while_queued(now, out);
    }
}
