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

use super::assistant::{AssistantConfig, say};
use crate::connectors::{
    Availability, ChatCommand, ChatEvent, FileUpload, HandoffRequest, HistoryLine, Speaker,
};
use crate::protocol::{
    AgentInfo, Audience, Button, ButtonAction, ButtonState, ButtonStyle, ChatMessage,
    ConversationEvent, ConversationId, EndReason, HandoffState, HandoffStyle, MessageId, Millis,
    Part, Role, StepStatus, UserInfo,
};
use crate::text::{paragraph, to_plain};
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
    /// The user sent a file (only to a live agent).
    UserFile(FileUpload),
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
        /// The system carries the conversation on in a chat the broker relays, once an agent
        /// picks the request up.
        chat: bool,
    },
    /// Posted to a channel.
    Posted {
        /// The channel.
        channel: String,
        /// An agent who picks the post up talks to the user in a chat the broker relays.
        chat: bool,
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
    CollectingDetails {
        previous: Option<String>,
    },
    FollowUp {
        title: String,
        question: String,
        choices: Vec<String>,
    },
    Checking {
        route: Route,
        message: ChatMessage,
        self_service: bool,
    },
    Offered {
        route: Route,
    },
    Connecting {
        route: Route,
    },
    Waiting {
        since: Millis,
        deadline: Millis,
        ringing: Option<String>,
        position: Option<u32>,
        eta_secs: Option<u64>,
    },
    Connected {
        agents: Vec<String>,
        since: Millis,
    },
    /// Redirected or posted, with a relayed chat that starts when an agent picks it up.
    Handed {
        since: Millis,
    },
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
    /// The user's history with the assistant; assistant lines keep their message id so a
    /// replaced message replaces its line.
    history: Vec<(Option<MessageId>, HistoryLine)>,
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
            Effect::Emit(
                Audience::User,
                ConversationEvent::Opened {
                    user: self.user.clone(),
                },
            ),
            Effect::Emit(
                Audience::User,
                ConversationEvent::State {
                    state: self.state.clone(),
                },
            ),
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
            Input::UserFile(file) => self.on_user_file(file, now, &mut out)?,
            Input::Press { message, action } => self.on_press(&message, action, now, &mut out)?,
            Input::UserEnd => {
                if !matches!(
                    self.phase,
                    Phase::Waiting { .. } | Phase::Handed { .. } | Phase::Connected { .. }
                ) {
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
                        ConversationEvent::Typing {
                            who: "user".into(),
                            on,
                        },
                    ));
                }
            }
            Input::Availability(availability) => self.on_availability(availability, now, &mut out),
            Input::Started(result) => self.on_started(result, now, &mut out),
            Input::Chat(event) => self.on_chat(event, now, &mut out),
            Input::Timeout { generation } => {
                if generation == self.timeout_generation
                    && matches!(self.phase, Phase::Waiting { .. } | Phase::Handed { .. })
                {
                    out.push(Effect::Chat(ChatCommand::Withdraw {
                        reason: EndReason::Timeout,
                    }));
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
            history: self.history.iter().map(|(_, line)| line.clone()).collect(),
        }
    }

    fn new_message_id(&mut self) -> MessageId {
        let id = MessageId(format!("m-{}", self.next_message));
        self.next_message += 1;
        id
    }

    fn new_assistant_message(&mut self, parts: Vec<Part>, now: Millis) -> ChatMessage {
        ChatMessage {
            id: self.new_message_id(),
            role: Role::Assistant,
            agent: None,
            parts,
            at: now,
            request: None,
        }
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
            request: None,
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
            request: None,
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
            if !text.is_empty() {
                let line = HistoryLine {
                    at: message.at,
                    speaker: Speaker::Assistant,
                    text: text.join("\n"),
                };
                match self
                    .history
                    .iter_mut()
                    .find(|(id, _)| id.as_ref() == Some(&message.id))
                {
                    Some((_, existing)) => *existing = line,
                    None => self.history.push((Some(message.id.clone()), line)),
                }
            }
        }
        out.push(Effect::Emit(
            audience,
            ConversationEvent::Message { message },
        ));
    }

    fn set_state(&mut self, state: HandoffState, out: &mut Vec<Effect>) {
        if self.state != state {
            self.state = state.clone();
            // The desk learns of a conversation when its request arrives, not before.
            let audience = match state {
                HandoffState::Assistant
                | HandoffState::CollectingDetails
                | HandoffState::FollowUp { .. }
                | HandoffState::Offered { .. }
                | HandoffState::Connecting => Audience::User,
                _ => Audience::Both,
            };
            out.push(Effect::Emit(audience, ConversationEvent::State { state }));
        }
    }

    /// Expires every active button of the current offer and help messages.
    fn expire_buttons(&mut self, out: &mut Vec<Effect>) {
        for holder in [self.offer.take(), self.help.take()].into_iter().flatten() {
            let mut holder = holder;
            let mut changed = false;
            for part in &mut holder.parts {
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
            if changed {
                out.push(Effect::Emit(
                    Audience::User,
                    ConversationEvent::Message { message: holder },
                ));
            }
        }
    }

    fn finish_progress(
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
            state: if available {
                ButtonState::Active
            } else {
                ButtonState::Disabled
            },
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
            for step in reasoning_steps
                .iter_mut()
                .filter(|s| s.status == StepStatus::Pending)
            {
                step.status = status;
            }
        }
    }
}

mod live;
mod restore;
mod talk;
#[cfg(test)]
mod tests;
