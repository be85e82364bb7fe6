//! `update`: the one place the console's state changes. Synchronous and free of IO: it returns
//! [`Command`]s for the driver to carry out.

use super::app::{App, Focus, Pending, Scroll};
use super::input;
use super::msg::{Command, Link, Msg, Side};
use super::panes::chat::Echo;
use super::panes::inbox::DeskChat;
use super::transcript::{Transcript, Upsert};
use crate::protocol::{
    ChatMessage, ConversationEvent, ConversationId, ErrorCode, HandoffState, Role, ServerMsg,
};

/// Applies one message to the state and says what to do next. Sets `app.dirty` when the
/// screen must be redrawn.
pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    // Protocol 2: the ack of a `say` is its echo; the message event it stands for is taken
    // in first, by everything that watches events (the recording, the replay).
    if let Some(event) = echoed(app, &msg) {
        let mut commands = update(
            app,
            Msg::Server {
                side: Side::User,
                msg: event,
            },
        );
        commands.extend(update_one(app, msg));
        return commands;
    }
    update_one(app, msg)
}

/// The message event a protocol 2 `ack` of this console's `say` stands for.
fn echoed(app: &App, msg: &Msg) -> Option<ServerMsg> {
    let Msg::Server {
        side: Side::User,
        msg: ServerMsg::Ack {
            id,
            said: Some(said),
        },
    } = msg
    else {
        return None;
    };
    let sent = app.chat.echoes.iter().find(|e| &e.id == id)?;
    Some(said.event(id, &sent.text))
}

fn update_one(app: &mut App, msg: Msg) -> Vec<Command> {
    super::replay::before(app, &msg);
    let mut commands = apply(app, msg);
    let more = super::replay::after(app, &commands);
    commands.extend(more);
    commands
}

fn apply(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Input(event) => input::handle(app, event),
        // A connector's call: its frame is already in the inspector (see `Msg::Frame`).
        Msg::Server {
            msg: ServerMsg::Trace { .. },
            ..
        } => Vec::new(),
        Msg::Server { side, msg } => {
            app.dirty = true;
            server(app, side, msg);
            Vec::new()
        }
        Msg::Frame {
            side,
            direction,
            at,
            text,
        } => {
            super::panes::inspector::record(app, side, direction, at, &text);
            Vec::new()
        }
        Msg::Link { side, link } => {
            if let Link::Reconnecting { error, .. } = &link
                && refused_as_too_big(error)
            {
                too_big(app, side);
            }
            match side {
                Side::User => app.user_link = link,
                Side::Agent => app.agent_link = link,
            }
            app.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            let notice = app.shown_notice().is_some();
            app.now = now;
            if app.animating() || (notice && app.shown_notice().is_none()) {
                app.spinner = app.spinner.wrapping_add(1);
                app.dirty = true;
            }
            Vec::new()
        }
        Msg::Notice { error, text } => {
            app.notify(error, text);
            Vec::new()
        }
        Msg::BrokerRestarted { url, error, text } => {
            super::restart::restarted(app, url, error, text);
            Vec::new()
        }
        Msg::AttachFailed { id, error } => {
            let name = match app.pending.remove(&id) {
                Some(Pending::Attach(name)) => name,
                _ => "The file".to_owned(),
            };
            app.notify(true, format!("{name} was not sent: {error}"));
            Vec::new()
        }
    }
}

/// The user's connection was welcomed into another conversation: asked for (Ctrl+N), or the
/// broker lost the old one (restarted without a store), and with it every chat the inbox
/// shows, which are marked ended.
fn new_conversation(app: &mut App) {
    if std::mem::take(&mut app.chat.restarting) {
        clear_chat(app);
        return;
    }
    let kept = super::lost::kept(app);
    clear_chat(app);
    for message in kept {
        app.chat.transcript.upsert(message);
    }
    let lost = crate::protocol::EndReason::Error {
        message: "the broker restarted and no longer knows this conversation".into(),
    };
    for chat in app.inbox.chats.iter_mut().filter(|c| c.ended.is_none()) {
        chat.ended = Some(lost.clone());
        chat.user_typing = false;
    }
    app.notify(
        true,
        "The broker restarted without a store: a new conversation starts below the old one; open chats ended",
    );
}

/// Empties the user pane for another conversation.
pub(crate) fn clear_chat(app: &mut App) {
    let chat = &mut app.chat;
    chat.transcript = Transcript::default();
    chat.echoes.clear();
    chat.state = HandoffState::Assistant;
    chat.typing = None;
    chat.scroll = Scroll::default();
    chat.button = 0;
    if app.focus == Focus::Buttons {
        app.focus = Focus::Chat;
    }
}

