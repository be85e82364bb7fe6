//! The Amazon Connect connector against its emulator, over real loopback HTTP and WebSocket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;

use connector_support::contract::Contract;

use connector_support::{
    WAIT, agent, agent_still_heard, file, next, received, send_file, text_arrives, wait_for,
};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::{
    Availability, ChatCommand, ChatEvent, ChatLink, Connector, ConnectorError, FileUpload,
    HandoffRequest, HistoryLine, Speaker, Started,
};
use handoff::emulators::desk::{AgentScript, ReceivedFile};
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::{EndReason, UserInfo};
use handoff::systems::SystemsConfig;
use handoff::systems::amazon_connect::connector::inferred::{self, NO_AGENT_TEXT, QUEUED_TEXT};
use handoff::systems::amazon_connect::connector::sigv4::Credentials;
use handoff::systems::amazon_connect::connector::{AmazonConnect, Settings};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const KEY_ID: &str = "AKIDTESTNOTREAL";
const SECRET: &str = "test-secret-access-key-not-real";

struct Rig {
    emulator: RunningEmulator,
    connector: AmazonConnect,
}

async fn rig_with(options: EmulatorOptions, secret: &str) -> Rig {
    let emulator =
        handoff::systems::amazon_connect::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
    let settings = Settings {
        region: "us-east-1".into(),
        control_base: emulator.base_url(),
        participant_base: emulator.base_url(),
        instance_id: "instance-1".into(),
        contact_flow_id: "flow-1".into(),
        queue_ids: vec!["queue-1".into()],
        credentials: Credentials {
            access_key_id: KEY_ID.into(),
            secret_access_key: Secret::new(secret),
            session_token: None,
        },
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
        },
        heartbeat: Duration::from_millis(200),
        reconnect_attempts: 5,
    };
    Rig {
        emulator,
        connector: AmazonConnect::new(settings),
    }
}

async fn rig() -> Rig {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some(format!("{KEY_ID}:{SECRET}")),
        ..EmulatorOptions::default()
    };
    rig_with(options, SECRET).await
}

const TITLE: &str = "Outlook will not open";

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("domain".to_owned(), "IT".to_owned());
    context.insert("queue name".to_owned(), "Email".to_owned());
    HandoffRequest {
        conversation: "c-000000000003".into(),
        title: TITLE.into(),
        topic: "Email".into(),
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
        panic!("Amazon Connect starts a chat");
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
    assert_eq!(
        next(&mut link).await,
        ChatEvent::SystemMessage {
            text: QUEUED_TEXT.into()
        }
    );
    (link, id)
}

/// The shared contract of brokered connectors, on this system.
fn contract(rig: &Rig) -> Contract<'_, AmazonConnect> {
    Contract {
        emulator: &rig.emulator,
        connector: &rig.connector,
        start_path: "/contact/chat",
        message_path: "/participant/message",
        malformed_report: "Amazon Connect: WebSocket aws/chat returned an unexpected payload",
        throttle_body: Some(r#"{"Message":"Rate exceeded"}"#),
    }
}
#[tokio::test]
async fn a_full_chat_with_a_transfer_maps_every_item() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    assert_eq!(
        sim.conversation(&id).unwrap().external_ref.as_deref(),
        Some("c-000000000003")
    );

    sim.join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    sim.say(&id, None, "Hi, Lisa here").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Hi, Lisa here".into()
        }
    );

    link.commands.send(ChatCommand::Typing(true)).await.unwrap();
    wait_for(|| sim.conversation(&id).filter(|c| c.user_typing).map(|_| ())).await;
    link.commands
        .send(ChatCommand::Text {
            text: "It crashes at start".into(),
            client_message_id: "m1".into(),
        })
        .await
        .unwrap();
    wait_for(|| {
        sim.conversation(&id)
            .filter(|c| c.user_messages.len() >= 2)
            .map(|_| ())
    })
    .await;

    sim.agent_typing(&id, true).await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Typing {
            agent: "Lisa".into(),
            on: true
        }
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
    assert_eq!(
        sim.conversation(&id).unwrap().user_messages,
        vec![TITLE.to_owned(), "It crashes at start".to_owned()]
    );
}

