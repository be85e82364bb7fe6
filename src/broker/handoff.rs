//! The handoff lifecycle of one conversation, as a pure state machine: [`Input`]s in,
//! [`Effect`]s out, no IO. The hub feeds it and carries the effects out.
//!
//! ```text
//!                 user text                      details               availability
//!  ┌──────────┐ (asks for agent,  ┌────────────┐ ───────▶ (follow-up?) ──────────▶ ┌─────────┐
//!  │ Assistant│  no details) ───▶ │ Collecting │          ┌──────────┐             │ Offered │
//!  │          │ ─────────────────────────────────────────▶│ FollowUp │───answer───▶│ buttons │
//!  └──────────┘  (with details, or a topic)               └──────────┘             └────┬────┘
//!       ▲  ▲                                     Edit / Add details ◀──────────────────┤
//!       │  │                                                         Start agent chat  │
//!       │  │                                                                           ▼
//!       │  │   Redirected / Posted  ◀── url, api, channel ─────────────────────  ┌────────────┐
//!       │  │   (URL and API styles, channel)                                     │ Connecting │
//!       │  │                                                                     └─────┬──────┘
//!       │  │                                                          brokered: queued │
//!       │  │          timeout (system or 2:00 fallback), no agent, Stop chat     ┌────▼─────┐
//!       │  └──────────────────── Ended ◀──────────────────────────────────────── │ Queued / │
//!       │                          ▲                                             │ Ringing  │
//!       │                          │  agent ends, Stop chat, error               └────┬─────┘
//!       └── any user text ─────────┘◀───────────────── ┌───────────┐ ◀── agent joins ─┘
//!                                                      │ Connected │ (greeting on behalf)
//!                                                      └───────────┘
//! ```
//!
//! While queued the user can keep talking to the assistant; while connected every user message
//! goes to the agent, except the "Stop chat" keyword.

use super::assistant::{self, AssistantConfig, say};
use crate::connectors::{Availability, ChatCommand, ChatEvent, HandoffRequest, HistoryLine, Speaker};
use crate::protocol::{
    AgentInfo, Audience, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage,
    ConversationEvent, ConversationId, EndReason, HandoffState, HandoffStyle, MessageId, Millis,
    Part, Role, StepStatus, UserInfo,
};
use crate::rich_text::{paragraph, to_plain};
use std::sync::Arc;

/// Settings of the lifecycle that do not change during a conversation.
#[derive(Debug, Clone)]
pub struct HandoffSettings {
    /// The assistant's rules and texts.
    pub assistant: Arc<AssistantConfig>,
    /// The system's handoff style.
    pub style: HandoffStyle,
    /// The broker's own queue timeout (the system may have a shorter one).
    pub queue_timeout_ms: u64,
}

/// Something that happened to the conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The user typed a message.
    UserText(String),
    /// The user pressed a button.
    Press {
        /// The message holding it.
        message: MessageId,
        /// Its action.
        action: ButtonAction,
    },
    /// The user asked to end the live chat (the `end` request).
    UserEnd,
    /// The user started or stopped typing.
    UserTyping(bool),
    /// The answer to [`Effect::CheckAvailability`].
    Availability(Availability),
    /// The answer to [`Effect::StartHandoff`].
    Started(Result<StartOutcome, String>),
    /// The live chat reported something.
    Chat(ChatEvent),
    /// A timeout scheduled with [`Effect::ScheduleTimeout`] fired.
    Timeout {
        /// Which scheduling it was; stale ones are ignored.
        generation: u64,
    },
}

/// What starting a handoff produced (the live chat's channels stay with the hub).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    /// A live chat is open.
    Chat,
    /// Send the user to a URL, possibly through a named bot.
    Redirect {
        /// The URL.
        url: String,
        /// The bot's name.
        via: Option<String>,
    },
    /// Posted to a channel.
    Posted {
        /// The channel.
        channel: String,
    },
}

