//! The console's whole state. Only `update` changes it; `ui` only reads it.

use super::msg::{Direction, Link, Side};
use super::session::Resume;
use super::transcript::Transcript;
use crate::protocol::{
    BrokerInfo, ConversationId, DeskAgent, EndReason, HandoffState, HandoffStyle, Millis,
    RequestId, UserInfo,
};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// How many frames the inspector keeps.
pub const INSPECTOR_CAPACITY: usize = 2_000;
/// How long the status bar shows a notice, in milliseconds (a tick armed for its expiry takes
/// it away).
pub const NOTICE_SHOWN_MS: Millis = 10_000;
/// How many notices are kept.
const NOTICE_CAPACITY: usize = 5;

/// What has keyboard focus. Tab cycles through these in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The user's composer.
    Chat,
    /// The buttons of the latest message with buttons.
    Buttons,
    /// The list of requests and chats in the inbox.
    Inbox,
    /// The agent's reply composer.
    Reply,
    /// The inspector (when open).
    Inspector,
}

/// A scroll position counted in lines from the bottom; 0 follows new messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    /// Lines scrolled back from the latest.
    pub back: usize,
    /// Messages that arrived while scrolled back.
    pub unseen: usize,
}

/// A message the user sent that the broker has not echoed yet (local echo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// The request id of the `say`.
    pub id: RequestId,
    /// What was typed.
    pub text: String,
}

/// The user side: one conversation with the assistant, then an agent.
#[derive(Debug, Clone)]
pub struct ChatPane {
    /// The conversation, once welcomed.
    pub conversation: Option<ConversationId>,
    /// The messages.
    pub transcript: Transcript,
    /// The handoff state.
    pub state: HandoffState,
    /// The composer.
    pub composer: TextArea<'static>,
    /// Sent texts, oldest first, for Up/Down recall.
    pub history: Vec<String>,
    /// Where Up/Down recall is in `history`.
    pub recall: Option<usize>,
    /// Sent, not yet echoed.
    pub echoes: Vec<Echo>,
    /// Scroll position.
    pub scroll: Scroll,
    /// The focused button of the latest message with buttons.
    pub button: usize,
    /// Who is typing on the other side, if anyone.
    pub typing: Option<String>,
    /// What the composer is writing.
    pub mode: ComposeMode,
    /// Who the user is in new conversations (Ctrl+N); the broker's default user when `None`.
    pub user: Option<UserInfo>,
    /// A new conversation was asked for: the next welcome's conversation replaces this one.
    /// A new conversation nobody asked for means the broker lost this one (it restarted).
    pub restarting: bool,
    /// Where the user connection resumes from.
    pub resume: Resume,
}

/// What the user's composer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeMode {
    /// A message.
    Message,
    /// The path of a file to send to the agent (Ctrl+O); the message being written waits in
    /// `draft` and comes back after.
    AttachPath {
        /// The message text set aside, by lines.
        draft: Vec<String>,
    },
    /// The name of the user a new conversation starts as (Ctrl+N); the message being written
    /// waits in `draft`.
    UserName {
        /// The message text set aside, by lines.
        draft: Vec<String>,
    },
}

/// One conversation as the agent desk sees it.
#[derive(Debug, Clone)]
pub struct DeskChat {
    /// The conversation.
    pub conversation: ConversationId,
    /// The user's main utterance.
    pub title: String,
    /// The user.
    pub user: Option<UserInfo>,
    /// The derived topic.
    pub topic: String,
    /// Routing context.
    pub context: BTreeMap<String, String>,
    /// The user's history with the assistant, plain text.
    pub history: String,
    /// When the request was queued.
    pub queued_at: Millis,
    /// How it reached the desk.
    pub style: Option<HandoffStyle>,
    /// The agent being rung.
    pub offered_to: Option<String>,
    /// Everyone in the live chat, in the order they came (two after a barge-in; after a
    /// transfer, the one it went to). Empty while the request waits.
    pub agents: Vec<String>,
    /// Agents who turned it down, with their reasons.
    pub rejected: Vec<(String, String)>,
    /// Why it ended or left the queue.
    pub ended: Option<EndReason>,
    /// The live chat's messages.
    pub transcript: Transcript,
    /// Scroll position of the transcript.
    pub scroll: Scroll,
    /// Whether the user is typing.
    pub user_typing: bool,
}

impl DeskChat {
    /// A conversation the desk has just heard of, at `queued_at`; its request fills the rest.
    pub fn new(conversation: ConversationId, queued_at: Millis) -> Self {
        Self {
            conversation,
            title: String::new(),
            user: None,
            topic: String::new(),
            context: BTreeMap::new(),
            history: String::new(),
            queued_at,
            style: None,
            offered_to: None,
            agents: Vec::new(),
            rejected: Vec::new(),
            ended: None,
            transcript: Transcript::default(),
            scroll: Scroll::default(),
            user_typing: false,
        }
    }
}