/// Whether a connection was closed with 1009 (a frame over the broker's size limit), as
/// `client` words the close.
fn refused_as_too_big(error: &str) -> bool {
    error.starts_with("closed by the broker (1009)")
}

/// The broker closed a connection over a frame too big: what was being sent on it did not
/// arrive, so the user's unechoed message goes back into an empty composer, and it is said.
fn too_big(app: &mut App, side: Side) {
    let mut text =
        "The broker closed the connection: a message was over its size limit (1009); reconnecting"
            .to_owned();
    if side == Side::User
        && let Some(echo) = app.chat.echoes.pop()
    {
        app.chat.echoes.clear();
        if app.chat.composer.is_empty() {
            let lines: Vec<String> = echo.text.lines().map(str::to_owned).collect();
            app.chat.composer = input::prompt::with_text(lines, input::MESSAGE_PLACEHOLDER);
            text.push_str("; the message is back in the composer");
        }
    }
    app.notify(true, text);
}

fn server(app: &mut App, side: Side, msg: ServerMsg) {
    match msg {
        ServerMsg::Welcome {
            conversation,
            agent,
            broker,
            resume,
            ..
        } => {
            match side {
                Side::User => {
                    if conversation.is_some() && conversation != app.chat.conversation {
                        if app.chat.conversation.is_some() {
                            new_conversation(app);
                        }
                        app.chat.conversation = conversation;
                    }
                    let chat = &mut app.chat;
                    if chat.conversation.is_some() {
                        chat.resume.fresh = false;
                        // Only this conversation is resumed; the old one's events are done.
                        chat.resume
                            .since
                            .retain(|c, _| chat.conversation.as_ref() == Some(c));
                    }
                    if resume.is_some() {
                        app.chat.resume.secret = resume;
                    }
                    app.user_link = Link::Connected;
                }
                Side::Agent => {
                    if agent.is_some() {
                        app.inbox.agent = agent;
                    }
                    app.agent_link = Link::Connected;
                }
            }
            app.broker = Some(broker);
        }
        ServerMsg::Event {
            conversation,
            seq,
            at,
            event,
            audience,
        } => {
            let resume = match side {
                Side::User => &mut app.chat.resume,
                Side::Agent => &mut app.inbox.resume,
            };
            // A replay of what was already applied (the broker resends from `hello.since`,
            // which may be older than what was queued for the app when the link dropped).
            if !resume.seen(&conversation, seq) {
                return;
            }
            app.now = app.now.max(at);
            match side {
                Side::User => user_event(app, &conversation, event),
                Side::Agent => desk_event(
                    app,
                    conversation,
                    super::panes::inbox::marked_note(audience, event),
                ),
            }
        }
        ServerMsg::Desk { agents } => app.inbox.desk = agents,
        ServerMsg::Trace { .. } => {}
        // A protocol 2 echo was taken in as its event first (`update`).
        ServerMsg::Ack { id, .. } => acknowledged(app, &id),
        ServerMsg::Error { id, code, message } => refused(app, side, id.as_ref(), code, &message),
    }
}

/// The broker did what request `id` asked.
fn acknowledged(app: &mut App, id: &crate::protocol::RequestId) {
    match app.pending.remove(id) {
        // The message event normally came first; if the broker reworded the text, the
        // echo still goes.
        Some(Pending::Say) => app.chat.echoes.retain(|e| &e.id != id),
        Some(Pending::ActAs(agent)) => {
            app.notify(false, format!("Now acting as {agent}"));
            app.inbox.agent = Some(agent);
        }
        Some(Pending::Attach(name)) => app.notify(false, format!("{name} sent")),
        Some(Pending::Accept) => {
            app.notify(false, "Request accepted");
            // The agent took the chat to talk in it: the reply box is where they go next.
            if app.focus == Focus::Inbox {
                app.focus = Focus::Reply;
            }
        }
        Some(Pending::Transfer(agent)) => {
            app.notify(false, format!("Transferred to {agent}"));
            // The chat is no longer theirs to reply in: back to the list.
            if app.focus == Focus::Reply {
                app.focus = Focus::Inbox;
            }
        }
        Some(Pending::Invite(agent)) => {
            app.notify(false, format!("Invited {agent}: waiting for their answer"));
        }
        Some(Pending::Reject) => app.notify(false, "Request rejected"),
        Some(Pending::End) => app.notify(false, "Chat ended"),
        _ => {}
    }
}

