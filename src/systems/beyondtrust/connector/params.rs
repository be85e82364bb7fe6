//! What the connector sends the site, built from the handoff request: the parameters of
//! `generate_session_key` and the `start_session` link. Every value is percent-encoded by
//! `url::form_urlencoded` and cut to the site's documented limits at a character boundary.

use super::inferred::{
    CUSTOM_PREFIX, CUSTOM_VALUE_BYTES, CUSTOMER_DETAILS_BYTES, CUSTOMER_NAME_CHARS, cut_bytes,
    cut_chars,
};
use crate::connectors::HandoffRequest;
use crate::systems::beyondtrust::config::{CodeName, Queue};

/// The request's value for a custom field: `utterance`, `topic`, `user_name`, `user_email`,
/// else the routing-context key of that name.
fn field_value<'a>(request: &'a HandoffRequest, field: &str) -> Option<&'a str> {
    match field {
        "utterance" => Some(&request.title),
        "topic" => Some(&request.topic),
        "user_name" => Some(&request.user.name),
        "user_email" => request.user.email.as_deref(),
        key => request.context.get(key).map(String::as_str),
    }
}

/// `session.custom.<field>` for each field the request has a non-empty value for.
pub fn custom(request: &HandoffRequest, fields: &[CodeName]) -> Vec<(String, String)> {
    fields
        .iter()
        .filter_map(|f| {
            let value = field_value(request, f.as_str()).filter(|v| !v.is_empty())?;
            Some((
                format!("{CUSTOM_PREFIX}{}", f.as_str()),
                cut_bytes(value, CUSTOM_VALUE_BYTES).to_owned(),
            ))
        })
        .collect()
}

/// [DOC] `generate_session_key`'s form: a support session on `queue`, keyed by the broker's
/// conversation, with the custom fields and the key's lifetime.
pub fn session_key(
    request: &HandoffRequest,
    queue: &Queue,
    fields: &[CodeName],
    ttl_secs: Option<u64>,
) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("action", "generate_session_key")
        .append_pair("type", "support")
        .append_pair("queue_id", queue.as_str())
        .append_pair("external_key", request.conversation.as_str());
    if let Some(ttl) = ttl_secs {
        form.append_pair("ttl", &ttl.to_string());
    }
    form.extend_pairs(custom(request, fields));
    form.finish()
}

/// [DOC] `start_session`'s parameters that pick where the session goes, or `None` for a team
/// queue, which the page cannot name.
pub fn start_target(queue: &Queue) -> Option<Vec<(&'static str, String)>> {
    match queue.parts() {
        ("general", _) => Some(vec![("issue_menu", "1".into())]),
        ("issue", code) => Some(vec![("issue_menu", "1".into()), ("codeName", code.into())]),
        ("rep", id) => Some(vec![("id", id.into())]),
        ("rep_username", name) => Some(vec![("name", name.into())]),
        _ => None,
    }
}

/// [DOC] The `start_session` link for `request`: the target, the customer's name (≤ 100
/// characters) and details (the utterance, ≤ 1024 bytes), the locale, the conversation as
/// `session.custom.external_key` and the custom fields.
pub fn start_session_url(
    site: &str,
    target: &[(&'static str, String)],
    request: &HandoffRequest,
    fields: &[CodeName],
) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in target {
        form.append_pair(key, value);
    }
    form.append_pair(
        "customer.name",
        cut_chars(&request.user.name, CUSTOMER_NAME_CHARS),
    )
    .append_pair(
        "customer.details",
        cut_bytes(&request.title, CUSTOMER_DETAILS_BYTES),
    );
    if let Some(locale) = request.context.get("language").filter(|l| !l.is_empty()) {
        form.append_pair("locale", locale);
    }
    form.append_pair(
        &format!("{CUSTOM_PREFIX}external_key"),
        request.conversation.as_str(),
    );
    form.extend_pairs(custom(request, fields));
    format!(
        "{}/api/start_session?{}",
        site.trim_end_matches('/'),
        form.finish()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::UserInfo;
    use std::collections::BTreeMap;

    fn request(title: &str) -> HandoffRequest {
        HandoffRequest {
            conversation: "c-42".into(),
            title: title.into(),
            topic: "Printers".into(),
            user: UserInfo::default(),
            context: BTreeMap::from([("language".to_owned(), "en-us".to_owned())]),
            history: Vec::new(),
        }
    }

    fn queue(text: &str) -> Queue {
        Queue::try_from(text.to_owned()).unwrap()
    }

    #[test]
    fn the_session_key_form_is_the_documented_fixture() {
        let fields = crate::systems::beyondtrust::config::default_custom_fields();
        let form = session_key(
            &request("My printer is offline"),
            &Queue::general(),
            &fields,
            None,
        );
        assert_eq!(
            form,
            include_str!("../fixtures/generate_session_key.request.form").trim()
        );
    }

    #[test]
    fn the_start_link_is_the_documented_fixture() {
        let target = start_target(&queue("issue:printer")).unwrap();
        let url = start_session_url(
            "https://support.example.com/",
            &target,
            &request("My printer is offline"),
            &[],
        );
        let expected = include_str!("../fixtures/start_session.request.query").trim();
        assert_eq!(
            url,
            format!("https://support.example.com/api/start_session?{expected}")
        );
    }

    #[test]
    fn each_queue_kind_but_team_has_a_start_target() {
        assert_eq!(start_target(&queue("rep:7")).unwrap(), [("id", "7".into())]);
        assert_eq!(
            start_target(&queue("rep_username:ann")).unwrap(),
            [("name", "ann".into())]
        );
        assert_eq!(start_target(&queue("team:3")), None);
    }

    #[test]
    fn hostile_values_are_encoded_and_details_cut_at_a_character_boundary() {
        let title = format!("a&b=c#d+e f%{}", "€".repeat(2000));
        let target = start_target(&Queue::general()).unwrap();
        let url = start_session_url("https://s.example", &target, &request(&title), &[]);
        let parsed = url::Url::parse(&url).unwrap();
        let details = parsed
            .query_pairs()
            .find(|(k, _)| k == "customer.details")
            .unwrap()
            .1;
        assert!(details.starts_with("a&b=c#d+e f%€"));
        assert!(details.len() <= CUSTOMER_DETAILS_BYTES);
        assert!(details.len() > CUSTOMER_DETAILS_BYTES - 3);
    }
}
