//! What the agent inbox's keys do (accept, reject, end, transfer, switch agent, presence),
//! and its reply composer's.

use super::keys::{LIST, ListKey, REPLY, ReplyKey};
use super::{InboxAction, Question, ReplyMode};
use crate::console::app::{App, Focus, Pending, Scroll};
use crate::console::input::prompt::{self, PromptKey};
use crate::console::input::{
    Handled, LONGEST_ID, composer_key, file_prompt, over_limit, peek_text, take_text,
};
use crate::console::keymap::dispatch;
use crate::console::msg::{Command, Side};
use crate::protocol::{
    Button, ButtonAction, ButtonState, ButtonStyle, ClientMsg, ConversationId, Presence,
};
use crossterm::event::{KeyCode, KeyEvent};

/// Tells the user the agent started or stopped typing in the selected live chat.
pub(crate) fn agent_typing(app: &mut App, was_empty: bool) -> Vec<Command> {
    let now_empty = app.inbox.composer.is_empty();
    let me = app.inbox.agent.clone().unwrap_or_default();
    let live = app.selected_chat().filter(|c| c.is_in(&me));
    match (live.map(|c| c.conversation.clone()), was_empty != now_empty) {
        (Some(conversation), true) if app.inbox.mode == ReplyMode::Reply => {
            app.send(Side::Agent, Pending::Other, |id| ClientMsg::Typing {
                id,
                conversation,
                on: !now_empty,
            })
        }
        _ => Vec::new(),
    }
}

/// A key on the inbox list, from its table.
pub(crate) fn inbox_key(app: &mut App, key: KeyEvent) -> Handled {
    let n = app.inbox.chats.len();
    let commands = match dispatch(LIST, &key) {
        Some(ListKey::Up) => {
            app.inbox.selected = app.inbox.selected.saturating_sub(1);
            Vec::new()
        }
        Some(ListKey::Down) => {
            app.inbox.selected = (app.inbox.selected + 1).min(n.saturating_sub(1));
            Vec::new()
        }
        Some(ListKey::Act(action)) => inbox_action(app, action),
        Some(ListKey::Presence) => toggle_presence(app),
        Some(ListKey::Reply) => {
            app.focus = Focus::Reply;
            Vec::new()
        }
        None => return Handled::No,
    };
    Handled::Yes(commands)
}

pub(crate) fn toggle_presence(app: &mut App) -> Vec<Command> {
    let me = app.inbox.agent.clone().unwrap_or_default();
    let now = app
        .inbox
        .desk
        .iter()
        .find(|a| a.name == me)
        .map(|a| a.presence);
    let presence = if now == Some(Presence::Available) {
        Presence::Away
    } else {
        Presence::Available
    };
    app.send(Side::Agent, Pending::Other, |id| ClientMsg::SetPresence {
        id,
        presence,
    })
}

/// Carries out an inbox action on the selected item.
pub(crate) fn inbox_action(app: &mut App, action: InboxAction) -> Vec<Command> {
    if let InboxAction::Select(i) = action {
        app.inbox.selected = i.min(app.inbox.chats.len().saturating_sub(1));
        return Vec::new();
    }
    if action == InboxAction::SwitchAgent {
        let me = app.inbox.agent.clone().unwrap_or_default();
        let names: Vec<String> = app.inbox.desk.iter().map(|a| a.name.clone()).collect();
        let Some(next) = names
            .iter()
            .position(|n| *n == me)
            .map_or_else(|| names.first(), |i| names.get((i + 1) % names.len()))
            .cloned()
        else {
            app.notify(true, "The desk has no other agent");
            return Vec::new();
        };
        return app.send(Side::Agent, Pending::ActAs(next.clone()), |id| {
            ClientMsg::ActAs { id, agent: next }
        });
    }
    let Some(chat) = app.selected_chat() else {
        app.notify(true, "Nothing selected in the inbox");
        return Vec::new();
    };
    let me = app.inbox.agent.clone().unwrap_or_default();
    if !chat.allows(&me, action) {
        let why = chat.refusal(&me, action);
        app.notify(true, why);
        return Vec::new();
    }
    let conversation = chat.conversation.clone();
    match action {
        InboxAction::Accept => app.send(Side::Agent, Pending::Accept, |id| ClientMsg::Accept {
            id,
            conversation,
        }),
        InboxAction::Reject => {
            let placeholder = if chat.invites(&me) {
                "Why you decline the invitation (Enter alone: no reason given)"
            } else {
                "Why you turn it down (Enter alone: no reason given)"
            };
            ask(app, Question::RejectReason, conversation, placeholder, "");
            Vec::new()
        }
        InboxAction::End => app.send(Side::Agent, Pending::End, |id| ClientMsg::End {
            id,
            conversation,
        }),
        InboxAction::Transfer => {
            start_transfer(app, conversation, &me);
            Vec::new()
        }
        InboxAction::Invite => {
            start_invite(app, conversation);
            Vec::new()
        }
        InboxAction::Note => {
            let placeholder = "🔒 Private note to the other agents of this chat (never the user)";
            ask(app, Question::Note, conversation, placeholder, "");
            Vec::new()
        }
        InboxAction::SwitchAgent | InboxAction::Select(_) => Vec::new(),
    }
}

