use super::*;
use crate::protocol::AgentInfo;

/// A system whose one chat the test drives: it says what the test sends on `system`.
struct OneChat {
    link: Mutex<Option<ChatLink>>,
}

#[async_trait]
impl Connector for OneChat {
    fn system(&self) -> &'static str {
        "one chat"
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        Ok(Availability::Unknown)
    }

    async fn start(&self, _: HandoffRequest) -> Result<Started, ConnectorError> {
        let link = self.link.lock().ok().and_then(|mut l| l.take());
        Ok(Started::Chat(link.expect("one chat only")))
    }
}

/// A lasting system over [`OneChat`], the system's side of the chat's events, and its commands.
fn one_chat() -> (
    Lasting,
    mpsc::Sender<ChatEvent>,
    mpsc::Receiver<ChatCommand>,
) {
    let (events_tx, events) = mpsc::channel(8);
    let (commands, commands_rx) = mpsc::channel(8);
    let inner = OneChat {
        link: Mutex::new(Some(ChatLink { commands, events })),
    };
    let lasting = Lasting::system((Arc::new(inner), None));
    (lasting, events_tx, commands_rx)
}

fn said(text: &str) -> ChatEvent {
    ChatEvent::AgentMessage {
        agent: AgentInfo {
            name: "Lisa".into(),
            avatar: None,
            on_behalf: false,
        },
        text: text.into(),
    }
}

async fn started(lasting: &Lasting) -> ChatLink {
    let (hub, _) = mpsc::channel(1);
    let (connector, _) = lasting.attach(&hub);
    let request = HandoffRequest {
        conversation: "c-1".into(),
        title: "help".into(),
        topic: "help".into(),
        user: crate::protocol::UserInfo::default(),
        context: std::collections::BTreeMap::new(),
        history: Vec::new(),
    };
    match connector.start(request).await {
        Ok(Started::Chat(link)) => link,
        other => panic!("a chat, not {other:?}"),
    }
}

#[tokio::test]
async fn what_the_system_says_while_parked_reaches_the_broker_that_resumes_the_chat_in_order() {
    let (lasting, system, _commands) = one_chat();
    let mut old = started(&lasting).await;
    system.send(said("before")).await.expect("sent");
    assert_eq!(old.events.recv().await, Some(said("before")));

    lasting.park();
    system.send(said("during 1")).await.expect("sent");
    system.send(said("during 2")).await.expect("sent");
    drop(old);

    let (hub, _) = mpsc::channel(1);
    let (connector, _) = lasting.attach(&hub);
    let mut new = connector.resume(&"c-1".into()).expect("the chat was kept");
    system.send(said("after")).await.expect("sent");
    for text in ["during 1", "during 2", "after"] {
        assert_eq!(new.events.recv().await, Some(said(text)));
    }
    assert!(connector.resume(&"c-2".into()).is_none(), "no such chat");
}

#[tokio::test]
async fn the_resumed_chat_takes_commands_to_the_system() {
    let (lasting, _system, mut commands) = one_chat();
    let _old = started(&lasting).await;
    lasting.park();
    let new = lasting
        .connector
        .resume(&"c-1".into())
        .expect("the chat was kept");
    new.commands.send(ChatCommand::End).await.expect("sent");
    assert_eq!(commands.recv().await, Some(ChatCommand::End));
}

#[tokio::test]
async fn a_chat_the_system_ends_is_forgotten_and_its_relay_closes() {
    let (lasting, system, _commands) = one_chat();
    let mut link = started(&lasting).await;
    assert_eq!(lasting.live_chats(), 1);
    drop(system);
    assert_eq!(link.events.recv().await, None, "the hub's side closes");
    assert_eq!(
        lasting.live_chats(),
        0,
        "the bound: only live chats are held"
    );
    assert!(lasting.connector.resume(&"c-1".into()).is_none());
}

#[tokio::test]
async fn a_parked_chat_does_not_close_the_old_relay() {
    let (lasting, _system, _commands) = one_chat();
    let mut old = started(&lasting).await;
    lasting.park();
    // The old hub's relay would report a closed chat as the system ending it.
    assert!(matches!(
        old.events.try_recv(),
        Err(mpsc::error::TryRecvError::Empty)
    ));
}
