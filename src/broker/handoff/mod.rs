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
//!
//! The state in the diagram is the protocol's [`HandoffState`], the one clients see; there is
//! no second enum of it. What only the broker needs (the request being routed, an availability
//! check under way, a relayed chat still to come) is held beside it in `Private`, and both
//! change together in `Conversation::enter`.

use super::assistant::AssistantConfig;
use super::platform::Scope;
use super::routing::FollowUp;
use crate::connectors::{
    Availability, ChatCommand, ChatEvent, FileUpload, HandoffRequest, HistoryLine,
};
use crate::protocol::{
    Audience, ButtonAction, ButtonState, ChatMessage, ConversationEvent, ConversationId,
    HandoffState, HandoffStyle, MessageId, Millis, UserInfo,
};
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
    /// An agent of the live chat wrote a private note for the other agents.
    AgentNote {
        /// The agent.
        agent: String,
        /// The note, plain.
        text: String,
    },
    /// A notification or broadcast for the user.
    Notify {
        /// The text, plain.
        text: String,
        /// Its buttons.
        buttons: Vec<crate::protocol::Button>,
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
    /// The routing rule's follow-up question, when it has one.
    follow_up: Option<FollowUp>,
    /// The answer to a follow-up question, e.g. "Azure SQL Database".
    expert: Option<String>,
    domain: String,
    queue: String,
    queue_id: Option<String>,
    context: std::collections::BTreeMap<String, String>,
}

impl Route {
    /// The topic the request is offered and placed under.
    fn shown_topic(&self) -> String {
        self.expert.clone().unwrap_or_else(|| self.topic.clone())
    }
}

/// An availability check under way: answered by [`Input::Availability`].
#[derive(Debug, Clone, PartialEq)]
struct Checking {
    /// The message whose routing step the answer completes.
    message: ChatMessage,
    /// What the offer says before its buttons.
    lead: Lead,
}

impl Checking {
    fn new(message: ChatMessage, lead: Lead) -> Self {
        Self { message, lead }
    }
}

/// What an offer says before its buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// The summary of a request for an agent.
    Agent,
    /// The summary of a problem described without asking for an agent (self-service first).
    SelfService,
    /// Nothing: the options again, after a wait ended without an agent.
    Again,
}

/// What the broker keeps beside the [`HandoffState`] clients see: its own business, never a
/// second copy of the state. Each field says when it is set; [`Conversation::enter`] changes
/// the state and these together.
#[derive(Debug, Clone, Default, PartialEq)]
struct Private {
    /// The request being routed, offered, placed or waiting (`FollowUp`, `Offered`,
    /// `Connecting`, `Queued`, `Ringing`, a relayed chat to come, an availability check, and
    /// `CollectingDetails` after "Edit / Add details", where its title is the details being
    /// edited).
    route: Option<Route>,
    /// An availability check under way; the state clients see stays what it was meanwhile.
    checking: Option<Checking>,
    /// `Redirected` or `Posted` with a relayed chat to come: since when the user waits for the
    /// agent who picks the request up.
    relay_since: Option<Millis>,
    /// `Connected`, but every agent the state names has left (it keeps showing the last one
    /// until another joins).
    vacated: bool,
    /// Waiting, after "Edit / Add details": the user's next text adds to the request.
    editing: bool,
}

/// One conversation's lifecycle.
#[derive(Debug)]
pub struct Conversation {
    id: ConversationId,
    user: UserInfo,
    settings: HandoffSettings,
    /// The single source of truth for where the conversation is.
    state: HandoffState,
    private: Private,
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
    /// Notifications with buttons, oldest first, at most [`notices::MAX_NOTIFICATIONS`].
    notifications: Vec<ChatMessage>,
    /// The platform (and site) the conversation belongs to (issue 15, rule 8).
    scope: Scope,
    /// The system it is brokered to, as it names itself.
    system: Option<String>,
}

