//! The 8x8 Chat Gateway connector against its emulator, over real loopback HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;

use connector_support::contract::Contract;

use connector_support::{
    agent, agent_still_heard, file, next, received, send_file, text_arrives, wait_for,
};
use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::webhook::WebhookListener;
use handoff::connectors::{
    Availability, ChatCommand, ChatEvent, ChatLink, Connector, ConnectorError, HandoffRequest,
    HistoryLine, Speaker, Started,
};
use handoff::emulators::desk::AgentScript;
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::{EndReason, UserInfo};
use handoff::systems::SystemsConfig;
use handoff::systems::eight_by_eight::connector::{EightByEight, Settings, inferred};
use std::collections::BTreeMap;
use std::time::Duration;

struct Rig {
    emulator: RunningEmulator,
    _listener: WebhookListener,
    connector: EightByEight,
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

async fn rig_with(options: EmulatorOptions, key: &str, retry: RetryPolicy) -> Rig {
    let emulator =
        handoff::systems::eight_by_eight::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let settings = Settings {
        api_base: emulator.base_url(),
        region: "us".into(),
        tenant_id: Some("emu-tenant".into()),
        channel_id: "ch-1".into(),
        queue_id: Some("queue-it".into()),
        api_key: Secret::new(key),
        verify_signatures: true,
        retry,
    };
    let connector = EightByEight::new(settings, &listener);
    Rig {
        emulator,
        _listener: listener,
        connector,
    }
}

async fn rig() -> Rig {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        webhook_retry_delay: Duration::from_millis(20),
        ..EmulatorOptions::default()
    };
    let rig = rig_with(options, "test-key-not-secret", policy()).await;
    rig.connector.register_webhook().await.unwrap();
    rig
}

fn request() -> HandoffRequest {
    let mut context = BTreeMap::new();
    context.insert("domain".to_owned(), "IT".to_owned());
    context.insert("language".to_owned(), "en".to_owned());
    HandoffRequest {
        conversation: "c-000000000001".into(),
        title: "I can't connect to the SQL database".into(),
        topic: "SQL Database".into(),
        user: UserInfo::default(),
        context,
        history: vec![HistoryLine {
            at: 1,
            speaker: Speaker::User,
            text: "agent please".into(),
        }],
    }
}

