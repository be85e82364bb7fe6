//! The assistant's side of the lifecycle: what the user types or presses before a live chat,
//! routing, the availability check and the offer.

use super::{
    Conversation, Effect, Phase, Refusal, Route, button_mut, offer_buttons, set_step_status,
};
use crate::broker::assistant::{self, say};
use crate::connectors::{Availability, ChatCommand, HistoryLine, Speaker};
use crate::protocol::{
    Audience, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage, HandoffState,
    HandoffStyle, MessageId, Millis, Part, Role, StepStatus,
};
use crate::text::paragraph;
use std::sync::Arc;

impl Conversation {
    pub(super) fn on_user_text(&mut self, text: String, now: Millis, out: &mut Vec<Effect>) {
        // "Stop chat" is a command to the bot, not a message for the agent.
        let audience = if self.is_connected() && !assistant::is_stop_chat(&text) {
            Audience::Both
        } else {
            Audience::User
        };
        let id = self.new_message_id();
        self.emit_message(
            ChatMessage {
                id,
                role: Role::User,
                agent: None,
                parts: vec![Part::text(paragraph(&text))],
                at: now,
                request: None,
            },
            audience,
            out,
        );
        if !self.is_connected() {
            self.history.push((
                None,
                HistoryLine {
                    at: now,
                    speaker: Speaker::User,
                    text: text.clone(),
                },
            ));
        }
        let assistant = Arc::clone(&self.settings.assistant);
        match self.phase.clone() {
            Phase::Connected { .. } => {
                if assistant::is_stop_chat(&text) {
                    self.user_leaves(now, out);
                } else {
                    out.push(Effect::Chat(ChatCommand::Text {
                        text,
                        client_message_id: format!("{}-{}", self.id, self.next_message - 1),
                    }));
                }
            }
            Phase::Waiting { since, .. } | Phase::Handed { since } => {
                if assistant::is_stop_chat(&text) {
                    self.user_leaves(now, out);
                } else if assistant::is_agent_request(&text) {
                    let waited = now.saturating_sub(since) / 1000;
                    let waited = format!("{}:{:02}", waited / 60, waited % 60);
                    self.assistant_says(vec![Part::text(say::already_waiting(&waited))], now, out);
                } else {
                    self.assistant_says(vec![Part::text(say::WHILE_WAITING)], now, out);
                }
            }
            Phase::Checking { .. } | Phase::Connecting { .. } => {
                self.assistant_says(vec![Part::text(say::STILL_ROUTING)], now, out);
            }
            Phase::CollectingDetails { previous } => {
                if assistant::has_details(&text, &assistant.routing) {
                    let details = match previous {
                        Some(prev) if assistant.routing.matching(&text).is_none() => {
                            format!("{prev} {text}")
                        }
                        _ => text,
                    };
                    self.route(details, false, now, out);
                } else {
                    self.assistant_says(vec![Part::text(say::ASK_DETAILS)], now, out);
                }
            }
            Phase::FollowUp {
                title,
                question: _,
                choices,
            } => {
                let follow_up = crate::broker::routing::FollowUp {
                    question: String::new(),
                    choices,
                };
                let expert = follow_up.interpret(&text);
                let mut route = self.route_for(&title);
                route.expert = Some(expert.clone());
                let message = self.new_assistant_message(
                    vec![Part::step(say::step_experts(&expert), StepStatus::Pending)],
                    now,
                );
                self.emit_message(message.clone(), Audience::User, out);
                self.phase = Phase::Checking {
                    route,
                    message,
                    self_service: false,
                };
                out.push(Effect::CheckAvailability);
            }
            Phase::Assistant | Phase::Offered { .. } | Phase::Done => {
                if assistant::is_stop_chat(&text) {
                    self.assistant_says(vec![Part::text(say::NO_CHAT_TO_STOP)], now, out);
                } else if assistant::is_agent_request(&text) {
                    if assistant::has_details(&text, &assistant.routing) {
                        self.route(text, false, now, out);
                    } else {
                        self.expire_buttons(out);
                        self.assistant_says(vec![Part::text(say::ASK_DETAILS)], now, out);
                        self.phase = Phase::CollectingDetails { previous: None };
                        self.set_state(HandoffState::CollectingDetails, out);
                    }
                } else if assistant.routing.matching(&text).is_some() {
                    self.route(text, true, now, out);
                } else {
                    self.assistant_says(vec![Part::text(say::FALLBACK)], now, out);
                }
            }
        }
    }