/// What the hub must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append an event to the conversation's log and send it to its audience.
    Emit(Audience, ConversationEvent),
    /// Ask the connector whether agents are available; answer with [`Input::Availability`].
    CheckAvailability,
    /// Start the handoff; answer with [`Input::Started`].
    StartHandoff(Box<HandoffRequest>),
    /// Send a command to the live chat.
    Chat(ChatCommand),
    /// Forget the live chat (after it ended).
    CloseChat,
    /// Deliver [`Input::Timeout`] with this generation at this time.
    ScheduleTimeout {
        /// When.
        at: Millis,
        /// Which.
        generation: u64,
    },
}

/// An action the conversation's state does not allow; sent back as an `invalid_state` error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// Where the request stands after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    /// The user's main utterance: the request's title.
    title: String,
    topic: String,
    /// The answer to a follow-up question, e.g. "Azure SQL Database".
    expert: Option<String>,
    domain: String,
    queue: String,
    queue_id: Option<String>,
    context: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Assistant,
    CollectingDetails { previous: Option<String> },
    FollowUp { title: String, question: String, choices: Vec<String> },
    Checking { route: Route, message: ChatMessage, self_service: bool },
    Offered { route: Route },
    Connecting { route: Route },
    Waiting { since: Millis, deadline: Millis, ringing: Option<String>, position: Option<u32>, eta_secs: Option<u64> },
    Connected { agents: Vec<String>, since: Millis },
    Done,
}

/// One conversation's lifecycle.
#[derive(Debug)]
pub struct Conversation {
    id: ConversationId,
    user: UserInfo,
    settings: HandoffSettings,
    phase: Phase,
    state: HandoffState,
    next_message: u64,
    history: Vec<HistoryLine>,
    /// The message whose buttons can be pressed now.
    offer: Option<ChatMessage>,
    /// The "Other help options" message (its link buttons can be pressed).
    help: Option<ChatMessage>,
    /// The message whose reasoning step tracks the handoff.
    progress: Option<ChatMessage>,
    timeout_generation: u64,
}

impl Conversation {
    /// A new conversation, talking to the assistant. Emit [`Conversation::opening`] first.
    pub fn new(id: ConversationId, user: UserInfo, settings: HandoffSettings) -> Self {
        Self {
            id,
            user,
            settings,
            phase: Phase::Assistant,
            state: HandoffState::Assistant,
            next_message: 1,
            history: Vec::new(),
            offer: None,
            help: None,
            progress: None,
            timeout_generation: 0,
        }
    }

    /// The events that open the conversation's log.
    pub fn opening(&self) -> Vec<Effect> {
        vec![
            Effect::Emit(Audience::Both, ConversationEvent::Opened { user: self.user.clone() }),
            Effect::Emit(Audience::User, ConversationEvent::State { state: self.state.clone() }),
        ]
    }

    /// The state clients see.
    pub fn state(&self) -> &HandoffState {
        &self.state
    }

