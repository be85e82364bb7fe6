//! The BeyondTrust connector against its emulator, over real loopback HTTP: the OAuth token
//! and its refresh, availability from the logged-in reps, a session key on a queue, the
//! `start_session` link, the site's XML errors, rate limits and the documented size limits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

use handoff::connectors::http::RetryPolicy;
use handoff::connectors::redact::Secret;
use handoff::connectors::{
    Availability, Connector, ConnectorError, DeskEvent, HandoffRequest, Started,
};
use handoff::emulators::desk::AgentScript;
use handoff::emulators::fault::{Fault, FaultMode};
use handoff::emulators::{EmulatorOptions, RunningEmulator};
use handoff::protocol::{ConversationEvent, Presence, UserInfo};
use handoff::systems::beyondtrust::config::{CodeName, Mode, Queue};
use handoff::systems::beyondtrust::connector::{Account, BeyondTrust, Settings};
use handoff::systems::beyondtrust::inferred::{CUSTOMER_DETAILS_BYTES, cut_bytes};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

const UTTERANCE: &str = "My printer says it is offline";

struct Rig {
    emulator: RunningEmulator,
    connector: BeyondTrust,
}

fn settings(emulator: &RunningEmulator, secret: &str, mode: Mode, queue: &str) -> Settings {
    Settings {
        site_url: emulator.base_url(),
        account: Some(Account {
            client_id: "client-1".into(),
            client_secret: Secret::new(secret),
        }),
        mode,
        queue: Queue::try_from(queue.to_owned()).unwrap(),
        custom_fields: ["utterance", "topic", "region"]
            .map(|f| CodeName::try_from(f.to_owned()).unwrap())
            .to_vec(),
        ttl_secs: Some(600),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        },
    }
}

