//! The console's whole state, one owner of it: only `update` changes it, the panes' views only
//! read it, and the connection tasks hold none of it.

use super::msg::{Command, Link, Side};
use super::panes::chat::ChatPane;
use super::panes::inbox::{DeskChat, InboxPane};
use super::panes::inspector::Inspector;
pub use super::scroll::Scroll;
use crate::protocol::{BrokerInfo, ClientMsg, HandoffState, Millis, RequestId};
use crate::theme::Theme;
use ratatui::layout::Rect;
use std::collections::{HashMap, VecDeque};

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
    /// Inviting this agent into a chat.
    Invite(String),
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
    /// The broker's URL: where both connections dial, and what the console says it reaches
    /// (a restart of its own broker may move it to another port).
    pub url: String,
    /// When a restart of the console's own broker began, while it is under way: the
    /// connections dial nowhere until it says where the broker listens now (never the old
    /// port, which another program may have taken).
    pub restarting_broker: Option<Millis>,
    /// The broker's token, sent in `hello` (never shown).
    pub token: Option<crate::connectors::redact::Secret>,
    /// The time of the latest event or tick.
    pub now: Millis,
    /// Frames of the spinner so far.
    pub spinner: usize,
    /// The help overlay is open.
    pub help: bool,
    /// The links overlay, when open.
    pub links: Option<super::panes::links::Links>,
    /// The command palette, when open.
    pub palette: Option<super::panes::palette::Palette>,
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
    /// Recording and replaying scenarios.
    pub scenario: Box<super::replay::Scenarios>,
    /// Where the system's faults go (the command palette's fault entries).
    pub controls: super::faults::Controls,
}

impl App {
    /// A fresh console for the broker at `url`.
    pub fn new(theme: Theme, url: impl Into<String>) -> Self {
        Self {
            theme,
            theme_error: None,
            focus: Focus::Chat,
            chat: ChatPane::default(),
            inbox: InboxPane::default(),
            inspector: Inspector::default(),
            user_link: Link::Connecting,
            agent_link: Link::Connecting,
            broker: None,
            url: url.into(),
            restarting_broker: None,
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
            scenario: Box::default(),
            controls: super::faults::Controls::default(),
        }
    }

    /// A new request id for a request of `kind` on `side`.
    pub fn request_id(&mut self, side: Side, kind: Pending) -> RequestId {
        let id = RequestId(format!("{}-{}", &side.label()[..1], self.next_request));
        self.next_request += 1;
        self.pending.insert(id.clone(), kind);
        id
    }

    /// Sends the request `msg` makes of a new id on `side`, awaited as `kind` (see
    /// [`request_id`](Self::request_id)).
    pub fn send(
        &mut self,
        side: Side,
        kind: Pending,
        msg: impl FnOnce(RequestId) -> ClientMsg,
    ) -> Vec<Command> {
        let id = self.request_id(side, kind);
        vec![Command::Send { side, msg: msg(id) }]
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
        if let Some(every) = super::replay::tick(self) {
            return Some(every);
        }
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
