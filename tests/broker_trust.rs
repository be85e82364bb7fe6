//! Who may connect, and whose conversation it is, over real sockets: the handshake refuses
//! foreign origins and rebinding hosts with 403; the token is required for agents, observers
//! and supervisors (and for everyone on the console's own broker); a conversation is resumed
//! only with its secret; an agent acts only as itself unless it is a supervisor.

// Tests fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod common;

use common::Client;
use handoff::broker::{self, BrokerConfig, RunningBroker};
use handoff::protocol::{ClientMsg, ClientRole, ErrorCode, ServerMsg};
use std::collections::BTreeMap;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, http};

/// The HTTP status of a handshake with these extra headers (101 when it upgrades).
async fn handshake_status(url: &str, headers: &[(&str, &str)]) -> http::StatusCode {
    let mut request = url.into_client_request().expect("request");
    for (name, value) in headers {
        request.headers_mut().insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            HeaderValue::from_str(value).expect("value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status(),
        Err(WsError::Http(response)) => response.status(),
        Err(e) => panic!("handshake failed otherwise: {e}"),
    }
}

/// A raw `hello` frame, so tests can send exactly the fields they mean.
async fn hello_raw(url: &str, hello: serde_json::Value) -> Client {
    let mut c = Client::connect(url).await;
    c.send_raw(&hello.to_string()).await;
    c
}

/// Reads until the broker refuses: first a `forbidden` error frame (nothing else, no welcome,
/// no event), then close 1008 with the same reason, which it returns.
async fn refused(c: &mut Client) -> String {
    let first = c.recv().await;
    let ServerMsg::Error { code, message, .. } = first else {
        panic!("expected the refusal first, got {first:#?}")
    };
    assert_eq!(code, ErrorCode::Forbidden);
    let close = c.closed().await;
    assert_eq!(close.code, CloseCode::Policy, "{close:?}");
    assert_eq!(message, close.reason.as_str());
    message
}

async fn start(config: BrokerConfig) -> RunningBroker {
    broker::start(config).await.expect("broker starts")
}

#[tokio::test]
async fn a_browser_page_of_a_foreign_origin_is_refused_with_403() {
    let broker = start(BrokerConfig {
        allowed_origins: vec!["https://desk.example.com".into()],
        ..BrokerConfig::default()
    })
    .await;
    let url = broker.url();
    let foreign = [("origin", "http://evil.example")];
    assert_eq!(handshake_status(&url, &foreign).await, 403);
    let local_page = [("origin", "http://localhost:3000")];
    assert_eq!(handshake_status(&url, &local_page).await, 403);
    let allowed = [("origin", "https://desk.example.com")];
    assert_eq!(handshake_status(&url, &allowed).await, 101);
    assert_eq!(
        handshake_status(&url, &[]).await,
        101,
        "no Origin: not a browser"
    );
    // Even with the token: a page is not trusted for knowing it.
    assert_eq!(handshake_status(&common::url(&broker), &foreign).await, 403);
    broker.shutdown().await;
}

#[tokio::test]
async fn a_dns_rebinding_host_is_refused_with_403() {
    let broker = start(BrokerConfig::default()).await;
    let url = broker.url();
    let port = broker.addr().port();
    let rebound = format!("rebind.attacker.example:{port}");
    assert_eq!(handshake_status(&url, &[("host", &rebound)]).await, 403);
    let other = format!("192.168.1.20:{port}");
    assert_eq!(handshake_status(&url, &[("host", &other)]).await, 403);
    let local = format!("localhost:{port}");
    assert_eq!(handshake_status(&url, &[("host", &local)]).await, 101);
    broker.shutdown().await;
}

#[tokio::test]
async fn agents_and_observers_without_the_token_are_refused_with_1008() {
    let broker = start(BrokerConfig::default()).await;
    let url = broker.url();
    let mut agent = hello_raw(
        &url,
        serde_json::json!({"type": "hello", "protocol": 1, "role": "agent"}),
    )
    .await;
    assert_eq!(
        refused(&mut agent).await,
        "the agent role needs the broker's token (hello.token or Authorization: Bearer)"
    );
    let mut observer = hello_raw(
        &url,
        serde_json::json!({"type": "hello", "protocol": 1, "role": "observer"}),
    )
    .await;
    assert!(
        refused(&mut observer)
            .await
            .starts_with("the observer role needs")
    );
    // A user needs no token on a served broker.
    let (_user, _) = Client::join_user(&url).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn a_wrong_token_is_refused_wherever_it_is_given() {
    let broker = start(BrokerConfig::default()).await;
    let url = broker.url();
    let hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "agent", "token": "not-the-token-0000"});
    let mut c = hello_raw(&url, hello).await;
    assert_eq!(refused(&mut c).await, "wrong token");
    // Even a user who offers a wrong token is refused: it is a client that guesses.
    let hello =
        serde_json::json!({"type": "hello", "protocol": 1, "role": "user", "token": "guess"});
    assert_eq!(
        refused(&mut hello_raw(&url, hello).await).await,
        "wrong token"
    );
    let bad_query = format!("{url}/?token=not-the-token-0000");
    assert_eq!(handshake_status(&bad_query, &[]).await, 403);
    let bad_header = [("authorization", "Bearer not-the-token-0000")];
    assert_eq!(handshake_status(&url, &bad_header).await, 403);
    broker.shutdown().await;
}