async fn emulator() -> RunningEmulator {
    let options = EmulatorOptions {
        script: AgentScript::manual(),
        credentials: Some("client-1:secret-1".into()),
        ..EmulatorOptions::default()
    };
    handoff::systems::beyondtrust::emulator::spawn("127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

async fn rig_with(secret: &str, mode: Mode, queue: &str) -> Rig {
    let emulator = emulator().await;
    let connector = BeyondTrust::new(settings(&emulator, secret, mode, queue));
    Rig {
        emulator,
        connector,
    }
}

async fn rig() -> Rig {
    rig_with("secret-1", Mode::Api, "general").await
}

fn request(conversation: &str, title: &str) -> HandoffRequest {
    HandoffRequest {
        conversation: conversation.into(),
        title: title.into(),
        topic: "Printers".into(),
        user: UserInfo::default(),
        context: BTreeMap::from([
            ("region".to_owned(), "EMEA".to_owned()),
            ("language".to_owned(), "en-us".to_owned()),
        ]),
        history: Vec::new(),
    }
}

fn redirect_url(started: Started) -> String {
    match started {
        Started::Redirect {
            url,
            via: None,
            chat: None,
        } => url,
        other => panic!("expected a plain redirect, got {other:?}"),
    }
}

/// The request the desk's inbox heard of for `conversation`.
async fn desk_request(
    events: &mut tokio::sync::broadcast::Receiver<DeskEvent>,
    conversation: &str,
) -> (String, String, BTreeMap<String, String>) {
    let wait = async {
        loop {
            if let Ok(DeskEvent::Conversation {
                conversation: c,
                event:
                    ConversationEvent::Request {
                        title,
                        user,
                        context,
                        ..
                    },
            }) = events.recv().await
                && c.as_str() == conversation
            {
                return (title, user.name, context);
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the desk heard of the request")
}

async fn stats(rig: &Rig) -> serde_json::Value {
    let url = format!("{}/__emu/beyondtrust/stats", rig.emulator.base_url());
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_session_key_queues_the_request_and_sends_the_user_to_its_url() {
    let rig = rig().await;
    let mut events = rig.emulator.desk_events();
    let url = redirect_url(
        rig.connector
            .start(request("c-1", UTTERANCE))
            .await
            .unwrap(),
    );
    assert!(url.contains("/api/start_session?short_key="), "{url}");
    let (title, _, context) = desk_request(&mut events, "c-1").await;
    assert_eq!(title, UTTERANCE);
    assert_eq!(context.get("region").map(String::as_str), Some("EMEA"));
    let conversations = rig.emulator.sim().conversations();
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].external_ref.as_deref(), Some("c-1"));
    // The user's browser opens the key's link: the page knows the key.
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
}

#[tokio::test]
async fn availability_counts_the_reps_logged_in_and_available() {
    let rig = rig().await;
    let a = rig.connector.availability().await.unwrap();
    assert_eq!(a, Availability::Available(2));
    let sim = rig.emulator.sim();
    sim.set_presence("Lisa", Presence::Away);
    sim.set_presence("Marco", Presence::Offline);
    let a = rig.connector.availability().await.unwrap();
    assert_eq!(a, Availability::Unavailable);
}

#[tokio::test]
async fn the_token_is_reused_and_fetched_again_once_when_the_site_refuses_it() {
    let rig = rig().await;
    rig.connector.availability().await.unwrap();
    rig.connector.availability().await.unwrap();
    assert_eq!(stats(&rig).await["tokens_issued"], 1);
    let revoke = format!("{}/__emu/beyondtrust/revoke", rig.emulator.base_url());
    let revoked = reqwest::Client::new().post(revoke).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    let a = rig.connector.availability().await.unwrap();
    assert_eq!(a, Availability::Available(2));
    assert_eq!(stats(&rig).await["tokens_issued"], 2);
}

#[tokio::test]
async fn refused_credentials_name_the_token_call() {
    let rig = rig_with("wrong-secret", Mode::Api, "general").await;
    let e = rig.connector.availability().await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Unauthorized { call, status: 401, .. } if call == "POST /oauth2/token"),
        "{e:?}"
    );
    assert!(!e.to_string().contains("wrong-secret"), "{e}");
}

#[tokio::test]
async fn a_rate_limited_session_key_waits_for_retry_after_then_queues_once() {
    let rig = rig().await;
    rig.emulator.faults().push(Fault {
        path: "/api/command".into(),
        status: 429,
        count: 1,
        retry_after: Some(1),
        mode: FaultMode::Reject,
        body: None,
    });
    rig.connector
        .start(request("c-2", UTTERANCE))
        .await
        .unwrap();
    assert_eq!(rig.emulator.sim().conversations().len(), 1);
}

#[tokio::test]
async fn a_rate_limit_that_outlasts_the_retries_is_reported_as_one() {
    let rig = rig().await;
    rig.emulator.faults().push(Fault {
        path: "/api/command".into(),
        status: 429,
        count: 10,
        retry_after: Some(1),
        mode: FaultMode::Reject,
        body: None,
    });
    let e = rig.connector.availability().await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Status { status: 429, detail, .. } if detail.contains("rate limited")),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_xml_error_is_a_clear_message_naming_the_action() {
    let rig = rig_with("secret-1", Mode::Api, "rep:99").await;
    let e = rig
        .connector
        .start(request("c-3", UTTERANCE))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "BeyondTrust: command generate_session_key failed with HTTP 200: the site refused \
         generate_session_key: Invalid queue_id [rep:99]: not logged in."
    );
    assert!(rig.emulator.sim().conversations().is_empty());
}

async fn token(base: &str) -> String {
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .basic_auth("client-1", Some("secret-1"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["token_type"], "Bearer");
    assert_eq!(reply["expires_in"], 3600);
    reply["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_emulator_answers_as_the_site_does() {
    let emulator = emulator().await;
    let base = emulator.base_url();
    let http = reqwest::Client::new();
    let bad = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth("client-1", Some("nope"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.text().await.unwrap(), r#"{"error":"invalid_client"}"#);
    let unauthenticated = http
        .get(format!("{base}/api/command?action=check_health"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let bearer = token(&base).await;
    let get = |query: &str| {
        http.get(format!("{base}/api/command?{query}"))
            .bearer_auth(&bearer)
            .send()
    };
    let unknown = get("action=nope").await.unwrap().text().await.unwrap();
    assert!(
        unknown.contains(">Invalid action [nope].</error>"),
        "{unknown}"
    );
    let info = get("action=get_api_info")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(info.contains("<api_info xmlns="), "{info}");
    let health = get("action=check_health")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(health.contains("<status>ok</status>"), "{health}");
    let form = reqwest::multipart::Form::new().text("action", "check_health");
    let multipart = http
        .post(format!("{base}/api/command"))
        .bearer_auth(&bearer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(multipart.status(), 400);
    assert!(multipart.text().await.unwrap().contains("Multipart POST"));
}

/// The documented requests, sent as they are, are accepted; the answers read as the
/// documented responses do.
#[tokio::test]
async fn the_documented_requests_are_accepted_by_the_emulator() {
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/systems/beyondtrust/fixtures"
    );
    let fixture = |name: &str| {
        std::fs::read_to_string(format!("{fixtures}/{name}"))
            .unwrap()
            .trim()
            .to_owned()
    };
    let emulator = emulator().await;
    let base = emulator.base_url();
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth("client-1", Some("secret-1"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(fixture("token.request.form"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: serde_json::Value =
        serde_json::from_str(&fixture("token.response.json")).unwrap();
    for key in ["access_token", "token_type", "expires_in"] {
        assert_eq!(token[key].is_string(), documented[key].is_string(), "{key}");
    }
    let answer = http
        .post(format!("{base}/api/command"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(fixture("generate_session_key.request.form"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = handoff::systems::beyondtrust::connector::wire::read::<
        handoff::systems::beyondtrust::connector::wire::SessionKey,
    >(&answer, "session_key")
    .unwrap();
    assert!(
        matches!(&key, handoff::systems::beyondtrust::connector::wire::Answer::Ok(k) if k.short_key.len() == 7),
        "{answer}"
    );
    let page = format!(
        "{base}/api/start_session?{}",
        fixture("start_session.request.query")
    );
    assert_eq!(reqwest::get(page).await.unwrap().status(), 200);
    // Both documented requests are for conversation c-42: the page finds the session the key
    // queued instead of queueing a second one.
    let conversations = emulator.sim().conversations();
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].external_ref.as_deref(), Some("c-42"));
}

#[tokio::test]
async fn url_mode_links_to_start_session_and_the_page_queues_the_request_once() {
    let rig = rig_with("secret-1", Mode::Url, "issue:printers").await;
    let mut events = rig.emulator.desk_events();
    let utterance = format!("Drucker «offline» & #2 + 50% {}", "日本語".repeat(400));
    let url = redirect_url(
        rig.connector
            .start(request("c-4", &utterance))
            .await
            .unwrap(),
    );
    assert!(
        url.contains("/api/start_session?issue_menu=1&codeName=printers&"),
        "{url}"
    );
    assert!(
        rig.emulator.sim().conversations().is_empty(),
        "a link queues nothing by itself"
    );
    for _ in 0..2 {
        assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    }
    let (title, name, _) = desk_request(&mut events, "c-4").await;
    assert_eq!(title, cut_bytes(&utterance, CUSTOMER_DETAILS_BYTES));
    assert!(title.len() <= CUSTOMER_DETAILS_BYTES && title.len() > CUSTOMER_DETAILS_BYTES - 3);
    assert_eq!(name, "Alex Kim");
    assert_eq!(rig.emulator.sim().conversations().len(), 1);
}

#[tokio::test]
async fn the_page_refuses_details_over_the_limit() {
    let emulator = emulator().await;
    let details = "€".repeat(342); // 1026 bytes
    let url = format!(
        "{}/api/start_session?issue_menu=1&customer.details={details}",
        emulator.base_url()
    );
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("customer.details is longer than 1024 bytes")
    );
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[&#+=% \\u{0}-\\u{1f}\\u{202e}\\u{fffd}é€😀<>\"']{0,80}",
        Just("€".repeat(1500)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Arbitrary Unicode through every body the emulator parses: the token form, the
    /// command form (custom fields) and the `start_session` query.
    #[test]
    fn hostile_text_reaches_the_desk_intact_within_the_limits(
        utterance in hostile(),
        region in hostile(),
        secret in "[^\\u{0}]{1,40}",
    ) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let options = EmulatorOptions {
                script: AgentScript::manual(),
                credentials: Some(format!("client-1:{secret}")),
                ..EmulatorOptions::default()
            };
            let emulator = handoff::systems::beyondtrust::emulator::spawn(
                "127.0.0.1:0".parse().unwrap(),
                options,
            )
            .await
            .unwrap();
            let mut events = emulator.desk_events();
            let mut req = request("c-api", &utterance);
            req.context.insert("region".into(), region.clone());
            let api = BeyondTrust::new(settings(&emulator, &secret, Mode::Api, "general"));
            api.start(req.clone()).await.unwrap();
            let (title, _, context) = desk_request(&mut events, "c-api").await;
            let cut = cut_bytes(&utterance, CUSTOMER_DETAILS_BYTES);
            let expected = if cut.is_empty() { "Support session (session key)" } else { cut };
            assert_eq!(title, expected);
            let region_cut = cut_bytes(&region, CUSTOMER_DETAILS_BYTES);
            assert_eq!(context.get("region").map(String::as_str), (!region_cut.is_empty()).then_some(region_cut));

            req.conversation = "c-url".into();
            let link = BeyondTrust::new(settings(&emulator, &secret, Mode::Url, "general"));
            let url = redirect_url(link.start(req).await.unwrap());
            assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
            let (title, _, _) = desk_request(&mut events, "c-url").await;
            assert_eq!(title, cut);
        });
    }
}