    pub(super) fn on_press(
        &mut self,
        message: &MessageId,
        action: ButtonAction,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        let in_offer = self.offer.as_ref().is_some_and(|m| &m.id == message);
        let in_help = self.help.as_ref().is_some_and(|m| &m.id == message);
        let holder = if in_offer {
            self.offer.as_mut()
        } else if in_help {
            self.help.as_mut()
        } else {
            None
        };
        let Some(holder) = holder else {
            return Err(Refusal(format!(
                "message {message} has no buttons that can be pressed now (the conversation is {})",
                self.state.name()
            )));
        };
        let button = button_mut(holder, &action).ok_or_else(|| {
            Refusal(format!(
                "message {message} has no button with action {action:?}"
            ))
        })?;
        match button.state {
            ButtonState::Active => {}
            ButtonState::Pressed => {
                return Err(Refusal(format!(
                    "\"{}\" was already pressed",
                    button.button_text
                )));
            }
            ButtonState::Expired => {
                return Err(Refusal(format!("\"{}\" has expired", button.button_text)));
            }
            ButtonState::Disabled => {
                return Err(Refusal(format!("\"{}\" is disabled", button.button_text)));
            }
        }
        button.state = ButtonState::Pressed;
        let label = button.button_text.clone();
        let updated = holder.clone();
        self.emit_message(updated, Audience::User, out);
        let id = self.new_message_id();
        self.emit_message(
            ChatMessage {
                id,
                role: Role::User,
                agent: None,
                parts: vec![Part::text(format!(
                    "<p><em>Pressed \"{}\"</em></p>",
                    crate::text::escape(&label)
                ))],
                at: now,
                request: None,
            },
            Audience::User,
            out,
        );
        match action {
            ButtonAction::StartAgentChat => {
                let Phase::Offered { route } = self.phase.clone() else {
                    return Ok(());
                };
                self.expire_buttons(out);
                let step = match self.settings.style {
                    HandoffStyle::Brokered => say::STEP_CONNECTING,
                    _ => say::STEP_LINKING,
                };
                let progress =
                    self.new_assistant_message(vec![Part::step(step, StepStatus::Pending)], now);
                self.emit_message(progress.clone(), Audience::User, out);
                self.progress = Some(progress);
                out.push(Effect::StartHandoff(Box::new(self.request(&route))));
                self.phase = Phase::Connecting { route };
                self.set_state(HandoffState::Connecting, out);
            }
            ButtonAction::EditDetails => {
                let previous = match &self.phase {
                    Phase::Offered { route } => Some(route.title.clone()),
                    _ => None,
                };
                self.expire_buttons(out);
                self.assistant_says(vec![Part::text(say::EDIT_DETAILS)], now, out);
                self.phase = Phase::CollectingDetails { previous };
                self.set_state(HandoffState::CollectingDetails, out);
            }
            ButtonAction::OtherHelp => {
                let links = &self.settings.assistant.self_service;
                let buttons = [
                    ("Search the knowledge base", &links.knowledge_url),
                    ("File a ticket", &links.ticket_url),
                    ("Open the live-chat portal", &links.portal_url),
                ]
                .into_iter()
                .map(|(text, url)| Button {
                    button_text: text.into(),
                    style: ButtonStyle::Outlined,
                    action: ButtonAction::Open(url.clone()),
                    state: ButtonState::Active,
                })
                .collect();
                let help = self.new_assistant_message(
                    vec![Part::text(say::OTHER_HELP), Part::Buttons { buttons }],
                    now,
                );
                self.emit_message(help.clone(), Audience::User, out);
                self.help = Some(help);
            }
            ButtonAction::Choice(choice) => self.on_user_text(choice, now, out),
            ButtonAction::Open(_) => {}
        }
        Ok(())
    }

    /// Routes `details`: asks the follow-up question, or checks availability before offering.
    pub(super) fn route(
        &mut self,
        details: String,
        self_service: bool,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        self.expire_buttons(out);
        let assistant = Arc::clone(&self.settings.assistant);
        let rule = assistant.routing.route(&details);
        if let (true, false, Some(follow_up)) =
            (assistant.follow_ups, self_service, rule.follow_up.as_ref())
        {
            self.assistant_says(
                vec![
                    Part::step(say::STEP_ROUTING, StepStatus::Success),
                    Part::text(say::summary_with_question(&rule.topic, &follow_up.question)),
                ],
                now,
                out,
            );
            self.phase = Phase::FollowUp {
                title: details,
                question: follow_up.question.clone(),
                choices: follow_up.choices.clone(),
            };
            self.set_state(
                HandoffState::FollowUp {
                    question: follow_up.question.clone(),
                },
                out,
            );
            return;
        }
        let route = self.route_for(&details);
        let message = self.new_assistant_message(
            vec![Part::step(say::STEP_ROUTING, StepStatus::Pending)],
            now,
        );
        self.emit_message(message.clone(), Audience::User, out);
        self.phase = Phase::Checking {
            route,
            message,
            self_service,
        };
        out.push(Effect::CheckAvailability);
    }

    pub(super) fn route_for(&self, title: &str) -> Route {
        let assistant = &self.settings.assistant;
        let rule = assistant.routing.route(title);
        let mut context = assistant.context.clone();
        context.extend(rule.context.clone());
        Route {
            title: title.to_owned(),
            topic: rule.topic.clone(),
            expert: None,
            domain: rule.domain.clone(),
            queue: rule.queue.clone(),
            queue_id: rule.queue_id.clone(),
            context,
        }
    }

    pub(super) fn on_availability(
        &mut self,
        availability: Availability,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let Phase::Checking {
            route,
            mut message,
            self_service,
        } = self.phase.clone()
        else {
            return;
        };
        let available = availability.allows_handoff();
        let summary = match (&route.expert, self_service) {
            (Some(expert), _) => say::summary_expert(expert),
            (None, true) => say::summary_self_service(&route.topic),
            (None, false) => say::summary(&route.topic),
        };
        set_step_status(&mut message, StepStatus::Success);
        message.parts.push(Part::text(summary));
        if !available {
            message.parts.push(Part::text(say::NO_AGENTS));
        }
        message.parts.push(Part::Buttons {
            buttons: offer_buttons(available),
        });
        message.at = now;
        self.emit_message(message.clone(), Audience::User, out);
        self.offer = Some(message);
        let topic = route.expert.clone().unwrap_or_else(|| route.topic.clone());
        self.phase = Phase::Offered { route };
        self.set_state(HandoffState::Offered { topic, available }, out);
    }
}
