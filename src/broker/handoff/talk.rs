//! The assistant's side of the lifecycle: what the user types or presses before a live chat,
//! routing, the availability check and the offer.

use super::messages::{button_mut, offer_buttons, set_step_status};
use super::{Checking, Conversation, Effect, Lead, Private, Refusal, Route};
use crate::broker::assistant::{self, say};
use crate::broker::hours::ButtonMode;
use crate::broker::routing::FollowUp;
use crate::connectors::{Availability, ChatCommand, HistoryLine, Speaker};
use crate::protocol::{
    Audience, Button, ButtonAction, ButtonState, ButtonStyle, HandoffState, HandoffStyle,
    MessageId, Millis, Part, StepStatus,
};
use crate::text::paragraph;

impl Conversation {
    pub(super) fn on_user_text(&mut self, text: String, now: Millis, out: &mut Vec<Effect>) {
        let stop = assistant::is_stop_chat(&text);
        let connected = self.is_connected();
        // "Stop chat" is a command to the bot, not a message for the agent.
        let audience = if connected && !stop {
            Audience::Both
        } else {
            Audience::User
        };
        self.user_says(Part::text(paragraph(&text)), audience, now, out);
        if connected {
            if stop {
                self.user_leaves(now, out);
            } else {
                let client_message_id = self.client_message_id();
                out.push(Effect::Chat(ChatCommand::Text {
                    text,
                    client_message_id,
                }));
            }
            return;
        }
        self.history.push((
            None,
            HistoryLine {
                at: now,
                speaker: Speaker::User,
                text: text.clone(),
            },
        ));
        if let Some(since) = self.waiting_since() {
            self.while_waiting(&text, since, now, out);
        } else if self.private.checking.is_some() || self.state == HandoffState::Connecting {
            self.assistant_says(vec![Part::text(say::STILL_ROUTING)], now, out);
        } else if let (HandoffState::FollowUp { .. }, Some(route)) =
            (&self.state, self.private.route.clone())
        {
            self.on_follow_up_answer(&text, route, now, out);
        } else if self.state == HandoffState::CollectingDetails {
            self.on_details(text, now, out);
        } else {
            self.on_assistant_text(text, now, out);
        }
    }

    /// The details the assistant asked for; after "Edit / Add details" they add to the
    /// request's title unless they name a topic of their own.
    fn on_details(&mut self, text: String, now: Millis, out: &mut Vec<Effect>) {
        let routing = &self.settings.assistant.routing;
        if !assistant::has_details(&text, routing) {
            self.assistant_says(vec![Part::text(say::ASK_DETAILS)], now, out);
            return;
        }
        let details = match &self.private.route {
            Some(previous) if routing.matching(&text).is_none() => {
                format!("{} {text}", previous.title)
            }
            _ => text,
        };
        self.route(details, false, now, out);
    }

    /// The answer to the routing follow-up question names the expertise wanted.
    fn on_follow_up_answer(
        &mut self,
        text: &str,
        mut route: Route,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let follow_up = route.follow_up.clone().unwrap_or(FollowUp {
            question: String::new(),
            choices: Vec::new(),
        });
        let expert = follow_up.interpret(text);
        let step = Part::step(say::step_experts(&expert), StepStatus::Pending);
        route.expert = Some(expert);
        let message = self.new_assistant_message(vec![step], now);
        self.emit_message(message.clone(), Audience::User, out);
        self.check_availability(route, Checking::new(message, Lead::Agent), now, out);
    }

    /// Text to the assistant outside any handoff.
    fn on_assistant_text(&mut self, text: String, now: Millis, out: &mut Vec<Effect>) {
        let routing = &self.settings.assistant.routing;
        if assistant::is_stop_chat(&text) {
            self.assistant_says(vec![Part::text(say::NO_CHAT_TO_STOP)], now, out);
        } else if assistant::is_agent_request(&text) {
            if assistant::has_details(&text, routing) {
                self.route(text, false, now, out);
            } else {
                self.expire_buttons(out);
                self.assistant_says(vec![Part::text(say::ASK_DETAILS)], now, out);
                self.enter(HandoffState::CollectingDetails, Private::default(), out);
            }
        } else if routing.matching(&text).is_some() {
            self.route(text, true, now, out);
        } else {
            self.assistant_says(vec![Part::text(say::FALLBACK)], now, out);
        }
    }