/// Where the inbox composer's text goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyMode {
    /// A reply to the selected chat.
    Reply,
    /// The reply box asks something about a chat; the reply being written waits in `draft`
    /// and comes back when the question is answered or given up.
    Ask {
        /// What is asked.
        question: Question,
        /// The chat it is about.
        conversation: ConversationId,
        /// The reply text set aside, by lines.
        draft: Vec<String>,
    },
}

/// What the inbox's reply box can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Why the request is turned down (r); may be left empty.
    RejectReason,
    /// The path of a file for the user (Ctrl+O).
    FilePath,
    /// The agent to hand the chat to (t).
    TransferTo,
}

/// The agent side: the desk's requests and chats.
#[derive(Debug, Clone)]
pub struct InboxPane {
    /// The desk agent this console acts as.
    pub agent: Option<String>,
    /// The desk's agents and presence.
    pub desk: Vec<DeskAgent>,
    /// Conversations in the order they reached the desk.
    pub chats: Vec<DeskChat>,
    /// The selected conversation's position in `chats`.
    pub selected: usize,
    /// The reply (or reject reason) composer.
    pub composer: TextArea<'static>,
    /// What Enter in the composer does.
    pub mode: ReplyMode,
    /// Where the agent connection resumes from.
    pub resume: Resume,
}

/// One frame in the inspector.
#[derive(Debug, Clone)]
pub struct FrameRecord {
    /// Running number over all frames.
    pub number: u64,
    /// When it was sent or received.
    pub at: Millis,
    /// Which connection.
    pub side: Side,
    /// Sent or received.
    pub direction: Direction,
    /// The event's sequence number, for events.
    pub seq: Option<u64>,
    /// The `type` (and `kind` for events), e.g. "event/message".
    pub summary: String,
    /// Pretty-printed JSON, sanitised.
    pub pretty: String,
    /// The frame on one line, sanitised (for short inspectors).
    pub compact: String,
}

/// The raw-frame inspector.
#[derive(Debug, Clone, Default)]
pub struct Inspector {
    /// Shown or hidden.
    pub open: bool,
    /// The latest frames, oldest first.
    pub frames: VecDeque<FrameRecord>,
    /// Only frames whose text contains this (case-insensitive) are shown.
    pub filter: String,
    /// Typing into the filter.
    pub editing_filter: bool,
    /// Frames scrolled back from the latest.
    pub back: usize,
    /// Frames seen so far (numbers the next one).
    pub count: u64,
}

/// A line for the status bar: errors, acknowledgements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// When it was made; the status bar shows it for [`NOTICE_SHOWN_MS`].
    pub at: Millis,
    /// An error (or just information).
    pub error: bool,
    /// The text.
    pub text: String,
}

/// What a request was, so its ack or error can be explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// The user said something.
    Say,
    /// The user sent the file of this name.
    Attach(String),
    /// A button press.
    Press(String),
    /// Accepting a request.
    Accept,
    /// Rejecting a request.
    Reject,
    /// A reply.
    Reply,
    /// Ending a chat.
    End,
    /// Handing a chat to this agent.
    Transfer(String),
    /// Switching agents.
    ActAs(String),
    /// Anything else.
    Other,
}

/// The console's state.
#[derive(Debug)]
pub struct App {
    /// Resolved styles.
    pub theme: Theme,
    /// Why the chosen theme was not used, shown until the first message.
    pub theme_error: Option<String>,
    /// What has focus.
    pub focus: Focus,
    /// The user chat pane.
    pub chat: ChatPane,
    /// The agent inbox pane.
    pub inbox: InboxPane,
    /// The inspector.
    pub inspector: Inspector,
    /// The user connection's state.
    pub user_link: Link,
    /// The agent connection's state.
    pub agent_link: Link,
    /// What the broker runs, from `welcome`.
    pub broker: Option<BrokerInfo>,
    /// The broker's URL, for the status bar.
    pub url: String,
    /// The broker's token, sent in `hello` (never shown).
    pub token: Option<crate::connectors::redact::Secret>,
    /// The time of the latest event or tick.
    pub now: Millis,
    /// Frames of the spinner so far.
    pub spinner: usize,
    /// The help overlay is open.
    pub help: bool,
    /// The links overlay, when open.
    pub links: Option<super::links::Links>,
    /// The command palette, when open.
    pub palette: Option<super::palette::Palette>,
    /// Lines scrolled past at the top of the help overlay (when it does not fit).
    pub help_scroll: u16,
    /// The terminal's size.
    pub size: Rect,
    /// Recent notices, newest last.
    pub notices: VecDeque<Notice>,
    /// Requests in flight.
    pub pending: HashMap<RequestId, Pending>,
    /// Numbers request ids.
    pub next_request: u64,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// Set when the user asked to quit.
    pub quit: bool,
}

