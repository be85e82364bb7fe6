//! The Glia connector against its emulator, over real loopback HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;

use connector_support::contract::Contract;

use connector_support::{agent, next, received, send_file, wait_for};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::webhook::{WebhookHandler, WebhookListener, WebhookReply, WebhookRequest};
use handoff::connectors::{
    Availability, ChatCommand, ChatEvent, ChatLink, Connector, ConnectorError, FileUpload,
    HandoffRequest, HistoryLine, Speaker, Started,
};
use handoff::emulators::desk::{AgentScript, ReceivedFile};
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::{EndReason, UserInfo};
use handoff::systems::SystemsConfig;
use handoff::systems::glia::connector::{Glia, Settings};
use std::collections::BTreeMap;
use std::time::Duration;

const TITLE: &str = "I need a new laptop charger";

struct Rig {
    emulator: RunningEmulator,
    listener: WebhookListener,
    connector: Glia,
}

async fn rig_with(options: EmulatorOptions, secret: &str) -> Rig {
    let emulator = handoff::systems::glia::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let settings = Settings {
        api_base: emulator.base_url(),
        site_id: "site-1".into(),
        queue_id: "queue-1".into(),
        api_key_id: "key-id-test".into(),
        api_key_secret: Secret::new(secret),
        application_token: Secret::new("app-token-test"),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
        },
    };
    let connector = Glia::new(settings, &listener);
    Rig {
        emulator,
        listener,
        connector,
    }
}

async fn rig() -> Rig {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some("key-id-test:key-secret-test".into()),
        webhook_retry_delay: Duration::from_millis(20),
        ..EmulatorOptions::default()
    };
    rig_with(options, "key-secret-test").await
}

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("domain".to_owned(), "IT".to_owned());
    HandoffRequest {
        conversation: "c-000000000004".into(),
        title: TITLE.into(),
        topic: "Laptops".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1,
            speaker: Speaker::User,
            text: "agent".into(),
        }],
    }
}

async fn start(rig: &Rig) -> (ChatLink, String) {
    let Started::Chat(mut link) = rig.connector.start(request()).await.unwrap() else {
        panic!("Glia starts a chat");
    };
    let id = wait_for(|| {
        rig.emulator
            .sim()
            .conversations()
            .last()
            .map(|c| c.id.clone())
    })
    .await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Queued {
            position: None,
            eta_secs: None
        }
    );
    (link, id)
}

async fn join(rig: &Rig, link: &mut ChatLink, id: &str) {
    let sim = rig.emulator.sim();
    sim.join(id, "Lisa").await.unwrap();
    assert_eq!(
        next(link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    // The utterance is the first message of the engagement.
    wait_for(|| {
        sim.conversation(id)
            .filter(|c| !c.user_messages.is_empty())
            .map(|_| ())
    })
    .await;
}

/// The shared contract of brokered connectors, on this system.
fn contract(rig: &Rig) -> Contract<'_, Glia> {
    Contract {
        emulator: &rig.emulator,
        connector: &rig.connector,
        start_path: "/queue_tickets",
        message_path: "/chat_messages/",
        malformed_report: "Glia: webhook event returned an unexpected payload",
        throttle_body: None,
    }
}
#[tokio::test]
async fn a_full_chat_with_a_transfer_maps_every_event() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    assert_eq!(
        sim.conversation(&id).unwrap().external_ref.as_deref(),
        Some("c-000000000004")
    );
    // The user writes while queued; the message waits for the engagement.
    link.commands
        .send(ChatCommand::Text {
            text: "It is a USB-C one".into(),
            client_message_id: "m0".into(),
        })
        .await
        .unwrap();
    join(&rig, &mut link, &id).await;
    sim.say(&id, None, "Hi, Lisa here").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Hi, Lisa here".into()
        }
    );
    link.commands.send(ChatCommand::Typing(true)).await.unwrap();
    link.commands
        .send(ChatCommand::Text {
            text: "65 W".into(),
            client_message_id: "m1".into(),
        })
        .await
        .unwrap();
    let got = wait_for(|| {
        sim.conversation(&id)
            .filter(|c| c.user_messages.len() >= 3)
            .map(|c| c.user_messages)
    })
    .await;
    assert_eq!(
        got,
        vec![
            TITLE.to_owned(),
            "It is a USB-C one".to_owned(),
            "65 W".to_owned()
        ]
    );

    sim.transfer(&id, "Marco").await.unwrap();
    assert_eq!(next(&mut link).await, ChatEvent::Transferred { to: None });
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentLeft {
            agent: "Lisa".into()
        }
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Marco")
        }
    );
    sim.say(&id, None, "Marco here").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Marco"),
            text: "Marco here".into()
        }
    );

    sim.leave(&id).await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentLeft {
            agent: "Marco".into()
        }
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ended {
            reason: EndReason::Agent {
                agent: "Marco".into()
            }
        }
    );
}

