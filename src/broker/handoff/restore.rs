//! Bringing a conversation back from its stored log after a broker restart. Live chats do not
//! survive a restart (the system's side is gone), so a conversation that was waiting or
//! connected is told so and ended; buttons from before the restart expire.

use super::{Conversation, Effect, HandoffSettings, Phase};
use crate::connectors::{HistoryLine, Speaker};
use crate::protocol::{
    Audience, ButtonState, ConversationEvent, ConversationId, EndReason, HandoffState, Millis,
    Part, Role, UserInfo,
};
use crate::text::to_plain;

/// Said to a user whose live chat or wait the restart cut off.
const RESTARTED: &str = "<p>The broker restarted, so your live agent chat was lost. Ask for an agent again if you still need one.</p>";

impl Conversation {
    /// Rebuilds a conversation from its log; returns it with the events that tell the user
    /// what the restart changed.
    pub fn restore(
        id: ConversationId,
        user: UserInfo,
        settings: HandoffSettings,
        log: &[(Audience, ConversationEvent)],
        now: Millis,
    ) -> (Self, Vec<Effect>) {
        let mut c = Self::new(id, user, settings);
        let mut latest: Vec<crate::protocol::ChatMessage> = Vec::new();
        for (audience, event) in log {
            match event {
                ConversationEvent::Message { message } => {
                    if let Some(n) = message
                        .id
                        .as_str()
                        .strip_prefix("m-")
                        .and_then(|n| n.parse::<u64>().ok())
                    {
                        c.next_message = c.next_message.max(n + 1);
                    }
                    let text = message
                        .parts
                        .iter()
                        .filter_map(|p| match p {
                            Part::RichText { rich_text } => Some(to_plain(rich_text)),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    match (message.role, audience) {
                        (Role::User, Audience::User) => c.history.push((
                            None,
                            HistoryLine {
                                at: message.at,
                                speaker: Speaker::User,
                                text,
                            },
                        )),
                        (Role::Assistant, _) if !text.is_empty() => {
                            let line = HistoryLine {
                                at: message.at,
                                speaker: Speaker::Assistant,
                                text,
                            };
                            match c
                                .history
                                .iter_mut()
                                .find(|(id, _)| id.as_ref() == Some(&message.id))
                            {
                                Some((_, existing)) => *existing = line,
                                None => c.history.push((Some(message.id.clone()), line)),
                            }
                        }
                        _ => {}
                    }
                    match latest.iter_mut().find(|m| m.id == message.id) {
                        Some(m) => *m = message.clone(),
                        None => latest.push(message.clone()),
                    }
                }
                ConversationEvent::State { state } => c.state = state.clone(),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for mut message in latest {
            let mut stale = false;
            for part in &mut message.parts {
                if let Part::Buttons { buttons } = part {
                    for b in buttons
                        .iter_mut()
                        .filter(|b| b.state == ButtonState::Active)
                    {
                        b.state = ButtonState::Expired;
                        stale = true;
                    }
                }
            }
            if stale {
                out.push(Effect::Emit(
                    Audience::User,
                    ConversationEvent::Message { message },
                ));
            }
        }
        match c.state {
            HandoffState::Connecting
            | HandoffState::Queued { .. }
            | HandoffState::Ringing { .. }
            | HandoffState::Connected { .. } => {
                c.assistant_says(vec![Part::text(RESTARTED)], now, &mut out);
                c.end(
                    EndReason::Error {
                        message: "the broker restarted".into(),
                    },
                    &mut out,
                );
            }
            HandoffState::CollectingDetails
            | HandoffState::FollowUp { .. }
            | HandoffState::Offered { .. } => {
                c.set_state(HandoffState::Assistant, &mut out);
            }
            _ => {}
        }
        c.phase = Phase::Assistant;
        (c, out)
    }
}
