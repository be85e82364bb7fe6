//! The user chat pane: its state (the conversation, the composer, local echoes, the buttons'
//! focus), what its keys do ([`input`]), its key tables ([`keys`]) and its render ([`view`]).

pub(crate) mod input;
pub mod keys;
pub mod view;

use crate::console::app::Scroll;
use crate::console::input::prompt;
use crate::console::session::Resume;
use crate::console::transcript::Transcript;
use crate::protocol::{ConversationId, HandoffState, Platform, RequestId, UserInfo};
use ratatui_textarea::TextArea;
use std::collections::BTreeMap;

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
    /// The chat platform the pane talks through (issue 15, rule 8).
    pub platform: Platform,
    /// The conversation and resume secret of each platform switched away from, so switching
    /// back resumes it (one entry per platform at most).
    pub elsewhere: BTreeMap<Platform, (ConversationId, Option<String>)>,
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

impl Default for ChatPane {
    fn default() -> Self {
        Self {
            conversation: None,
            transcript: Transcript::default(),
            state: HandoffState::Assistant,
            composer: prompt::empty(input::MESSAGE_PLACEHOLDER),
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
            platform: Platform::Web,
            elsewhere: BTreeMap::new(),
        }
    }
}