#[tokio::test]
async fn the_user_ends_the_chat() {
    contract(&rig().await).the_user_ends_the_chat().await;
}

#[tokio::test]
async fn a_queue_timeout_ends_the_wait() {
    let said = contract(&rig().await).a_queue_timeout_ends_the_wait().await;
    assert!(said.is_empty(), "{said:?}");
}

#[tokio::test]
async fn availability_reads_the_operators() {
    contract(&rig().await)
        .availability_follows_agent_presence()
        .await;
}

#[tokio::test]
async fn a_wrong_api_key_says_check_the_credentials() {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some("key-id-test:key-secret-test".into()),
        ..EmulatorOptions::default()
    };
    let rig = rig_with(options, "a-wrong-secret").await;
    // The site API key reads the operators; visitors are made with the application token.
    let error = rig.connector.availability().await.unwrap_err();
    assert_eq!(
        error,
        ConnectorError::Unauthorized {
            system: "Glia".into(),
            call: "POST /operator_authentication/tokens".into(),
            status: 401
        }
    );
    assert!(error.to_string().contains("check the credentials"));
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    contract(&rig().await)
        .a_429_on_the_start_waits_for_retry_after()
        .await;
}

#[tokio::test]
async fn a_500_after_processing_is_retried_without_a_duplicate() {
    contract(&rig().await)
        .a_500_after_processing_is_retried_without_a_duplicate()
        .await;
}

#[tokio::test]
async fn a_malformed_event_is_reported_and_nothing_after_it_is_lost() {
    contract(&rig().await)
        .a_malformed_event_is_reported_and_nothing_after_it_is_lost()
        .await;
}

#[tokio::test]
async fn a_webhook_with_wrong_credentials_is_rejected_and_the_retry_delivered() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    join(&rig, &mut link, &id).await;
    rig.emulator.faults().push(Fault {
        path: String::new(),
        status: 0,
        count: 1,
        retry_after: None,
        mode: FaultMode::BadSignature,
        body: None,
    });
    let sim = rig.emulator.sim();
    sim.say(&id, None, "delivered once").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "delivered once".into()
        }
    );
    let attempts = wait_for(|| {
        let a: Vec<_> = sim
            .deliveries()
            .iter()
            .filter(|d| d.event == "engagement.chat.message")
            .map(|d| (d.status, d.retry))
            .collect();
        (a.len() >= 2).then_some(a)
    })
    .await;
    assert_eq!(attempts, vec![(401, 0), (200, 1)]);
}

#[tokio::test]
async fn build_starts_the_embedded_emulator() {
    let config = SystemsConfig::from_toml(
        "test.toml",
        "[glia]\napi_key_id_env = \"HANDOFF_TEST_GLIA_UNSET\"\napi_key_secret_env = \"HANDOFF_TEST_GLIA_UNSET\"\n",
    )
    .unwrap();
    let options = EmulatorOptions {
        script: AgentScript::greeting(Duration::from_millis(20)),
        ..EmulatorOptions::default()
    };
    let built = handoff::systems::build_with(handoff::systems::glia::NAME, &config, options)
        .await
        .unwrap();
    assert!(built.emulator.is_some() && built.webhooks.is_some());
    assert_eq!(
        built.connector.availability().await.unwrap(),
        Availability::Available(2)
    );
    let Started::Chat(mut link) = built.connector.start(request()).await.unwrap() else {
        panic!("a chat")
    };
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    assert!(matches!(
        next(&mut link).await,
        ChatEvent::AgentMessage { .. }
    ));
}

