//! One actor of a scenario on its own WebSocket: it says hello, keeps everything the broker
//! sends it in a log, answers its requests' acks, and reconnects with `since` after a drop.

use crate::protocol::{
    ClientMsg, ClientRole, ConversationId, Echoes, ErrorCode, Hello, RequestId, ServerMsg,
};
use futures_util::{SinkExt as _, StreamExt as _};
use std::collections::BTreeMap;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The most messages one actor keeps: a scenario that makes more fails rather than grow
/// without bound.
pub const MAX_LOG: usize = 100_000;

/// Where an actor connects, and with what.
#[derive(Clone)]
pub struct Dial {
    /// The broker's `ws://` URL.
    pub url: String,
    /// The broker's token, sent in `hello.token` when known.
    pub token: Option<String>,
    /// The user's chat platform (`platform` of the options), named in the user's hello.
    pub platform: Option<crate::protocol::Platform>,
}

/// How an actor's request was answered.
pub enum Answer {
    /// `ack`.
    Ack,
    /// `error`, with its code and message.
    Error(ErrorCode, String),
}

/// One connected actor.
pub struct Actor {
    /// Its name in the scenario.
    pub name: String,
    /// Its role.
    pub role: ClientRole,
    /// Everything the broker sent it, in order (across reconnects).
    pub log: Vec<ServerMsg>,
    /// The user's conversation (the user's own; for others, once known).
    pub conversation: Option<ConversationId>,
    ws: Option<Ws>,
    dial: Dial,
    resume: Option<String>,
    since: BTreeMap<ConversationId, u64>,
    next_id: u64,
    /// Whether it asked for the connector's calls (`hello.traces`).
    traces: bool,
    /// The texts of `say`s waiting for their answer (protocol 2 echoes them in the ack).
    echoes: Echoes,
    /// Protocol 2's ack of a `say`, read after the message event it stands for.
    queued: Option<ServerMsg>,
}

impl Actor {
    /// Connects and says hello; fails with the broker's refusal or the socket's error.
    pub async fn join(
        dial: &Dial,
        name: &str,
        role: ClientRole,
        deadline: Instant,
    ) -> Result<Self, String> {
        Self::join_as(dial, name, role, false, deadline).await
    }

    /// An observer that also sees the connector's calls: the runner's witness, whose log
    /// draws a failed scenario's picture.
    pub async fn witness(dial: &Dial, deadline: Instant) -> Result<Self, String> {
        Self::join_as(dial, "witness", ClientRole::Observer, true, deadline).await
    }

    async fn join_as(
        dial: &Dial,
        name: &str,
        role: ClientRole,
        traces: bool,
        deadline: Instant,
    ) -> Result<Self, String> {
        let mut actor = Self {
            name: name.to_owned(),
            role,
            log: Vec::new(),
            conversation: None,
            ws: None,
            dial: dial.clone(),
            resume: None,
            since: BTreeMap::new(),
            next_id: 0,
            traces,
            echoes: Echoes::default(),
            queued: None,
        };
        actor.hello(deadline).await?;
        Ok(actor)
    }

