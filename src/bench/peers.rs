//! The clients of a trial, set up on either server: users in live chats and the agent that
//! takes them. On the bare relay a user joins `user ROOM` (`user ROOM answers=P` when it is
//! answered as the broker answers) and the agent `agent *` (one socket for every room, the
//! broker's topology); on handoff a user goes live the way a person does in the
//! console (asks for an agent, gives details, presses the offer) and one agent (Lisa) accepts.

use super::bare_relay::Answers;
use super::process::Target;
use crate::protocol::{
    ButtonAction, ButtonState, ClientMsg, ClientRole, ConversationEvent, HandoffState, Hello,
    PROTOCOL_VERSION, ServerMsg,
};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// A client socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to `url` with `TCP_NODELAY`; `read_buffer` keeps idle clients small (their memory is
/// not what is measured).
pub async fn connect(url: &str, read_buffer: Option<usize>) -> anyhow::Result<Socket> {
    let config = read_buffer.map(|n| WebSocketConfig::default().read_buffer_size(n));
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, config, true).await?;
    Ok(ws)
}

/// The next text frame; a close or the end of the stream fails.
pub async fn next_text(ws: &mut Socket) -> anyhow::Result<String> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => return Ok(t.as_str().to_owned()),
            Some(Ok(Message::Close(c))) => anyhow::bail!("closed by the server: {c:?}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => anyhow::bail!("the connection ended"),
        }
    }
}

/// Reads broker frames until `pick` finds what it waits for; an `error` frame fails.
pub async fn wait<T>(
    ws: &mut Socket,
    mut pick: impl FnMut(&ServerMsg) -> Option<T>,
) -> anyhow::Result<T> {
    loop {
        let text = next_text(ws).await?;
        let msg: ServerMsg = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("a frame the bench cannot read ({e}): {text:.200}"))?;
        if let ServerMsg::Error { message, .. } = &msg {
            anyhow::bail!("the broker refused: {message}");
        }
        if let Some(found) = pick(&msg) {
            return Ok(found);
        }
    }
}

/// Sends a request.
pub async fn send(ws: &mut Socket, msg: &ClientMsg) -> anyhow::Result<()> {
    ws.send(Message::text(serde_json::to_string(msg)?)).await?;
    Ok(())
}

/// Whether `msg` acknowledges request `id`.
pub fn acked(msg: &ServerMsg, id: &str) -> bool {
    matches!(msg, ServerMsg::Ack { id: a, .. } if a.as_str() == id)
}

/// A `hello` of `role` in `protocol`; the agent proves itself with `token`.
fn hello(role: ClientRole, token: Option<&str>, protocol: u32) -> ClientMsg {
    Hello::new(role, "handoff-bench")
        .agent((role == ClientRole::Agent).then(|| "Lisa".into()))
        .token(token.map(str::to_owned))
        .protocol(protocol)
        .build()
}

/// One user ready to send, with the conversation its frames name.
pub struct User {
    /// Its socket.
    pub ws: Socket,
    /// Its conversation (on the bare relay, an id of the broker's length, so frames match).
    pub conversation: String,
}

/// A user in chat `chat`: in its room (bare) or in a live chat with an agent (handoff).
pub async fn user(target: Target, url: &str, chat: usize, protocol: u32) -> anyhow::Result<User> {
    let mut ws = connect(url, None).await?;
    match target {
        Target::Bare | Target::Answering => {
            let answers = (target == Target::Answering).then_some(protocol);
            join(&mut ws, &Answers::join(&format!("r{chat}"), answers)).await?;
            Ok(User {
                ws,
                conversation: format!("c-{chat:012x}"),
            })
        }
        Target::Handoff => {
            let conversation = open_in(&mut ws, protocol).await?;
            go_live(&mut ws, &conversation).await?;
            Ok(User {
                ws,
                conversation: conversation.as_str().to_owned(),
            })
        }
    }
}

/// Joins a bare relay room.
async fn join(ws: &mut Socket, line: &str) -> anyhow::Result<()> {
    ws.send(Message::text(line)).await?;
    let answer = next_text(ws).await?;
    anyhow::ensure!(
        answer == "ok",
        "the bare relay answered {answer:?} to {line:?}"
    );
    Ok(())
}

