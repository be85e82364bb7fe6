//! Checks of the HTTP handle: Retry-After, transport errors naming the call, deadlines, backoff.

use super::*;

#[test]
fn retry_after_reads_seconds_and_dates() {
    assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon"), None);
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(1),
        request_timeout: Duration::from_millis(300),
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_naming_the_call() {
    // Bind then drop, so the port is very likely closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = Api::new("Test", quick(), Vec::new());
    let call = Call::new("GET /x", Method::Get, format!("http://127.0.0.1:{port}/x"));
    let error = api.send(call).await.unwrap_err();
    assert!(
        matches!(&error, ConnectorError::Transport { system, call, .. } if system == "Test" && call == "GET /x"),
        "{error:?}"
    );
}

#[test]
fn an_upload_gets_a_second_more_per_128_kib_of_body() {
    let api = Api::new("8x8", RetryPolicy::default(), Vec::new());
    let call = |size: usize| {
        Call::new("upload", Method::Post, "http://127.0.0.1:9/").raw_body(vec![0u8; size])
    };
    let base = RetryPolicy::default().request_timeout;
    assert_eq!(api.timeout_for(&call(1000)), base);
    assert_eq!(
        api.timeout_for(&call(10 * 1024 * 1024)),
        base + Duration::from_secs(80)
    );
}

#[tokio::test]
async fn a_silent_server_fails_the_call_at_its_deadline_retries_included() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (conn_tx, conns) = tokio::sync::mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let _ = conn_tx.send(socket); // held open, never answered
        }
    });
    let api = Api::new("Test", quick(), Vec::new());
    let url = format!("http://{addr}/slow");
    let error = api
        .send(Call::new("GET /slow", Method::Get, url))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ConnectorError::Transport { detail, .. } if detail.contains("0.3s deadline (retries included)")),
        "{error:?}"
    );
    server.abort();
    assert_eq!(conns.len(), 1, "no retry starts after the deadline");
}

#[test]
fn backoff_grows_and_stays_bounded() {
    let p = RetryPolicy::default();
    for _ in 0..50 {
        let first = p.backoff(1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
        let third = p.backoff(3);
        assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(800));
        assert!(p.backoff(30) <= p.max_delay);
    }
}

fn reply(content_type: &str, body: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.as_bytes().to_vec(),
        system: Arc::from("Test"),
        call: "SendMessage".into(),
    }
}

#[test]
fn a_2xx_that_says_json_and_is_not_is_a_payload_error_naming_the_call() {
    for (content_type, body) in [
        ("application/json", r#"{"id":"m-1"}"#),
        ("application/json; charset=utf-8", "  "),
        ("application/problem+json", "{}"),
        ("text/plain", r#"{"unexpected":"#),
    ] {
        assert_eq!(
            reply(content_type, body).readable(),
            Ok(()),
            "{content_type}"
        );
    }
    let error = reply("Application/JSON", r#"{"unexpected":"#)
        .readable()
        .unwrap_err();
    assert!(
        matches!(&error, ConnectorError::Payload { system, call, .. } if system == "Test" && call == "SendMessage"),
        "{error:?}"
    );
    assert!(error.to_string().contains("returned an unexpected payload"));
}

proptest::proptest! {
    /// Any answer a system sends (arbitrary Unicode, or bytes) under a JSON content type is
    /// readable exactly when it is JSON, and never panics.
    #[test]
    fn any_json_labelled_answer_is_readable_exactly_when_it_parses(text in "\\PC*", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
        for body in [text.into_bytes(), bytes] {
            let mut answer = reply("application/json", "");
            answer.body = body;
            let parses = answer.body.iter().all(u8::is_ascii_whitespace)
                || serde_json::from_slice::<serde::de::IgnoredAny>(&answer.body).is_ok();
            proptest::prop_assert_eq!(answer.readable().is_ok(), parses);
        }
    }
}
