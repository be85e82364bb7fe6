//! The `ServiceNow` Bot Integration connector against its emulator, over real loopback HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;

use connector_support::contract::Contract;

use connector_support::{agent, next, received, send_file, wait_for};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::webhook::WebhookListener;
use handoff::connectors::{
    Availability, ChatCommand, ChatEvent, ChatLink, Connector, ConnectorError, FileUpload,
    HandoffRequest, HistoryLine, Speaker, Started,
};
use handoff::emulators::desk::{AgentScript, ReceivedFile};
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::{EndReason, UserInfo};
use handoff::systems::SystemsConfig;
use handoff::systems::servicenow::connector::inferred::{
    AGENT_ENTERED, CHAT_CLOSED, TIMED_OUT, TRANSFERRING,
};
use handoff::systems::servicenow::connector::{Auth, CallbackAuth, ServiceNow, Settings};
use std::collections::BTreeMap;
use std::time::Duration;

const CALLBACK: &str = "Bearer callback-test-secret";

struct Rig {
    emulator: RunningEmulator,
    _listener: WebhookListener,
    connector: ServiceNow,
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
    }
}

async fn rig_with(options: EmulatorOptions, password: &str) -> Rig {
    rig_behind(options, password, None).await
}

/// A rig whose listener tells systems `public_base` (file URLs); the emulator still posts its
/// responses to the loopback route.
async fn rig_behind(options: EmulatorOptions, password: &str, public_base: Option<&str>) -> Rig {
    let emulator =
        handoff::systems::servicenow::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), public_base)
        .await
        .unwrap();
    let settings = Settings {
        instance_url: emulator.base_url(),
        auth: Auth::Basic {
            username: "handoff".into(),
            password: Secret::new(password),
        },
        message_token: None,
        app_inbound_id: Some("VA Bot to Bot".into()),
        callback_auth: CallbackAuth {
            header: "Authorization".into(),
            value: Secret::new(CALLBACK),
        },
        chat_channel_id: handoff::systems::servicenow::connector::inferred::CHAT_CHANNEL.into(),
        available_state_id: handoff::systems::servicenow::connector::inferred::AVAILABLE_STATE
            .into(),
        retry: policy(),
    };
    let connector = ServiceNow::new(settings, &listener);
    handoff::systems::servicenow::configure_emulator(
        &emulator,
        &format!("http://{}/hooks/servicenow", listener.local_addr()),
        "Authorization",
        &Secret::new(CALLBACK),
    )
    .await
    .unwrap();
    Rig {
        emulator,
        _listener: listener,
        connector,
    }
}

fn manual() -> EmulatorOptions {
    EmulatorOptions {
        script: AgentScript::manual(),
        webhook_retry_delay: Duration::from_millis(20),
        ..EmulatorOptions::default()
    }
}

async fn rig() -> Rig {
    rig_with(manual(), "test-password-not-secret").await
}

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("domain".to_owned(), "IT".to_owned());
    context.insert("language".to_owned(), "en".to_owned());
    HandoffRequest {
        conversation: "c-000000000002".into(),
        title: "My VPN keeps disconnecting".into(),
        topic: "VPN".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1_700_000_000_000,
            speaker: Speaker::User,
            text: "agent".into(),
        }],
    }
}

async fn start(rig: &Rig) -> (ChatLink, String) {
    let Started::Chat(link) = rig.connector.start(request()).await.unwrap() else {
        panic!("ServiceNow starts a chat");
    };
    let id = wait_for(|| {
        rig.emulator
            .sim()
            .conversations()
            .last()
            .map(|c| c.id.clone())
    })
    .await;
    (link, id)
}

fn system(text: &str) -> ChatEvent {
    ChatEvent::SystemMessage { text: text.into() }
}