#[tokio::test]
async fn a_cached_site_token_refused_early_is_replaced_once() {
    let rig = rig().await;
    // The first call caches a site token.
    assert!(rig.connector.availability().await.is_ok());
    // Glia refuses it before its hour is up (a revoked key): the connector fetches a new one
    // and tries again, and the user never sees the refusal.
    rig.emulator.faults().push(Fault {
        path: "/operators".into(),
        status: 401,
        count: 1,
        retry_after: None,
        mode: FaultMode::Reject,
        body: None,
    });
    assert!(rig.connector.availability().await.is_ok());
    // A refusal of a fresh token does reach the caller.
    rig.emulator.faults().push(Fault {
        path: "/operators".into(),
        status: 401,
        count: 2,
        retry_after: None,
        mode: FaultMode::Reject,
        body: None,
    });
    let error = rig.connector.availability().await.unwrap_err();
    assert!(
        error.to_string().contains("check the credentials"),
        "{error}"
    );
}

fn upload(name: &str, content_type: &str) -> FileUpload {
    let mut bytes = b"\x89PNG\r\n".to_vec();
    bytes.extend((0..30_000u32).map(|i| (i * 13 % 253) as u8));
    FileUpload {
        name: name.into(),
        content_type: content_type.into(),
        bytes: bytes.into(),
    }
}

async fn say(link: &ChatLink, text: &str, id: &str) {
    link.commands
        .send(ChatCommand::Text {
            text: text.into(),
            client_message_id: id.into(),
        })
        .await
        .unwrap();
}

/// Waits until the desk has `text` from the user (so every command before it is done) and
/// returns the conversation's user messages and files.
async fn wait_for_text(rig: &Rig, id: &str, text: &str) -> (Vec<String>, Vec<ReceivedFile>) {
    let sim = rig.emulator.sim();
    wait_for(|| {
        sim.conversation(id)
            .filter(|c| c.user_messages.iter().any(|m| m == text))
            .map(|c| (c.user_messages, c.files))
    })
    .await
}

/// The next agent message, proving no error was reported before it.
async fn agent_says_next(rig: &Rig, link: &mut ChatLink, id: &str, text: &str) {
    rig.emulator.sim().say(id, None, text).await.unwrap();
    assert_eq!(
        next(link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: text.into()
        }
    );
}

#[tokio::test]
async fn a_file_is_uploaded_and_sent_once_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    join(&rig, &mut link, &id).await;
    let file = upload("charger.png", "image/png");
    send_file(&link, &file, "f1").await;
    say(&link, "That is the label", "m2").await;
    let (texts, files) = wait_for_text(&rig, &id, "That is the label").await;
    assert_eq!(files, vec![received(&file)]);
    assert_eq!(
        texts,
        vec![TITLE.to_owned(), "That is the label".to_owned()],
        "a file message adds no text"
    );
    agent_says_next(&rig, &mut link, &id, "Got it").await;
}

#[tokio::test]
async fn files_sent_before_the_engagement_wait_with_the_messages() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let file = upload("charger.png", "image/png");
    say(&link, "before", "m1").await;
    send_file(&link, &file, "f2").await;
    say(&link, "after", "m3").await;
    join(&rig, &mut link, &id).await;
    let (texts, files) = wait_for_text(&rig, &id, "after").await;
    assert_eq!(
        texts,
        vec![TITLE.to_owned(), "before".to_owned(), "after".to_owned()]
    );
    assert_eq!(files, vec![received(&file)]);
    agent_says_next(&rig, &mut link, &id, "Got all three").await;
}