    async fn hello(&mut self, deadline: Instant) -> Result<(), String> {
        let (ws, _) = tokio::time::timeout_at(
            deadline,
            tokio_tungstenite::connect_async(self.dial.url.as_str()),
        )
        .await
        .map_err(|_| format!("{}: no connection to {} in time", self.name, self.dial.url))?
        .map_err(|e| format!("{}: cannot connect to {}: {e}", self.name, self.dial.url))?;
        self.ws = Some(ws);
        let user = self.role == ClientRole::User;
        let hello = Hello::new(
            self.role,
            concat!("handoff-run/", env!("CARGO_PKG_VERSION")),
        )
        .rejoin(
            self.conversation.clone().filter(|_| user),
            self.resume.clone(),
        )
        .agent((self.role == ClientRole::Agent).then(|| self.name.clone()))
        .since(self.since.clone())
        .token(self.dial.token.clone())
        .platform(self.dial.platform.filter(|_| user))
        .traces(self.traces)
        .build();
        self.send(&hello).await?;
        let from = self.log.len();
        loop {
            match self.read(deadline).await? {
                Some(ServerMsg::Welcome {
                    conversation,
                    resume,
                    ..
                }) => {
                    self.conversation = self.conversation.take().or(conversation);
                    self.resume = self.resume.take().or(resume);
                    return Ok(());
                }
                Some(ServerMsg::Error { code, message, .. }) => {
                    return Err(format!(
                        "{}: hello refused ({code:?}): {message}",
                        self.name
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(format!(
                        "{}: no welcome in time; saw {} messages",
                        self.name,
                        self.log.len() - from
                    ));
                }
            }
        }
    }

    /// What the broker holds of the user's conversation now, asked for whole (no `since`) on a
    /// second connection, up to the last event this actor saw.
    pub async fn replay_whole(&self, deadline: Instant) -> Result<Vec<ServerMsg>, String> {
        let conversation = self.conversation.clone().ok_or("no conversation")?;
        let mut probe = Self {
            name: format!("{} (a second connection)", self.name),
            role: self.role,
            log: Vec::new(),
            conversation: Some(conversation.clone()),
            ws: None,
            dial: self.dial.clone(),
            resume: self.resume.clone(),
            since: BTreeMap::new(),
            next_id: 0,
            traces: false,
            echoes: Echoes::default(),
            queued: None,
        };
        probe.hello(deadline).await?;
        let seen = self.since.get(&conversation).copied().unwrap_or(0);
        while probe.since.get(&conversation).copied().unwrap_or(0) < seen {
            if probe.read(deadline).await?.is_none() {
                return Err(format!("the replay did not reach event {seen} in time"));
            }
        }
        let log = std::mem::take(&mut probe.log);
        probe.close().await;
        Ok(log)
    }

    /// Connects to `url` from now on (a restarted broker on another port).
    pub fn redial(&mut self, url: &str) {
        url.clone_into(&mut self.dial.url);
    }

    /// Closes the socket without a goodbye and connects again, naming the last `seq` seen of
    /// each conversation (and the user's resume secret): what was missed is replayed.
    pub async fn drop_and_rejoin(&mut self, deadline: Instant) -> Result<(), String> {
        if let Some(mut ws) = self.ws.take() {
            // An abrupt end: the TCP stream goes away with no close frame.
            let _ = ws.get_mut();
            drop(ws);
        }
        self.hello(deadline).await
    }

    async fn send(&mut self, msg: &ClientMsg) -> Result<(), String> {
        let text = serde_json::to_string(msg).map_err(|e| e.to_string())?;
        let ws = self
            .ws
            .as_mut()
            .ok_or_else(|| format!("{}: not connected", self.name))?;
        ws.send(Message::text(text))
            .await
            .map_err(|e| format!("{}: cannot send: {e}", self.name))
    }

    /// Sends the request `make` builds with a fresh id and waits for its ack or error.
    pub async fn request(
        &mut self,
        make: impl FnOnce(RequestId) -> ClientMsg,
        deadline: Instant,
    ) -> Result<Answer, String> {
        self.next_id += 1;
        let id: RequestId = format!("{}-{}", self.name, self.next_id).into();
        let request = make(id.clone());
        self.echoes.sent(&request);
        self.send(&request).await?;
        loop {
            match self.read(deadline).await? {
                Some(ServerMsg::Ack { id: got, .. }) if got == id => return Ok(Answer::Ack),
                Some(ServerMsg::Error {
                    id: Some(got),
                    code,
                    message,
                }) if got == id => return Ok(Answer::Error(code, message)),
                Some(_) => {}
                None => return Err(format!("no ack or error for request {id} in time")),
            }
        }
    }

    /// Reads the next message into the log, or `None` once `deadline` passes.
    pub async fn read(&mut self, deadline: Instant) -> Result<Option<ServerMsg>, String> {
        if let Some(ack) = self.queued.take() {
            self.log.push(ack.clone());
            return Ok(Some(ack));
        }
        let name = &self.name;
        let ws = self
            .ws
            .as_mut()
            .ok_or_else(|| format!("{name}: not connected"))?;
        loop {
            let frame = match tokio::time::timeout_at(deadline, ws.next()).await {
                Err(_) => return Ok(None),
                Ok(None) => return Err(format!("{name}: the broker closed the connection")),
                Ok(Some(Err(e))) => return Err(format!("{name}: connection failed: {e}")),
                Ok(Some(Ok(frame))) => frame,
            };
            let text = match frame {
                Message::Text(text) => text,
                Message::Close(close) => {
                    return Err(format!(
                        "{name}: the broker closed the connection: {close:?}"
                    ));
                }
                _ => continue,
            };
            let msg: ServerMsg = serde_json::from_str(text.as_str()).map_err(|e| {
                format!("{name}: the broker sent a frame that is not a message ({e}): {text}")
            })?;
            return self.take(msg).map(Some);
        }
    }

    /// Logs a message the broker sent. Protocol 2's ack of a `say` is its echo: the message
    /// event it stands for is logged (and returned) first, the ack next time.
    fn take(&mut self, msg: ServerMsg) -> Result<ServerMsg, String> {
        let name = &self.name;
        let (msg, then) = self.echoes.received(msg);
        self.queued = then;
        if self.log.len() >= MAX_LOG {
            return Err(format!("{name}: more than {MAX_LOG} messages"));
        }
        if let ServerMsg::Event {
            conversation, seq, ..
        } = &msg
        {
            let last = self.since.entry(conversation.clone()).or_default();
            if *seq <= *last {
                // A reconnect replays only what was missed: nothing twice, nothing late.
                return Err(format!(
                    "{name}: event {seq} of {conversation} came after event {last}"
                ));
            }
            *last = *seq;
            if self.conversation.is_none() {
                self.conversation = Some(conversation.clone());
            }
        }
        self.log.push(msg.clone());
        Ok(msg)
    }

    /// Reads whatever already arrived, without waiting (for a failure's report).
    pub async fn drain(&mut self) {
        let soon = Instant::now() + std::time::Duration::from_millis(20);
        while let Ok(Some(_)) = self.read(soon).await {}
    }

    /// Reads what already arrived, without waiting at all (so a witness's socket never backs
    /// up); `Err` once the connection failed or the log is full.
    pub async fn catch_up(&mut self) -> Result<(), String> {
        while self.read(Instant::now()).await?.is_some() {}
        Ok(())
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        if let Some(mut ws) = self.ws.take() {
            let _ = ws.close(None).await;
        }
    }
}