/// The broker refused request `id` (or, without one, the connection): it is said why.
fn refused(
    app: &mut App,
    side: Side,
    id: Option<&crate::protocol::RequestId>,
    code: ErrorCode,
    message: &str,
) {
    forget_unknown_conversation(app, side, id.is_none(), code);
    let what = id.and_then(|id| app.pending.remove(id));
    if let Some(id) = id {
        app.chat.echoes.retain(|e| &e.id != id);
    }
    let doing = match what {
        Some(Pending::Say) => "Sending".to_owned(),
        Some(Pending::Attach(name)) => format!("Sending {name}"),
        Some(Pending::Press(label)) => format!("Pressing {label}"),
        Some(Pending::Accept) => "Accepting".to_owned(),
        Some(Pending::Reject) => "Rejecting".to_owned(),
        Some(Pending::Reply) => "Replying".to_owned(),
        Some(Pending::End) => "Ending the chat".to_owned(),
        Some(Pending::Transfer(agent)) => format!("Transferring to {agent}"),
        Some(Pending::Invite(agent)) => format!("Inviting {agent}"),
        Some(Pending::ActAs(agent)) => format!("Acting as {agent}"),
        Some(Pending::Other) | None => format!("The {} connection", side.label()),
    };
    let code = serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    // The broker's refusal of a file already names it ("x.pdf was not sent: ...").
    let text = if doing
        .strip_prefix("Sending ")
        .is_some_and(|n| message.starts_with(n))
    {
        format!("{message} ({code})")
    } else {
        format!("{doing} failed: {message} ({code})")
    };
    app.notify(true, text);
}

/// A broker that no longer knows the user's conversation refuses the hello: with `not_found`,
/// or, when the hello carried a resume secret, with `forbidden` (restarted without a store,
/// it has a new resume key, and checks the secret before it looks the conversation up). The
/// next hello opens a new conversation instead of retrying the lost one forever.
fn forget_unknown_conversation(app: &mut App, side: Side, unprompted: bool, code: ErrorCode) {
    let refused = match code {
        ErrorCode::NotFound => true,
        ErrorCode::Forbidden => app.chat.resume.secret.is_some(),
        _ => false,
    };
    if unprompted && refused && side == Side::User && app.chat.conversation.is_some() {
        app.chat.resume.start_fresh();
    }
}

/// Adds a message to a transcript; a scrolled-back view stays on its anchor (messages are only
/// appended after it) and counts the new one as unseen.
fn add_message(transcript: &mut Transcript, scroll: &mut Scroll, message: ChatMessage) {
    if transcript.upsert(message) == Upsert::Added {
        scroll.added();
    }
}

fn user_event(app: &mut App, conversation: &ConversationId, event: ConversationEvent) {
    // Late events of another platform's conversation (switched away from) are not this one's.
    let elsewhere = app.chat.elsewhere.values().any(|(c, _)| c == conversation);
    if elsewhere
        || app
            .chat
            .conversation
            .as_ref()
            .is_some_and(|c| c != conversation)
    {
        return;
    }
    match event {
        ConversationEvent::Message { message } => {
            if message.role == Role::User {
                // The broker names the `say` that sent the message; brokers that do not are
                // matched by text.
                let text = plain_text(&message);
                let echo = match &message.request {
                    Some(request) => app.chat.echoes.iter().position(|e| &e.id == request),
                    None => app
                        .chat
                        .echoes
                        .iter()
                        .position(|e| e.text.trim() == text.trim()),
                };
                if let Some(i) = echo {
                    app.chat.echoes.remove(i);
                }
            }
            if message.role == Role::Agent {
                app.chat.typing = None;
            }
            add_message(&mut app.chat.transcript, &mut app.chat.scroll, message);
            clamp_button(app);
        }
        ConversationEvent::State { state } => {
            // Nobody types into a chat that is over (or not started).
            if !matches!(state, HandoffState::Connected { .. }) {
                app.chat.typing = None;
            }
            app.chat.state = state;
        }
        ConversationEvent::Typing { who, on } if who != "user" => {
            app.chat.typing = on.then_some(who);
        }
        _ => {}
    }
}

