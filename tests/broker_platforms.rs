//! Bot-scoped sessions and the attachment matrix (issue 15, rule 8), end to end over WebSocket:
//! a user's hello names a chat platform (and on Web, a site); the same user holds one
//! conversation per platform at once; Web on several sites is one chat; Slack takes no files;
//! files over the broker's limit are refused naming both sizes.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::Client;
use common::seeds::{live_with_lisa, say, state_reached};
use handoff::broker::{self, BrokerConfig};
use handoff::protocol::{
    ClientMsg, ConversationEvent, ConversationId, ErrorCode, Platform, RequestId, Role, ServerMsg,
};
use proptest::prelude::*;

fn attach(conversation: &ConversationId, bytes: &[u8]) -> impl FnOnce(RequestId) -> ClientMsg {
    let conversation = conversation.clone();
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    move |id| ClientMsg::Attach {
        id,
        conversation,
        name: "screenshot.png".into(),
        content_type: "image/png".into(),
        data,
    }
}

/// Whether a message's parts hold `text`.
fn says(message: &handoff::protocol::ChatMessage, text: &str) -> bool {
    serde_json::to_string(&message.parts)
        .unwrap()
        .contains(text)
}

fn error_of(reply: &ServerMsg) -> (ErrorCode, String) {
    match reply {
        ServerMsg::Error { code, message, .. } => (*code, message.clone()),
        other => panic!("expected an error, got {other:#?}"),
    }
}

fn welcomed(reply: &ServerMsg) -> ConversationId {
    match reply {
        ServerMsg::Welcome {
            conversation: Some(conv),
            ..
        } => conv.clone(),
        other => panic!("expected a welcome, got {other:#?}"),
    }
}

/// The routing context of the request agents saw for `conv`.
fn request_context(
    agent: &Client,
    conv: &ConversationId,
) -> std::collections::BTreeMap<String, String> {
    agent
        .seen
        .iter()
        .find_map(|m| match m {
            ServerMsg::Event {
                conversation,
                event: ConversationEvent::Request { context, .. },
                ..
            } if conversation == conv => Some(context.clone()),
            _ => None,
        })
        .expect("agents saw the request")
}

async fn started() -> (broker::RunningBroker, String) {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = common::url(&broker);
    (broker, url)
}

#[tokio::test]
async fn one_user_talks_to_an_agent_on_slack_and_to_the_assistant_on_teams_at_once() {
    let (_broker, url) = started().await;
    let (mut slack, on_slack) = Client::join_user_on(&url, Platform::Slack, None).await;
    let mut lisa = live_with_lisa(&url, &mut slack, &on_slack).await;
    assert_eq!(request_context(&lisa, &on_slack)["platform"], "slack");

    let (mut teams, on_teams) = Client::join_user_on(&url, Platform::Teams, None).await;
    assert_ne!(on_teams, on_slack, "each platform has its own conversation");
    say(&mut teams, &on_teams, "text: what is the wifi password").await;
    teams
        .wait_for("the assistant's answer", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Assistant))
        .await;

    // The Slack chat is still live: the agent's reply reaches the Slack user only.
    let (from_slack, from_teams) = (slack.mark(), teams.mark());
    let conversation = on_slack.clone();
    lisa.request(|id| ClientMsg::Reply {
        id,
        conversation,
        text: "Still here on Slack".into(),
    })
    .await;
    slack
        .wait_from(from_slack, "Lisa's reply", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if message.role == Role::Agent && says(message, "Still here")))
        .await;
    teams.request(|id| ClientMsg::Ping { id }).await;
    assert!(
        !teams.seen[from_teams..].iter().any(
            |m| matches!(m, ServerMsg::Event { conversation, .. } if *conversation == on_slack)
        ),
        "the Teams session sees nothing of the Slack chat"
    );
}

#[tokio::test]
async fn a_user_holds_at_most_one_conversation_per_platform() {
    let (_broker, url) = started().await;
    let mut seen = std::collections::BTreeMap::new();
    for round in 0..2 {
        for platform in Platform::ALL {
            let (_, conv) = Client::join_user_on(&url, platform, None).await;
            let first = seen.entry(platform).or_insert_with(|| conv.clone());
            assert_eq!(
                *first, conv,
                "{platform}, hello {round}: the same conversation"
            );
        }
    }
    let distinct: std::collections::BTreeSet<_> = seen.values().collect();
    assert_eq!(
        distinct.len(),
        Platform::ALL.len(),
        "three platforms, three chats"
    );
}

