//! The `hello` every client of the broker sends first, built in one place: the scenario
//! runner's actors, `handoff connect` and the bench's peers start from [`Hello::new`].

use super::{ClientMsg, ClientRole, ConversationId, PROTOCOL_VERSION, Platform};
use std::collections::BTreeMap;

/// A `hello` under construction; [`Hello::build`] gives the frame.
#[derive(Debug, Clone)]
pub struct Hello {
    role: ClientRole,
    client: String,
    conversation: Option<ConversationId>,
    agent: Option<String>,
    since: BTreeMap<ConversationId, u64>,
    token: Option<String>,
    resume: Option<String>,
    platform: Option<Platform>,
    traces: bool,
    protocol: u32,
}

impl Hello {
    /// A `hello` of `role` from the client named `client` (for the broker's logs).
    pub fn new(role: ClientRole, client: impl Into<String>) -> Self {
        Self {
            role,
            client: client.into(),
            conversation: None,
            agent: None,
            since: BTreeMap::new(),
            token: None,
            resume: None,
            platform: None,
            traces: false,
            protocol: PROTOCOL_VERSION,
        }
    }

    /// The user's conversation to rejoin, with its resume secret.
    #[must_use]
    pub fn rejoin(mut self, conversation: Option<ConversationId>, resume: Option<String>) -> Self {
        self.conversation = conversation;
        self.resume = resume;
        self
    }

    /// The desk agent to act as.
    #[must_use]
    pub fn agent(mut self, agent: Option<String>) -> Self {
        self.agent = agent;
        self
    }

    /// The last `seq` seen per conversation, so only what was missed is replayed.
    #[must_use]
    pub fn since(mut self, since: BTreeMap<ConversationId, u64>) -> Self {
        self.since = since;
        self
    }

    /// The broker's token.
    #[must_use]
    pub fn token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    /// The user's chat platform (issue 15, rule 8); none is Web, as protocol 1 clients send.
    #[must_use]
    pub fn platform(mut self, platform: Option<Platform>) -> Self {
        self.platform = platform;
        self
    }

    /// Also the connector's calls to its system (`trace` messages), as inspectors ask.
    #[must_use]
    pub fn traces(mut self, traces: bool) -> Self {
        self.traces = traces;
        self
    }

    /// Speaks an older protocol version than [`PROTOCOL_VERSION`] (benches and tests of it).
    #[must_use]
    pub fn protocol(mut self, version: u32) -> Self {
        self.protocol = version;
        self
    }

    /// The frame.
    pub fn build(self) -> ClientMsg {
        ClientMsg::Hello {
            protocol: self.protocol,
            role: self.role,
            client: Some(self.client),
            conversation: self.conversation,
            user: None,
            agent: self.agent,
            since: self.since,
            traces: self.traces,
            token: self.token,
            resume: self.resume,
            supervisor: false,
            platform: self.platform,
            site: None,
        }
    }
}
