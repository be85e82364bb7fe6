//! The channel connectors (Slack, Teams, Google Chat, Webex) against their emulators, built
//! as `--system` builds them with no credentials, over real loopback HTTP: each posts the
//! request and hears the agent's acceptance; a refused credential, a rate limit and an
//! oversized request each end as the service would have them end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;

use connector_support::{next, wait_for};
use handoff::connectors::channel::MARKER;
use handoff::connectors::{ChatCommand, ChatEvent, ChatLink, Connector, HandoffRequest, Started};
use handoff::emulators::EmulatorOptions;
use handoff::emulators::desk::AgentScript;
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::protocol::{EndReason, UserInfo};
use handoff::systems::{Built, SystemName, SystemsConfig, build_with};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Each channel system, the service the user is told of, and the path its posts go to.
fn systems() -> Vec<(SystemName, &'static str, &'static str)> {
    vec![
        (handoff::systems::slack::NAME, "Slack", "chat.postMessage"),
        (handoff::systems::teams::NAME, "Teams", "/workflows"),
        (handoff::systems::webex::NAME, "Webex", "/v1/messages"),
        (
            handoff::systems::google_chat::NAME,
            "Google Chat",
            "/v1/spaces",
        ),
    ]
}

async fn built(system: SystemName, credentials: Option<&str>) -> Built {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: credentials.map(str::to_owned),
        ..EmulatorOptions::default()
    };
    build_with(system, &SystemsConfig::defaults(), options)
        .await
        .unwrap()
}

fn request(conversation: &str, title: &str) -> HandoffRequest {
    HandoffRequest {
        conversation: conversation.into(),
        title: title.into(),
        topic: "SQL Database".into(),
        user: UserInfo::default(),
        context: BTreeMap::from([("queue".to_owned(), "it-help".to_owned())]),
        history: Vec::new(),
    }
}

async fn post(built: &Built, request: HandoffRequest) -> (String, ChatLink) {
    match built.connector.start(request).await.unwrap() {
        Started::Posted {
            channel,
            chat: Some(link),
        } => (channel, link),
        other => panic!("not a post with a chat: {other:?}"),
    }
}