async fn start(rig: &Rig) -> (ChatLink, String) {
    let Started::Chat(link) = rig.connector.start(request()).await.unwrap() else {
        panic!("8x8 starts a chat");
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

/// The shared contract of brokered connectors, on this system.
fn contract(rig: &Rig) -> Contract<'_, EightByEight> {
    Contract {
        emulator: &rig.emulator,
        connector: &rig.connector,
        start_path: "/conversations",
        message_path: "/messages",
        malformed_report: "8x8: webhook MESSAGE returned an unexpected payload",
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
        Some("c-000000000001")
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Queued {
            position: None,
            eta_secs: None
        }
    );

    sim.join(&id, "Lisa").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    sim.say(&id, None, "Hello - can you share more details?")
        .await
        .unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Hello - can you share more details?".into()
        }
    );

    connector_support::typing_and_a_message_both_ways(&mut link, &sim, &id, "Error 18456").await;

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
    assert_eq!(
        sim.conversation(&id).unwrap().user_messages,
        vec!["Error 18456".to_owned()]
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
async fn availability_follows_agent_presence() {
    contract(&rig().await)
        .availability_follows_agent_presence()
        .await;
}

#[tokio::test]
async fn a_wrong_api_key_says_check_the_credentials() {
    let options = EmulatorOptions {
        credentials: Some("the-right-key".into()),
        script: AgentScript::manual(),
        ..EmulatorOptions::default()
    };
    let rig = rig_with(options, "a-wrong-key", policy()).await;
    let error = rig.connector.start(request()).await.unwrap_err();
    assert_eq!(
        error,
        ConnectorError::Unauthorized {
            system: "8x8".into(),
            call: "POST /conversations".into(),
            status: 401
        }
    );
    assert!(
        error.to_string().contains("check the credentials"),
        "{error}"
    );
    assert!(rig.emulator.sim().conversations().is_empty());
}

#[tokio::test]
async fn a_missing_api_key_gets_the_problem_body() {
    let rig = rig().await;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/chat-gateway/v1/conversations",
            rig.emulator.base_url()
        ))
        .json(&serde_json::json!({"channelId": "c", "user": {"name": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "access_denied");
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    contract(&rig().await)
        .a_429_on_the_start_waits_for_retry_after()
        .await;
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_with_the_429() {
    let short = RetryPolicy {
        max_retry_after: Duration::ZERO,
        ..policy()
    };
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        ..EmulatorOptions::default()
    };
    let rig = rig_with(options, "test-key-not-secret", short).await;
    rig.emulator.faults().push(Fault {
        path: "/conversations".into(),
        status: 429,
        count: 1,
        retry_after: Some(60),
        mode: FaultMode::Reject,
        body: None,
    });
    let error = rig.connector.start(request()).await.unwrap_err();
    let ConnectorError::Status {
        status: 429,
        call,
        detail,
        ..
    } = &error
    else {
        panic!("expected a 429, got {error:?}");
    };
    assert_eq!(call, "POST /conversations");
    assert!(detail.contains("retry after 60s"), "{detail}");
}

#[tokio::test]
async fn a_500_is_retried_without_a_duplicate_message() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    rig.emulator.faults().push(Fault {
        path: "/messages".into(),
        status: 500,
        count: 1,
        retry_after: None,
        mode: FaultMode::Reject,
        body: None,
    });
    for (text, mid) in [("first", "m1"), ("second", "m2")] {
        link.commands
            .send(ChatCommand::Text {
                text: text.into(),
                client_message_id: mid.into(),
            })
            .await
            .unwrap();
    }
    let got = wait_for(|| {
        sim.conversation(&id)
            .filter(|c| c.user_messages.len() >= 2)
            .map(|c| c.user_messages)
    })
    .await;
    assert_eq!(got, vec!["first".to_owned(), "second".to_owned()]);
}

#[tokio::test]
async fn a_malformed_event_is_reported_and_nothing_after_it_is_lost() {
    contract(&rig().await)
        .a_malformed_event_is_reported_and_nothing_after_it_is_lost()
        .await;
}

#[tokio::test]
async fn a_malformed_api_answer_is_a_clear_error() {
    let rig = rig().await;
    rig.emulator.faults().push(Fault {
        path: "/conversations".into(),
        status: 202,
        count: 1,
        retry_after: None,
        mode: FaultMode::Malformed,
        body: None,
    });
    let error = rig.connector.start(request()).await.unwrap_err();
    assert!(
        matches!(&error, ConnectorError::Payload { call, .. } if call == "POST /conversations"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_webhook_with_a_bad_signature_is_rejected_and_the_retry_delivered() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    sim.join(&id, "Lisa").await.unwrap();
    assert!(matches!(
        next(&mut link).await,
        ChatEvent::AgentJoined { .. }
    ));
    // The join is told twice (AGENT_JOINED, then MEMBERS_CHANGED): let both land first, so
    // the bad signature falls on the message.
    wait_for(|| {
        sim.deliveries()
            .iter()
            .any(|d| d.event == "MEMBERS_CHANGED" && d.status == 200)
            .then_some(())
    })
    .await;
    rig.emulator.faults().push(Fault {
        path: String::new(),
        status: 0,
        count: 1,
        retry_after: None,
        mode: FaultMode::BadSignature,
        body: None,
    });
    sim.say(&id, None, "signed twice").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "signed twice".into()
        }
    );
    let message = wait_for(|| {
        let attempts: Vec<_> = sim
            .deliveries()
            .iter()
            .filter(|d| d.event == "MESSAGE")
            .map(|d| (d.status, d.retry))
            .collect();
        (attempts.len() >= 2).then_some(attempts)
    })
    .await;
    assert_eq!(message, vec![(401, 0), (200, 1)]);

    // A forged call straight to the route, with no valid signature, is refused.
    let forged = reqwest::Client::new()
        .post(rig.connector.webhook_url())
        .header("x-8x8-signature", "eyJhbGciOiJSUzI1NiJ9..c2ln")
        .header("x-8x8-customer-id", "emu-tenant")
        .header("x-8x8-tenant-id", "emu-tenant")
        .header("x-8x8-event-id", "e-forged")
        .header("x-8x8-retry", "0")
        .header("x-8x8-transmission-time", "1")
        .body(format!(
            r#"{{"eventType":"MESSAGE","conversationId":"{id}"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let unsigned = reqwest::Client::new()
        .post(rig.connector.webhook_url())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
}

#[tokio::test]
async fn build_starts_the_embedded_emulator_and_lisa_greets() {
    // The key's variable is named explicitly and set by nobody, so the emulator starts.
    let config = SystemsConfig::from_toml(
        "test.toml",
        "[8x8]\napi_key_env = \"HANDOFF_TEST_8X8_KEY_UNSET\"\n",
    )
    .unwrap();
    let options = EmulatorOptions {
        script: AgentScript::greeting(Duration::from_millis(20)),
        ..EmulatorOptions::default()
    };
    let built =
        handoff::systems::build_with(handoff::systems::eight_by_eight::NAME, &config, options)
            .await
            .unwrap();
    assert!(built.emulator.is_some() && built.webhooks.is_some() && built.desk.is_some());
    assert_eq!(
        built.connector.availability().await.unwrap(),
        Availability::Available(2)
    );
    let Started::Chat(mut link) = built.connector.start(request()).await.unwrap() else {
        panic!("a chat");
    };
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Hello - can you share more details about the error message you're seeing?"
                .into()
        }
    );
}

#[tokio::test]
async fn the_agent_inbox_sees_the_request_and_acts_through_the_desk() {
    use handoff::connectors::{AgentDesk, DeskAction, DeskEvent};
    use handoff::emulators::control::RemoteDesk;
    use handoff::protocol::ConversationEvent;

    let rig = rig().await;
    let mut inbox = rig.emulator.sim().subscribe();
    let (mut link, _) = start(&rig).await;
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    let DeskEvent::Conversation {
        conversation,
        event,
    } = inbox.recv().await.unwrap()
    else {
        panic!("a conversation event first");
    };
    assert_eq!(conversation.as_str(), "c-000000000001");
    let ConversationEvent::Request {
        title,
        topic,
        context,
        user,
        ..
    } = event
    else {
        panic!("the request");
    };
    assert_eq!(title, "I can't connect to the SQL database");
    assert_eq!(topic, "SQL Database");
    assert_eq!(context.get("domain").map(String::as_str), Some("IT"));
    assert_eq!(context.get("language").map(String::as_str), Some("en"));
    assert_eq!(user.name, "Alex Kim");

    // In process: the desk the broker gets from `build`.
    let desk = rig.emulator.desk();
    desk.act("Lisa", DeskAction::Accept(conversation.clone()))
        .await
        .unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentJoined {
            agent: agent("Lisa")
        }
    );
    // Over HTTP: the same desk of an emulator started with `handoff emulate`.
    let remote = RemoteDesk::new(&rig.emulator.base_url());
    assert_eq!(remote.agents().await.len(), 2);
    remote
        .act(
            "Lisa",
            DeskAction::Reply(conversation.clone(), "From the inbox".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "From the inbox".into()
        }
    );
    let refused = remote
        .act("Lisa", DeskAction::Accept(conversation.clone()))
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("not waiting for an agent"),
        "{refused}"
    );
    remote
        .act("Lisa", DeskAction::End(conversation.clone()))
        .await
        .unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentLeft {
            agent: "Lisa".into()
        }
    );
    assert_eq!(
        next(&mut link).await,
        ChatEvent::Ended {
            reason: EndReason::Agent {
                agent: "Lisa".into()
            }
        }
    );

    let mut seen = Vec::new();
    while let Ok(event) = inbox.try_recv() {
        if let DeskEvent::Conversation { event, .. } = event {
            seen.push(event.kind());
        }
    }
    assert_eq!(seen, vec!["assigned", "chat_ended"]);
}

