//! Ctrl+O in a composer: the composer asks for a file's path (see [`super::prompt`]); Enter
//! turns the path into an [`Command::Attach`] on one connection, Esc gives up. The user chat
//! and the inbox's reply box share it.

use crate::console::app::{App, Pending};
use crate::console::attach;
use crate::console::msg::{Command, Side};
use crate::protocol::ConversationId;

/// Why no file can be sent now, if none can: the broker takes none.
pub(crate) fn refusal(app: &App) -> Option<&'static str> {
    app.broker
        .as_ref()
        .is_some_and(|b| b.max_attachment_bytes == 0)
        .then_some("This broker takes no files (--max-attachment-bytes 0)")
}

/// The command that reads the file at `input` and sends it on `side` into `conversation`.
pub(crate) fn send(
    app: &mut App,
    side: Side,
    conversation: ConversationId,
    input: &str,
) -> Vec<Command> {
    let Some(max_bytes) = app.broker.as_ref().map(|b| b.max_attachment_bytes) else {
        app.notify(true, "Not connected to the broker yet; nothing was sent");
        return Vec::new();
    };
    let path = attach::parse_path(input);
    let name = attach::display_name(&path);
    app.notify(false, format!("Sending {name}…"));
    let id = app.request_id(side, Pending::Attach(name));
    vec![Command::Attach {
        side,
        id,
        conversation,
        path,
        max_bytes,
    }]
}
