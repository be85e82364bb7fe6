//! What each connection says when it (re)connects, derived from the app's state alone.
//!
//! The connection tasks in [`super::client`] keep nothing across reconnects: every `hello` is
//! computed here from [`App`] (the conversation, who the user is, the agent acted as, the last
//! `seq` seen per conversation, the resume secret), and `update` drops replayed events. So
//! there is one owner of what the console knows, and a reconnect says exactly what the screen
//! shows (acting as another agent changes the hello only once the broker has agreed).

use super::app::App;
use super::msg::Side;
use crate::protocol::{ClientMsg, ClientRole, ConversationId, PROTOCOL_VERSION, Platform};
use std::collections::BTreeMap;

/// Where a connection resumes from.
///
/// `since` holds one entry per conversation the broker sent this side events of: the user side
/// has one conversation at a time (cleared when a new one starts); the agent side has one per
/// chat in the inbox, the same bound as the inbox itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resume {
    /// The last event `seq` applied, per conversation.
    pub since: BTreeMap<ConversationId, u64>,
    /// The user conversation's resume secret, from `welcome`.
    pub secret: Option<String>,
    /// The next hello opens a new conversation instead of resuming this one (Ctrl+N, or the
    /// broker no longer knows it).
    pub fresh: bool,
}

impl Resume {
    /// Records event `seq` of `conversation`; false for an event already applied (a replay).
    pub fn seen(&mut self, conversation: &ConversationId, seq: u64) -> bool {
        let last = self.since.entry(conversation.clone()).or_insert(0);
        if seq <= *last {
            return false;
        }
        *last = seq;
        true
    }

    /// Forgets the conversation: the next hello starts a new one.
    pub fn start_fresh(&mut self) {
        self.since.clear();
        self.secret = None;
        self.fresh = true;
    }
}

/// Where the connections dial now: the broker's URL, or nowhere while the console's own
/// broker restarts.
pub fn dial(app: &App) -> Option<String> {
    app.restarting_broker.is_none().then(|| app.url.clone())
}

/// The `hello` the connection of `side` sends when it connects now.
pub fn hello(app: &App, side: Side) -> ClientMsg {
    let (role, resume) = match side {
        Side::User => (ClientRole::User, &app.chat.resume),
        Side::Agent => (ClientRole::Agent, &app.inbox.resume),
    };
    let conversation = match side {
        Side::User if !resume.fresh => app.chat.conversation.clone(),
        _ => None,
    };
    ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        role,
        client: Some(format!("handoff-console/{}", env!("CARGO_PKG_VERSION"))),
        conversation,
        user: (side == Side::User)
            .then(|| app.chat.user.clone())
            .flatten(),
        agent: (side == Side::Agent)
            .then(|| app.inbox.agent.clone())
            .flatten(),
        since: resume.since.clone(),
        // The connector's calls to its system, for the inspector: asked on both connections,
        // since a real system has no desk for the agent one; the app keeps one copy.
        traces: true,
        token: app.token.as_ref().map(|t| t.expose().to_owned()),
        resume: resume.secret.clone(),
        // The inbox acts as every desk agent (`s`), which needs the capability.
        supervisor: side == Side::Agent && app.token.is_some(),
        // Web is what protocol-1 hellos are; Teams and Slack are named (one chat per user).
        platform: (side == Side::User && app.chat.platform != Platform::Web)
            .then_some(app.chat.platform),
        site: None,
    }
}