impl Conversation {
    /// A new conversation, talking to the assistant. Emit [`Conversation::opening`] first.
    pub fn new(id: ConversationId, user: UserInfo, settings: HandoffSettings) -> Self {
        Self {
            id,
            user,
            settings,
            state: HandoffState::Assistant,
            private: Private::default(),
            next_message: 1,
            history: Vec::new(),
            offer: None,
            help: None,
            progress: None,
            timeout_generation: 0,
            notifications: Vec::new(),
            scope: Scope::default(),
            system: None,
        }
    }

    /// The same conversation, brokered to `system` (named in its `opened` event).
    #[must_use]
    pub fn on_system(mut self, system: &str) -> Self {
        self.system = Some(system.to_owned());
        self
    }

    /// The same conversation, belonging to `scope` (set before [`Conversation::opening`]).
    #[must_use]
    pub fn scoped(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The platform (and site) the conversation belongs to.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The events that open the conversation's log.
    pub fn opening(&self) -> Vec<Effect> {
        let state = self.state.clone();
        let user = self.user.clone();
        let (platform, site) = (self.scope.platform, self.scope.site.clone());
        let opened = ConversationEvent::Opened {
            user,
            platform,
            site,
            system: self.system.clone(),
        };
        vec![
            Effect::Emit(Audience::User, opened),
            Effect::Emit(Audience::User, ConversationEvent::State { state }),
        ]
    }

    /// The state clients see.
    pub fn state(&self) -> &HandoffState {
        &self.state
    }

    /// Whether a live chat with an agent is open.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, HandoffState::Connected { .. })
    }

    /// Since when the user waits for an agent: in the queue, or for the agent who picks up a
    /// redirected or posted request. `None` when nobody is awaited.
    fn waiting_since(&self) -> Option<Millis> {
        match self.state {
            HandoffState::Queued { since, .. } | HandoffState::Ringing { since, .. } => Some(since),
            _ => self.private.relay_since,
        }
    }

    /// Feeds one input; returns what to do, or why the input is not allowed now.
    pub fn handle(&mut self, input: Input, now: Millis) -> Result<Vec<Effect>, Refusal> {
        let mut out = Vec::new();
        match input {
            Input::UserText(text) => self.on_user_text(text, now, &mut out),
            Input::UserFile(file) => self.on_user_file(file, now, &mut out)?,
            Input::Press { message, action } if self.is_notification(&message) => {
                self.on_notification_press(&message, action, now, &mut out)?;
            }
            Input::Press { message, action } => self.on_press(&message, action, now, &mut out)?,
            Input::UserEnd => self.on_user_end(now, &mut out)?,
            Input::UserTyping(on) => self.on_user_typing(on, &mut out),
            Input::Availability(availability) => self.on_availability(availability, now, &mut out),
            Input::Started(result) => self.on_started(result, now, &mut out),
            Input::Chat(event) => self.on_chat(event, now, &mut out),
            Input::Timeout { generation } => self.on_timeout(generation, now, &mut out),
            Input::AgentNote { agent, text } => self.on_agent_note(&agent, &text, now, &mut out)?,
            Input::Notify { text, buttons } => self.on_notify(&text, buttons, now, &mut out),
        }
        Ok(out)
    }

    /// Moves to `state` with the broker's `private` extras for it, telling clients of a change.
    fn enter(&mut self, state: HandoffState, private: Private, out: &mut Vec<Effect>) {
        self.private = private;
        if self.state != state {
            let was_live = self.is_connected();
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
            // Notifications' buttons wait while a live chat lasts (issue 15, rule 5).
            match (was_live, self.is_connected()) {
                (false, true) => self.notification_buttons(ButtonState::Disabled, out),
                (true, false) => self.notification_buttons(ButtonState::Active, out),
                _ => {}
            }
        }
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
        self.scope.add_to(&mut context);
        HandoffRequest {
            conversation: self.id.clone(),
            title: route.title.clone(),
            topic: route.shown_topic(),
            user: self.user.clone(),
            context,
            history: self.history.iter().map(|(_, line)| line.clone()).collect(),
        }
    }
}

mod live;
mod messages;
mod notices;
mod queued;
mod restore;
mod talk;
#[cfg(test)]
mod tests;
