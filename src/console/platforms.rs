//! Switching the user pane between chat platforms (issue 15, rule 8). Each platform has its own
//! conversation at the broker; the pane keeps the one it leaves (its id and resume secret, in
//! `ChatPane::elsewhere`) and reconnects as the next platform, so switching back resumes the
//! other conversation whole: the broker replays it from its start.

use super::app::App;
use super::msg::Command;
use super::session::Resume;
use crate::protocol::Platform;

/// Moves the user pane to `to`; the reconnect the returned command asks for does the rest.
pub(crate) fn switch(app: &mut App, to: Platform) -> Vec<Command> {
    let from = app.chat.platform;
    if to == from {
        return Vec::new();
    }
    if let Some(conversation) = app.chat.conversation.take() {
        let secret = app.chat.resume.secret.take();
        app.chat.elsewhere.insert(from, (conversation, secret));
    }
    super::update::clear_chat(app);
    let (conversation, secret) = app
        .chat
        .elsewhere
        .remove(&to)
        .map_or((None, None), |(c, s)| (Some(c), s));
    app.chat.conversation = conversation;
    app.chat.resume = Resume {
        secret,
        ..Resume::default()
    };
    app.chat.platform = to;
    let files = match to.no_files_reason() {
        Some(why) => format!("{why}."),
        None => "Files: paperclip (Ctrl+O), paste or drop a path.".to_owned(),
    };
    app.notify(
        false,
        format!(
            "The user is now on {}, in its own conversation. {files}",
            to.label()
        ),
    );
    vec![Command::NewConversation]
}