/// The shared contract of brokered connectors, on this system.
fn contract(rig: &Rig) -> Contract<'_, ServiceNow> {
    Contract {
        emulator: &rig.emulator,
        connector: &rig.connector,
        start_path: "/bot/integration",
        message_path: "/bot/integration",
        malformed_report: "ServiceNow: response endpoint returned an unexpected payload",
        throttle_body: None,
    }
}
#[tokio::test]
async fn a_full_chat_with_a_transfer_maps_every_item() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    assert_eq!(
        sim.conversation(&id).unwrap().external_ref.as_deref(),
        Some("c-000000000002")
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Queued {
            position: None,
            eta_secs: Some(30)
        }
    );

    sim.join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    assert_eq!(next(&mut link).await, system(AGENT_ENTERED));
    sim.say(&id, None, "Hi, Lisa here").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Hi, Lisa here".into()
        }
    );

    connector_support::typing_and_a_message_both_ways(&mut link, &sim, &id, "It drops every hour")
        .await;

    sim.transfer(&id, "Marco").await.unwrap();
    assert_eq!(next(&mut link).await, system(TRANSFERRING));
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Transferred {
            to: Some("Marco".into())
        }
    );
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
    assert_eq!(next(&mut link).await, system(AGENT_ENTERED));

    sim.leave(&id).await.unwrap();
    assert_eq!(next(&mut link).await, system(CHAT_CLOSED));
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
        vec!["It drops every hour".to_owned()]
    );
}

#[tokio::test]
async fn the_user_ends_the_chat() {
    contract(&rig().await).the_user_ends_the_chat().await;
}

#[tokio::test]
async fn a_queue_timeout_ends_the_wait() {
    let said = contract(&rig().await).a_queue_timeout_ends_the_wait().await;
    assert_eq!(said, [TIMED_OUT]);
}

#[tokio::test]
async fn availability_reads_the_awa_capacity_table() {
    contract(&rig().await)
        .availability_follows_agent_presence()
        .await;
}

