//! A connection lost in the middle of a live chat: the console reconnects through the same URL,
//! says what it saw in `hello.since`, and shows what was missed once, in order.

mod console_support;

use console_support::Harness;
use futures_util::{SinkExt, StreamExt};
use handoff::broker::{self, BrokerConfig};
use handoff::console::{Direction, Side};
use handoff::protocol::{ClientMsg, ClientRole, PROTOCOL_VERSION, ServerMsg};
use handoff::theme::Theme;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

const GREETING: &str = "Hello - can you share more details about the error message you're seeing?";

/// A TCP proxy that can drop every connection and refuse new ones until restored.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = watch::channel(0u64);
        let (flag, gen_tx) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection fail
                }
                let mut cut = gen_tx.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self {
            addr,
            up,
            generation,
        }
    }

    fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Sends one request as agent Lisa straight to the broker and waits for its ack.
async fn reply_as_lisa(url: &str, conversation: handoff::protocol::ConversationId, text: &str) {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    let hello = ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        role: ClientRole::Agent,
        client: Some("test".into()),
        conversation: None,
        user: None,
        agent: Some("Lisa".into()),
        since: std::collections::BTreeMap::default(),
        traces: false,
        token: None,
        resume: None,
        supervisor: false,
        platform: None,
        site: None,
    };
    let reply = ClientMsg::Reply {
        id: "t-1".into(),
        conversation,
        text: text.into(),
    };
    for msg in [hello, reply] {
        let text = serde_json::to_string(&msg).expect("requests serialise");
        ws.send(Message::text(text)).await.expect("send");
    }
    let acked = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(frame)) = ws.next().await {
            if let Message::Text(t) = frame
                && let Ok(ServerMsg::Ack { id, .. }) = serde_json::from_str(t.as_str())
            {
                return id.as_str() == "t-1";
            }
        }
        false
    })
    .await;
    assert_eq!(acked, Ok(true), "the reply was acknowledged");
}

#[tokio::test]
async fn a_dropped_connection_resumes_without_losses_or_duplicates() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let direct = format!("{}/?token={}", broker.url(), broker.token().expose());
    let proxy = Proxy::start(broker.addr()).await;
    let mut h = Harness::connect(broker, &proxy.url(), Theme::default(), 160, 48).await;

    h.say("I'd like to speak to a live agent").await;
    h.see("provide more details").await;
    h.say("I'm running into a strange issue with a SQL database that I'm using.")
        .await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.see("[ Accept (a) ]").await;
    h.click("[ Accept (a) ]").await;
    h.until("the greeting on both sides", |s| {
        s.matches(GREETING).count() == 2
    })
    .await;
    let before = h.console.app.chat.transcript.len();

    proxy.cut();
    h.until("both connections lost", |s| {
        s.contains("◌ user") && s.contains("◌ agent")
    })
    .await;
    let conversation = h.console.app.chat.conversation.clone().unwrap();
    reply_as_lisa(&direct, conversation.clone(), "Are you still there?").await;
    proxy.restore();
    h.until("reconnected", |s| s.contains("● user ● agent"))
        .await;
    h.until("the missed reply on both sides", |s| {
        s.matches("Are you still there?").count() == 2
    })
    .await;

    // Exactly one new message in the user's transcript, and it is the reply, last.
    let chat = &h.console.app.chat.transcript;
    assert_eq!(chat.len(), before + 1);
    assert_eq!(
        handoff::console::plain_text(&chat.messages()[before]),
        "Are you still there?"
    );
    // The user's second hello said what it had seen.
    let hellos: Vec<_> = h
        .console
        .app
        .inspector
        .frames
        .iter()
        .filter(|f| f.side == Side::User && f.direction == Direction::Out && f.summary == "hello")
        .collect();
    assert_eq!(hellos.len(), 2, "one hello per connection");
    assert!(
        hellos[1].pretty.contains(conversation.as_str()),
        "{}",
        hellos[1].pretty
    );
    assert!(
        hellos[1].pretty.contains("\"since\": {"),
        "{}",
        hellos[1].pretty
    );
    h.stop().await;
}