async fn received(built: &Built) -> Vec<Value> {
    let base = built.emulator.as_ref().unwrap().base_url();
    reqwest::get(format!("{base}/__emu/channel/received"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Whether the emulator recorded `text` as an agent's thread reply (polled: the desk records
/// it after `say` returns; gives up after about ten seconds).
async fn thread_reply_recorded(built: &Built, text: &str) -> bool {
    for _ in 0..200 {
        let replies = received(built).await;
        if replies.iter().any(|r| {
            r["path"] == handoff::emulators::channel::THREAD_REPLY && r["body"]["text"] == text
        }) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn each_channel_posts_the_request_and_the_user_hears_who_picked_it_up() {
    for (system, service, _) in systems() {
        let built = built(system, None).await;
        let (channel, mut link) =
            post(&built, request("c-accept", "My SQL database is slow")).await;
        assert!(channel.starts_with(service), "{channel}");
        let sim = built.emulator.as_ref().unwrap().sim();
        let id = wait_for(|| sim.resolve("c-accept").ok()).await;
        assert_eq!(
            sim.conversation(&id).unwrap().external_ref.as_deref(),
            Some("c-accept")
        );

        sim.join(&id, "Lisa").await.unwrap();
        assert!(
            matches!(next(&mut link).await, ChatEvent::AgentJoined { agent } if agent.name == "Lisa"),
            "{system}"
        );
        assert_eq!(
            next(&mut link).await,
            ChatEvent::SystemMessage {
                text: format!(
                    "Lisa picked up your request and will reach out to you in {service}."
                )
            }
        );

        link.commands
            .send(ChatCommand::Text {
                text: "It's db-7".into(),
                client_message_id: "m1".into(),
            })
            .await
            .unwrap();
        wait_for(|| {
            let said = sim.conversation(&id)?.user_messages;
            said.iter().any(|m| m.contains("It's db-7")).then_some(())
        })
        .await;

        // Lisa's reply goes into the thread, where the service keeps it (not relayed back).
        sim.say(&id, Some("Lisa"), "I'll call you at your desk")
            .await
            .unwrap();
        assert!(
            thread_reply_recorded(&built, "I'll call you at your desk").await,
            "{system}: the agent's reply is kept in the thread"
        );
        link.commands.send(ChatCommand::End).await.unwrap();
        assert_eq!(
            next(&mut link).await,
            ChatEvent::Ended {
                reason: EndReason::User
            }
        );
    }
}

#[tokio::test]
async fn a_refused_credential_fails_the_handoff_with_the_services_reason() {
    for (system, _, _) in systems() {
        let built = built(system, Some("the-only-good-token")).await;
        let error = built
            .connector
            .start(request("c-auth", "help"))
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("invalid_auth") || text.contains("401"),
            "{system}: {text}"
        );
    }
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_when_short_and_reported_when_long() {
    for (system, _, path) in systems() {
        let built = built(system, None).await;
        let faults = built.emulator.as_ref().unwrap().faults();
        let limited = |retry_after| Fault {
            path: path.into(),
            status: 429,
            count: 1,
            retry_after: Some(retry_after),
            mode: FaultMode::Reject,
            body: None,
        };
        faults.push(limited(1));
        post(&built, request("c-429", "help")).await;

        faults.push(limited(3600));
        let error = built
            .connector
            .start(request("c-429b", "help"))
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("rate limited, retry after 3600s"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn an_oversized_request_is_shortened_with_the_marker_and_accepted() {
    for (system, _, _) in systems() {
        let built = built(system, None).await;
        let huge = "é".repeat(50_000);
        post(&built, request("c-huge", &huge)).await;
        let bodies = received(&built).await;
        let text = bodies.last().unwrap().to_string();
        assert!(text.contains(MARKER.trim()), "{system}");
        assert!(text.contains("Ref: handoff:c-huge"), "{system}");
        let sim = built.emulator.as_ref().unwrap().sim();
        wait_for(|| sim.resolve("c-huge").ok()).await;
    }
}

#[tokio::test]
async fn an_acceptance_that_is_not_signed_with_the_secret_is_refused() {
    for (system, _, _) in systems() {
        let built = built(system, None).await;
        let url = built.webhooks.as_ref().unwrap().url_of(system.as_str());
        // Each route is the system's name.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let reply = reqwest::Client::new()
            .post(url)
            .header("x-slack-request-timestamp", &now)
            .header("x-slack-signature", "v0=00")
            .header("x-handoff-request-timestamp", &now)
            .header("x-handoff-signature", "v0=00")
            .body(r#"{"conversation":"c-1","agent":"Mallory"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 401, "{system}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever a user types, every emulator reads the post it becomes and queues it.
    #[test]
    fn hostile_unicode_reaches_every_channel_intact_enough_to_queue(title in any::<String>(), name in any::<String>()) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            for (system, _, _) in systems() {
                let built = built(system, None).await;
                let mut r = request("c-prop", &title);
                r.user.name.clone_from(&name);
                post(&built, r).await;
                let sim = built.emulator.as_ref().unwrap().sim();
                wait_for(|| sim.resolve("c-prop").ok()).await;
            }
        });
    }
}

#[tokio::test]
async fn slack_posts_through_an_incoming_webhook_and_a_wrong_url_is_refused() {
    use handoff::connectors::channel::Common;
    use handoff::connectors::redact::Secret;
    use handoff::connectors::webhook::WebhookListener;
    use handoff::systems::slack::{connector, emulator};
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some("hook-secret".into()),
        ..EmulatorOptions::default()
    };
    let emu = emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let common = || Common {
        channel_name: "#it-help".into(),
        accept_secret: None,
        retry: handoff::connectors::http::RetryPolicy::default(),
    };
    let hook = |secret: &str| connector::Target::Webhook {
        url: Secret::new(format!("{}/services/T1/B1/{secret}", emu.base_url())),
    };

    let slack = connector::connector(hook("hook-secret"), common(), &listener);
    let started = slack.start(request("c-hook", "help")).await.unwrap();
    assert!(
        matches!(&started, Started::Posted { channel, chat: None } if channel == "Slack #it-help"),
        "without a signing secret nothing comes back, so no chat: {started:?}"
    );
    wait_for(|| emu.sim().resolve("c-hook").ok()).await;

    let wrong = connector::connector(hook("guessed"), common(), &listener);
    let error = wrong.start(request("c-hook2", "help")).await.unwrap_err();
    assert!(error.to_string().contains("refused (HTTP 403)"), "{error}");
}

/// Google Chat answers a webhook post with what the request held plus the names it fills (the
/// message's and its thread's), not the whole Message resource.
#[tokio::test]
async fn google_chat_answers_a_webhook_post_with_the_request_and_the_names_it_fills() {
    let built = built(handoff::systems::google_chat::NAME, None).await;
    let base = built.emulator.as_ref().unwrap().base_url();
    let url = format!(
        "{base}/v1/spaces/AAAA/messages?key=k&token=t&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
    );
    let body = serde_json::json!({"text": "Hello", "thread": {"threadKey": "c-1"}});
    let answer: Value = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut keys: Vec<_> = answer.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["name", "text", "thread"], "{answer:#}");
    assert!(
        answer["name"]
            .as_str()
            .unwrap()
            .starts_with("spaces/AAAA/messages/")
    );
    assert!(
        answer["thread"]["name"]
            .as_str()
            .unwrap()
            .starts_with("spaces/AAAA/threads/")
    );
    assert_eq!(answer["thread"]["threadKey"], "c-1");
}