#[tokio::test]
async fn a_file_type_glia_does_not_take_is_refused_in_the_chat() {
    // The emulator enforces the inferred type list (415) and size limit (413).
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    join(&rig, &mut link, &id).await;
    send_file(
        &link,
        &upload("setup.exe", "application/x-msdownload"),
        "f1",
    )
    .await;
    assert_eq!(
        next(&mut link).await,
        ChatEvent::SystemMessage {
            text: "Glia: POST /engagements/{id}/files failed with HTTP 415: \
                   {\"debug_message\":\"file type application/x-msdownload is not allowed\",\
                   \"error\":\"file type application/x-msdownload is not allowed\"}"
                .into()
        }
    );
    say(&link, "Never mind", "m2").await;
    let (_, files) = wait_for_text(&rig, &id, "Never mind").await;
    assert!(files.is_empty());
    agent_says_next(&rig, &mut link, &id, "OK").await;
}

#[tokio::test]
async fn a_500_on_the_upload_or_the_message_is_retried_and_one_file_recorded() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    join(&rig, &mut link, &id).await;
    let first = upload("first.png", "image/png");
    let second = upload("second.pdf", "application/pdf");
    for (file, path, mode, mid, after) in [
        (&first, "/files", FaultMode::Reject, "f1", "after first"),
        // Stored, then the answer is lost: the retried PUT must not record it again.
        (
            &second,
            "/chat_messages/",
            FaultMode::AfterProcessing,
            "f2",
            "after second",
        ),
    ] {
        rig.emulator.faults().push(Fault {
            path: path.into(),
            status: 500,
            count: 1,
            retry_after: None,
            mode,
            body: None,
        });
        send_file(&link, file, mid).await;
        say(&link, after, &format!("{mid}-text")).await;
        wait_for_text(&rig, &id, after).await;
    }
    assert_eq!(
        rig.emulator.sim().conversation(&id).unwrap().files,
        vec![received(&first), received(&second)]
    );
    agent_says_next(&rig, &mut link, &id, "Both here").await;
}

/// Captures the webhook events the emulator sends, for tests that drive its API by hand.
struct Capture(tokio::sync::mpsc::Sender<serde_json::Value>);

#[async_trait::async_trait]
impl WebhookHandler for Capture {
    async fn handle(&self, request: WebhookRequest) -> WebhookReply {
        if let Ok(event) = serde_json::from_slice(&request.body) {
            let _ = self.0.send(event).await;
        }
        WebhookReply::ok()
    }
}