fn composer(placeholder: &str) -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_placeholder_text(placeholder);
    t.set_cursor_line_style(ratatui::style::Style::new());
    t
}

impl App {
    /// A fresh console for the broker at `url`.
    pub fn new(theme: Theme, url: impl Into<String>) -> Self {
        Self {
            theme,
            theme_error: None,
            focus: Focus::Chat,
            chat: ChatPane {
                conversation: None,
                transcript: Transcript::default(),
                state: HandoffState::Assistant,
                composer: composer(super::input::MESSAGE_PLACEHOLDER),
                history: Vec::new(),
                recall: None,
                echoes: Vec::new(),
                scroll: Scroll::default(),
                button: 0,
                typing: None,
                mode: ComposeMode::Message,
                user: None,
                restarting: false,
                resume: Resume::default(),
            },
            inbox: InboxPane {
                agent: None,
                desk: Vec::new(),
                chats: Vec::new(),
                selected: 0,
                composer: composer(super::input::REPLY_PLACEHOLDER),
                mode: ReplyMode::Reply,
                resume: Resume::default(),
            },
            inspector: Inspector::default(),
            user_link: Link::Connecting,
            agent_link: Link::Connecting,
            broker: None,
            url: url.into(),
            token: None,
            now: crate::protocol::now_millis(),
            spinner: 0,
            help: false,
            links: None,
            palette: None,
            help_scroll: 0,
            size: Rect::new(0, 0, 80, 24),
            notices: VecDeque::new(),
            pending: HashMap::new(),
            next_request: 1,
            dirty: true,
            quit: false,
        }
    }

    /// A new request id for a request of `kind` on `side`.
    pub fn request_id(&mut self, side: Side, kind: Pending) -> RequestId {
        let id = RequestId(format!("{}-{}", &side.label()[..1], self.next_request));
        self.next_request += 1;
        self.pending.insert(id.clone(), kind);
        id
    }

    /// Shows a notice in the status bar (and keeps a few).
    pub fn notify(&mut self, error: bool, text: impl Into<String>) {
        let text = text.into();
        if error {
            tracing::warn!(%text, "notice");
        }
        self.notices.push_back(Notice {
            at: self.now,
            error,
            text,
        });
        // A notice shows in the status bar, whatever brought it.
        self.dirty = true;
        while self.notices.len() > NOTICE_CAPACITY {
            self.notices.pop_front();
        }
    }

    /// The selected desk conversation.
    pub fn selected_chat(&self) -> Option<&DeskChat> {
        self.inbox.chats.get(self.inbox.selected)
    }

    /// The notice the status bar shows now: the latest, until it expires.
    pub fn shown_notice(&self) -> Option<&Notice> {
        self.notices
            .back()
            .filter(|n| self.now.saturating_sub(n.at) < NOTICE_SHOWN_MS)
    }

    /// How often the screen changes by itself: fast while a spinner turns, once a second
    /// while a wait timer shows, once when the shown notice expires, never when idle (then the
    /// loop sleeps until input arrives).
    pub fn tick_interval(&self) -> Option<std::time::Duration> {
        let expiry = self.shown_notice().map(|n| {
            std::time::Duration::from_millis(NOTICE_SHOWN_MS - self.now.saturating_sub(n.at))
        });
        match (self.animation_interval(), expiry) {
            (Some(a), Some(e)) => Some(a.min(e)),
            (a, e) => a.or(e),
        }
    }

    /// How often spinners and wait timers move, when one is on screen.
    fn animation_interval(&self) -> Option<std::time::Duration> {
        use crate::protocol::{Part, StepStatus};
        let pending_step = self
            .chat
            .transcript
            .messages()
            .iter()
            .rev()
            .take(3)
            .any(|m| {
                m.parts.iter().any(|p| match p {
                    Part::ReasoningSteps { reasoning_steps } => reasoning_steps
                        .iter()
                        .any(|s| s.status == StepStatus::Pending),
                    _ => false,
                })
            });
        if pending_step {
            return Some(std::time::Duration::from_millis(150));
        }
        let waiting = matches!(
            self.chat.state,
            HandoffState::Queued { .. } | HandoffState::Ringing { .. } | HandoffState::Connecting
        );
        let desk_waiting = self
            .inbox
            .chats
            .iter()
            .any(|c| c.assigned().is_none() && c.ended.is_none());
        (waiting || desk_waiting).then(|| std::time::Duration::from_secs(1))
    }

    /// Whether something on screen moves by itself (spinners, wait timers), so ticks matter.
    pub fn animating(&self) -> bool {
        self.animation_interval().is_some()
    }

    /// Whether the focused widget is a text field (so plain letters are typed, not commands).
    pub fn typing_focus(&self) -> bool {
        matches!(self.focus, Focus::Chat | Focus::Reply)
            || (self.focus == Focus::Inspector && self.inspector.editing_filter)
    }
}
