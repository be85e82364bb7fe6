//! `handoff connect`: a line-oriented client of the wire protocol for programs and scripts. It
//! says hello itself, prints every frame the broker sends as one line of JSON on stdout, sends
//! every line of stdin as one frame, and after a lost connection reconnects with `hello.since`
//! (and the user's resume secret), so nothing is missed. At the end of stdin it waits for the
//! answers to the requests it sent, then closes.

use crate::cli::{ConnectArgs, RoleArg};
use crate::protocol::{ClientMsg, ClientRole, ConversationId, Hello, ServerMsg};
use anyhow::Context as _;
use futures_util::{SinkExt as _, StreamExt as _};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::time::Duration;
use tokio::io::AsyncBufReadExt as _;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Lines of stdin read ahead of the connection (while reconnecting, say).
pub const STDIN_QUEUE: usize = 256;
/// Reconnections tried in a row before giving up.
pub const MAX_RECONNECTS: u32 = 5;
/// How long the end of stdin waits for the answers still due.
pub const DRAIN: Duration = Duration::from_secs(10);

/// What the client remembers across connections.
struct Session {
    role: ClientRole,
    agent: Option<String>,
    token: Option<String>,
    conversation: Option<ConversationId>,
    resume: Option<String>,
    since: BTreeMap<ConversationId, u64>,
    /// Ids of requests sent and not yet answered.
    pending: BTreeSet<String>,
}

impl Session {
    fn hello(&self) -> ClientMsg {
        Hello::new(
            self.role,
            concat!("handoff-connect/", env!("CARGO_PKG_VERSION")),
        )
        .rejoin(self.conversation.clone(), self.resume.clone())
        .agent(self.agent.clone())
        .since(self.since.clone())
        .token(self.token.clone())
        .build()
    }

    /// Remembers what a reconnection needs from a frame the broker sent.
    fn note(&mut self, text: &str) {
        match serde_json::from_str::<ServerMsg>(text) {
            Ok(ServerMsg::Welcome {
                conversation,
                resume,
                ..
            }) => {
                self.conversation = self.conversation.take().or(conversation);
                self.resume = self.resume.take().or(resume);
            }
            Ok(ServerMsg::Event {
                conversation, seq, ..
            }) => {
                let last = self.since.entry(conversation).or_default();
                *last = (*last).max(seq);
            }
            Ok(ServerMsg::Ack { id, said }) => {
                // Protocol 2: the ack of a `say` is its message's event.
                if let Some(said) = said {
                    let last = self.since.entry(said.conversation).or_default();
                    *last = (*last).max(said.seq);
                }
                self.pending.remove(id.as_str());
            }
            Ok(ServerMsg::Error { id: Some(id), .. }) => {
                self.pending.remove(id.as_str());
            }
            _ => {}
        }
    }
}

/// How one connection ended.
enum Ended {
    /// Stdin ended and every answer came (or [`DRAIN`] passed).
    Done,
    /// The connection was lost: reconnect.
    Lost(String),
}

/// Runs the client until stdin ends; fails when the broker refuses it or cannot be reached.
pub async fn run(args: &ConnectArgs) -> anyhow::Result<()> {
    let env = std::env::var(crate::broker::trust::TOKEN_ENV).ok();
    let token = crate::broker::trust::given_token(env, args.token_file.as_deref())?;
    let mut session = Session {
        role: match args.role {
            RoleArg::User => ClientRole::User,
            RoleArg::Agent => ClientRole::Agent,
            RoleArg::Observer => ClientRole::Observer,
        },
        agent: args.agent.clone(),
        token: token.map(|t| t.expose().to_owned()),
        conversation: None,
        resume: None,
        since: BTreeMap::new(),
        pending: BTreeSet::new(),
    };
    let (tx, mut lines) = mpsc::channel::<String>(STDIN_QUEUE);
    tokio::spawn(async move {
        let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = stdin.next_line().await {
            if tx.send(line).await.is_err() {
                break;
            }
        }
    });
    let mut failures = 0;
    loop {
        match connection(&args.url, &mut session, &mut lines).await {
            Ok(Ended::Done) => return Ok(()),
            Ok(Ended::Lost(why)) => {
                failures += 1;
                anyhow::ensure!(
                    failures <= MAX_RECONNECTS,
                    "connection lost {MAX_RECONNECTS} times; last: {why}"
                );
                let _ = writeln!(
                    std::io::stderr(),
                    "connection lost ({why}); reconnecting with since"
                );
                tokio::time::sleep(Duration::from_millis(200 * u64::from(failures))).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One connection: hello, then frames both ways until stdin ends or the connection is lost.
async fn connection(
    url: &str,
    session: &mut Session,
    lines: &mut mpsc::Receiver<String>,
) -> anyhow::Result<Ended> {
    let ws = match tokio_tungstenite::connect_async(url).await {
        Ok((ws, _)) => ws,
        Err(e) => return Ok(Ended::Lost(format!("cannot connect to {url}: {e}"))),
    };
    let (mut sink, mut stream) = ws.split();
    let hello = serde_json::to_string(&session.hello()).context("cannot write hello")?;
    if let Err(e) = sink.send(Message::text(hello)).await {
        return Ok(Ended::Lost(e.to_string()));
    }
    let mut welcomed = false;
    let mut stdin_open = true;
    let mut drain_until = None;
    loop {
        if !stdin_open && welcomed && session.pending.is_empty() {
            let _ = sink.close().await;
            return Ok(Ended::Done);
        }
        let drain = async {
            match drain_until {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    match serde_json::from_str::<ServerMsg>(text.as_str()) {
                        Ok(ServerMsg::Welcome { .. }) => welcomed = true,
                        // An error before the welcome refuses the hello: retrying cannot help.
                        Ok(ServerMsg::Error { id: None, code, message }) if !welcomed => {
                            anyhow::bail!("hello refused ({code:?}): {message}");
                        }
                        _ => {}
                    }
                    session.note(text.as_str());
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{}", text.as_str())?;
                    out.flush()?;
                }
                Some(Ok(Message::Close(close))) => {
                    if close.as_ref().is_some_and(|c| u16::from(c.code) == 1008) {
                        anyhow::bail!("the broker refused this client: {close:?}");
                    }
                    return Ok(Ended::Lost(format!("closed: {close:?}")));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Ok(Ended::Lost(e.to_string())),
                None => return Ok(Ended::Lost("the broker went away".into())),
            },
            // Stdin waits for the welcome: a request before it would be refused.
            line = lines.recv(), if stdin_open && welcomed => match line {
                Some(line) if line.trim().is_empty() => {}
                Some(line) => {
                    if let Some(id) = serde_json::from_str::<serde_json::Value>(&line).ok().and_then(|v| v["id"].as_str().map(str::to_owned)) {
                        session.pending.insert(id);
                    }
                    if let Err(e) = sink.send(Message::text(line.trim().to_owned())).await {
                        return Ok(Ended::Lost(e.to_string()));
                    }
                }
                None => {
                    stdin_open = false;
                    drain_until = Some(tokio::time::Instant::now() + DRAIN);
                }
            },
            () = drain => {
                let _ = writeln!(std::io::stderr(), "no answer to {:?} within {DRAIN:?}", session.pending);
                session.pending.clear();
            }
        }
    }
}