/// t on a live chat: the reply box asks whom to hand it to, suggesting the first other agent
/// who is available; when nobody is, it says so and suggests no one (a name typed anyway lets
/// the desk say why it refuses).
fn start_transfer(app: &mut App, conversation: ConversationId, me: &str) {
    let others: Vec<_> = app.inbox.desk.iter().filter(|a| a.name != me).collect();
    if others.is_empty() {
        app.notify(true, "The desk has no other agent to transfer to");
        return;
    }
    let suggested = others
        .iter()
        .find(|a| a.presence == Presence::Available)
        .map_or(String::new(), |a| a.name.clone());
    let names: Vec<String> = others
        .iter()
        .map(|a| format!("{} ({})", a.name, a.presence))
        .collect();
    let placeholder = if suggested.is_empty() {
        format!("Nobody else is available: {}", names.join(", "))
    } else {
        format!("Agent to take the chat: {}", names.join(", "))
    };
    ask(
        app,
        Question::TransferTo,
        conversation,
        &placeholder,
        &suggested,
    );
}

/// i on a live chat: the reply box asks whom to invite, suggesting the first agent at the desk
/// (not offline) who is neither in the chat nor invited yet; a name typed anyway lets the desk
/// say why it refuses.
pub(crate) fn start_invite(app: &mut App, conversation: ConversationId) {
    let Some(chat) = app
        .inbox
        .chats
        .iter()
        .find(|c| c.conversation == conversation)
    else {
        return;
    };
    let free = |name: &str| {
        !chat.agents.iter().any(|a| a == name) && !chat.invited.iter().any(|(to, _)| to == name)
    };
    let others: Vec<_> = app.inbox.desk.iter().filter(|a| free(&a.name)).collect();
    if others.is_empty() {
        app.notify(
            true,
            "Every agent of the desk is in this chat or invited already",
        );
        return;
    }
    let suggested = others
        .iter()
        .find(|a| a.presence != Presence::Offline)
        .map_or(String::new(), |a| a.name.clone());
    let names: Vec<String> = others
        .iter()
        .map(|a| format!("{} ({})", a.name, a.presence))
        .collect();
    let placeholder = format!("Agent to invite: {}", names.join(", "));
    ask(
        app,
        Question::InviteWho,
        conversation,
        &placeholder,
        &suggested,
    );
}

/// The reply box asks `question` about `conversation`, with `answer` already typed; the reply
/// being written is set aside until the question is answered or given up.
fn ask(
    app: &mut App,
    question: Question,
    conversation: ConversationId,
    placeholder: &str,
    answer: &str,
) {
    let draft = prompt::open_with(&mut app.inbox.composer, placeholder, answer);
    app.inbox.mode = ReplyMode::Ask {
        question,
        conversation,
        draft,
    };
    app.focus = Focus::Reply;
}

/// A key in the reply box: its table first; what the table does not bind is typed.
pub(crate) fn reply_key(app: &mut App, key: KeyEvent) -> Handled {
    if matches!(app.inbox.mode, ReplyMode::Ask { .. }) {
        return prompt_key(app, key);
    }
    match dispatch(REPLY, &key) {
        Some(ReplyKey::Attach) => start_attach(app),
        Some(ReplyKey::NewLine) => app.inbox.composer.insert_newline(),
        Some(ReplyKey::Send) => return Handled::Yes(send_reply(app)),
        Some(ReplyKey::Back) => {
            app.inbox.mode = ReplyMode::Reply;
            app.focus = Focus::Inbox;
        }
        // `?` on an empty reply box is left to the global keys: it asks for help.
        None if key.code == KeyCode::Char('?') && app.inbox.composer.is_empty() => {
            return Handled::No;
        }
        None => {
            let was_empty = app.inbox.composer.is_empty();
            if !composer_key(&mut app.inbox.composer, key) {
                return Handled::No;
            }
            return Handled::Yes(agent_typing(app, was_empty));
        }
    }
    Handled::Yes(Vec::new())
}

/// The reply box's placeholder.
pub(crate) const REPLY_PLACEHOLDER: &str = "Reply to the selected chat";

/// Ctrl+O in the reply box: a file for the user of the selected live chat.
fn start_attach(app: &mut App) {
    let me = app.inbox.agent.clone().unwrap_or_default();
    let live = app
        .selected_chat()
        .filter(|c| c.is_in(&me))
        .map(|c| c.conversation.clone());
    let Some(conversation) = live else {
        app.notify(
            true,
            "Files go to the user of a live chat you are in: select one first",
        );
        return;
    };
    if let Some(why) = file_prompt::refusal(app) {
        app.notify(true, why);
        return;
    }
    ask(
        app,
        Question::FilePath,
        conversation,
        "Path of the file for the user, e.g. ~/reset-guide.pdf",
        "",
    );
}

