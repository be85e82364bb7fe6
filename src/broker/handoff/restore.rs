//! Bringing a conversation back from its stored log after a broker restart. Live chats do not
//! survive a restart (the system's side is gone), so a conversation that was waiting or
//! connected is told so and ended, unless the system kept its live chat (an in-process restart,
//! `broker::lasting`): then a connected chat carries on; buttons from before the restart expire, except the
//! notifications', which are held again: pressable when no live chat carried on, still waiting
//! (disabled) for the end of one that did, as before the restart.

use super::messages::{expire_active, plain_text};
use super::{Conversation, Effect, HandoffSettings, Private};
use crate::connectors::{HistoryLine, Speaker};
use crate::protocol::{
    Audience, ChatMessage, ConversationEvent, ConversationId, EndReason, HandoffState, Millis,
    Part, Role, UserInfo,
};

/// Said to a user whose live chat or wait the restart cut off.
const RESTARTED: &str = "<p>The broker restarted, so your live agent chat was lost. Ask for an agent again if you still need one.</p>";

impl Conversation {
    /// Rebuilds a conversation from its log; returns it with the events that tell the user
    /// what the restart changed. `kept`: the system kept the conversation's live chat, so a
    /// connected one goes on.
    pub fn restore(
        id: ConversationId,
        user: UserInfo,
        settings: HandoffSettings,
        log: &[(Audience, ConversationEvent)],
        now: Millis,
        kept: bool,
    ) -> (Self, Vec<Effect>) {
        let mut c = Self::new(id, user, settings);
        let mut latest: Vec<ChatMessage> = Vec::new();
        for (audience, event) in log {
            match event {
                ConversationEvent::Message { message } => {
                    c.replay(message, *audience);
                    match latest.iter_mut().find(|m| m.id == message.id) {
                        Some(m) => *m = message.clone(),
                        None => latest.push(message.clone()),
                    }
                }
                ConversationEvent::State { state } => c.state = state.clone(),
                ConversationEvent::Opened { platform, site, .. } => {
                    c.scope = super::Scope::new(*platform, site.clone());
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        // A kept live chat goes on: its notifications' buttons go on waiting for its end.
        let live = kept && c.is_connected();
        for mut message in latest {
            if c.restore_notification(message.clone(), live, &mut out) {
                continue;
            }
            if expire_active(&mut message) {
                let event = ConversationEvent::Message { message };
                out.push(Effect::Emit(Audience::User, event));
            }
        }
        if !live {
            c.after_restart(now, &mut out);
        }
        (c, out)
    }

    /// Takes one logged message back into the history and the message numbering.
    fn replay(&mut self, message: &ChatMessage, audience: Audience) {
        // `m-7`, or a notification's `m-7-notice`.
        if let Some(n) = message
            .id
            .as_str()
            .strip_prefix("m-")
            .map(|n| n.trim_end_matches(super::notices::NOTICE_ID))
            .and_then(|n| n.parse::<u64>().ok())
        {
            self.next_message = self.next_message.max(n + 1);
        }
        let text = plain_text(message);
        let at = message.at;
        match (message.role, audience) {
            (Role::User, Audience::User) => {
                let speaker = Speaker::User;
                self.history.push((None, HistoryLine { at, speaker, text }));
            }
            (Role::Assistant, _) if !text.is_empty() => {
                let speaker = Speaker::Assistant;
                self.remember(&message.id, HistoryLine { at, speaker, text });
            }
            _ => {}
        }
    }

    /// A live chat or a wait is lost, and an offer or a question is stale, after a restart.
    fn after_restart(&mut self, now: Millis, out: &mut Vec<Effect>) {
        match self.state {
            HandoffState::Connecting
            | HandoffState::Queued { .. }
            | HandoffState::Ringing { .. }
            | HandoffState::Connected { .. } => {
                self.assistant_says(vec![Part::text(RESTARTED)], now, out);
                let message = "the broker restarted".into();
                self.end(EndReason::Error { message }, out);
            }
            HandoffState::CollectingDetails
            | HandoffState::FollowUp { .. }
            | HandoffState::Offered { .. } => {
                self.enter(HandoffState::Assistant, Private::default(), out);
            }
            _ => {}
        }
    }
}