/// The plain text of a message's rich-text parts.
pub fn plain_text(message: &ChatMessage) -> String {
    message
        .parts
        .iter()
        .filter_map(|p| match p {
            crate::protocol::Part::RichText { rich_text } => Some(crate::text::to_plain(rich_text)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Keeps the button focus on a button that exists; when none can be pressed any more, the
/// focus goes back to the composer.
fn clamp_button(app: &mut App) {
    let (count, pressable) =
        app.chat
            .transcript
            .latest_with_buttons()
            .map_or((0, false), |(_, m)| {
                let pressable = m
                    .buttons()
                    .any(|b| b.state == crate::protocol::ButtonState::Active);
                (m.buttons().count(), pressable)
            });
    app.chat.button = app.chat.button.min(count.saturating_sub(1));
    if app.focus == super::app::Focus::Buttons && !pressable {
        app.focus = super::app::Focus::Chat;
    }
}

/// The position of a conversation in the inbox, added when new.
fn desk_chat(app: &mut App, conversation: ConversationId) -> usize {
    if let Some(i) = app
        .inbox
        .chats
        .iter()
        .position(|c| c.conversation == conversation)
    {
        return i;
    }
    app.inbox.chats.push(DeskChat::new(conversation, app.now));
    app.inbox.chats.len() - 1
}

fn desk_event(app: &mut App, conversation: ConversationId, event: ConversationEvent) {
    let known = app
        .inbox
        .chats
        .iter()
        .any(|c| c.conversation == conversation);
    // A conversation enters the inbox with its request; what comes before is not the desk's.
    if !known && !matches!(event, ConversationEvent::Request { .. }) {
        return;
    }
    let index = desk_chat(app, conversation);
    if let ConversationEvent::Message { message } = event {
        let chat = &mut app.inbox.chats[index];
        chat.user_typing = false;
        add_message(&mut chat.transcript, &mut chat.scroll, message);
        return;
    }
    let me = app.inbox.agent.clone();
    let chat = &mut app.inbox.chats[index];
    let mut select = false;
    match event {
        ConversationEvent::Request {
            title,
            user,
            topic,
            context,
            history,
            queued_at,
            style,
        } => {
            // A request that is still waiting comes again when the user edits its details:
            // the details change, its place and offers stay.
            let update = known && chat.ended.is_none() && chat.agents.is_empty();
            let edited = update && chat.title != title;
            chat.title = title;
            chat.user = Some(user);
            chat.topic = topic;
            chat.context = context;
            chat.history = history;
            chat.style = Some(style);
            if !update {
                chat.queued_at = queued_at;
                chat.offered_to = None;
                chat.agents.clear();
                chat.rejected.clear();
                chat.ended = None;
            }
            if !known {
                app.notify(false, "New request in the inbox");
            } else if edited {
                app.notify(false, "The user added details to a waiting request");
            }
        }
        ConversationEvent::Offered { agent } => chat.offered_to = Some(agent),
        ConversationEvent::Rejected { agent, reason } => chat.rejected.push((agent, reason)),
        ConversationEvent::Withdrawn { reason } | ConversationEvent::ChatEnded { reason } => {
            chat.ended = Some(reason);
            chat.user_typing = false;
            chat.invited.clear();
        }
        ConversationEvent::Invited { agent, by } => {
            return invitation(app, index, &agent, &by);
        }
        ConversationEvent::InviteDeclined { agent, by, reason } => {
            return declined(app, index, &agent, &by, &reason);
        }
        ConversationEvent::Assigned { agent, mut agents } => {
            select = me.as_deref() == Some(agent.as_str());
            // The agent who joined is listed last (`assigned()`); brokers before `agents` send
            // none, which leaves them alone in the chat.
            agents.retain(|a| *a != agent);
            agents.push(agent);
            chat.invited.retain(|(to, _)| !agents.contains(to));
            chat.declined.retain(|(to, _, _)| !agents.contains(to));
            chat.agents = agents;
        }
        ConversationEvent::Typing { who, on } if who == "user" => chat.user_typing = on,
        _ => {}
    }
    if select {
        app.inbox.selected = index;
    }
}

/// `by` invited `agent` into the chat at `index`: the invitee is told, and their inbox selects it.
fn invitation(app: &mut App, index: usize, agent: &str, by: &str) {
    let chat = &mut app.inbox.chats[index];
    chat.invited.retain(|(to, _)| to != agent);
    chat.invited.truncate(crate::desk::MAX_INVITES - 1);
    chat.invited.push((agent.to_owned(), by.to_owned()));
    if app.inbox.agent.as_deref() == Some(agent) {
        app.inbox.selected = index;
        app.notify(
            false,
            format!("{by} invites you to a live chat: a accepts, r declines"),
        );
    }
}

/// `agent` declined `by`'s invitation to the chat at `index`: the inviter is told.
fn declined(app: &mut App, index: usize, agent: &str, by: &str, reason: &str) {
    let chat = &mut app.inbox.chats[index];
    chat.invited.retain(|(to, _)| to != agent);
    if chat.declined.len() >= crate::desk::MAX_INVITES {
        chat.declined.remove(0);
    }
    let declined = (agent.to_owned(), by.to_owned(), reason.to_owned());
    chat.declined.push(declined);
    if app.inbox.agent.as_deref() == Some(by) {
        let why = if reason.is_empty() {
            String::new()
        } else {
            format!(": {reason}")
        };
        app.notify(false, format!("{agent} declined your invitation{why}"));
    }
}

/// Records a sent `say` as a local echo.
pub(crate) fn echo(app: &mut App, id: crate::protocol::RequestId, text: String) {
    app.chat.echoes.push(Echo { id, text });
}
