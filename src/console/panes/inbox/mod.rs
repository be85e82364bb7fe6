//! The agent inbox pane: its state (the desk's requests and chats, the reply box), what its
//! keys do ([`input`]), its key tables ([`keys`]) and its render ([`view`]).

pub(crate) mod input;
pub mod keys;
pub mod view;

use crate::console::app::Scroll;
use crate::console::input::prompt;
use crate::console::session::Resume;
use crate::console::transcript::Transcript;
use crate::protocol::{
    Audience, ConversationEvent, ConversationId, DeskAgent, EndReason, HandoffStyle, Millis, Part,
    Role, UserInfo,
};
use ratatui_textarea::TextArea;
use std::collections::BTreeMap;

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
    /// Open invitations to the live chat, `(invitee, inviter)`, one per invitee (the desk
    /// holds at most [`crate::desk::MAX_INVITES`] per chat, so this does too).
    pub invited: Vec<(String, String)>,
    /// Invitations declined, `(invitee, inviter, reason)`; at most
    /// [`crate::desk::MAX_INVITES`], the oldest dropped first.
    pub declined: Vec<(String, String, String)>,
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
            invited: Vec::new(),
            declined: Vec::new(),
            ended: None,
            transcript: Transcript::default(),
            scroll: Scroll::default(),
            user_typing: false,
        }
    }
}

/// The first line of an agents' private note, so it never reads like a message the user saw.
pub const NOTE_MARK: &str =
    "<p><strong>🔒 note</strong> <em>(agents only, never the user)</em></p>";

/// An agent's message only agents were sent (a private note) gets [`NOTE_MARK`] on top.
pub fn marked_note(audience: Audience, mut event: ConversationEvent) -> ConversationEvent {
    if let ConversationEvent::Message { message } = &mut event
        && audience == Audience::Agent
        && message.role == Role::Agent
    {
        message.parts.insert(0, Part::text(NOTE_MARK));
    }
    event
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
    /// The agent to invite into the chat (i).
    InviteWho,
    /// A private note to the other agents of the chat (n).
    Note,
    /// A notification for the user of the chat pane's conversation (the palette, for QA).
    Notify,
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

/// Something the agent can click in the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxAction {
    /// Take the selected request.
    Accept,
    /// Turn the selected request down (asks for a reason).
    Reject,
    /// End the selected live chat.
    End,
    /// Hand the selected live chat to another agent (asks for whom).
    Transfer,
    /// Ask another agent into the selected live chat (asks whom); they accept or decline.
    Invite,
    /// Act as the next agent of the desk.
    SwitchAgent,
    /// Select the n-th item of the list.
    Select(usize),
    /// Write a private note to the other agents of the selected live chat (never the user).
    Note,
}

impl Default for InboxPane {
    fn default() -> Self {
        Self {
            agent: None,
            desk: Vec::new(),
            chats: Vec::new(),
            selected: 0,
            composer: prompt::empty(input::REPLY_PLACEHOLDER),
            mode: ReplyMode::Reply,
            resume: Resume::default(),
        }
    }
}