// ---- Files the user sends -------------------------------------------------------------------

/// A started chat with Lisa in it.
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
    (link, id)
}

#[tokio::test]
async fn a_file_reaches_the_agent_once_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    // Over axum's default 2 MB body limit, so the upload route's own limit is exercised; a
    // name with a space, a quote and non-ASCII survives the form.
    let report = file(
        "r\u{e9}sum\u{e9} \"final\".pdf",
        "application/pdf",
        3 * 1024 * 1024 + 7,
    );
    send_file(&link, &report, "f1").await;
    text_arrives(&rig.emulator.sim(), &link, &id, "did you get it?").await;
    let conversation = rig.emulator.sim().conversation(&id).unwrap();
    assert_eq!(conversation.files, vec![received(&report)]);
    assert_eq!(
        conversation.user_messages,
        vec![report.name.clone(), "did you get it?".to_owned()],
        "the file's message carries its name as text"
    );
    // Both echoes (the file's message and the text) reached the connector before the agent
    // speaks, so an echo it could not read would be reported first.
    let sim = rig.emulator.sim();
    wait_for(|| {
        let echoed = sim
            .deliveries()
            .iter()
            .filter(|d| d.event == "MESSAGE" && (200..300).contains(&d.status))
            .count();
        (echoed >= 2).then_some(())
    })
    .await;
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn a_file_8x8_refuses_is_reported_and_the_chat_goes_on() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;

    // The emulator refuses programs and scripts, and files over its size limit (both made up:
    // 8x8 publishes neither).
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
        text.starts_with("8x8: POST /conversations/{id}/attachments failed with HTTP 400")
            && text.contains("ATTACHMENT_TYPE_NOT_ALLOWED")
            && text.contains("\"setup.exe\" was not sent"),
        "{text}"
    );

    let limit = usize::try_from(inferred::MAX_ATTACHMENT_BYTES).unwrap();
    send_file(&link, &file("huge.pdf", "application/pdf", limit + 1), "f2").await;
    let ChatEvent::SystemMessage { text } = next(&mut link).await else {
        panic!("a file over the limit is reported");
    };
    assert!(
        text.starts_with("8x8: POST /conversations/{id}/attachments failed with HTTP 413")
            && text.contains("\"huge.pdf\" was not sent"),
        "{text}"
    );

    text_arrives(&rig.emulator.sim(), &link, &id, "never mind").await;
    let conversation = rig.emulator.sim().conversation(&id).unwrap();
    assert!(conversation.files.is_empty());
    assert_eq!(conversation.user_messages, vec!["never mind".to_owned()]);
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn a_500_on_the_upload_is_retried_and_one_file_is_recorded() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    rig.emulator.faults().push(Fault {
        path: "/attachments".into(),
        status: 500,
        count: 1,
        retry_after: None,
        mode: FaultMode::Reject,
        body: None,
    });
    let photo = file("screen.png", "image/png", 4096);
    send_file(&link, &photo, "f1").await;
    text_arrives(&rig.emulator.sim(), &link, &id, "see the screenshot").await;
    assert!(
        rig.emulator.faults().take("/").is_none(),
        "the upload failed once"
    );
    assert_eq!(
        rig.emulator.sim().conversation(&id).unwrap().files,
        vec![received(&photo)]
    );
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn a_message_naming_an_unknown_attachment_is_refused() {
    let rig = rig().await;
    let (_link, id) = live(&rig).await;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/chat-gateway/v1/conversations/{id}/messages",
            rig.emulator.base_url()
        ))
        .header("x-api-key", "test-key-not-secret")
        .json(&serde_json::json!({
            "authorType": "user", "text": "here", "attachments": [{"id": "never-uploaded"}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], inferred::UNKNOWN_ATTACHMENT_CODE);
    let conversation = rig.emulator.sim().conversation(&id).unwrap();
    assert!(conversation.files.is_empty() && conversation.user_messages.is_empty());
}

// ---- Files the agent sends ------------------------------------------------------------------

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

/// The bytes behind a file's link, fetched without the API key (the link is presigned).
async fn download(url: &str) -> Vec<u8> {
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn an_agents_files_arrive_with_links_to_their_bytes() {
    let rig = rig().await;
    let (mut link, id) = live(&rig).await;
    let sim = rig.emulator.sim();
    let files = [
        file("fix.pdf", "application/pdf", 40_000),
        file("screen shot.png", "image/png", 777),
    ];
    for sent in &files {
        sim.send_file(&id, None, sent.clone()).await.unwrap();
        let got = agent_file(&mut link).await;
        assert_eq!(
            (got.name.as_str(), got.content_type.as_str(), got.size),
            (sent.name.as_str(), sent.content_type.as_str(), None)
        );
        let url = got.url.expect("a preSignedUrl");
        assert_eq!(download(&url).await, sent.bytes.to_vec());
    }
    // Only the files: no empty message before or after them, and the chat goes on.
    agent_still_heard(&rig.emulator.sim(), &mut link, &id).await;
}

#[tokio::test]
async fn the_agents_reply_arrives_while_the_users_message_is_still_being_sent() {
    let rig = rig().await;
    let (mut link, id) = start(&rig).await;
    let sim = rig.emulator.sim();
    assert!(matches!(next(&mut link).await, ChatEvent::Queued { .. }));
    sim.join(&id, "Lisa").await.unwrap();
    assert!(matches!(
        next(&mut link).await,
        ChatEvent::AgentJoined { .. }
    ));
    // The user's message hangs for longer than the call's deadline (5 s) and the test's wait.
    rig.emulator.faults().push(Fault {
        path: "/messages".into(),
        status: 200,
        count: 1,
        retry_after: None,
        mode: FaultMode::Delay { ms: 60_000 },
        body: None,
    });
    link.commands
        .send(ChatCommand::Text {
            text: "Error 18456".into(),
            client_message_id: "m1".into(),
        })
        .await
        .unwrap();
    // The chat task has taken the message (and so started its call) ...
    wait_for(|| (link.commands.capacity() == link.commands.max_capacity()).then_some(())).await;
    // ... and still hears the agent: before, the reply waited for the deadline's error.
    sim.say(&id, None, "Still there?").await.unwrap();
    assert_eq!(
        next(&mut link).await,
        ChatEvent::AgentMessage {
            agent: agent("Lisa"),
            text: "Still there?".into()
        }
    );
}
