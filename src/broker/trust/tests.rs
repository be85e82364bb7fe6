use super::*;
use tokio_tungstenite::tungstenite::http;

fn gate(listen: &str) -> Gate {
    Gate {
        allowed_origins: vec!["https://desk.example.com".into()],
        listen: listen.parse().expect("address"),
        token: Secret::new("0123456789abcdef0123456789abcdef"),
    }
}

fn request(uri: &str, headers: &[(&str, &str)]) -> Request {
    let mut builder = http::Request::builder().uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).expect("request")
}

#[test]
fn loopback_hosts_and_the_listen_address_are_let_in() {
    let g = gate("127.0.0.1:8765");
    for host in [
        "127.0.0.1:8765",
        "127.8.9.10:1",
        "localhost",
        "LOCALHOST:8765",
        "[::1]:8765",
        "app.localhost:3000",
    ] {
        assert!(g.check(&request("/", &[("host", host)])).is_ok(), "{host}");
    }
}

#[test]
fn a_rebinding_host_is_refused_and_named() {
    let g = gate("127.0.0.1:8765");
    for host in [
        "evil.example.com:8765",
        "",
        "10.0.0.1:8765",
        "127.0.0.1.nip.io",
    ] {
        let refused = g.check(&request("/", &[("host", host)])).expect_err(host);
        assert!(refused.contains("host"), "{refused}");
    }
    let wide = gate("0.0.0.0:8765");
    assert!(
        wide.check(&request("/", &[("host", "10.0.0.1:8765")]))
            .is_ok()
    );
    assert!(
        wide.check(&request("/", &[("host", "rebind.example:8765")]))
            .is_err()
    );
}

#[test]
fn an_origin_is_let_in_only_when_allowed() {
    let g = gate("127.0.0.1:8765");
    let host = ("host", "127.0.0.1:8765");
    assert!(
        g.check(&request("/", &[host])).is_ok(),
        "no Origin: not a browser"
    );
    assert!(
        g.check(&request(
            "/",
            &[host, ("origin", "https://desk.example.com")]
        ))
        .is_ok()
    );
    let refused = g
        .check(&request("/", &[host, ("origin", "http://localhost:3000")]))
        .expect_err("a local page is still a foreign origin");
    assert!(refused.contains("http://localhost:3000"), "{refused}");
}

#[test]
fn the_handshake_token_comes_as_a_bearer_header_or_a_query_and_is_never_echoed() {
    let g = gate("127.0.0.1:8765");
    let host = ("host", "127.0.0.1:8765");
    let token = g.token.expose().to_owned();
    let bearer = format!("Bearer {token}");
    let ok = g.check(&request("/", &[host, ("authorization", &bearer)]));
    assert_eq!(ok, Ok(HandshakeAuth { token: true }));
    let ok = g.check(&request(&format!("/?token={token}"), &[host]));
    assert_eq!(ok, Ok(HandshakeAuth { token: true }));
    assert_eq!(
        g.check(&request("/", &[host])),
        Ok(HandshakeAuth::default())
    );
    let wrong = g
        .check(&request("/?token=guess-guess-guess", &[host]))
        .expect_err("a wrong token is refused");
    assert!(
        !wrong.contains("guess") && !wrong.contains(&token),
        "{wrong}"
    );
}

#[test]
fn tokens_compare_whole() {
    let token = Secret::new("0123456789abcdef");
    assert!(token_matches(&token, "0123456789abcdef"));
    assert!(!token_matches(&token, "0123456789abcde"));
    assert!(!token_matches(&token, "0123456789abcdef0"));
    assert!(!token_matches(&token, ""));
}

#[test]
fn generated_tokens_are_256_bits_and_differ() {
    let (a, b) = (
        generate_token().expect("rng"),
        generate_token().expect("rng"),
    );
    assert_eq!(a.expose().len(), 64);
    assert_ne!(a, b);
    assert_eq!(format!("{a:?} {a}"), "[redacted] [redacted]");
}

#[test]
fn a_given_token_comes_from_the_environment_first_then_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("token");
    std::fs::write(&file, "from-the-file-0123456789\nignored\n").expect("write");
    let env = Some("from-the-environment-0123".to_owned());
    let t = given_token(env, Some(&file)).expect("ok").expect("some");
    assert_eq!(t.expose(), "from-the-environment-0123");
    let t = given_token(None, Some(&file)).expect("ok").expect("some");
    assert_eq!(t.expose(), "from-the-file-0123456789");
    assert!(given_token(None, None).expect("ok").is_none());
    let short = given_token(Some("abc".into()), None).expect_err("too short");
    assert_eq!(
        short.to_string(),
        "the token from HANDOFF_TOKEN is 3 characters; use at least 16 (e.g. 64 hex digits)"
    );
    let missing = given_token(None, Some(&dir.path().join("nope"))).expect_err("missing");
    assert!(missing.to_string().contains("nope"), "{missing}");
}

#[test]
fn resume_secrets_belong_to_one_conversation_and_one_key() {
    let key = ResumeKey::new(&[7; 32]);
    let (a, b) = (ConversationId::random(), ConversationId::random());
    let secret = key.secret(&a);
    assert_eq!(secret.len(), 32);
    assert!(key.verify(&a, &secret));
    assert!(!key.verify(&b, &secret));
    assert!(!ResumeKey::new(&[8; 32]).verify(&a, &secret));
    assert!(!key.verify(&a, ""));
}

#[test]
fn conversation_ids_carry_128_random_bits() {
    let id = ConversationId::random();
    let hex = id.as_str().strip_prefix("c-").expect("prefix");
    assert_eq!(hex.len(), 32);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(id, ConversationId::random());
}

/// Arbitrary Unicode in `Host`, `Origin` and the token never panics, and only the exact token
/// and loopback hosts get through.
#[test]
fn arbitrary_unicode_handshakes_never_panic_or_pass_by_accident() {
    let g = gate("127.0.0.1:8765");
    let mut rng = fastrand::Rng::with_seed(10);
    for _ in 0..2000 {
        let text: String = (0..rng.usize(0..24)).map(|_| rng.char(..)).collect();
        let host = format!("{text}.example");
        if let Ok(value) = HeaderValue::from_str(&host) {
            let mut r = request("/", &[]);
            r.headers_mut().insert(header::HOST, value);
            assert!(g.check(&r).is_err(), "{host:?}");
        }
        if let Ok(value) = HeaderValue::from_str(&text) {
            let mut r = request("/", &[("host", "localhost")]);
            r.headers_mut().insert(header::ORIGIN, value.clone());
            assert!(g.check(&r).is_err(), "origin {text:?}");
            let mut r = request("/", &[("host", "localhost")]);
            r.headers_mut().insert(header::AUTHORIZATION, value);
            assert!(!matches!(g.check(&r), Ok(HandshakeAuth { token: true })));
        }
        assert!(!token_matches(&g.token, &text));
        let query: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
        let r = request(&format!("/?token={query}"), &[("host", "localhost")]);
        assert!(!matches!(g.check(&r), Ok(HandshakeAuth { token: true })));
    }
}
