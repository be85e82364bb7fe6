use super::*;
use crate::protocol::CallKind;
use proptest::prelude::*;

fn sequence(texts: &[String]) -> Sequence {
    let participants = vec![
        "Alex".into(),
        "assistant".into(),
        "broker".into(),
        "system".into(),
        "Lisa".into(),
    ];
    let mut items = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        items.push(Item::Arrow {
            from: i % 5,
            to: (i + 2) % 5,
            text: text.clone(),
        });
        items.push(Item::Note {
            over: i % 5,
            text: text.clone(),
        });
    }
    Sequence {
        participants,
        items,
    }
}

#[test]
fn mermaid_escapes_what_would_end_or_break_a_statement() {
    assert_eq!(
        mermaid_escape("a;b#c \"d\" <e>\nf"),
        "a#59;b#35;c #quot;d#quot; #lt;e#gt; f"
    );
    let text = mermaid(&sequence(&["x; y".into()]));
    assert!(
        text.starts_with("sequenceDiagram\n    participant P0 as Alex\n"),
        "{text}"
    );
    assert!(
        text.contains("    P0->>P2: x#59; y\n    Note over P0: x#59; y\n"),
        "{text}"
    );
}

#[test]
fn the_diagram_draws_lifelines_labels_and_arrows_in_the_width() {
    let seq = Sequence {
        participants: vec!["Alex".into(), "assistant".into()],
        items: vec![
            Item::Arrow {
                from: 0,
                to: 1,
                text: "hi".into(),
            },
            Item::Arrow {
                from: 1,
                to: 0,
                text: "a long answer that will not fit".into(),
            },
        ],
    };
    let text = diagram(&seq, 21);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "    Alex   assistant",
            "     │ hi      │",
            "     │────────▶│",
            "     │ a long… │",
            "     │◀────────│",
        ]
    );
}

/// Every line of the mermaid text is one statement of the kinds written, `;` and `#` only in
/// entity codes.
fn statements_hold(text: &str) -> bool {
    let re = regex::Regex::new(
        r"^    (participant P\d+ as |P\d+->>P\d+: |Note over P\d+: )([^;#\n]|#\w+;)*$",
    )
    .unwrap();
    let mut lines = text.lines();
    lines.next() == Some("sequenceDiagram") && lines.all(|l| re.is_match(l) && !l.contains('"'))
}

proptest! {
    /// Arbitrary Unicode never breaks the mermaid syntax nor the text layout's width.
    #[test]
    fn any_text_keeps_mermaid_statements_and_the_diagram_width(
        texts in proptest::collection::vec(any::<String>(), 1..6),
        width in 0usize..200,
    ) {
        let seq = sequence(&texts);
        let text = mermaid(&seq);
        prop_assert!(statements_hold(&text), "{}", text);
        prop_assert_eq!(text.lines().count(), 1 + 5 + 2 * texts.len());
        let drawn = diagram(&seq, width);
        let most = width.max(5 * diagram::MIN_COLUMN);
        for line in drawn.lines() {
            prop_assert!(crate::text::width(line) <= most, "{:?} over {}", line, most);
        }
        prop_assert_eq!(drawn.lines().count(), 1 + 3 * texts.len());
    }
}

fn said(id: &str, role: Role, text: &str) -> ConversationEvent {
    ConversationEvent::Message {
        message: ChatMessage {
            id: id.into(),
            role,
            agent: None,
            parts: vec![Part::text(text)],
            at: 0,
            request: None,
            translation: None,
        },
    }
}

fn call(kind: CallKind, method: Option<&str>, url: &str, status: Option<u16>) -> CallTrace {
    CallTrace {
        at: 0,
        system: "ServiceNow".into(),
        name: "send message".into(),
        kind,
        method: method.map(str::to_owned),
        url: url.into(),
        status,
        duration_ms: Some(3),
        request: None,
        response: None,
        error: None,
    }
}