/// Keys while the reply box asks a question (a file's path, whom to transfer to, why to
/// reject): Enter answers it, Esc gives up; both bring back the reply being written.
fn prompt_key(app: &mut App, key: KeyEvent) -> Handled {
    match dispatch(prompt::KEYS, &key) {
        Some(PromptKey::Answer) => Handled::Yes(answer(app)),
        Some(PromptKey::Cancel) => {
            end_prompt(app);
            Handled::Yes(Vec::new())
        }
        None => prompt::typed(&mut app.inbox.composer, key),
    }
}

/// Enter on a question of the reply box: the answer goes where the question said.
fn answer(app: &mut App) -> Vec<Command> {
    let answer = take_text(&mut app.inbox.composer);
    // A rejection may go without a reason; a path or a name may not be empty.
    let reject = matches!(
        app.inbox.mode,
        ReplyMode::Ask {
            question: Question::RejectReason,
            ..
        }
    );
    if answer.is_empty() && !reject {
        return Vec::new();
    }
    let Some((question, conversation)) = end_prompt(app) else {
        return Vec::new();
    };
    match question {
        Question::RejectReason => reject_with(app, conversation, answer),
        Question::TransferTo => transfer_to(app, conversation, answer),
        Question::InviteWho => {
            app.focus = Focus::Inbox;
            app.send(Side::Agent, Pending::Invite(answer.clone()), |id| {
                ClientMsg::Invite {
                    id,
                    conversation,
                    agent: answer,
                }
            })
        }
        Question::FilePath => file_prompt::send(app, Side::Agent, conversation, &answer),
        Question::Notify => notify(app, conversation, answer),
        Question::Note => app.send(Side::Agent, Pending::Other, |id| ClientMsg::Note {
            id,
            conversation,
            text: answer,
        }),
    }
}

/// The rejection of `conversation`'s request, with `reason` (or "no reason given").
fn reject_with(app: &mut App, conversation: ConversationId, reason: String) -> Vec<Command> {
    let reason = if reason.is_empty() {
        "no reason given".to_owned()
    } else {
        reason
    };
    app.focus = Focus::Inbox;
    app.send(Side::Agent, Pending::Reject, |id| ClientMsg::Reject {
        id,
        conversation,
        reason,
    })
}

/// The label of the button every notification from the console carries, so QA can see it
/// disabled during a live chat and enabled after.
pub(crate) const NOTIFY_BUTTON: &str = "Got it";

/// The palette's "Send the user a notification": the reply box asks for its text.
pub(crate) fn ask_notification(app: &mut App) {
    let Some(conversation) = app.chat.conversation.clone() else {
        app.notify(true, "No user conversation yet: nobody to notify");
        return;
    };
    let placeholder = "Notification for the user (never the agent); it carries a \"Got it\" button";
    ask(app, Question::Notify, conversation, placeholder, "");
}

/// The notification `text` for the user of `conversation`, with its button.
fn notify(app: &mut App, conversation: ConversationId, text: String) -> Vec<Command> {
    let button = Button {
        button_text: NOTIFY_BUTTON.into(),
        style: ButtonStyle::Outlined,
        action: ButtonAction::Choice(NOTIFY_BUTTON.into()),
        state: ButtonState::Active,
    };
    app.send(Side::Agent, Pending::Other, |id| ClientMsg::Notify {
        id,
        conversation: Some(conversation),
        text,
        buttons: vec![button],
    })
}

/// The hand-over of `conversation` to the agent named `to`.
fn transfer_to(app: &mut App, conversation: ConversationId, to: String) -> Vec<Command> {
    app.send(Side::Agent, Pending::Transfer(to.clone()), |id| {
        ClientMsg::Transfer {
            id,
            conversation,
            to,
        }
    })
}

/// Back to the reply that was set aside; what was asked, and about which chat.
fn end_prompt(app: &mut App) -> Option<(Question, ConversationId)> {
    let ReplyMode::Ask {
        question,
        conversation,
        draft,
    } = std::mem::replace(&mut app.inbox.mode, ReplyMode::Reply)
    else {
        return None;
    };
    prompt::close(&mut app.inbox.composer, draft, REPLY_PLACEHOLDER);
    Some((question, conversation))
}

pub(crate) fn send_reply(app: &mut App) -> Vec<Command> {
    let text = peek_text(&app.inbox.composer);
    if text.is_empty() {
        return Vec::new();
    }
    let Some(chat) = app.selected_chat() else {
        app.notify(true, "Select a live chat to reply to");
        return Vec::new();
    };
    // Nobody would read it: say so and keep what was written.
    if let Some(reason) = &chat.ended {
        let why = format!("Not sent: this chat ended ({reason})");
        app.notify(true, why);
        return Vec::new();
    }
    let conversation = chat.conversation.clone();
    let reply = |text| ClientMsg::Reply {
        id: LONGEST_ID.into(),
        conversation: conversation.clone(),
        text,
    };
    if let Some(why) = over_limit(app, &text, reply) {
        app.notify(true, why);
        return Vec::new();
    }
    take_text(&mut app.inbox.composer);
    if let Some(chat) = app.inbox.chats.get_mut(app.inbox.selected) {
        chat.scroll = Scroll::default();
    }
    app.send(Side::Agent, Pending::Reply, |id| ClientMsg::Reply {
        id,
        conversation,
        text,
    })
}