#[tokio::test]
async fn a_dropped_socket_reconnects_and_the_transcript_fills_the_gap() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    sim.join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    let dropped = reqwest::Client::new()
        .post(format!(
            "{}/__emu/amazon-connect/drop",
            rig.emulator.base_url()
        ))
        .json(&serde_json::json!({"conversation": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(dropped.status(), 204);
    sim.say(&id, None, "while you were away").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "while you were away".into()
        }
    );
    sim.say(&id, None, "and after").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "and after".into()
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
    assert_eq!(said, [QUEUED_TEXT, NO_AGENT_TEXT]);
}

#[tokio::test]
async fn availability_reads_current_metric_data() {
    contract(&rig().await)
        .availability_follows_agent_presence()
        .await;
}

#[tokio::test]
async fn a_wrong_secret_key_says_check_the_credentials() {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some(format!("{KEY_ID}:{SECRET}")),
        ..EmulatorOptions::default()
    };
    let rig = rig_with(options, "a-wrong-secret-key").await;
    let error = rig.connector.start(request()).await.unwrap_err();
    assert_eq!(
        error,
        ConnectorError::Unauthorized {
            system: "Amazon Connect".into(),
            call: "StartChatContact".into(),
            status: 403
        }
    );
    assert!(error.to_string().contains("check the credentials"));
    let unsigned = reqwest::Client::new()
        .put(format!("{}/contact/chat", rig.emulator.base_url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    assert_eq!(
        unsigned.headers()["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
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
async fn a_malformed_item_is_reported_and_nothing_after_it_is_lost() {
    contract(&rig().await)
        .a_malformed_event_is_reported_and_nothing_after_it_is_lost()
        .await;
}

#[tokio::test]
async fn build_starts_the_embedded_emulator() {
    let config = SystemsConfig::from_toml(
        "test.toml",
        "[amazon_connect]\naccess_key_id_env = \"HANDOFF_TEST_AWS_UNSET\"\nsecret_access_key_env = \"HANDOFF_TEST_AWS_UNSET\"\n",
    )
    .unwrap();
    let options = EmulatorOptions {
        script: AgentScript::greeting(Duration::from_millis(20)),
        ..EmulatorOptions::default()
    };
    let built =
        handoff::systems::build_with(handoff::systems::amazon_connect::NAME, &config, options)
            .await
            .unwrap();
    assert!(built.emulator.is_some() && built.webhooks.is_none());
    assert_eq!(
        built.connector.availability().await.unwrap(),
        Availability::Available(2)
    );
    let Started::Chat(mut link) = built.connector.start(request()).await.unwrap() else {
        panic!("a chat")
    };
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    assert!(matches!(
        next(&mut link).await,
        ChatEvent::SystemMessage { .. }
    ));
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
async fn a_socket_that_stops_echoing_heartbeats_is_replaced() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    sim.join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    let client = reqwest::Client::new();
    let base = rig.emulator.base_url();
    let subscriptions = || async {
        let counts: std::collections::HashMap<String, u32> = client
            .get(format!("{base}/__emu/amazon-connect/subscriptions"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        counts.get("c-000000000003").copied().unwrap_or(0)
    };
    let before = subscriptions().await;
    assert!(before >= 1);
    let silence = |echo: bool| {
        client
            .post(format!("{base}/__emu/amazon-connect/heartbeats"))
            .json(&serde_json::json!({ "echo": echo }))
            .send()
    };
    assert_eq!(silence(false).await.unwrap().status(), 204);
    tokio::time::timeout(WAIT, async {
        while subscriptions().await <= before {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the connector reconnected");
    assert_eq!(silence(true).await.unwrap().status(), 204);
    sim.say(&id, None, "still connected").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "still connected".into()
        }
    );
}

// ---- Files the user sends -------------------------------------------------------------------

/// A started chat with Lisa in it.
async fn live(rig: &Rig) -> (ChatLink, String) {
    let (mut link, id) = start(rig).await;
    rig.emulator.sim().join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    (link, id)
}

fn fault(path: &str, mode: FaultMode) -> Fault {
    Fault {
        path: path.into(),
        status: 500,
        count: 1,
        retry_after: None,
        mode,
        body: None,
    }
}

#[tokio::test]
async fn a_file_reaches_the_agent_once_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    // Over axum's default 2 MB body limit, so the bucket's own limit is exercised.
    let report = file("crash report.pdf", "application/pdf", 3 * 1024 * 1024 + 7);
    send_file(&link, &report, "f1").await;
    text_arrives(&rig.emulator.sim(), &link, &id, "did you get it?").await;
    assert_eq!(
        rig.emulator.sim().conversation(&id).unwrap().files,
        vec![received(&report)]
    );
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn a_file_connect_refuses_is_reported_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;

    send_file(
        &link,
        &file("setup.exe", "application/x-msdownload", 10),
        "f1",
    )
    .await;
    let ChatEvent::SystemMessage { text } = next(&mut link).await else {
        panic!("a refused type is reported");
    };
    assert!(
        text.starts_with("Amazon Connect: StartAttachmentUpload failed with HTTP 400")
            && text.contains("not supported")
            && text.contains("\"setup.exe\" was not sent"),
        "{text}"
    );

    let limit = usize::try_from(inferred::MAX_ATTACHMENT_BYTES).unwrap();
    send_file(&link, &file("huge.pdf", "application/pdf", limit + 1), "f2").await;
    let ChatEvent::SystemMessage { text } = next(&mut link).await else {
        panic!("a file over the quota is reported");
    };
    assert!(
        text.starts_with("Amazon Connect: StartAttachmentUpload failed with HTTP 402")
            && text.contains("\"huge.pdf\" was not sent"),
        "{text}"
    );

    text_arrives(&rig.emulator.sim(), &link, &id, "never mind").await;
    assert!(
        rig.emulator
            .sim()
            .conversation(&id)
            .unwrap()
            .files
            .is_empty()
    );
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn a_500_on_each_upload_step_is_retried_and_one_file_is_recorded() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    for path in [
        "/participant/start-attachment-upload",
        "/__s3/",
        "/participant/complete-attachment-upload",
    ] {
        rig.emulator.faults().push(fault(path, FaultMode::Reject));
    }
    let photo = file("screen.png", "image/png", 4096);
    send_file(&link, &photo, "f1").await;
    text_arrives(&rig.emulator.sim(), &link, &id, "see the screenshot").await;
    assert!(
        rig.emulator.faults().take("/").is_none(),
        "every step failed once"
    );
    assert_eq!(
        rig.emulator.sim().conversation(&id).unwrap().files,
        vec![received(&photo)]
    );
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn a_lost_answer_to_complete_is_retried_without_a_second_file() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    rig.emulator.faults().push(fault(
        "/participant/complete-attachment-upload",
        FaultMode::AfterProcessing,
    ));
    let log = file("install.txt", "text/plain", 900);
    send_file(&link, &log, "f1").await;
    text_arrives(&rig.emulator.sim(), &link, &id, "that's the log").await;
    assert!(rig.emulator.faults().take("/").is_none(), "the fault hit");
    assert_eq!(
        rig.emulator.sim().conversation(&id).unwrap().files,
        vec![received(&log)]
    );
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

/// Drives the emulator's upload calls by hand, as a client that gets things wrong would.
type RawSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A chat started by hand (no connector): the raw calls' client, the base URL, the
/// connection token, the contact and its subscribed socket.
struct Raw {
    api: handoff::connectors::http::Api,
    base: String,
    token: String,
    contact: String,
    ws: RawSocket,
}

async fn raw_chat(rig: &Rig) -> Raw {
    use futures_util::{SinkExt, StreamExt};
    use handoff::connectors::http::{Api, Call, Method};

    let base = rig.emulator.base_url();
    let api = Api::new(
        "raw",
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        Vec::new(),
    );
    let credentials = Credentials {
        access_key_id: KEY_ID.into(),
        secret_access_key: Secret::new(SECRET),
        session_token: None,
    };
    let started = Call::new("start", Method::Put, format!("{base}/contact/chat")).json(&json!({
        "InstanceId": "i", "ContactFlowId": "f", "ParticipantDetails": {"DisplayName": "Raw"},
    }));
    let started = handoff::systems::amazon_connect::connector::sigv4::sign_call(
        started,
        &credentials,
        "us-east-1",
        "connect",
    );
    let started: Value = api.send(started).await.unwrap().json().unwrap();
    let participant = |path: &str, token: &str, body: Value| {
        Call::new(path, Method::Post, format!("{base}{path}"))
            .header("X-Amz-Bearer", token)
            .json(&body)
    };
    let connection: Value = api
        .send(participant(
            "/participant/connection",
            started["ParticipantToken"].as_str().unwrap(),
            json!({"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"], "ConnectParticipant": true}),
        ))
        .await
        .unwrap()
        .json()
        .unwrap();
    let token = connection["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut ws, _) =
        tokio_tungstenite::connect_async(connection["Websocket"]["Url"].as_str().unwrap())
            .await
            .unwrap();
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        json!({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}).to_string(),
    ))
    .await
    .unwrap();
    // Items pushed before the subscription is in place would not reach this socket.
    tokio::time::timeout(WAIT, async {
        while let Some(Ok(frame)) = ws.next().await {
            if frame.into_text().unwrap().contains("\"aws/subscribe\"") {
                return;
            }
        }
        panic!("socket closed");
    })
    .await
    .unwrap();
    let contact = started["ContactId"].as_str().unwrap().to_owned();
    Raw {
        api,
        base,
        token,
        contact,
        ws,
    }
}

#[tokio::test]
async fn the_emulator_checks_uploads_like_the_service() {
    use handoff::connectors::http::{Call, Method};

    let rig = rig().await;
    let Raw {
        api,
        base,
        token,
        mut ws,
        ..
    } = raw_chat(&rig).await;
    let participant = |path: &str, token: &str, body: Value| {
        Call::new(path, Method::Post, format!("{base}{path}"))
            .header("X-Amz-Bearer", token)
            .json(&body)
    };

    let status = |e: ConnectorError| match e {
        ConnectorError::Status { status, .. } | ConnectorError::Unauthorized { status, .. } => {
            status
        }
        other => panic!("an HTTP status, not {other:?}"),
    };
    let start_upload = |client_token: &str| {
        participant(
            "/participant/start-attachment-upload",
            &token,
            json!({
                "ContentType": "application/pdf", "AttachmentSizeInBytes": 5,
                "AttachmentName": "a.pdf", "ClientToken": client_token,
            }),
        )
    };
    let complete = |client_token: &str, id: &str| {
        participant(
            "/participant/complete-attachment-upload",
            &token,
            json!({"AttachmentIds": [id], "ClientToken": client_token}),
        )
    };

    // The same ClientToken opens no second upload.
    let upload: Value = api.send(start_upload("t1")).await.unwrap().json().unwrap();
    let again: Value = api.send(start_upload("t1")).await.unwrap().json().unwrap();
    assert_eq!(upload, again);
    let id = upload["AttachmentId"].as_str().unwrap();
    let url = upload["UploadMetadata"]["Url"].as_str().unwrap();
    let signed: Vec<(String, String)> = upload["UploadMetadata"]["HeadersToInclude"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let put = |url: &str, headers: &[(String, String)], body: &[u8]| {
        headers
            .iter()
            .fold(Call::new("put", Method::Put, url), |c, (k, v)| {
                c.header(k.as_str(), v.as_str())
            })
            .raw_body(body.to_vec())
    };

    let error = |r: Result<_, ConnectorError>| status(r.unwrap_err());
    assert_eq!(
        error(api.send(complete("c0", id)).await),
        400,
        "not uploaded yet"
    );
    assert_eq!(
        error(api.send(put(url, &[], b"12345")).await),
        403,
        "headers missing"
    );
    let (prefix, _) = url.split_once("X-Amz-Signature=").unwrap();
    let forged = format!("{prefix}X-Amz-Signature=00");
    assert_eq!(error(api.send(put(&forged, &signed, b"12345")).await), 403);
    assert_eq!(
        error(api.send(put(url, &signed, b"1234")).await),
        400,
        "short"
    );
    assert_eq!(
        error(api.send(put(url, &signed, b"123456")).await),
        400,
        "long"
    );
    api.send(put(url, &signed, b"12345")).await.unwrap();

    api.send(complete("c1", id)).await.unwrap();
    api.send(complete("c1", id)).await.unwrap();
    api.send(complete("c2", id)).await.unwrap();
    let desk = rig.emulator.sim().conversations();
    assert_eq!(
        desk.last().unwrap().files,
        vec![ReceivedFile {
            name: "a.pdf".into(),
            content_type: "application/pdf".into(),
            size: 5,
            crc32: crc32fast::hash(b"12345"),
        }]
    );

    // The customer's own file comes back on the socket, approved.
    let item = attachment_item(&mut ws).await;
    assert_eq!(item["ParticipantRole"], "CUSTOMER");
    assert_eq!(
        item["Attachments"],
        json!([{"AttachmentId": id, "AttachmentName": "a.pdf", "ContentType": "application/pdf", "Status": "APPROVED"}])
    );
}

// ---- Files the agent sends ------------------------------------------------------------------

/// The agent in chat `id` sends `file`.
async fn agent_sends(rig: &Rig, id: &str, file: &FileUpload) {
    rig.emulator
        .sim()
        .send_file(id, None, file.clone())
        .await
        .unwrap();
}

/// The chat's next event, which must be a file from Lisa.
async fn agent_file(link: &mut ChatLink) -> handoff::protocol::Attachment {
    match next(link).await {
        ChatEvent::AgentFile { agent: who, file } => {
            assert_eq!(who, agent("Lisa"));
            file
        }
        other => panic!("expected an agent's file, got {other:?}"),
    }
}

/// The bytes behind a file's link.
async fn download(url: &str) -> Vec<u8> {
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn an_agents_file_arrives_with_a_link_to_its_bytes() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let steps = file("reset steps.pdf", "application/pdf", 70_001);
    agent_sends(&rig, &id, &steps).await;

    let got = agent_file(&mut link).await;
    assert_eq!(got.name, "reset steps.pdf");
    assert_eq!(got.content_type, "application/pdf");
    assert_eq!(got.size, Some(70_001));
    let url = got.url.expect("GetAttachment gave a link");
    assert_eq!(download(&url).await, steps.bytes.to_vec());
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn an_agents_file_without_a_link_is_shown_and_explained() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let shot = file("screen.png", "image/png", 512);
    // Refused outright; failing on every retry; answered with an unreadable body.
    let failures = [
        (FaultMode::Reject, 400, 1, "HTTP 400"),
        (FaultMode::Reject, 500, 3, "HTTP 500"),
        (FaultMode::Malformed, 200, 1, "unexpected payload"),
    ];
    for (mode, status, count, says) in failures {
        rig.emulator.faults().push(Fault {
            status,
            count,
            ..fault("/participant/attachment", mode)
        });
        agent_sends(&rig, &id, &shot).await;
        let got = agent_file(&mut link).await;
        assert_eq!(
            (got.name.as_str(), got.content_type.as_str()),
            ("screen.png", "image/png")
        );
        assert_eq!((got.size, got.url), (None, None));
        let ChatEvent::SystemMessage { text } = next(&mut link).await else {
            panic!("the missing link is explained");
        };
        for part in ["Amazon Connect", "GetAttachment", says, "\"screen.png\""] {
            assert!(text.contains(part), "{part:?} not in {text:?}");
        }
    }
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn an_agents_file_sent_while_the_socket_is_down_arrives_once() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let dropped = reqwest::Client::new()
        .post(format!(
            "{}/__emu/amazon-connect/drop",
            rig.emulator.base_url()
        ))
        .json(&serde_json::json!({"conversation": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(dropped.status(), 204);
    let notes = file("notes.txt", "text/plain", 99);
    agent_sends(&rig, &id, &notes).await;

    let got = agent_file(&mut link).await;
    assert_eq!(got.name, "notes.txt");
    assert_eq!(download(&got.url.unwrap()).await, notes.bytes.to_vec());
    // The transcript read after the reconnect does not bring it a second time.
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

/// The next `ATTACHMENT` item on a raw socket.
async fn attachment_item(ws: &mut RawSocket) -> Value {
    use futures_util::StreamExt;
    tokio::time::timeout(WAIT, async {
        while let Some(Ok(frame)) = ws.next().await {
            let Ok(text) = frame.into_text() else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if let Some(content) = value["content"].as_str()
                && let Ok(item) = serde_json::from_str::<Value>(content)
                && item["Type"] == "ATTACHMENT"
            {
                return item;
            }
        }
        panic!("socket closed");
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn get_attachment_links_only_the_contacts_own_agent_files() {
    use handoff::connectors::http::{Call, Method, Reply};

    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    agent_sends(&rig, &id, &file("theirs.pdf", "application/pdf", 5)).await;
    let theirs = agent_file(&mut link).await.url.unwrap();
    let theirs = theirs.rsplit('/').next().unwrap();

    let mut raw = raw_chat(&rig).await;
    rig.emulator.sim().join(&raw.contact, "Lisa").await.unwrap();
    let mine = file("mine.csv", "text/csv", 1234);
    agent_sends(&rig, &raw.contact, &mine).await;
    let item = attachment_item(&mut raw.ws).await;
    assert_eq!(
        (&item["ParticipantRole"], &item["DisplayName"]),
        (&json!("AGENT"), &json!("Lisa"))
    );
    let attachment = &item["Attachments"][0];
    assert_eq!(attachment["AttachmentName"], "mine.csv");
    assert_eq!(attachment["ContentType"], "text/csv");
    assert_eq!(attachment["Status"], "APPROVED");
    let mine_id = attachment["AttachmentId"].as_str().unwrap();

    let get = |token: &str, body: Value| {
        Call::new(
            "GetAttachment",
            Method::Post,
            format!("{}/participant/attachment", raw.base),
        )
        .header("X-Amz-Bearer", token)
        .json(&body)
    };
    let linked: Value = raw
        .api
        .send(get(&raw.token, json!({"AttachmentId": mine_id})))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(linked["AttachmentSizeInBytes"], 1234);
    assert!(linked["UrlExpiry"].is_string(), "{linked}");
    assert_eq!(
        download(linked["Url"].as_str().unwrap()).await,
        mine.bytes.to_vec()
    );

    let status = |r: Result<Reply, ConnectorError>| match r {
        Ok(reply) => reply.status,
        Err(
            ConnectorError::Status { status, .. } | ConnectorError::Unauthorized { status, .. },
        ) => status,
        Err(other) => panic!("an HTTP status, not {other:?}"),
    };
    // Another chat's file, an unknown id, a validity out of range, no connection token.
    let refused = [
        (raw.token.as_str(), json!({"AttachmentId": theirs}), 400),
        (raw.token.as_str(), json!({"AttachmentId": "f-nope"}), 400),
        (
            raw.token.as_str(),
            json!({"AttachmentId": mine_id, "UrlExpiryInSeconds": 3600}),
            400,
        ),
        ("", json!({"AttachmentId": mine_id}), 403),
    ];
    for (token, body, expected) in refused {
        assert_eq!(
            status(raw.api.send(get(token, body.clone())).await),
            expected,
            "{body}"
        );
    }
}