#[test]
fn the_systems_calls_are_notes_over_the_system_in_the_order_they_happened() {
    let hello = said("m1", Role::User, "hello");
    let answer = said("m2", Role::Assistant, "hi there");
    let mut post = call(
        CallKind::Http,
        Some("POST"),
        "https://dev.service-now.com/api/sn_va_as_service/bot/integration?token=abc&x=1",
        Some(200),
    );
    post.request = Some(r#"{"message":"hello","password":"hunter2"}"#.into());
    let mut lost = call(CallKind::Http, Some("GET"), "https://dev/api/queue", None);
    lost.error = Some("timed out".into());
    let mut frame = call(CallKind::WsIn, None, "wss://chat.example/ws", None);
    frame.response = Some("agent typing".into());
    let log = [
        Seen::Event(Audience::Both, &hello),
        Seen::Call(&post),
        Seen::Call(&lost),
        Seen::Event(Audience::Both, &answer),
        Seen::Call(&frame),
    ];
    assert_eq!(
        mermaid(&Sequence::of_log("Alex", log)),
        "sequenceDiagram
    participant P0 as Alex
    participant P1 as assistant
    participant P2 as broker
    participant P3 as system
    P0->>P1: hello
    Note over P3: POST /api/sn_va_as_service/bot/integration?token=[redacted]&x=1 200 · {#quot;message#quot;:#quot;hello#quot;,#quot;password#quot;:#quot;[redacted]#quot;}
    Note over P3: GET /api/queue failed: timed out
    P1->>P0: hi there
    Note over P3: WS receive send message /ws · agent typing
"
    );
}

#[test]
fn a_picture_notes_at_most_max_call_notes_calls_then_counts_the_rest() {
    let get = call(CallKind::Http, Some("GET"), "https://h/a", Some(204));
    let log = std::iter::repeat_n(Seen::Call(&get), MAX_CALL_NOTES + 5);
    let seq = Sequence::of_log("Alex", log);
    assert_eq!(seq.items.len(), MAX_CALL_NOTES + 1);
    assert_eq!(
        seq.items.last(),
        Some(&Item::Note {
            over: SYSTEM,
            text: "… 5 more calls".into()
        })
    );
}

#[test]
fn long_paths_and_bodies_are_cut_with_an_ellipsis() {
    let mut long = call(
        CallKind::WsOut,
        None,
        &format!("wss://h/{}", "p".repeat(200)),
        None,
    );
    long.request = Some("b".repeat(200));
    let note = call_note(&long);
    assert_eq!(
        note,
        format!(
            "WS send send message /{}… · {}…",
            "p".repeat(calls::PATH_EXCERPT - 1),
            "b".repeat(calls::BODY_EXCERPT)
        )
    );
}

/// A URL as a connector builds it: the text a path segment and a query value, encoded, with a
/// credential in the query.
fn url_with(text: &str, secret: &str) -> String {
    let mut url = url::Url::parse("https://api.example.com/v1/").unwrap();
    url.path_segments_mut().unwrap().push(text);
    url.query_pairs_mut()
        .append_pair("q", text)
        .append_pair("access_token", secret);
    url.to_string()
}

proptest! {
    /// Arbitrary Unicode in a call's path, bodies and error keeps every mermaid statement whole,
    /// and a credential in its query or JSON body never reaches the picture.
    #[test]
    fn any_call_keeps_mermaid_statements_and_no_credential(
        text in any::<String>(),
        secret in "[A-Za-z0-9]{12}",
        status in proptest::option::of(100u16..600),
    ) {
        let secret = format!("S3CRET{secret}");
        let mut c = call(CallKind::Http, Some("POST"), &url_with(&text, &secret), status);
        c.request = Some(serde_json::json!({"text": text, "apiKey": secret}).to_string());
        c.error = Some(text.clone());
        let mut frame = call(CallKind::WsIn, None, &url_with(&text, &secret), None);
        frame.response = Some(serde_json::json!({"token": secret, "body": text}).to_string());
        let mut hook = call(CallKind::Webhook, Some("POST"), &format!("http://127.0.0.1:1/{text}"), None);
        hook.request = Some(text.clone());
        let seq = Sequence::of_log("Alex", [Seen::Call(&c), Seen::Call(&frame), Seen::Call(&hook)]);
        let text = mermaid(&seq);
        prop_assert!(statements_hold(&text), "{}", text);
        prop_assert_eq!(text.lines().count(), 1 + 4 + 3);
        prop_assert!(!text.contains(&secret), "{}", text);
    }
}
