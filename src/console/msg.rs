//! What enters `update` ([`Msg`]) and what leaves it ([`Command`]).

use crate::protocol::{ClientMsg, ConversationId, Millis, RequestId, ServerMsg};
use crossterm::event::Event;

/// Which of the console's two broker connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The `user` connection behind the chat pane.
    User,
    /// The `agent` connection behind the inbox pane.
    Agent,
}

impl Side {
    /// "user" or "agent".
    pub fn label(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Agent => "agent",
        }
    }
}

/// The direction of a frame, for the inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sent by the console.
    Out,
    /// Received from the broker.
    In,
}

/// The state of one connection to the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Opening the first connection.
    Connecting,
    /// Welcomed by the broker.
    Connected,
    /// Lost; trying again (attempt number, last error).
    Reconnecting {
        /// How many attempts failed in a row.
        attempt: u32,
        /// Why the last one failed.
        error: String,
    },
}

/// Everything that can change the console's state.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A terminal event: key, mouse, paste, resize, focus.
    Input(Event),
    /// A decoded frame from the broker on one connection.
    Server {
        /// Which connection.
        side: Side,
        /// The frame.
        msg: ServerMsg,
    },
    /// A raw text frame in either direction, for the inspector.
    Frame {
        /// Which connection.
        side: Side,
        /// Sent or received.
        direction: Direction,
        /// When.
        at: Millis,
        /// The JSON text as it went over the wire.
        text: String,
    },
    /// A connection's state changed.
    Link {
        /// Which connection.
        side: Side,
        /// Its new state.
        link: Link,
    },
    /// Time passed (drives spinners and wait timers only while something animates).
    Tick(Millis),
    /// A task the console started has something to say (a link that could not be opened).
    Notice {
        /// An error (or just information).
        error: bool,
        /// The text.
        text: String,
    },
    /// The console's own broker restarted, or did not: the connections dial again.
    BrokerRestarted {
        /// Where it listens now, when it restarted (another port when the old one was taken).
        url: Option<String>,
        /// An error (or just information).
        error: bool,
        /// What to tell the user.
        text: String,
    },
    /// A file to attach could not be read or is over the limit; nothing was sent.
    AttachFailed {
        /// The `attach` request it would have been.
        id: RequestId,
        /// Why, for people.
        error: String,
    },
}

/// What `update` asks the driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send a request on one connection.
    Send {
        /// Which connection.
        side: Side,
        /// The request.
        msg: ClientMsg,
    },
    /// Read a file off the UI thread and send it in an `attach`; a failure comes back as
    /// [`Msg::AttachFailed`].
    Attach {
        /// Which connection sends it: the user's, or the agent's into a chat they are in.
        side: Side,
        /// The request id (already pending).
        id: RequestId,
        /// The conversation.
        conversation: ConversationId,
        /// The file, as the user gave it.
        path: std::path::PathBuf,
        /// The broker's limit, in bytes.
        max_bytes: usize,
    },
    /// Open a link (checked by [`crate::console::links::openable`]) in a browser, off the UI
    /// thread; when there is no browser to run, the status bar shows it instead.
    Open(String),
    /// Copy text to the clipboard through the terminal (OSC 52).
    Copy(String),
    /// Leave the user's conversation and start a new one, as the hello the state now gives
    /// says (the user named in `ChatPane::user`; the broker's default user when `None`).
    NewConversation,
    /// Stop the console's own broker and start it again on its store, in a task; the outcome
    /// comes back as a [`Msg::BrokerRestarted`], and both connections reconnect as after a
    /// drop, to wherever the broker listens now.
    RestartBroker,
    /// Drop a connection's socket without a close frame (a fault); it reconnects with
    /// `since`.
    DropSocket(Side),
    /// Inject a system fault through its emulator's controls (or the mock desk's), off the UI
    /// thread; how it went comes back as a [`Msg::Notice`].
    Fault {
        /// Where it goes.
        target: crate::scenario::faults::FaultTarget,
        /// The fault, as a scenario step.
        action: crate::scenario::Action,
        /// The broker's conversation id (the queue to expire).
        conversation: String,
    },
    /// Leave the console.
    Quit,
}
