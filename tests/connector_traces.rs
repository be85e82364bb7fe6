//! Clients that ask for traces (`hello.traces`) see every call the connector makes to its
//! system, with secrets redacted; other clients see none.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::Client;
use common::seeds::{press_start, say, state_reached};
use handoff::broker::BrokerConfig;
use handoff::emulators::desk::AgentScript;
use handoff::engine::start_on_system;
use handoff::protocol::{CallKind, ClientRole, ServerMsg};
use handoff::systems::SystemsConfig;
use std::collections::BTreeMap;
use std::time::Duration;

#[tokio::test]
async fn an_inspector_sees_the_8x8_calls_redacted() {
    let systems = SystemsConfig::from_toml(
        "test.toml",
        "[8x8]\napi_key_env = \"HANDOFF_TEST_8X8_TRACE_UNSET\"\n",
    )
    .unwrap();
    let engine = start_on_system(
        handoff::systems::eight_by_eight::NAME,
        &systems,
        AgentScript::greeting(Duration::from_millis(50)),
        BrokerConfig::default(),
    )
    .await
    .unwrap();

    let mut user = Client::connect(&common::url(&engine.broker)).await;
    user.send_raw(r#"{"type":"hello","protocol":1,"role":"user","traces":true}"#)
        .await;
    let ServerMsg::Welcome {
        conversation: Some(conv),
        ..
    } = user
        .wait_for("welcome", |m| matches!(m, ServerMsg::Welcome { .. }))
        .await
    else {
        panic!("no conversation")
    };
    let mut observer = Client::connect(&common::url(&engine.broker)).await;
    observer
        .hello(ClientRole::Observer, None, None, BTreeMap::new())
        .await;

    say(
        &mut user,
        &conv,
        "text: I need an agent: my SQL database is down",
    )
    .await;
    state_reached(&mut user, "offered").await;
    press_start(&mut user, &conv).await;
    state_reached(&mut user, "connected").await;

    let traces: Vec<_> = user
        .seen
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Trace { call } => Some(call.clone()),
            _ => None,
        })
        .collect();
    let create = traces
        .iter()
        .find(|t| t.method.as_deref() == Some("POST") && t.url.ends_with("/conversations"))
        .unwrap_or_else(|| panic!("no create-conversation call in {traces:#?}"));
    assert_eq!(create.kind, CallKind::Http);
    assert_eq!(create.status, Some(202));
    assert!(
        create
            .request
            .as_deref()
            .unwrap_or_default()
            .contains("SQL database"),
        "{create:#?}"
    );
    assert!(create.duration_ms.is_some());
    let all = serde_json::to_string(&traces).unwrap();
    assert!(
        !all.contains("emulated-api-key") && !all.contains(engine.broker.token().expose()),
        "a secret leaked into a trace"
    );

    observer
        .request(|id| handoff::protocol::ClientMsg::Ping { id })
        .await;
    assert!(
        observer
            .seen
            .iter()
            .all(|m| !matches!(m, ServerMsg::Trace { .. })),
        "traces only for clients that ask"
    );
    engine.shutdown().await;
}
