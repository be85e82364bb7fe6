//! What the conversation says: its messages, their buttons and the progress step of a handoff.

use super::{Conversation, Effect};
use crate::connectors::{HistoryLine, Speaker};
use crate::protocol::{
    AgentInfo, Audience, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage,
    ConversationEvent, MessageId, Millis, Part, Role, StepStatus,
};
use crate::text::{paragraph, to_plain};

/// `prefix` followed by `n`, as `format!("{prefix}{n}")` gives it, in one allocation of the
/// right size (`format!` guesses a smaller one and grows it, once per message of a chat).
fn numbered(prefix: &str, n: u64) -> String {
    let mut out = String::with_capacity(prefix.len() + 20);
    out.push_str(prefix);
    append_number(out, n)
}

/// `out` with `n` in decimal after it (`out` has the room: 20 digits at most).
fn append_number(mut out: String, n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
    out
}

impl Conversation {
    pub(super) fn new_message_id(&mut self) -> MessageId {
        let id = MessageId(numbered("m-", self.next_message));
        self.next_message += 1;
        id
    }

    /// A new message of `role` (from `agent`, for an agent's) with a fresh id.
    pub(super) fn new_message(
        &mut self,
        role: Role,
        agent: Option<AgentInfo>,
        parts: Vec<Part>,
        now: Millis,
    ) -> ChatMessage {
        ChatMessage {
            id: self.new_message_id(),
            role,
            agent,
            parts,
            at: now,
            request: None,
            translation: None,
        }
    }

    pub(super) fn new_assistant_message(&mut self, parts: Vec<Part>, now: Millis) -> ChatMessage {
        self.new_message(Role::Assistant, None, parts, now)
    }

    pub(super) fn assistant_says(&mut self, parts: Vec<Part>, now: Millis, out: &mut Vec<Effect>) {
        let message = self.new_assistant_message(parts, now);
        self.emit_message(message, Audience::User, out);
    }

    pub(super) fn system_says(&mut self, text: &str, now: Millis, out: &mut Vec<Effect>) {
        let parts = vec![Part::text(paragraph(text))];
        let message = self.new_message(Role::System, None, parts, now);
        self.emit_message(message, Audience::Both, out);
    }

    /// An agent's message, which both sides see.
    pub(super) fn agent_says(
        &mut self,
        mut agent: AgentInfo,
        part: Part,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        // Anonymity (rule 4): the profile picture stays in the system.
        if !self.settings.assistant.agent_avatar {
            agent.avatar = None;
        }
        let message = self.new_message(Role::Agent, Some(agent), vec![part], now);
        self.emit_message(message, Audience::Both, out);
    }

    /// A message of the user's, shown to `audience`.
    pub(super) fn user_says(
        &mut self,
        part: Part,
        audience: Audience,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let message = self.new_message(Role::User, None, vec![part], now);
        self.emit_message(message, audience, out);
    }

    /// The id the connector sends the latest message under, for the system's idempotency.
    pub(super) fn client_message_id(&self) -> String {
        let mut prefix = String::with_capacity(self.id.as_str().len() + 1 + 20);
        prefix.push_str(self.id.as_str());
        prefix.push('-');
        append_number(prefix, self.next_message - 1)
    }

    pub(super) fn emit_message(
        &mut self,
        message: ChatMessage,
        audience: Audience,
        out: &mut Vec<Effect>,
    ) {
        if message.role == Role::Assistant {
            let text = plain_text(&message);
            if !text.is_empty() {
                let line = HistoryLine {
                    at: message.at,
                    speaker: Speaker::Assistant,
                    text,
                };
                self.remember(&message.id, line);
            }
        }
        let event = ConversationEvent::Message { message };
        out.push(Effect::Emit(audience, event));
    }

