//! A small WebSocket client for driving the broker in tests, and the seed conversations.
#![allow(dead_code)]
// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod seeds;

use futures_util::{SinkExt, StreamExt};
use handoff::protocol::{ClientMsg, ClientRole, ConversationId, ServerMsg};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait may take before the test fails (a safety net, not a timing).
pub const WAIT: Duration = Duration::from_secs(10);

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub seen: Vec<ServerMsg>,
    /// `seen.len()` when the last request was sent: replies and their effects come after it.
    pub last_action: usize,
    /// Sent as `hello.resume`: the secret of the conversation a user resumes.
    pub resume: Option<String>,
    next: u64,
    /// Protocol 2's echoes, and the ack of a `say` received after the message event it
    /// stands for (boxed: tests hold several clients in one future).
    echoes: Box<(handoff::protocol::Echoes, Option<ServerMsg>)>,
}

/// The broker's URL with its token in the query, as trusted clients (agents, observers)
/// connect in these tests.
pub fn url(broker: &handoff::broker::RunningBroker) -> String {
    format!("{}/?token={}", broker.url(), broker.token().expose())
}

impl Client {
    pub async fn connect(url: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect");
        Self {
            ws,
            seen: Vec::new(),
            last_action: 0,
            resume: None,
            next: 1,
            echoes: Box::default(),
        }
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.last_action = self.seen.len();
        self.ws
            .send(Message::text(text.to_owned()))
            .await
            .expect("send");
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.echoes.0.sent(msg);
        self.send_raw(&serde_json::to_string(msg).unwrap()).await;
    }

    pub fn id(&mut self) -> handoff::protocol::RequestId {
        self.next += 1;
        format!("r{}", self.next).into()
    }

    /// Next server message; panics after [`WAIT`].
    /// Protocol 2's ack of a `say` is its echo: this client, as the console does, receives
    /// the message event it stands for first, then the ack.
    pub async fn recv(&mut self) -> ServerMsg {
        if let Some(ack) = self.echoes.1.take() {
            self.seen.push(ack.clone());
            return ack;
        }
        loop {
            let Ok(frame) = tokio::time::timeout(WAIT, self.ws.next()).await else {
                panic!("timed out waiting for a frame; seen: {:#?}", self.seen);
            };
            let frame = frame.expect("connection closed").expect("read error");
            if let Message::Text(text) = frame {
                let msg: ServerMsg =
                    serde_json::from_str(text.as_str()).expect("server sent bad JSON");
                let (msg, then) = self.echoes.0.received(msg);
                self.echoes.1 = then;
                self.seen.push(msg.clone());
                return msg;
            }
        }
    }

    /// Where the next received message will land in `seen`.
    pub fn mark(&self) -> usize {
        self.seen.len()
    }

    /// The first message from `mark` on that matches `pred`, reading more as needed.
    pub async fn wait_from(
        &mut self,
        mark: usize,
        what: &str,
        pred: impl Fn(&ServerMsg) -> bool,
    ) -> ServerMsg {
        if let Some(m) = self.seen[mark.min(self.seen.len())..]
            .iter()
            .find(|m| pred(m))
        {
            return m.clone();
        }
        self.wait_for(what, pred).await
    }

