//! The agent inbox's key tables: the list's and the reply box's. They dispatch the keys (in
//! [`super::input`]) and are what the help overlay and the status bar show.

use super::InboxAction;
use crate::console::keymap::{Row, alt, ch, ctrl, key, row, up_down_row};
use crossterm::event::KeyCode;

/// What a key on the list does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKey {
    /// The item above.
    Up,
    /// The item below.
    Down,
    /// An action of the selected item (or of the desk).
    Act(InboxAction),
    /// Toggle the agent's presence.
    Presence,
    /// Write a reply.
    Reply,
}

/// The list's bindings.
pub const LIST: &[Row<ListKey>] = &[
    up_down_row!("choose a request or chat", ListKey::Up, ListKey::Down),
    row(
        "a",
        "accept the request or invitation (on another's live chat: barge in)",
        &[(ch('a'), ListKey::Act(InboxAction::Accept))],
    ),
    row(
        "r",
        "reject the request or decline the invitation (asks a reason)",
        &[(ch('r'), ListKey::Act(InboxAction::Reject))],
    ),
    row(
        "e",
        "end your live chat",
        &[(ch('e'), ListKey::Act(InboxAction::End))],
    ),
    row(
        "t",
        "transfer your live chat (asks to whom)",
        &[(ch('t'), ListKey::Act(InboxAction::Transfer))],
    ),
    row(
        "i",
        "invite another agent into your live chat (asks whom)",
        &[(ch('i'), ListKey::Act(InboxAction::Invite))],
    ),
    row(
        "n",
        "write a private note to the chat's other agents (never the user)",
        &[(ch('n'), ListKey::Act(InboxAction::Note))],
    ),
    row(
        "Enter",
        "write a reply",
        &[(key(KeyCode::Enter), ListKey::Reply)],
    ),
    row(
        "s",
        "act as the next agent of the desk",
        &[(ch('s'), ListKey::Act(InboxAction::SwitchAgent))],
    ),
    row(
        "p",
        "toggle presence available / away",
        &[(ch('p'), ListKey::Presence)],
    ),
];

/// What a key in the reply box does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKey {
    /// Send the reply.
    Send,
    /// Start a new line.
    NewLine,
    /// Ask for a file to send the user.
    Attach,
    /// Back to the list.
    Back,
}

/// The reply box's bindings.
pub const REPLY: &[Row<ReplyKey>] = &[
    row(
        "Enter",
        "send the reply (or answer the question)",
        &[(key(KeyCode::Enter), ReplyKey::Send)],
    ),
    row(
        "Alt+Enter",
        "new line",
        &[(alt(KeyCode::Enter), ReplyKey::NewLine)],
    ),
    row(
        "Ctrl+O",
        "send the user a file (live chat)",
        &[(ctrl('o'), ReplyKey::Attach)],
    ),
    row(
        "Esc",
        "back to the list (or cancel the question)",
        &[(key(KeyCode::Esc), ReplyKey::Back)],
    ),
];
