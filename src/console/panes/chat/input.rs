//! Keys of the user chat: the composer (send, recall, typing) and the buttons.

use super::ComposeMode;
use super::keys::{BUTTONS, ButtonKey, COMPOSER, ComposerKey};
use crate::console::app::{App, Focus, Pending, Scroll};
use crate::console::input::prompt::{self, PromptKey};
use crate::console::input::{
    Handled, LONGEST_ID, composer_key, file_prompt, over_limit, peek_text, take_text,
};
use crate::console::keymap::dispatch;
use crate::console::msg::{Command, Side};
use crate::console::update::echo;
use crate::protocol::{ButtonState, ClientMsg, HandoffState, MessageId, UserInfo};
use crossterm::event::{KeyCode, KeyEvent};

/// The user composer's placeholder.
pub(crate) const MESSAGE_PLACEHOLDER: &str = "Type a message; Enter sends";

/// A key on the composer: its table first; what the table does not bind is typed.
pub(crate) fn chat_key(app: &mut App, key: KeyEvent) -> Handled {
    match app.chat.mode {
        ComposeMode::AttachPath { .. } => return attach_path_key(app, key),
        ComposeMode::UserName { .. } => return user_name_key(app, key),
        ComposeMode::Message => {}
    }
    let recalling = app.chat.composer.is_empty() || app.chat.recall.is_some();
    match dispatch(COMPOSER, &key) {
        Some(ComposerKey::Attach) => start_attach(app),
        Some(ComposerKey::NewLine) => app.chat.composer.insert_newline(),
        Some(ComposerKey::Send) => return Handled::Yes(send_say(app)),
        Some(ComposerKey::Older) if recalling => recall(app, true),
        Some(ComposerKey::Newer) if recalling => recall(app, false),
        // `?` on an empty composer is left to the global keys: it asks for help.
        _ if key.code == KeyCode::Char('?') && app.chat.composer.is_empty() => {
            return Handled::No;
        }
        _ => {
            app.chat.recall = None;
            let was_empty = app.chat.composer.is_empty();
            if !composer_key(&mut app.chat.composer, key) {
                return Handled::No;
            }
            return Handled::Yes(user_typing(app, was_empty));
        }
    }
    Handled::Yes(Vec::new())
}

/// Keys while the composer asks for a file's path: Enter sends the file, Esc gives up; both
/// bring back the message being written.
fn attach_path_key(app: &mut App, key: KeyEvent) -> Handled {
    match dispatch(prompt::KEYS, &key) {
        Some(PromptKey::Answer) => Handled::Yes(send_attach(app)),
        Some(PromptKey::Cancel) => {
            end_attach(app);
            Handled::Yes(Vec::new())
        }
        None => prompt::typed(&mut app.chat.composer, key),
    }
}

/// Ctrl+O: the composer asks for the path of a file for the agent. Only a live chat has
/// someone to read it, and the broker must take files.
fn start_attach(app: &mut App) {
    if !matches!(app.chat.state, HandoffState::Connected { .. }) {
        app.notify(
            true,
            "Files go to a live agent: attach one once an agent has joined the chat",
        );
        return;
    }
    if let Some(why) = file_prompt::refusal(app) {
        app.notify(true, why);
        return;
    }
    if let Some(why) = app.chat.platform.no_files_reason() {
        app.notify(true, format!("{why}: no paperclip, paste or drop here"));
        return;
    }
    let draft = prompt::open(
        &mut app.chat.composer,
        "Path of the file for the agent, e.g. ~/crash.png",
    );
    app.chat.mode = ComposeMode::AttachPath { draft };
    app.chat.recall = None;
}