/// A visitor, a queue ticket and an engagement Lisa started, made by hand against the
/// emulator: (visitor token, ticket id, engagement id).
async fn started_engagement(rig: &Rig) -> (String, String, String) {
    let base = rig.emulator.base_url();
    let client = reqwest::Client::new();
    let accept = handoff::systems::glia::connector::wire::ACCEPT;
    let post = |path: &str, bearer: &str| {
        client
            .post(format!("{base}{path}"))
            .header("Accept", accept)
            .bearer_auth(bearer)
    };
    let visitor: serde_json::Value = client
        .post(format!("{base}/visitors"))
        .header("Accept", accept)
        .header("Authorization", "ApplicationToken app-token-test")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = visitor["access_token"].as_str().unwrap().to_owned();
    let (tx, mut events) = tokio::sync::mpsc::channel(8);
    let url = rig
        .listener
        .route("capture", std::sync::Arc::new(Capture(tx)));
    let ticket: serde_json::Value = post("/queue_tickets", &token)
        .json(
            &serde_json::json!({"media": "text", "queue_id": "queue-1", "site_id": "site-1",
            "source": "visitor_integrator",
            "webhooks": [{"url": url, "method": "POST", "events": ["engagement.start"]}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ticket = ticket["id"].as_str().unwrap().to_owned();
    let sim = rig.emulator.sim();
    wait_for(|| sim.conversation(&ticket)).await;
    sim.join(&ticket, "Lisa").await.unwrap();
    let start = tokio::time::timeout(connector_support::WAIT, events.recv())
        .await
        .unwrap()
        .unwrap();
    let engagement = start["engagement"]["id"].as_str().unwrap().to_owned();
    (token, ticket, engagement)
}

#[tokio::test]
async fn the_emulator_takes_a_file_message_once_and_refuses_unknown_files() {
    let rig = rig().await;
    let base = rig.emulator.base_url();
    let client = reqwest::Client::new();
    let accept = handoff::systems::glia::connector::wire::ACCEPT;
    let post = |path: &str, bearer: &str| {
        client
            .post(format!("{base}{path}"))
            .header("Accept", accept)
            .bearer_auth(bearer)
    };
    let (token, ticket, engagement) = started_engagement(&rig).await;
    let sim = rig.emulator.sim();

    let file = upload("label.png", "image/png");
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(file.bytes.to_vec())
                .file_name("label.png")
                .mime_str("image/png")
                .unwrap(),
        )
    };
    let files_path = format!("/engagements/{engagement}/files");
    let uploaded: serde_json::Value = post(&files_path, &token)
        .multipart(form())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(uploaded["name"], "label.png");
    assert_eq!(uploaded["size"], file.bytes.len());
    // A re-upload only stores an unused copy.
    let again = post(&files_path, &token)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 201);

    let message = |file_id: &serde_json::Value| {
        let mut named = uploaded.clone();
        named["id"] = file_id.clone();
        serde_json::json!({"content": "", "type": "chat",
            "attachment": {"type": "files", "files": [named]}})
    };
    let put = |id: &str, body: serde_json::Value| {
        client
            .put(format!(
                "{base}/engagements/{engagement}/chat_messages/{id}"
            ))
            .header("Accept", accept)
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let unknown = put(
        "00000000-0000-4000-8000-000000000001",
        message(&serde_json::json!("no-such-file")),
    )
    .await
    .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(
        body["error"],
        "attachment references unknown file no-such-file"
    );
    for _ in 0..2 {
        let sent = put(
            "00000000-0000-4000-8000-000000000002",
            message(&uploaded["id"]),
        )
        .await
        .unwrap();
        assert_eq!(sent.status(), 200);
    }
    let conversation = sim.conversation(&ticket).unwrap();
    assert_eq!(conversation.files, vec![received(&file)]);
    assert!(conversation.user_messages.is_empty());
}

#[tokio::test]
async fn an_operators_file_arrives_with_a_link_to_the_same_bytes_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    join(&rig, &mut link, &id).await;
    let file = upload("charger-specs.pdf", "application/pdf");
    rig.emulator
        .sim()
        .send_file(&id, None, file.clone())
        .await
        .unwrap();
    let ChatEvent::AgentFile {
        agent: from,
        file: got,
    } = next(&mut link).await
    else {
        panic!("the operator's file arrives as a file, with no empty message before it");
    };
    assert_eq!(from, agent("Lisa"));
    assert_eq!(got.name, "charger-specs.pdf");
    assert_eq!(got.content_type, "application/pdf");
    assert_eq!(got.size, Some(file.bytes.len() as u64));
    let url = got.url.expect("a download link");
    let fetched = reqwest::get(&url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap(), file.bytes);
    agent_says_next(&rig, &mut link, &id, "Does that help?").await;
}

#[tokio::test]
async fn an_operators_file_without_a_link_is_reported_and_nothing_after_it_is_lost() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    join(&rig, &mut link, &id).await;
    // A message with text and a file Glia describes without its `url`.
    let event = serde_json::json!({"event_type": "engagement.chat.message", "message": {
        "id": "m-bad-file", "content": "Here are the specs", "engagement_id": "e-1",
        "target": "visitor", "type": "chat",
        "attachment": {"type": "files", "files": [{"id": "f-1", "name": "charger-specs.pdf",
            "content_type": "application/pdf", "size": 3}]}}});
    let sent = reqwest::Client::new()
        .post(format!("{}/__emu/glia/event", rig.emulator.base_url()))
        .json(&serde_json::json!({"conversation": id, "event": event}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 204);
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Here are the specs".into()
        }
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::SystemMessage {
            text: "Glia: an agent's file could not be read: \
                   \"charger-specs.pdf\" has no link (`url`)"
                .into()
        }
    );
    agent_says_next(&rig, &mut link, &id, "Let me send it again").await;
}
