use super::*;
use crate::protocol::UserInfo;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn request(utterance: &str) -> HandoffRequest {
    HandoffRequest {
        conversation: "c-1".into(),
        title: utterance.to_owned(),
        topic: "SQL Database".into(),
        user: UserInfo::default(),
        context: BTreeMap::from([
            ("queue_id".to_owned(), "q 1/2".to_owned()),
            ("language".to_owned(), "en".to_owned()),
            ("expertise".to_owned(), "Azure SQL".to_owned()),
        ]),
        history: Vec::new(),
    }
}

/// The query of `url` as the page reads it.
fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[test]
fn the_seed_template_fills_the_queue_id() {
    let template =
        UrlTemplate::parse("https://livechat.acme.com/start-chat?queue_id={queue_id}").unwrap();
    let mut r = request("hi");
    r.context.insert("queue_id".into(), "71f1cbd2-83ae".into());
    assert_eq!(
        template.fill(&r),
        "https://livechat.acme.com/start-chat?queue_id=71f1cbd2-83ae"
    );
}

#[test]
fn every_placeholder_and_context_keys_are_filled_and_encoded_once() {
    let template = UrlTemplate::parse(
        "https://x.example/s/{conversation}?q={utterance}&who={user_name}%20<{user_email}>\
         &lang={language}&ex={context.expertise}&missing={region}",
    )
    .unwrap();
    let url = template.fill(&request("a&b #1 + 100%"));
    assert!(url.starts_with("https://x.example/s/c-1?q=a%26b%20%231%20%2B%20100%25&"));
    assert_eq!(
        query(&url),
        vec![
            pair("q", "a&b #1 + 100%"),
            pair("who", "Alex Kim <alex.kim@example.com>"),
            pair("lang", "en"),
            pair("ex", "Azure SQL"),
            pair("missing", ""),
        ]
    );
}

#[test]
fn a_base_with_its_own_query_keeps_it_first_and_the_fragment_last() {
    let params = vec![Param::text("q", "{utterance}").unwrap()];
    let template = UrlTemplate::new("https://x.example/a.do?fixed=1#top", params).unwrap();
    assert_eq!(
        template.fill(&request("hi")),
        "https://x.example/a.do?fixed=1&q=hi#top"
    );
}

#[test]
fn json_values_are_serialized_then_encoded_as_one_value() {
    let fields = serde_json::json!({
        "Question": {"value": "{utterance}", "show": false},
        "name": {"value": "{user_name}"},
    });
    let template = UrlTemplate::new(
        "https://app.five9.com/consoles/ChatConsole/index.html",
        vec![Param::json("fields", &fields).unwrap().max_bytes(5)],
    )
    .unwrap();
    let url = template.fill(&request("héllo wörld"));
    let (_, json) = &query(&url)[0];
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "Question": {"value": "héll", "show": false},
            "name": {"value": "Alex "},
        })
    );
}

#[test]
fn a_limit_cuts_at_a_character_boundary() {
    let template = UrlTemplate::parse("https://x.example/?q={utterance}")
        .unwrap()
        .limit("q", 4)
        .unwrap();
    // "é" is two bytes: four bytes hold "aé" and one byte of the next "é", which is dropped.
    assert_eq!(query(&template.fill(&request("aéé")))[0].1, "aé");
    assert_eq!(
        UrlTemplate::parse("https://x.example/?q=1")
            .unwrap()
            .limit("p", 4),
        Err(TemplateError::UnknownParameter("p".into()))
    );
}

