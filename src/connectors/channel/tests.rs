use super::accept::{Scheme, parse_hook, sign, verify};
use super::*;
use crate::connectors::webhook::WebhookRequest;
use crate::protocol::UserInfo;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn request(title: &str) -> HandoffRequest {
    HandoffRequest {
        conversation: "c-42".into(),
        title: title.into(),
        topic: "SQL Database".into(),
        user: UserInfo::default(),
        context: BTreeMap::from([("queue".to_owned(), "it-help".to_owned())]),
        history: Vec::new(),
    }
}

#[test]
fn a_text_that_fits_is_left_alone() {
    assert_eq!(shorten("héllo", Limit::Bytes(6)), "héllo");
    assert_eq!(shorten("héllo", Limit::Chars(5)), "héllo");
}

#[test]
fn a_long_text_is_cut_at_a_character_boundary_with_the_marker() {
    let text = "é".repeat(100);
    let cut = shorten(&text, Limit::Bytes(40));
    assert!(cut.len() <= 40, "{}", cut.len());
    assert!(cut.ends_with(MARKER));
    assert!(text.starts_with(cut.trim_end_matches(MARKER)));
    let cut = shorten(&text, Limit::Chars(30));
    assert_eq!(cut.chars().count(), 30);
}

#[test]
fn a_limit_smaller_than_the_marker_keeps_a_cut_text() {
    assert_eq!(shorten("abcdef", Limit::Bytes(3)), "abc");
}

#[test]
fn a_request_names_the_user_topic_context_and_link_back_and_ends_with_its_reference() {
    let text = Post::request(&request("My SQL database is slow"))
        .render(Markup::MARKDOWN, Limit::Bytes(2000));
    assert_eq!(
        text,
        "**Live agent request**\n**User:** Alex Kim <alex.kim@example.com>\n**Topic:** SQL Database\n\
         **queue:** it-help\n**Reach the user:** mailto:alex.kim@example.com\n\
         **Request:** My SQL database is slow\nRef: handoff:c-42"
    );
    assert_eq!(reference_in(&text), Some("c-42"));
}

#[test]
fn an_oversized_request_is_shortened_but_keeps_its_reference() {
    let text =
        Post::request(&request(&"x".repeat(10_000))).render(Markup::MARKDOWN, Limit::Bytes(500));
    assert!(text.len() <= 500);
    assert!(text.contains(MARKER));
    assert_eq!(reference_in(&text), Some("c-42"));
}

#[test]
fn fit_json_shrinks_the_budget_until_the_body_fits() {
    let body = fit_json(
        1000,
        5000,
        |budget| serde_json::json!({ "text": shorten(&"\u{1}".repeat(5000), Limit::Bytes(budget)) }),
    );
    assert!(body.to_string().len() <= 1000, "{}", body.to_string().len());
}

fn signed(secret: &str, stamp: u64, body: &[u8]) -> WebhookRequest {
    WebhookRequest {
        headers: vec![
            ("x-slack-signature".into(), sign(secret, stamp, body)),
            ("x-slack-request-timestamp".into(), stamp.to_string()),
        ],
        body: body.to_vec(),
    }
}

#[test]
fn a_signature_is_checked_against_the_secret_the_body_and_the_time() {
    let request = signed("s3cret", 1_000_000, b"payload=1");
    assert_eq!(verify(&request, Scheme::SLACK, "s3cret", 1_000_100), Ok(()));
    let wrong = verify(&request, Scheme::SLACK, "other", 1_000_100).unwrap_err();
    assert_eq!(wrong, "x-slack-signature does not match");
    let old = verify(&request, Scheme::SLACK, "s3cret", 1_000_000 + 301).unwrap_err();
    assert_eq!(old, "x-slack-request-timestamp is too old or in the future");
    let mut tampered = request;
    tampered.body = b"payload=2".to_vec();
    assert!(verify(&tampered, Scheme::SLACK, "s3cret", 1_000_100).is_err());
    let missing = verify(&tampered, Scheme::HANDOFF, "s3cret", 1_000_100).unwrap_err();
    assert_eq!(missing, "no x-handoff-request-timestamp header");
}

#[test]
fn the_hook_body_names_conversation_and_agent() {
    let parsed = parse_hook(br#"{"conversation":"c-1","agent":"Lisa"}"#)
        .unwrap()
        .unwrap();
    assert_eq!(
        (parsed.conversation.as_str(), parsed.agent.as_str()),
        ("c-1", "Lisa")
    );
    assert!(
        parse_hook(b"{}")
            .unwrap_err()
            .starts_with("acceptance body: missing field")
    );
}

#[tokio::test]
async fn the_relay_tells_an_acceptance_once_and_only_for_open_posts() {
    let relay = Relay::with_bound("Slack", 1);
    let (mut events, _tx) = relay.open("c-1").unwrap();
    assert!(
        relay.open("c-2").is_none(),
        "at the bound no chat is opened"
    );
    assert_eq!(relay.accept("c-1", "Lisa").await, relay::Accepted::Told);
    assert!(
        matches!(events.recv().await, Some(ChatEvent::AgentJoined { agent }) if agent.name == "Lisa")
    );
    let Some(ChatEvent::SystemMessage { text }) = events.recv().await else {
        panic!("the pick-up message")
    };
    assert_eq!(
        text,
        "Lisa picked up your request and will reach out to you in Slack."
    );
    assert_eq!(relay.accept("c-9", "Lisa").await, relay::Accepted::Unknown);
    drop(events);
    assert!(relay.open("c-2").is_some(), "a closed chat frees its place");
}

use crate::connectors::ChatEvent;

proptest! {
    #[test]
    fn shortening_any_text_stays_within_the_limit_and_keeps_a_prefix(text in any::<String>(), n in 0usize..64) {
        for limit in [Limit::Bytes(n), Limit::Chars(n)] {
            let cut = shorten(&text, limit);
            prop_assert!(limit.measure(&cut) <= n.max(limit.measure(&text).min(n)));
            let kept = cut.strip_suffix(MARKER).unwrap_or(&cut);
            prop_assert!(text.starts_with(kept));
        }
    }

    #[test]
    fn any_request_renders_within_the_limit_with_its_reference(title in any::<String>(), name in any::<String>(), n in 200usize..600) {
        let mut r = request(&title);
        r.user.name = name;
        let text = Post::request(&r).render(Markup::MARKDOWN, Limit::Bytes(n));
        prop_assert!(text.len() <= n);
        prop_assert_eq!(reference_in(&text), Some("c-42"));
    }
}