#[tokio::test]
async fn web_on_two_sites_is_one_chat_that_continues() {
    let (_broker, url) = started().await;
    let (mut on_servicenow, conv) =
        Client::join_user_on(&url, Platform::Web, Some("servicenow.example")).await;
    say(&mut on_servicenow, &conv, "text: my laptop will not boot").await;

    let mut on_sharepoint = Client::connect(&url).await;
    let welcome = on_sharepoint
        .hello_on(None, Some("sharepoint.example"))
        .await;
    assert_eq!(
        welcomed(&welcome),
        conv,
        "a site is no new bot: the chat continues"
    );
    on_sharepoint
        .wait_for("the earlier message, replayed", |m| matches!(m, ServerMsg::Event { event: ConversationEvent::Message { message }, .. } if says(message, "laptop will not boot")))
        .await;
    let opened = on_sharepoint
        .seen
        .iter()
        .find_map(|m| match m {
            ServerMsg::Event {
                event: ConversationEvent::Opened { platform, site, .. },
                ..
            } => Some((*platform, site.clone())),
            _ => None,
        })
        .expect("the opening event, replayed");
    assert_eq!(opened, (Platform::Web, Some("servicenow.example".into())));
}

#[tokio::test]
async fn a_protocol_1_hello_still_opens_a_new_web_conversation_every_time() {
    let (_broker, url) = started().await;
    let (_, first) = Client::join_user(&url).await;
    let (_, second) = Client::join_user(&url).await;
    assert_ne!(first, second);
    // The latest is the user's Web chat, which a platform-naming hello continues.
    let (_, scoped) = Client::join_user_on(&url, Platform::Web, None).await;
    assert_eq!(scoped, second);
}

#[tokio::test]
async fn without_the_token_a_hello_cannot_take_over_a_users_chat_on_a_platform() {
    let broker = broker::start(BrokerConfig::default()).await.unwrap();
    let url = broker.url();
    let (_, conv) = Client::join_user_on(&url, Platform::Teams, None).await;
    let mut intruder = Client::connect(&url).await;
    let (code, message) = error_of(&intruder.hello_on(Some(Platform::Teams), None).await);
    assert_eq!(code, ErrorCode::Forbidden);
    assert!(
        message.contains("already has a Teams conversation"),
        "{message}"
    );
    assert!(
        !message.contains(conv.as_str()),
        "the refusal does not leak the id"
    );
}

#[tokio::test]
async fn resuming_a_conversation_as_another_platform_is_refused_naming_both() {
    let (_broker, url) = started().await;
    let (slack, conv) = Client::join_user_on(&url, Platform::Slack, None).await;
    let mut c = Client::connect(&url).await;
    c.resume = slack.resume_secret();
    let mut hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "user",
        "conversation": conv, "resume": c.resume, "platform": "teams"});
    c.send_raw(&hello.to_string()).await;
    let reply = c
        .wait_for("an answer", |m| {
            matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Error { .. })
        })
        .await;
    let (code, message) = error_of(&reply);
    assert_eq!(code, ErrorCode::BadField);
    assert!(
        message.contains("slack") && message.contains("teams"),
        "{message}"
    );
    hello["platform"] = "slack".into();
    c.send_raw(&hello.to_string()).await;
    let reply = c
        .wait_for("a welcome", |m| matches!(m, ServerMsg::Welcome { .. }))
        .await;
    assert_eq!(welcomed(&reply), conv);
}