    pub(super) fn on_press(
        &mut self,
        message: &MessageId,
        action: ButtonAction,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        if action == ButtonAction::EditDetails && self.state == HandoffState::Connecting {
            return Err(Refusal(
                "\"Edit / Add details\" waits until the request is in the queue".into(),
            ));
        }
        let label = self.press_button(message, &action, out)?;
        let pressed = format!(
            "<p><em>Pressed \"{}\"</em></p>",
            crate::text::escape(&label)
        );
        self.user_says(Part::text(pressed), Audience::User, now, out);
        match action {
            ButtonAction::StartAgentChat => self.start_agent_chat(now, out),
            ButtonAction::EditDetails if self.waiting_since().is_some() => {
                self.edit_while_waiting(now, out);
            }
            ButtonAction::EditDetails => {
                let offered = matches!(self.state, HandoffState::Offered { .. })
                    && self.private.checking.is_none();
                let route = self.private.route.take().filter(|_| offered);
                self.expire_buttons(out);
                self.assistant_says(vec![Part::text(say::EDIT_DETAILS)], now, out);
                let private = Private {
                    route,
                    ..Private::default()
                };
                self.enter(HandoffState::CollectingDetails, private, out);
            }
            ButtonAction::OtherHelp => self.offer_other_help(now, out),
            ButtonAction::Choice(choice) => self.on_user_text(choice, now, out),
            ButtonAction::Open(_) => {}
        }
        Ok(())
    }

    /// Marks the button of `action` in `message` pressed and shows it so; returns its label, or
    /// why it cannot be pressed.
    fn press_button(
        &mut self,
        message: &MessageId,
        action: &ButtonAction,
        out: &mut Vec<Effect>,
    ) -> Result<String, Refusal> {
        let state = self.state.name();
        let holder = [self.offer.as_mut(), self.help.as_mut()]
            .into_iter()
            .flatten()
            .find(|m| &m.id == message)
            .ok_or_else(|| {
                Refusal(format!(
                    "message {message} has no buttons that can be pressed now (the conversation is {state})"
                ))
            })?;
        let button = button_mut(holder, action).ok_or_else(|| {
            Refusal(format!(
                "message {message} has no button with action {action:?}"
            ))
        })?;
        let why = match button.state {
            ButtonState::Active => None,
            ButtonState::Pressed => Some("was already pressed"),
            ButtonState::Expired => Some("has expired"),
            ButtonState::Disabled => Some("is disabled"),
        };
        if let Some(why) = why {
            return Err(Refusal(format!("\"{}\" {why}", button.button_text)));
        }
        button.state = ButtonState::Pressed;
        let label = button.button_text.clone();
        let updated = holder.clone();
        self.emit_message(updated, Audience::User, out);
        Ok(label)
    }

    /// "Start agent chat": places the offered request with the system.
    fn start_agent_chat(&mut self, now: Millis, out: &mut Vec<Effect>) {
        let (HandoffState::Offered { .. }, None, Some(route)) = (
            &self.state,
            &self.private.checking,
            self.private.route.clone(),
        ) else {
            return;
        };
        // A brokered user waits in the chat: the offer's other options stay open meanwhile.
        if self.settings.style != HandoffStyle::Brokered {
            self.expire_buttons(out);
        }
        let step = match self.settings.style {
            HandoffStyle::Brokered => say::STEP_CONNECTING,
            _ => say::STEP_LINKING,
        };
        let progress = self.new_assistant_message(vec![Part::step(step, StepStatus::Pending)], now);
        self.emit_message(progress.clone(), Audience::User, out);
        self.progress = Some(progress);
        out.push(Effect::StartHandoff(Box::new(self.request(&route))));
        let private = Private {
            route: Some(route),
            ..Private::default()
        };
        self.enter(HandoffState::Connecting, private, out);
    }