    /// Reads until `pred` matches; returns the match.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; seen: {:#?}",
                self.seen
            );
            let msg = self.recv().await;
            if pred(&msg) {
                return msg;
            }
        }
    }

    pub async fn hello(
        &mut self,
        role: ClientRole,
        conversation: Option<ConversationId>,
        agent: Option<&str>,
        since: BTreeMap<ConversationId, u64>,
    ) -> ServerMsg {
        self.send(&ClientMsg::Hello {
            protocol: handoff::protocol::PROTOCOL_VERSION,
            role,
            client: Some("tests".into()),
            conversation,
            user: None,
            agent: agent.map(str::to_owned),
            since,
            traces: false,
            token: None,
            resume: self.resume.clone(),
            supervisor: false,
            platform: None,
            site: None,
        })
        .await;
        self.wait_for("welcome", |m| {
            matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Error { .. })
        })
        .await
    }

    /// A user's hello naming a platform and a site (rule 8); returns the welcome or error.
    pub async fn hello_on(
        &mut self,
        platform: Option<handoff::protocol::Platform>,
        site: Option<&str>,
    ) -> ServerMsg {
        let mut hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "user"});
        hello["platform"] = serde_json::to_value(platform).unwrap();
        hello["site"] = serde_json::to_value(site).unwrap();
        self.send_raw(&hello.to_string()).await;
        self.wait_for("welcome", |m| {
            matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Error { .. })
        })
        .await
    }

    /// Joins as the default user on `platform` (and `site`); returns the conversation.
    pub async fn join_user_on(
        url: &str,
        platform: handoff::protocol::Platform,
        site: Option<&str>,
    ) -> (Self, ConversationId) {
        let mut c = Self::connect(url).await;
        let ServerMsg::Welcome {
            conversation: Some(conv),
            ..
        } = c.hello_on(Some(platform), site).await
        else {
            panic!("no welcome: {:#?}", c.seen)
        };
        (c, conv)
    }

    /// The resume secret the broker gave this user in `welcome`.
    pub fn resume_secret(&self) -> Option<String> {
        self.seen.iter().find_map(|m| match m {
            ServerMsg::Welcome { resume, .. } => resume.clone(),
            _ => None,
        })
    }

    /// Joins as a new user; returns the conversation.
    pub async fn join_user(url: &str) -> (Self, ConversationId) {
        let mut c = Self::connect(url).await;
        let ServerMsg::Welcome {
            conversation: Some(conv),
            ..
        } = c.hello(ClientRole::User, None, None, BTreeMap::new()).await
        else {
            panic!("no welcome: {:#?}", c.seen)
        };
        (c, conv)
    }

    pub async fn join_agent(url: &str, agent: &str) -> Self {
        let mut c = Self::connect(url).await;
        let welcome = c
            .hello(ClientRole::Agent, None, Some(agent), BTreeMap::new())
            .await;
        assert!(matches!(welcome, ServerMsg::Welcome { .. }), "{welcome:#?}");
        c
    }

    /// Joins as an observer (every conversation's events).
    pub async fn join_observer(url: &str) -> Self {
        let mut c = Self::connect(url).await;
        let welcome = c
            .hello(ClientRole::Observer, None, None, BTreeMap::new())
            .await;
        assert!(matches!(welcome, ServerMsg::Welcome { .. }), "{welcome:#?}");
        c
    }

    /// Rejoins a user's conversation after `since`; returns the client and its welcome or error.
    pub async fn resume_user(
        url: &str,
        conv: &ConversationId,
        resume: Option<String>,
        since: u64,
    ) -> (Self, ServerMsg) {
        let mut c = Self::connect(url).await;
        c.resume = resume;
        let since = BTreeMap::from([(conv.clone(), since)]);
        let answer = c
            .hello(ClientRole::User, Some(conv.clone()), None, since)
            .await;
        (c, answer)
    }

    /// Sends a request and waits for its ack (panics on an error frame).
    pub async fn request(&mut self, make: impl FnOnce(handoff::protocol::RequestId) -> ClientMsg) {
        let id = self.id();
        self.send(&make(id.clone())).await;
        let reply = self
            .wait_for("ack", |m| matches!(m, ServerMsg::Ack { id: i, .. } | ServerMsg::Error { id: Some(i), .. } if *i == id))
            .await;
        assert!(
            matches!(reply, ServerMsg::Ack { .. }),
            "request failed: {reply:#?}"
        );
    }

    /// Waits for the broker to close the connection; returns its close frame.
    pub async fn closed(&mut self) -> tokio_tungstenite::tungstenite::protocol::CloseFrame {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("no close frame")
            {
                Some(Ok(Message::Close(frame))) => break frame.expect("a close frame with a code"),
                Some(Ok(_)) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    /// Sends a request and returns its error frame (panics on an ack).
    pub async fn request_error(
        &mut self,
        make: impl FnOnce(handoff::protocol::RequestId) -> ClientMsg,
    ) -> ServerMsg {
        let id = self.id();
        self.send(&make(id.clone())).await;
        let reply = self
            .wait_for("error", |m| matches!(m, ServerMsg::Ack { id: i, .. } | ServerMsg::Error { id: Some(i), .. } if *i == id))
            .await;
        assert!(
            matches!(reply, ServerMsg::Error { .. }),
            "expected an error: {reply:#?}"
        );
        reply
    }
}

/// The `purple_chat_link` conversation of a seed file (`tests/fixtures/seeds/NNN_*.txt`), decoded.
pub fn seed(prefix: &str) -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let entry = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list the seeds in {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}_*.txt in tests/fixtures/seeds"));
    let text = std::fs::read_to_string(entry.path()).unwrap();
    let link = text
        .lines()
        .find_map(|l| l.strip_prefix("purple_chat_link: "))
        .expect("purple_chat_link line");
    let encoded = link
        .split("conversation=")
        .nth(1)
        .expect("conversation parameter");
    let decoded: String = url::form_urlencoded::parse(format!("c={encoded}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap();
    serde_json::from_str(&decoded).expect("seed JSON")
}