#[tokio::test]
async fn files_are_refused_both_ways_on_slack_naming_the_platform() {
    let (_broker, url) = started().await;
    let (mut user, conv) = Client::join_user_on(&url, Platform::Slack, None).await;
    let mut lisa = live_with_lisa(&url, &mut user, &conv).await;
    let (code, message) = error_of(&user.request_error(attach(&conv, b"\x89PNG")).await);
    assert_eq!(code, ErrorCode::Forbidden);
    assert_eq!(
        message,
        "`attach` refused: files cannot be sent from Slack: Slack chats take no attachments"
    );
    let (code, message) = error_of(&lisa.request_error(attach(&conv, b"\x89PNG")).await);
    assert_eq!(code, ErrorCode::Forbidden);
    assert!(message.contains("the user is on Slack"), "{message}");
}

#[tokio::test]
async fn teams_takes_files_up_to_the_limit_and_refuses_larger_ones_naming_both_sizes() {
    let config = BrokerConfig {
        max_attachment_bytes: 1024,
        ..BrokerConfig::default()
    };
    let broker = broker::start(config).await.unwrap();
    let url = common::url(&broker);
    let (mut user, conv) = Client::join_user_on(&url, Platform::Teams, None).await;
    let _lisa = live_with_lisa(&url, &mut user, &conv).await;
    user.request(attach(&conv, &[7; 1024])).await;
    let (code, message) = error_of(&user.request_error(attach(&conv, &[7; 2048])).await);
    assert_eq!(code, ErrorCode::BadField);
    assert!(
        message.ends_with("the file is 2.0 KB; the limit is 1.0 KB"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_platform_or_a_site_off_the_web_is_refused_clearly() {
    let (_broker, url) = started().await;
    let mut c = Client::connect(&url).await;
    c.send_raw(r#"{"type":"hello","protocol":1,"role":"user","platform":"discord"}"#)
        .await;
    let (code, message) = error_of(
        &c.wait_for("an error", |m| matches!(m, ServerMsg::Error { .. }))
            .await,
    );
    assert_eq!(code, ErrorCode::BadField);
    assert_eq!(
        message,
        "invalid `hello` message: `platform`: unknown platform \"discord\"; expected web, teams or slack"
    );
    let (code, message) = error_of(&c.hello_on(Some(Platform::Slack), Some("intranet")).await);
    assert_eq!(code, ErrorCode::BadField);
    assert!(message.contains("Slack has no sites"), "{message}");
    let (code, message) = error_of(&c.hello_on(None, Some("  ")).await);
    assert_eq!(code, ErrorCode::BadField);
    assert!(message.contains("`site` is empty"), "{message}");
    // The connection survives its mistakes.
    welcomed(&c.hello_on(Some(Platform::Web), Some("intranet")).await);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Arbitrary Unicode in `platform` and `site` gets a welcome or a `bad_field` error that
    /// names the field, never a panic or a dropped connection.
    #[test]
    fn arbitrary_platform_and_site_text_is_welcomed_or_refused_by_name(
        platform in prop_oneof![
            Just("web".to_owned()),
            Just("slack".to_owned()),
            "\\PC{0,12}",
            any::<String>(),
        ],
        site in prop::option::of(any::<String>()),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (_broker, url) = started().await;
            let mut c = Client::connect(&url).await;
            let hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "user",
                "platform": platform, "site": site});
            c.send_raw(&hello.to_string()).await;
            let reply = c
                .wait_for("an answer", |m| matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Error { .. }))
                .await;
            if let ServerMsg::Error { code, message, .. } = reply {
                assert_eq!(code, ErrorCode::BadField, "{message}");
                assert!(message.contains("`platform`") || message.contains("`site`"), "{message}");
                // The connection survives the mistake.
                welcomed(&c.hello_on(Some(Platform::Web), None).await);
            } else {
                assert!(platform.parse::<Platform>().is_ok(), "welcomed on {platform:?}");
            }
            c.request(|id| ClientMsg::Ping { id }).await;
        });
    }
}

#[tokio::test]
async fn the_agents_request_names_the_users_platform_and_site() {
    let (_broker, url) = started().await;
    let (mut user, conv) = Client::join_user_on(&url, Platform::Web, Some("intranet")).await;
    let lisa = live_with_lisa(&url, &mut user, &conv).await;
    let context = request_context(&lisa, &conv);
    assert_eq!(
        (context["platform"].as_str(), context["site"].as_str()),
        ("web", "intranet")
    );
    state_reached(&mut user, "connected").await;
}