    /// "Other help options": the self-service links.
    pub(super) fn offer_other_help(&mut self, now: Millis, out: &mut Vec<Effect>) {
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

    /// Routes `details`: asks the follow-up question, or checks availability before offering.
    pub(super) fn route(
        &mut self,
        details: String,
        self_service: bool,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        self.expire_buttons(out);
        let route = self.route_for(details);
        let ask = self.settings.assistant.follow_ups && !self_service;
        if let (true, Some(follow_up)) = (ask, route.follow_up.clone()) {
            let summary = say::summary_with_question(&route.topic, &follow_up.question);
            self.assistant_says(
                vec![
                    Part::step(say::STEP_ROUTING, StepStatus::Success),
                    Part::text(summary),
                ],
                now,
                out,
            );
            let state = HandoffState::FollowUp {
                question: follow_up.question,
            };
            let private = Private {
                route: Some(route),
                ..Private::default()
            };
            self.enter(state, private, out);
            return;
        }
        let step = Part::step(say::STEP_ROUTING, StepStatus::Pending);
        let message = self.new_assistant_message(vec![step], now);
        self.emit_message(message.clone(), Audience::User, out);
        let lead = if self_service {
            Lead::SelfService
        } else {
            Lead::Agent
        };
        self.check_availability(route, Checking::new(message, lead), now, out);
    }

    /// Decides whether "Start agent chat" is shown, by the configured [`ButtonMode`]: asks the
    /// connector whether agents are available (the state clients see stays meanwhile), or
    /// offers at once by the schedule or always.
    pub(super) fn check_availability(
        &mut self,
        route: Route,
        checking: Checking,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        self.private = Private {
            route: Some(route),
            checking: Some(checking),
            ..Private::default()
        };
        let closed = match &self.settings.assistant.start_button {
            ButtonMode::System => return out.push(Effect::CheckAvailability),
            ButtonMode::Always => None,
            ButtonMode::Schedule(schedule) => {
                let at = i64::try_from(now)
                    .ok()
                    .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
                (!schedule.is_open(at)).then(|| say::closed(&schedule.why_closed(at)))
            }
        };
        self.offer_now(closed, now, out);
    }

    /// The request `title` routes to, by the assistant's rules.
    fn route_for(&self, title: String) -> Route {
        let assistant = &self.settings.assistant;
        let rule = assistant.routing.route(&title);
        let mut context = assistant.context.clone();
        context.extend(rule.context.clone());
        Route {
            title,
            topic: rule.topic.clone(),
            follow_up: rule.follow_up.clone(),
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
        let closed = (!availability.allows_handoff()).then(|| say::NO_AGENTS.to_owned());
        self.offer_now(closed, now, out);
    }

    /// Offers the request being checked: "Start agent chat" unless `closed` says why not (then
    /// the button is hidden, and the other options stay).
    fn offer_now(&mut self, closed: Option<String>, now: Millis, out: &mut Vec<Effect>) {
        let (Some(checking), Some(route)) =
            (self.private.checking.take(), self.private.route.clone())
        else {
            return;
        };
        let available = closed.is_none();
        let summary = match (&route.expert, checking.lead) {
            (_, Lead::Again) => Some(say::OPTIONS_AGAIN.to_owned()),
            (Some(expert), _) => Some(say::summary_expert(expert)),
            (None, Lead::SelfService) => Some(say::summary_self_service(&route.topic)),
            (None, Lead::Agent) => Some(say::summary(&route.topic)),
        };
        let mut message = checking.message;
        set_step_status(&mut message, StepStatus::Success);
        message.parts.extend(summary.map(Part::text));
        message.parts.extend(closed.map(Part::text));
        message.parts.push(Part::Buttons {
            buttons: offer_buttons(available),
        });
        message.at = now;
        self.emit_message(message.clone(), Audience::User, out);
        self.offer = Some(message);
        self.offer_route(route, available, out);
    }

    /// Shows `route` on offer, with Start agent chat enabled when `available`.
    pub(super) fn offer_route(&mut self, route: Route, available: bool, out: &mut Vec<Effect>) {
        let topic = route.shown_topic();
        let private = Private {
            route: Some(route),
            ..Private::default()
        };
        self.enter(HandoffState::Offered { topic, available }, private, out);
    }
}