#[tokio::test]
async fn the_token_is_taken_in_hello_in_a_bearer_header_or_in_the_query() {
    let broker = start(BrokerConfig::default()).await;
    let (url, token) = (broker.url(), broker.token().expose().to_owned());
    let hello =
        serde_json::json!({"type": "hello", "protocol": 1, "role": "observer", "token": token});
    let mut c = hello_raw(&url, hello).await;
    let welcome = c.recv().await;
    assert!(
        matches!(
            welcome,
            ServerMsg::Welcome {
                role: ClientRole::Observer,
                ..
            }
        ),
        "{welcome:?}"
    );
    let bearer = format!("Bearer {token}");
    assert_eq!(
        handshake_status(&url, &[("authorization", &bearer)]).await,
        101
    );
    let _agent = Client::join_agent(&common::url(&broker), "Lisa").await;
    broker.shutdown().await;
}

#[tokio::test]
async fn the_consoles_own_broker_needs_the_token_for_every_role() {
    let broker = start(BrokerConfig {
        token_for_every_role: true,
        ..BrokerConfig::default()
    })
    .await;
    let url = broker.url();
    let hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "user"});
    let reason = refused(&mut hello_raw(&url, hello).await).await;
    assert!(
        reason.starts_with("every role on this broker needs"),
        "{reason}"
    );
    let (_user, _) = Client::join_user(&common::url(&broker)).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn a_conversation_cannot_be_taken_over_by_its_id() {
    let broker = start(BrokerConfig::default()).await;
    let url = broker.url();
    let (mut alice, conv) = Client::join_user(&url).await;
    common::seeds::say(&mut alice, &conv, "text: my VPN password is hunter2").await;
    let secret = alice
        .resume_secret()
        .expect("welcome gives the resume secret");
    assert_eq!(secret.len(), 32);
    let hex = conv.as_str().strip_prefix("c-").expect("c- prefix");
    assert_eq!(hex.len(), 32, "128-bit conversation ids");

    for resume in [None, Some("00000000000000000000000000000000"), Some("")] {
        let mut hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "user", "conversation": conv});
        if let Some(r) = resume {
            hello["resume"] = r.into();
        }
        let mut mallory = hello_raw(&url, hello).await;
        let reason = refused(&mut mallory).await;
        assert_eq!(
            reason,
            "resuming a conversation needs its resume secret (hello.resume)"
        );
    }
    // The token does not open someone else's conversation either.
    let mut trusted = Client::connect(&common::url(&broker)).await;
    trusted.send_raw(&serde_json::json!({"type": "hello", "protocol": 1, "role": "user", "conversation": conv}).to_string()).await;
    refused(&mut trusted).await;

    // Alice herself comes back with her secret and sees her conversation.
    let mut again = Client::connect(&url).await;
    again.resume = Some(secret);
    let welcome = again
        .hello(ClientRole::User, Some(conv.clone()), None, BTreeMap::new())
        .await;
    assert!(
        matches!(&welcome, ServerMsg::Welcome { conversation: Some(c), .. } if *c == conv),
        "{welcome:?}"
    );
    again
        .wait_for("her own message", |m| format!("{m:?}").contains("hunter2"))
        .await;
    broker.shutdown().await;
}

#[tokio::test]
async fn an_agent_acts_only_as_itself_unless_it_is_a_supervisor() {
    let broker = start(BrokerConfig::default()).await;
    let mut lisa = Client::join_agent(&common::url(&broker), "Lisa").await;
    let refused_act = lisa
        .request_error(|id| ClientMsg::ActAs {
            id,
            agent: "Sam".into(),
        })
        .await;
    let ServerMsg::Error { code, message, .. } = refused_act else {
        unreachable!()
    };
    assert_eq!(code, ErrorCode::Forbidden);
    assert!(message.contains("supervisor"), "{message}");
    lisa.request(|id| ClientMsg::ActAs {
        id,
        agent: "Lisa".into(),
    })
    .await;

    let token = broker.token().expose().to_owned();
    let hello = serde_json::json!({"type": "hello", "protocol": 1, "role": "agent", "agent": "Lisa", "supervisor": true, "token": token});
    let mut supervisor = hello_raw(&broker.url(), hello).await;
    supervisor
        .wait_for("welcome", |m| matches!(m, ServerMsg::Welcome { .. }))
        .await;
    supervisor
        .request(|id| ClientMsg::ActAs {
            id,
            agent: "Sam".into(),
        })
        .await;

    // Asking for the capability without the token is refused outright.
    let hello =
        serde_json::json!({"type": "hello", "protocol": 1, "role": "user", "supervisor": true});
    let reason = refused(&mut hello_raw(&broker.url(), hello).await).await;
    assert!(
        reason.starts_with("a supervisor needs the broker's token"),
        "{reason}"
    );
    broker.shutdown().await;
}