#[tokio::test]
async fn wrong_credentials_say_check_the_credentials() {
    let options = EmulatorOptions {
        credentials: Some("handoff:the-right-password".into()),
        script: AgentScript::manual(),
        ..EmulatorOptions::default()
    };
    let rig = rig_with(options, "a-wrong-password").await;
    let error = rig.connector.start(request()).await.unwrap_err();
    assert!(
        matches!(error, ConnectorError::Unauthorized { status: 401, .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with(
        "ServiceNow: POST bot/integration (AGENT) was refused (HTTP 401): check the credentials"
    ));
    assert!(!error.to_string().contains("a-wrong-password"));
    let error = rig.connector.availability().await.unwrap_err();
    assert!(
        matches!(error, ConnectorError::Unauthorized { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn missing_auth_gets_the_platform_401_body() {
    let rig = rig().await;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/sn_va_as_service/bot/integration",
            rig.emulator.base_url()
        ))
        .json(&serde_json::json!({"requestId": "r", "userId": "u"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "failure");
    assert_eq!(body["error"]["message"], "User Not Authenticated");
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
async fn the_response_endpoint_rejects_wrong_credentials() {
    let rig = rig().await;
    let client = reqwest::Client::new();
    let body = r#"{"clientSessionId":"c-000000000002","body":[]}"#;
    let none = client
        .post(rig.connector.webhook_url())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let wrong = client
        .post(rig.connector.webhook_url())
        .header("Authorization", "Bearer not-the-secret")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = client
        .post(rig.connector.webhook_url())
        .header("Authorization", CALLBACK)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 400);
}

#[tokio::test]
async fn build_starts_the_embedded_emulator() {
    let config = SystemsConfig::from_toml(
        "test.toml",
        "[servicenow]\npassword_env = \"HANDOFF_TEST_SN_UNSET\"\ncallback_token_env = \"HANDOFF_TEST_SN_CB_UNSET\"\n",
    )
    .unwrap();
    let options = EmulatorOptions {
        script: AgentScript::greeting(Duration::from_millis(20)),
        ..EmulatorOptions::default()
    };
    let built = handoff::systems::build_with(handoff::systems::servicenow::NAME, &config, options)
        .await
        .unwrap();
    assert!(built.emulator.is_some());
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
    assert_eq!(next(&mut link).await, system(AGENT_ENTERED));
    assert!(matches!(
        next(&mut link).await,
        ChatEvent::AgentMessage { .. }
    ));
}

/// A started chat with Lisa in it, every event of the join read.
async fn live(rig: &Rig) -> (ChatLink, String) {
    let (mut link, id) = start(rig).await;
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    rig.emulator.sim().join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    assert_eq!(next(&mut link).await, system(AGENT_ENTERED));
    (link, id)
}

fn upload(name: &str, content_type: &str) -> FileUpload {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..20_000u32).map(|i| (i * 7 % 251) as u8));
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

/// Waits until the desk has `text` from the user: every command before it is done (the
/// emulator fetches attachments before it acknowledges their message).
async fn wait_for_text(rig: &Rig, id: &str, text: &str) -> Vec<ReceivedFile> {
    let sim = rig.emulator.sim();
    wait_for(|| {
        sim.conversation(id)
            .filter(|c| c.user_messages.iter().any(|m| m == text))
            .map(|c| c.files)
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
async fn a_file_is_fetched_by_the_instance_once_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let file = upload("vpn-log.pdf", "application/pdf");
    send_file(&link, &file, "f1").await;
    say(&link, "That is the log", "m2").await;
    let files = wait_for_text(&rig, &id, "That is the log").await;
    assert_eq!(files, vec![received(&file)]);
    assert_eq!(
        rig.emulator.sim().conversation(&id).unwrap().user_messages,
        vec!["That is the log".to_owned()],
        "a file message adds no text"
    );
    agent_says_next(&rig, &mut link, &id, "Got it").await;
}

#[tokio::test]
async fn a_file_type_servicenow_does_not_take_is_refused_in_the_chat() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    send_file(&link, &upload("tools.zip", "application/zip"), "f1").await;
    assert_eq!(
        next(&mut link).await,
        system(
            "ServiceNow: The attachment could not be added: \"tools.zip\": \
             the file type application/zip is not allowed"
        )
    );
    say(&link, "Never mind", "m2").await;
    assert!(wait_for_text(&rig, &id, "Never mind").await.is_empty());
    agent_says_next(&rig, &mut link, &id, "OK").await;
}

#[tokio::test]
async fn a_file_url_the_instance_cannot_reach_is_refused_in_the_chat() {
    // The public base names a port nobody listens on, as a tunnel that is down would.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let rig = rig_behind(manual(), "test-password-not-secret", Some(&base)).await;
    let (mut link, id) = live(&rig).await;
    send_file(&link, &upload("vpn-log.pdf", "application/pdf"), "f1").await;
    assert_eq!(
        next(&mut link).await,
        system(
            "ServiceNow: The attachment could not be added: \"vpn-log.pdf\": \
             fetching it failed: connection failed"
        )
    );
    say(&link, "Never mind", "m2").await;
    assert!(wait_for_text(&rig, &id, "Never mind").await.is_empty());
}

#[tokio::test]
async fn a_500_on_the_file_message_is_retried_and_one_file_recorded() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let first = upload("first.pdf", "application/pdf");
    let second = upload("second.png", "image/png");
    for (file, mode, mid, after) in [
        (&first, FaultMode::Reject, "f1", "after first"),
        // Handled, then the answer is lost: the retry must not fetch and record it again.
        (&second, FaultMode::AfterProcessing, "f2", "after second"),
    ] {
        rig.emulator.faults().push(Fault {
            path: "/bot/integration".into(),
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

#[tokio::test]
async fn an_agents_file_arrives_as_a_link_to_the_same_bytes_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let file = upload("fix-steps.pdf", "application/pdf");
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
        panic!("the agent's file arrives as a file");
    };
    assert_eq!(from, agent("Lisa"));
    assert_eq!(got.name, "fix-steps.pdf");
    assert_eq!(got.content_type, "application/pdf");
    assert_eq!(got.size, None, "ServiceNow does not tell the size");
    let url = got.url.expect("a download link");
    let fetched = reqwest::get(&url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap(), file.bytes);
    agent_says_next(&rig, &mut link, &id, "Open it").await;
}

#[tokio::test]
async fn an_agents_file_without_a_link_is_reported_and_nothing_after_it_is_lost() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    // The instance's envelope, as the emulator would post it, but the link is missing.
    let envelope = serde_json::json!({
        "clientSessionId": "c-000000000002",
        "agentChat": true,
        "body": [{"uiType": "OutputLink", "header": "fix-steps.pdf", "label": "fix-steps.pdf",
                  "value": {}, "agentInfo": {"agentName": "Lisa", "sentFromAgent": true}}],
    });
    let posted = reqwest::Client::new()
        .post(rig.connector.webhook_url())
        .header("Authorization", CALLBACK)
        .json(&envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(
        next(&mut link).await,
        system(
            "ServiceNow: an agent's file could not be read: \
             \"fix-steps.pdf\" has no link (`value.action`)"
        )
    );
    agent_says_next(&rig, &mut link, &id, "Let me send it again").await;
}
