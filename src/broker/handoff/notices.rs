//! What is said beside the chat (issue 15, rules 5 and 9): agents' private notes, which only
//! agents see, and notifications or broadcasts for the user, whose buttons wait while a live
//! chat lasts.

use super::messages::button_mut;
use super::{Conversation, Effect, Refusal};
use crate::connectors::runtime::agent as agent_info;
use crate::protocol::{
    Audience, Button, ButtonAction, ButtonState, ChatMessage, ConversationEvent, HandoffState,
    MessageId, Millis, Part, Role,
};
use crate::text::paragraph;

/// How many notifications a conversation keeps pressable. Beyond it the oldest one's buttons
/// expire: a user who missed sixteen notices has no use for the first one's buttons.
pub const MAX_NOTIFICATIONS: usize = 16;

/// How a notification's message id ends (`m-7-notice`), so a broker restoring the stored log
/// knows which messages' buttons to hold again rather than expire.
pub(super) const NOTICE_ID: &str = "-notice";

impl Conversation {
    /// A private note of `agent` to the other agents of the live chat: shown to agents only,
    /// never sent to the system.
    pub(super) fn on_agent_note(
        &mut self,
        agent: &str,
        text: &str,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        let in_chat = match &self.state {
            HandoffState::Connected { agent: a, with, .. } => {
                !self.private.vacated && (a == agent || with.iter().any(|w| w == agent))
            }
            _ => false,
        };
        if !in_chat {
            return Err(Refusal(format!(
                "{agent} is not in a live chat of conversation {}: notes go to the agents of a live chat",
                self.id
            )));
        }
        let parts = vec![Part::text(paragraph(text))];
        let message = self.new_message(Role::Agent, Some(agent_info(agent)), parts, now);
        self.emit_message(message, Audience::Agent, out);
        Ok(())
    }

    /// A notification for the user (never the agent); during a live chat its buttons are shown
    /// disabled until the chat ends.
    pub(super) fn on_notify(
        &mut self,
        text: &str,
        buttons: Vec<Button>,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let state = if self.is_connected() {
            ButtonState::Disabled
        } else {
            ButtonState::Active
        };
        let buttons: Vec<Button> = buttons.into_iter().map(|b| Button { state, ..b }).collect();
        let mut parts = vec![Part::text(paragraph(text))];
        if !buttons.is_empty() {
            parts.push(Part::Buttons { buttons });
        }
        let mut message = self.new_assistant_message(parts, now);
        message.id = MessageId(format!("{}{NOTICE_ID}", message.id));
        if message.buttons().next().is_some() {
            self.hold(message.clone(), out);
        }
        show(message, out);
    }

    /// Keeps a notification's buttons pressable, expiring the oldest beyond
    /// [`MAX_NOTIFICATIONS`].
    fn hold(&mut self, message: ChatMessage, out: &mut Vec<Effect>) {
        self.notifications.push(message);
        if self.notifications.len() > MAX_NOTIFICATIONS {
            let mut oldest = self.notifications.remove(0);
            set_buttons(&mut oldest, ButtonState::Expired);
            show(oldest, out);
        }
    }

    /// A notification from the stored log, after a restart: held again; whether it was one.
    /// Its buttons wait while a `live` chat goes on (kept across the restart), as they did
    /// before it; otherwise they may be pressed.
    pub(super) fn restore_notification(
        &mut self,
        mut message: ChatMessage,
        live: bool,
        out: &mut Vec<Effect>,
    ) -> bool {
        let pressable = message
            .buttons()
            .any(|b| matches!(b.state, ButtonState::Active | ButtonState::Disabled));
        if !message.id.as_str().ends_with(NOTICE_ID) || !pressable {
            return false;
        }
        let state = if live {
            ButtonState::Disabled
        } else {
            ButtonState::Active
        };
        if set_buttons(&mut message, state) {
            show(message.clone(), out);
        }
        self.hold(message, out);
        true
    }

    /// Whether `message` is a notification whose buttons the user may press.
    pub(super) fn is_notification(&self, message: &MessageId) -> bool {
        self.notifications.iter().any(|m| &m.id == message)
    }

    /// A press of a notification's button: allowed once no live chat lasts.
    pub(super) fn on_notification_press(
        &mut self,
        message: &MessageId,
        action: ButtonAction,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        let live = self.is_connected();
        let Some(held) = self.notifications.iter_mut().find(|m| &m.id == message) else {
            return Err(Refusal(format!("message {message} is no notification")));
        };
        let button = button_mut(held, &action)
            .filter(|b| b.state == ButtonState::Active && !live)
            .ok_or_else(|| {
                Refusal(format!(
                    "the buttons of notification {message} cannot be pressed now (during a live chat they wait for its end)"
                ))
            })?;
        button.state = ButtonState::Pressed;
        let label = button.button_text.clone();
        let held = held.clone();
        show(held, out);
        let pressed = format!(
            "<p><em>Pressed \"{}\"</em></p>",
            crate::text::escape(&label)
        );
        self.user_says(Part::text(pressed), Audience::User, now, out);
        if let ButtonAction::Choice(choice) = action {
            self.on_user_text(choice, now, out);
        }
        Ok(())
    }

    /// A live chat begins (`Disabled`: the buttons wait) or ends (`Active`: they may be
    /// pressed again); each notification that changes is shown again.
    pub(super) fn notification_buttons(&mut self, state: ButtonState, out: &mut Vec<Effect>) {
        for message in &mut self.notifications {
            if set_buttons(message, state) {
                show(message.clone(), out);
            }
        }
    }
}

/// Shows a notification to the user alone. It stays out of the history an agent is given:
/// notifications are the user's business.
fn show(message: ChatMessage, out: &mut Vec<Effect>) {
    let event = ConversationEvent::Message { message };
    out.push(Effect::Emit(Audience::User, event));
}

/// Sets every button that is neither pressed nor expired to `state`; whether any changed.
fn set_buttons(message: &mut ChatMessage, state: ButtonState) -> bool {
    let mut changed = false;
    for part in &mut message.parts {
        if let Part::Buttons { buttons } = part {
            for b in buttons.iter_mut().filter(|b| {
                b.state != state && matches!(b.state, ButtonState::Active | ButtonState::Disabled)
            }) {
                b.state = state;
                changed = true;
            }
        }
    }
    changed
}