/// A user's `hello`: its new conversation.
pub async fn open(ws: &mut Socket) -> anyhow::Result<crate::protocol::ConversationId> {
    open_in(ws, PROTOCOL_VERSION).await
}

/// A user's `hello` in `protocol`: its new conversation.
async fn open_in(
    ws: &mut Socket,
    protocol: u32,
) -> anyhow::Result<crate::protocol::ConversationId> {
    send(ws, &hello(ClientRole::User, None, protocol)).await?;
    wait(ws, |m| match m {
        ServerMsg::Welcome {
            conversation: Some(c),
            ..
        } => Some(c.clone()),
        _ => None,
    })
    .await
}

/// Asks for an agent, gives the details, presses the offer and waits to be connected.
pub async fn go_live(
    ws: &mut Socket,
    conversation: &crate::protocol::ConversationId,
) -> anyhow::Result<()> {
    let say = |id: &str, text: &str| ClientMsg::Say {
        id: id.into(),
        conversation: conversation.clone(),
        text: text.into(),
    };
    send(ws, &say("s1", "I'd like to speak to a live agent")).await?;
    wait(ws, |m| acked(m, "s1").then_some(())).await?;
    send(
        ws,
        &say(
            "s2",
            "I'm running into a strange issue with a SQL database that I'm using.",
        ),
    )
    .await?;
    // The offer may come before or after the ack.
    let (mut ack, mut offer) = (false, None);
    while !ack || offer.is_none() {
        wait(ws, |m| {
            ack |= acked(m, "s2");
            if let ServerMsg::Event {
                event: ConversationEvent::Message { message },
                ..
            } = m
                && message.buttons().any(|b| {
                    b.action == ButtonAction::StartAgentChat && b.state == ButtonState::Active
                })
            {
                offer = Some(message.id.clone());
            }
            Some(())
        })
        .await?;
    }
    let Some(message) = offer else {
        anyhow::bail!("no offer to press");
    };
    let press = ClientMsg::Press {
        id: "p1".into(),
        conversation: conversation.clone(),
        message,
        action: ButtonAction::StartAgentChat,
    };
    send(ws, &press).await?;
    wait(ws, |m| match m {
        ServerMsg::Event {
            event:
                ConversationEvent::State {
                    state: HandoffState::Connected { .. },
                },
            ..
        } => Some(()),
        _ => None,
    })
    .await
}

/// The agent socket: `agent *` (bare), or Lisa with the broker's `token` (handoff).
pub async fn agent(
    target: Target,
    url: &str,
    token: &str,
    protocol: u32,
) -> anyhow::Result<Socket> {
    let mut ws = connect(url, None).await?;
    match target {
        Target::Bare | Target::Answering => join(&mut ws, "agent *").await?,
        Target::Handoff => {
            send(&mut ws, &hello(ClientRole::Agent, Some(token), protocol)).await?;
            wait(&mut ws, |m| {
                matches!(m, ServerMsg::Welcome { .. }).then_some(())
            })
            .await?;
        }
    }
    Ok(ws)
}

/// The `accept` of an `offered` event in `text` (handoff's agent takes every offer).
pub fn accept_offer(text: &str, n: usize) -> Option<String> {
    if !text.contains("\"offered\"") {
        return None;
    }
    let ServerMsg::Event {
        conversation,
        event: ConversationEvent::Offered { .. },
        ..
    } = serde_json::from_str(text).ok()?
    else {
        return None;
    };
    let accept = ClientMsg::Accept {
        id: format!("a{n}").into(),
        conversation,
    };
    serde_json::to_string(&accept).ok()
}

/// An idle connection: says hello (handoff: a user, which opens a conversation) and waits.
pub async fn idle(target: Target, url: &str, i: usize) -> anyhow::Result<Socket> {
    let mut ws = connect(url, Some(4096)).await?;
    match target {
        Target::Bare | Target::Answering => join(&mut ws, &format!("user idle-{i}")).await?,
        Target::Handoff => _ = open(&mut ws).await?,
    }
    Ok(ws)
}