/// Ctrl+N: the composer asks who the user of a new conversation is, suggesting the current
/// user (Enter alone keeps the broker's default user).
pub(crate) fn ask_user_name(app: &mut App) {
    if matches!(app.chat.mode, ComposeMode::AttachPath { .. }) {
        end_attach(app);
    }
    if matches!(app.chat.mode, ComposeMode::UserName { .. }) {
        return;
    }
    let current = app
        .chat
        .user
        .as_ref()
        .map_or("", |u| u.name.as_str())
        .to_owned();
    let draft = prompt::open_with(
        &mut app.chat.composer,
        "User name for a new conversation (Enter alone: the default user)",
        &current,
    );
    app.chat.mode = ComposeMode::UserName { draft };
    app.chat.recall = None;
    app.focus = Focus::Chat;
}

/// Keys while the composer asks for a user name: Enter starts the new conversation, Esc gives
/// up; both bring back the message being written.
fn user_name_key(app: &mut App, key: KeyEvent) -> Handled {
    match dispatch(prompt::KEYS, &key) {
        Some(PromptKey::Answer) => {
            let name = take_text(&mut app.chat.composer);
            end_user_name(app);
            Handled::Yes(new_conversation(app, &name))
        }
        Some(PromptKey::Cancel) => {
            end_user_name(app);
            Handled::Yes(Vec::new())
        }
        None => prompt::typed(&mut app.chat.composer, key),
    }
}

fn end_user_name(app: &mut App) {
    if let ComposeMode::UserName { draft } =
        std::mem::replace(&mut app.chat.mode, ComposeMode::Message)
    {
        prompt::close(&mut app.chat.composer, draft, MESSAGE_PLACEHOLDER);
    }
}

/// The longest user name taken, in characters.
const USER_NAME_CHARS: usize = 64;

/// A new conversation as the user called `name` (the broker's default user when empty).
pub(crate) fn new_conversation(app: &mut App, name: &str) -> Vec<Command> {
    let name: String = crate::text::clean(name.trim())
        .chars()
        .take(USER_NAME_CHARS)
        .collect();
    let user = (!name.is_empty()).then(|| {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_lowercase().next().unwrap_or(c)
                } else {
                    '-'
                }
            })
            .collect();
        UserInfo {
            id: format!("u-{slug}"),
            name: name.clone(),
            email: None,
        }
    });
    app.chat.user.clone_from(&user);
    app.chat.restarting = true;
    app.chat.resume.start_fresh();
    let who = if name.is_empty() {
        "the default user".to_owned()
    } else {
        name
    };
    app.notify(false, format!("Starting a new conversation as {who}"));
    vec![Command::NewConversation]
}

/// Back to writing the message that was set aside.
fn end_attach(app: &mut App) {
    if let ComposeMode::AttachPath { draft } =
        std::mem::replace(&mut app.chat.mode, ComposeMode::Message)
    {
        prompt::close(&mut app.chat.composer, draft, MESSAGE_PLACEHOLDER);
    }
}

fn send_attach(app: &mut App) -> Vec<Command> {
    let input = take_text(&mut app.chat.composer);
    if input.is_empty() {
        return Vec::new();
    }
    end_attach(app);
    let Some(conversation) = app.chat.conversation.clone() else {
        app.notify(true, "Not connected to the broker yet; nothing was sent");
        return Vec::new();
    };
    app.chat.scroll = Scroll::default();
    file_prompt::send(app, Side::User, conversation, &input)
}

/// Tells the agent the user started or stopped typing (only in a live chat, where it shows).
pub(crate) fn user_typing(app: &mut App, was_empty: bool) -> Vec<Command> {
    let now_empty = app.chat.composer.is_empty();
    let live = matches!(app.chat.state, HandoffState::Connected { .. });
    match (&app.chat.conversation, live && was_empty != now_empty) {
        (Some(conversation), true) => {
            let conversation = conversation.clone();
            app.send(Side::User, Pending::Other, |id| ClientMsg::Typing {
                id,
                conversation,
                on: !now_empty,
            })
        }
        _ => Vec::new(),
    }
}