    /// Records an assistant's line in the history, replacing the line of the same message.
    pub(super) fn remember(&mut self, id: &MessageId, line: HistoryLine) {
        match self
            .history
            .iter_mut()
            .find(|(i, _)| i.as_ref() == Some(id))
        {
            Some((_, existing)) => *existing = line,
            None => self.history.push((Some(id.clone()), line)),
        }
    }

    /// Expires every active button of the current offer and help messages.
    pub(super) fn expire_buttons(&mut self, out: &mut Vec<Effect>) {
        for mut holder in [self.offer.take(), self.help.take()].into_iter().flatten() {
            if expire_active(&mut holder) {
                let event = ConversationEvent::Message { message: holder };
                out.push(Effect::Emit(Audience::User, event));
            }
        }
    }

    pub(super) fn finish_progress(
        &mut self,
        step: String,
        status: StepStatus,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let mut message = self
            .progress
            .take()
            .unwrap_or_else(|| self.new_assistant_message(vec![], now));
        message
            .parts
            .retain(|p| !matches!(p, Part::ReasoningSteps { .. }));
        message.parts.insert(0, Part::step(step, status));
        self.emit_message(message, Audience::User, out);
    }

    pub(super) fn fail_progress(&mut self, out: &mut Vec<Effect>) {
        if let Some(mut progress) = self.progress.take() {
            set_step_status(&mut progress, StepStatus::Failure);
            self.emit_message(progress, Audience::User, out);
        }
    }
}

/// The rich-text parts of `message` as plain text, one line each.
pub(super) fn plain_text(message: &ChatMessage) -> String {
    let lines: Vec<String> = message
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::RichText { rich_text } => Some(to_plain(rich_text)),
            _ => None,
        })
        .collect();
    lines.join("\n")
}

/// Expires the active buttons of `message`; whether there were any.
pub(super) fn expire_active(message: &mut ChatMessage) -> bool {
    let mut changed = false;
    for part in &mut message.parts {
        if let Part::Buttons { buttons } = part {
            for b in buttons
                .iter_mut()
                .filter(|b| b.state == ButtonState::Active)
            {
                b.state = ButtonState::Expired;
                changed = true;
            }
        }
    }
    changed
}

/// The buttons of an offer: "Start agent chat" only when `available` (hidden, not disabled,
/// otherwise), then "Edit / Add details" and "Other help options".
pub(super) fn offer_buttons(available: bool) -> Vec<Button> {
    [
        (
            "Start agent chat",
            ButtonStyle::Filled,
            ButtonAction::StartAgentChat,
        ),
        (
            "Edit / Add details",
            ButtonStyle::Outlined,
            ButtonAction::EditDetails,
        ),
        (
            "Other help options",
            ButtonStyle::Outlined,
            ButtonAction::OtherHelp,
        ),
    ]
    .into_iter()
    .filter(|(_, _, action)| available || *action != ButtonAction::StartAgentChat)
    .map(|(text, style, action)| Button {
        button_text: text.into(),
        style,
        action,
        state: ButtonState::Active,
    })
    .collect()
}

pub(super) fn button_mut<'a>(
    message: &'a mut ChatMessage,
    action: &ButtonAction,
) -> Option<&'a mut Button> {
    message.parts.iter_mut().find_map(|p| match p {
        Part::Buttons { buttons } => buttons.iter_mut().find(|b| &b.action == action),
        _ => None,
    })
}

pub(super) fn set_step_status(message: &mut ChatMessage, status: StepStatus) {
    for part in &mut message.parts {
        if let Part::ReasoningSteps { reasoning_steps } = part {
            for step in reasoning_steps
                .iter_mut()
                .filter(|s| s.status == StepStatus::Pending)
            {
                step.status = status;
            }
        }
    }
}

#[cfg(test)]
mod numbering_tests {
    use super::numbered;

    #[test]
    fn numbered_ids_read_as_format_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::MAX - 1, u64::MAX] {
            assert_eq!(numbered("m-", n), format!("m-{n}"));
            assert_eq!(numbered("c-ab-", n), format!("c-ab-{n}"));
        }
    }
}