    /// Whether a live chat with an agent is open.
    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Connected { .. })
    }

    /// Feeds one input; returns what to do, or why the input is not allowed now.
    pub fn handle(&mut self, input: Input, now: Millis) -> Result<Vec<Effect>, Refusal> {
        let mut out = Vec::new();
        match input {
            Input::UserText(text) => self.on_user_text(text, now, &mut out),
            Input::Press { message, action } => self.on_press(&message, action, now, &mut out)?,
            Input::UserEnd => {
                if !matches!(self.phase, Phase::Waiting { .. } | Phase::Connected { .. }) {
                    return Err(Refusal(format!(
                        "there is no live chat to end (the conversation is {})",
                        self.state.name()
                    )));
                }
                self.user_leaves(now, &mut out);
            }
            Input::UserTyping(on) => {
                if self.is_connected() {
                    out.push(Effect::Chat(ChatCommand::Typing(on)));
                    out.push(Effect::Emit(
                        Audience::Both,
                        ConversationEvent::Typing { who: "user".into(), on },
                    ));
                }
            }
            Input::Availability(availability) => self.on_availability(availability, now, &mut out),
            Input::Started(result) => self.on_started(result, now, &mut out),
            Input::Chat(event) => self.on_chat(event, now, &mut out),
            Input::Timeout { generation } => {
                if generation == self.timeout_generation
                    && matches!(self.phase, Phase::Waiting { .. })
                {
                    out.push(Effect::Chat(ChatCommand::End));
                    out.push(Effect::CloseChat);
                    let minutes = self.settings.queue_timeout_ms / 60_000;
                    let seconds = self.settings.queue_timeout_ms / 1000 % 60;
                    self.fail_progress(now, &mut out);
                    self.assistant_says(
                        vec![Part::text(say::not_taken(&format!(
                            "within {minutes}:{seconds:02}, so I've taken you out of the queue"
                        )))],
                        now,
                        &mut out,
                    );
                    self.end(EndReason::Timeout, &mut out);
                }
            }
        }
        Ok(out)
    }

    fn on_user_text(&mut self, text: String, now: Millis, out: &mut Vec<Effect>) {
        let audience = if self.is_connected() { Audience::Both } else { Audience::User };
        let id = self.new_message_id();
        self.emit_message(
            ChatMessage {
                id,
                role: Role::User,
                agent: None,
                parts: vec![Part::text(paragraph(&text))],
                at: now,
            },
            audience,
            out,
        );
        if !self.is_connected() {
            self.history.push(HistoryLine { at: now, speaker: Speaker::User, text: text.clone() });
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
            Phase::Waiting { since, .. } => {
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
            Phase::FollowUp { title, question: _, choices } => {
                let follow_up = crate::broker::routing::FollowUp { question: String::new(), choices };
                let expert = follow_up.interpret(&text);
                let mut route = self.route_for(&title);
                route.expert = Some(expert.clone());
                let message = self.new_assistant_message(
                    vec![Part::step(say::step_experts(&expert), StepStatus::Pending)],
                    now,
                );
                self.emit_message(message.clone(), Audience::User, out);
                self.phase = Phase::Checking { route, message, self_service: false };
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

    fn on_press(
        &mut self,
        message: &MessageId,
        action: ButtonAction,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        let in_offer = self.offer.as_ref().is_some_and(|m| &m.id == message);
        let in_help = self.help.as_ref().is_some_and(|m| &m.id == message);
        let holder = if in_offer { self.offer.as_mut() } else if in_help { self.help.as_mut() } else { None };
        let Some(holder) = holder else {
            return Err(Refusal(format!(
                "message {message} has no buttons that can be pressed now (the conversation is {})",
                self.state.name()
            )));
        };
        let button = button_mut(holder, &action).ok_or_else(|| {
            Refusal(format!("message {message} has no button with action {action:?}"))
        })?;
        match button.state {
            ButtonState::Active => {}
            ButtonState::Pressed => {
                return Err(Refusal(format!("\"{}\" was already pressed", button.button_text)));
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
                parts: vec![Part::text(format!("<p><em>Pressed \"{}\"</em></p>", crate::rich_text::escape(&label)))],
                at: now,
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
                let progress = self.new_assistant_message(vec![Part::step(step, StepStatus::Pending)], now);
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
    fn route(&mut self, details: String, self_service: bool, now: Millis, out: &mut Vec<Effect>) {
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
            self.set_state(HandoffState::FollowUp { question: follow_up.question.clone() }, out);
            return;
        }
        let route = self.route_for(&details);
        let message =
            self.new_assistant_message(vec![Part::step(say::STEP_ROUTING, StepStatus::Pending)], now);
        self.emit_message(message.clone(), Audience::User, out);
        self.phase = Phase::Checking { route, message, self_service };
        out.push(Effect::CheckAvailability);
    }

    fn route_for(&self, title: &str) -> Route {
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

    fn on_availability(&mut self, availability: Availability, now: Millis, out: &mut Vec<Effect>) {
        let Phase::Checking { route, mut message, self_service } = self.phase.clone() else {
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
        message.parts.push(Part::Buttons { buttons: offer_buttons(available) });
        message.at = now;
        self.emit_message(message.clone(), Audience::User, out);
        self.offer = Some(message);
        let topic = route.expert.clone().unwrap_or_else(|| route.topic.clone());
        self.phase = Phase::Offered { route };
        self.set_state(HandoffState::Offered { topic, available }, out);
    }

    fn on_started(&mut self, result: Result<StartOutcome, String>, now: Millis, out: &mut Vec<Effect>) {
        let Phase::Connecting { route } = self.phase.clone() else {
            // The user left before the system answered: leave the chat that was opened.
            if matches!(result, Ok(StartOutcome::Chat)) {
                out.push(Effect::Chat(ChatCommand::End));
                out.push(Effect::CloseChat);
            }
            return;
        };
        match result {
            Ok(StartOutcome::Chat) => {
                let deadline = now + self.settings.queue_timeout_ms;
                self.timeout_generation += 1;
                out.push(Effect::ScheduleTimeout { at: deadline, generation: self.timeout_generation });
                self.phase = Phase::Waiting { since: now, deadline, ringing: None, position: None, eta_secs: None };
                self.set_state(HandoffState::Queued { since: now, deadline, position: None, eta_secs: None }, out);
            }
            Ok(StartOutcome::Redirect { url, via }) => {
                let step = match &via {
                    Some(bot) => say::step_redirect_bot(bot),
                    None => say::step_redirect_url(&url),
                };
                self.finish_progress(step, StepStatus::Success, now, out);
                self.phase = Phase::Done;
                self.set_state(HandoffState::Redirected { url }, out);
            }
            Ok(StartOutcome::Posted { channel }) => {
                self.finish_progress(say::step_posted(&channel), StepStatus::Success, now, out);
                self.assistant_says(vec![Part::text(say::posted(&channel))], now, out);
                self.phase = Phase::Done;
                self.set_state(HandoffState::Posted { channel }, out);
            }
            Err(error) => {
                self.fail_progress(now, out);
                self.assistant_says(vec![Part::text(say::system_failed(&error))], now, out);
                self.set_state(HandoffState::Ended { reason: EndReason::Error { message: error } }, out);
                // Keep the request: offer the buttons again so the user can retry.
                let mut message = self.new_assistant_message(vec![], now);
                message.parts.push(Part::Buttons { buttons: offer_buttons(true) });
                self.emit_message(message.clone(), Audience::User, out);
                self.offer = Some(message);
                let topic = route.expert.clone().unwrap_or_else(|| route.topic.clone());
                self.phase = Phase::Offered { route };
                self.set_state(HandoffState::Offered { topic, available: true }, out);
            }
        }
    }

    fn on_chat(&mut self, event: ChatEvent, now: Millis, out: &mut Vec<Effect>) {
        match event {
            ChatEvent::Queued { position, eta_secs } => {
                if let Phase::Waiting { since, deadline, ringing: None, .. } = self.phase {
                    self.phase = Phase::Waiting { since, deadline, ringing: None, position, eta_secs };
                    self.set_state(HandoffState::Queued { since, deadline, position, eta_secs }, out);
                }
            }
            ChatEvent::Ringing { agent } => {
                if let Phase::Waiting { since, deadline, position, eta_secs, .. } = self.phase {
                    self.phase = Phase::Waiting { since, deadline, ringing: Some(agent.clone()), position, eta_secs };
                    self.set_state(HandoffState::Ringing { agent, since, deadline }, out);
                }
            }
            ChatEvent::AgentJoined { agent } => match &mut self.phase {
                Phase::Waiting { .. } => {
                    self.timeout_generation += 1;
                    if let Some(progress) = self.progress.as_mut() {
                        set_step_status(progress, StepStatus::Success);
                        progress.parts.push(Part::text(say::CHAT_STARTED));
                        let progress = progress.clone();
                        self.emit_message(progress, Audience::User, out);
                    }
                    self.phase = Phase::Connected { agents: vec![agent.name.clone()], since: now };
                    self.set_state(HandoffState::Connected { agent: agent.name, since: now }, out);
                }
                Phase::Connected { agents, since } => {
                    if !agents.contains(&agent.name) {
                        agents.push(agent.name.clone());
                    }
                    let since = *since;
                    self.system_says(&format!("{} joined the chat", agent.name), now, out);
                    self.set_state(HandoffState::Connected { agent: agent.name, since }, out);
                }
                _ => {}
            },
            ChatEvent::AgentMessage { agent, text } => {
                if self.is_connected() {
                    self.agent_says(agent, &text, now, out);
                }
            }
            ChatEvent::SystemMessage { text } => {
                if matches!(self.phase, Phase::Waiting { .. } | Phase::Connected { .. }) {
                    self.system_says(&text, now, out);
                }
            }
            ChatEvent::Typing { agent, on } => {
                if self.is_connected() {
                    out.push(Effect::Emit(Audience::Both, ConversationEvent::Typing { who: agent, on }));
                }
            }
            ChatEvent::Transferred { to } => {
                if self.is_connected() {
                    let to = to.unwrap_or_else(|| "another agent".into());
                    self.system_says(&format!("Transferring you to {to}..."), now, out);
                }
            }
            ChatEvent::AgentLeft { agent } => {
                if let Phase::Connected { agents, since } = &mut self.phase {
                    agents.retain(|a| a != &agent);
                    let (remaining, since) = (agents.last().cloned(), *since);
                    self.system_says(&format!("{agent} left the chat"), now, out);
                    if let Some(remaining) = remaining {
                        self.set_state(HandoffState::Connected { agent: remaining, since }, out);
                    }
                }
            }
            ChatEvent::Ended { reason } => match self.phase.clone() {
                Phase::Connected { .. } => {
                    out.push(Effect::CloseChat);
                    let text = match &reason {
                        EndReason::Agent { agent } => format!("{agent} ended the chat."),
                        EndReason::User => "You ended the chat.".to_owned(),
                        other => format!("The live agent chat ended ({other})."),
                    };
                    self.assistant_says(vec![Part::text(say::chat_ended(&text))], now, out);
                    self.end(reason, out);
                }
                Phase::Waiting { .. } => {
                    out.push(Effect::CloseChat);
                    self.fail_progress(now, out);
                    let why = match &reason {
                        EndReason::Timeout => "in time".to_owned(),
                        EndReason::NoAgent { reason: Some(r) } => format!("right now ({r})"),
                        EndReason::Error { message } => format!("because of an error ({message})"),
                        _ => "right now".to_owned(),
                    };
                    self.assistant_says(vec![Part::text(say::not_taken(&why))], now, out);
                    self.end(reason, out);
                }
                _ => {}
            },
        }
    }

    fn user_leaves(&mut self, now: Millis, out: &mut Vec<Effect>) {
        out.push(Effect::Chat(ChatCommand::End));
        out.push(Effect::CloseChat);
        match self.phase {
            Phase::Connected { .. } => {
                self.assistant_says(vec![Part::text(say::chat_ended("You ended the chat."))], now, out);
            }
            _ => {
                self.fail_progress(now, out);
                self.assistant_says(vec![Part::text(say::LEFT_QUEUE)], now, out);
            }
        }
        self.end(EndReason::User, out);
    }

    fn end(&mut self, reason: EndReason, out: &mut Vec<Effect>) {
        self.timeout_generation += 1;
        self.phase = Phase::Done;
        self.progress = None;
        self.set_state(HandoffState::Ended { reason }, out);
    }

    /// The request handed to the connector.
    fn request(&self, route: &Route) -> HandoffRequest {
        let mut context = route.context.clone();
        context.insert("domain".into(), route.domain.clone());
        context.insert("queue".into(), route.queue.clone());
        context.insert("topic".into(), route.topic.clone());
        if let Some(id) = &route.queue_id {
            context.insert("queue_id".into(), id.clone());
        }
        if let Some(expert) = &route.expert {
            context.insert("expertise".into(), expert.clone());
        }
        HandoffRequest {
            conversation: self.id.clone(),
            title: route.title.clone(),
            topic: route.expert.clone().unwrap_or_else(|| route.topic.clone()),
            user: self.user.clone(),
            context,
            history: self.history.clone(),
        }
    }

    fn new_message_id(&mut self) -> MessageId {
        let id = MessageId(format!("m-{}", self.next_message));
        self.next_message += 1;
        id
    }

    fn new_assistant_message(&mut self, parts: Vec<Part>, now: Millis) -> ChatMessage {
        ChatMessage { id: self.new_message_id(), role: Role::Assistant, agent: None, parts, at: now }
    }

    fn assistant_says(&mut self, parts: Vec<Part>, now: Millis, out: &mut Vec<Effect>) {
        let message = self.new_assistant_message(parts, now);
        self.emit_message(message, Audience::User, out);
    }

    fn system_says(&mut self, text: &str, now: Millis, out: &mut Vec<Effect>) {
        let message = ChatMessage {
            id: self.new_message_id(),
            role: Role::System,
            agent: None,
            parts: vec![Part::text(paragraph(text))],
            at: now,
        };
        self.emit_message(message, Audience::Both, out);
    }

    fn agent_says(&mut self, agent: AgentInfo, text: &str, now: Millis, out: &mut Vec<Effect>) {
        let message = ChatMessage {
            id: self.new_message_id(),
            role: Role::Agent,
            agent: Some(agent),
            parts: vec![Part::text(paragraph(text))],
            at: now,
        };
        self.emit_message(message, Audience::Both, out);
    }

    fn emit_message(&mut self, message: ChatMessage, audience: Audience, out: &mut Vec<Effect>) {
        if message.role == Role::Assistant {
            let text: Vec<String> = message
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::RichText { rich_text } => Some(to_plain(rich_text)),
                    _ => None,
                })
                .collect();
            if !text.is_empty() && !self.history.iter().any(|h| h.speaker == Speaker::Assistant && h.at == message.at && h.text == text.join("\n")) {
                self.history.push(HistoryLine { at: message.at, speaker: Speaker::Assistant, text: text.join("\n") });
            }
        }
        out.push(Effect::Emit(audience, ConversationEvent::Message { message }));
    }

    fn set_state(&mut self, state: HandoffState, out: &mut Vec<Effect>) {
        if self.state != state {
            self.state = state.clone();
            out.push(Effect::Emit(Audience::Both, ConversationEvent::State { state }));
        }
    }

    /// Expires every active button of the current offer and help messages.
    fn expire_buttons(&mut self, out: &mut Vec<Effect>) {
        for holder in [self.offer.take(), self.help.take()].into_iter().flatten() {
            let mut holder = holder;
            let mut changed = false;
            for part in &mut holder.parts {
                if let Part::Buttons { buttons } = part {
                    for b in buttons.iter_mut().filter(|b| b.state == ButtonState::Active) {
                        b.state = ButtonState::Expired;
                        changed = true;
                    }
                }
            }
            if changed {
                out.push(Effect::Emit(Audience::User, ConversationEvent::Message { message: holder }));
            }
        }
    }

    fn finish_progress(&mut self, step: String, status: StepStatus, now: Millis, out: &mut Vec<Effect>) {
        let mut message = self
            .progress
            .take()
            .unwrap_or_else(|| self.new_assistant_message(vec![], now));
        message.parts.retain(|p| !matches!(p, Part::ReasoningSteps { .. }));
        message.parts.insert(0, Part::step(step, status));
        self.emit_message(message, Audience::User, out);
    }

    fn fail_progress(&mut self, _now: Millis, out: &mut Vec<Effect>) {
        if let Some(mut progress) = self.progress.take() {
            set_step_status(&mut progress, StepStatus::Failure);
            self.emit_message(progress, Audience::User, out);
        }
    }
}

/// The three buttons of an offer.
fn offer_buttons(available: bool) -> Vec<Button> {
    vec![
        Button {
            button_text: "Start agent chat".into(),
            style: ButtonStyle::Filled,
            action: ButtonAction::StartAgentChat,
            state: if available { ButtonState::Active } else { ButtonState::Disabled },
        },
        Button {
            button_text: "Edit / Add details".into(),
            style: ButtonStyle::Outlined,
            action: ButtonAction::EditDetails,
            state: ButtonState::Active,
        },
        Button {
            button_text: "Other help options".into(),
            style: ButtonStyle::Outlined,
            action: ButtonAction::OtherHelp,
            state: ButtonState::Active,
        },
    ]
}

fn button_mut<'a>(message: &'a mut ChatMessage, action: &ButtonAction) -> Option<&'a mut Button> {
    message.parts.iter_mut().find_map(|p| match p {
        Part::Buttons { buttons } => buttons.iter_mut().find(|b| &b.action == action),
        _ => None,
    })
}

fn set_step_status(message: &mut ChatMessage, status: StepStatus) {
    for part in &mut message.parts {
        if let Part::ReasoningSteps { reasoning_steps } = part {
            for step in reasoning_steps.iter_mut().filter(|s| s.status == StepStatus::Pending) {
                step.status = status;
            }
        }
    }
}

#[cfg(test)]
mod tests;