pub(crate) fn recall(app: &mut App, older: bool) {
    let n = app.chat.history.len();
    if n == 0 {
        return;
    }
    let next = match (app.chat.recall, older) {
        (None, true) => Some(n - 1),
        (None, false) => None,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) => (i + 1 < n).then_some(i + 1),
    };
    app.chat.recall = next;
    let text = next.map_or(String::new(), |i| app.chat.history[i].clone());
    app.chat.composer = prompt::with_text(
        text.lines().map(str::to_owned).collect(),
        MESSAGE_PLACEHOLDER,
    );
    app.chat
        .composer
        .move_cursor(ratatui_textarea::CursorMove::Bottom);
    app.chat
        .composer
        .move_cursor(ratatui_textarea::CursorMove::End);
}

pub(crate) fn send_say(app: &mut App) -> Vec<Command> {
    let Some(conversation) = app.chat.conversation.clone() else {
        app.notify(
            true,
            "Not connected to the broker yet; the message was kept",
        );
        return Vec::new();
    };
    let text = peek_text(&app.chat.composer);
    if text.is_empty() {
        return Vec::new();
    }
    let say = |text| ClientMsg::Say {
        id: LONGEST_ID.into(),
        conversation: conversation.clone(),
        text,
    };
    if let Some(why) = over_limit(app, &text, say) {
        app.notify(true, why);
        return Vec::new();
    }
    take_text(&mut app.chat.composer);
    app.chat.recall = None;
    app.chat.history.push(text.clone());
    app.chat.scroll = Scroll::default();
    let id = app.request_id(Side::User, Pending::Say);
    echo(app, id.clone(), text.clone());
    vec![Command::Send {
        side: Side::User,
        msg: ClientMsg::Say {
            id,
            conversation,
            text,
        },
    }]
}

/// A key on the buttons of the latest message, from their table.
pub(crate) fn buttons_key(app: &mut App, key: KeyEvent) -> Handled {
    let count = app
        .chat
        .transcript
        .latest_with_buttons()
        .map_or(0, |(_, m)| m.buttons().count());
    match dispatch(BUTTONS, &key) {
        Some(ButtonKey::Previous) => app.chat.button = app.chat.button.saturating_sub(1),
        Some(ButtonKey::Next) => {
            app.chat.button = (app.chat.button + 1).min(count.saturating_sub(1));
        }
        Some(ButtonKey::Press) => return Handled::Yes(press_nth(app, app.chat.button)),
        Some(ButtonKey::Back) => app.focus = Focus::Chat,
        None => return Handled::No,
    }
    Handled::Yes(Vec::new())
}

/// Presses the n-th button (from 0) of the latest message with buttons.
pub(crate) fn press_nth(app: &mut App, n: usize) -> Vec<Command> {
    let Some((_, message)) = app.chat.transcript.latest_with_buttons() else {
        app.notify(true, "No buttons to press");
        return Vec::new();
    };
    let id = message.id.clone();
    press(app, &id, n)
}

pub(crate) fn press(app: &mut App, message: &MessageId, n: usize) -> Vec<Command> {
    let (Some(conversation), Some(button)) = (
        app.chat.conversation.clone(),
        app.chat
            .transcript
            .get(message)
            .and_then(|m| m.buttons().nth(n))
            .cloned(),
    ) else {
        return Vec::new();
    };
    // A link button shows what it offers, to open or copy, even after it was pressed (the
    // broker records the first press).
    if let crate::protocol::ButtonAction::Open(url) = &button.action {
        crate::console::links::show(
            app,
            vec![crate::console::links::LinkItem {
                label: button.button_text.clone(),
                url: url.clone(),
            }],
        );
        if button.state != ButtonState::Active {
            return Vec::new();
        }
    }
    if button.state != ButtonState::Active {
        let state = match button.state {
            ButtonState::Pressed => "was already pressed",
            ButtonState::Expired => "has expired",
            _ => "is disabled",
        };
        app.notify(
            true,
            format!("\"{}\" {state}", crate::text::clean(&button.button_text)),
        );
        return Vec::new();
    }
    app.chat.scroll = Scroll::default();
    app.send(
        Side::User,
        Pending::Press(button.button_text.clone()),
        |id| ClientMsg::Press {
            id,
            conversation,
            message: message.clone(),
            action: button.action,
        },
    )
}