#[test]
fn unknown_placeholders_and_bad_braces_name_the_part() {
    let e = UrlTemplate::parse("https://x.example/?q={utterence}").unwrap_err();
    assert_eq!(
        e,
        TemplateError::UnknownPlaceholder {
            part: "q".into(),
            placeholder: "utterence".into()
        }
    );
    assert!(
        e.to_string()
            .starts_with("q: unknown placeholder {utterence}; expected one of utterance, topic")
    );
    let e = UrlTemplate::parse("https://x.example/{nope}").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("base: unknown placeholder {nope}"),
        "{e}"
    );
    let e = UrlTemplate::parse("https://x.example/?q={utterance").unwrap_err();
    assert_eq!(
        e.to_string(),
        "q: unbalanced brace at byte 0 (write {{ or }} for a literal brace)"
    );
    assert!(UrlTemplate::parse("https://x.example/?q=a}b").is_err());
    assert!(UrlTemplate::parse("https://x.example/?q={{literal}}").is_ok());
}

#[test]
fn the_base_must_be_http_with_placeholders_only_in_the_path() {
    for bad in [
        "{utterance}",
        "ftp://x.example/{utterance}",
        "https://{queue_id}.example/",
        "https://x.example{queue_id}",
        "not a url",
    ] {
        assert!(
            matches!(UrlTemplate::parse(bad), Err(TemplateError::Base(_))),
            "{bad}"
        );
    }
}

#[test]
fn a_value_cannot_move_the_address_up_the_path() {
    let template = UrlTemplate::parse("https://x.example/session/{user_id}/chat?q=1").unwrap();
    let mut r = request("hi");
    for id in ["..", ".", "../admin"] {
        r.user.id = id.into();
        let url = url::Url::parse(&template.fill(&r)).unwrap();
        assert!(url.path().starts_with("/session/"), "{id}: {url}");
    }
}

#[test]
fn literal_braces_survive() {
    let template = UrlTemplate::parse("https://x.example/?q={{x}}-{topic}").unwrap();
    assert_eq!(
        query(&template.fill(&request("hi")))[0].1,
        "{x}-SQL Database"
    );
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ &#+%{}=?/\\\\\u{0}-\u{7f}é漢🎉]{0,64}",
        // Long utterances, over any limit.
        proptest::collection::vec(any::<char>(), 1000..1400).prop_map(String::from_iter),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn hostile_values_round_trip_through_the_query(
        utterance in hostile(),
        name in hostile(),
        max in 1usize..2048,
    ) {
        let template = UrlTemplate::new(
            "https://x.example/s/{user_id}",
            vec![
                Param::text("q", "{utterance}").unwrap().max_bytes(max),
                Param::text("n", "{user_name}").unwrap(),
                Param::json("fields", &serde_json::json!({"Q": {"value": "{utterance}"}})).unwrap(),
            ],
        )
        .unwrap();
        let mut r = request(&utterance);
        r.user.name.clone_from(&name);
        r.user.id.clone_from(&name);
        let url = template.fill(&r);
        let parsed = url::Url::parse(&url).unwrap();
        prop_assert_eq!(parsed.host_str(), Some("x.example"));
        let q = query(&url);
        prop_assert_eq!(&q[0].1, cut(&utterance, max));
        prop_assert_eq!(&q[1].1, &name);
        let json: serde_json::Value = serde_json::from_str(&q[2].1).unwrap();
        prop_assert_eq!(json["Q"]["value"].as_str(), Some(utterance.as_str()));
        let segment = parsed.path_segments().unwrap().nth(1).unwrap().to_owned();
        let decoded = percent_decoded(&segment);
        // A value that would be a dot segment is left out rather than move the address.
        let expected = if name == "." || name == ".." { "" } else { name.as_str() };
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn five_kilobyte_utterances_are_cut_on_a_boundary(utterance in "[a-zé🎉 &#+%]{5000,5200}") {
        let template = UrlTemplate::parse("https://x.example/?q={utterance}")
            .unwrap()
            .limit("q", 1024)
            .unwrap();
        let value = query(&template.fill(&request(&utterance)))[0].1.clone();
        prop_assert!(value.len() <= 1024);
        prop_assert!(utterance.starts_with(&value));
        prop_assert!(value.len() > 1024 - 4, "cut no more than one character short");
    }
}

fn percent_decoded(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
