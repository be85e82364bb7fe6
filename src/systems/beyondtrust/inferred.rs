//! **BeyondTrust Remote Support facts, shared by the connector and the emulator.** Each is
//! marked: [DOC] from docs.beyondtrust.com (command API, session generation API, API test
//! scenario), [INFER] where the docs leave it open. Correct them here against a real site.
//!
//! | what | status |
//! |---|---|
//! | `POST /oauth2/token`, Basic `client_id:secret`, form `grant_type=client_credentials` → `{access_token, token_type: "Bearer", expires_in: 3600}` | [DOC] |
//! | a refused token request: 401 `{"error": "invalid_client"}` (the OAuth 2 error body) | [INFER] |
//! | `GET`/`POST /api/command?action=...`; POST is form-urlencoded, multipart is refused | [DOC] |
//! | answers are XML in a default namespace, [`NAMESPACE`] | [DOC] that one is declared; its value [INFER] |
//! | a failed command answers `<error>text</error>` in that namespace | [DOC] root name; the statuses it comes with [INFER] |
//! | a bad or expired Bearer token: 401 with an `<error>` body | [INFER] |
//! | `generate_session_key` → `<session_key>` with `short_key`, `key_url`, `expires` (`timestamp` attribute) | [DOC] params; element names [INFER] |
//! | `get_logged_in_reps` → `<logged_in_reps>` of `<rep id="..">` with `display_name`, `public_display_name` | [INFER] |
//! | `check_health` → `<appliances>` of `<appliance id="..">` with `status`; `get_api_info` → `<api_info>` with `api_version` | [INFER] |
//! | queue ids `general`, `rep:<id>`, `team:<id>`, `rep_username:<u>`, `issue:<code_name>` | [DOC] |
//! | `/api/start_session`: `id` / `name` (rep), `short_key`, `issue_menu=1` + `codeName`, with `customer.name` (≤ [`CUSTOMER_NAME_CHARS`]), `customer.details` (≤ [`CUSTOMER_DETAILS_BYTES`] bytes), `locale`, `session.custom.<field>` | [DOC] |
//! | `customer.name`'s limit counts characters (not bytes) | [INFER] |
//! | a custom field's value is cut to [`CUSTOM_VALUE_BYTES`] | [INFER]: the docs give no limit |
//! | a custom field's code name: `[A-Za-z0-9_-]`, 1 to 64 characters | [DOC] (code names in the configuration API) |
//! | the session key's short form has 7 digits | [DOC] |

/// [DOC]/[INFER] The namespace the command API's answers declare.
pub const NAMESPACE: &str = "http://www.beyondtrust.com/sra/namespaces/API/command";

/// [DOC] The longest `customer.name`, in characters ([INFER] that it counts characters).
pub const CUSTOMER_NAME_CHARS: usize = 100;

/// [DOC] The longest `customer.details`, in bytes of UTF-8.
pub const CUSTOMER_DETAILS_BYTES: usize = 1024;

/// [INFER] The longest `session.custom.<field>` value we send, in bytes of UTF-8.
pub const CUSTOM_VALUE_BYTES: usize = 1024;

/// [DOC] The longest code name of a custom field.
pub const CODE_NAME_CHARS: usize = 64;

/// [DOC] The prefix of a custom session attribute's parameter.
pub const CUSTOM_PREFIX: &str = "session.custom.";

/// [DOC] The queue kinds `generate_session_key` takes as `queue_id=<kind>:<value>`
/// (`general` has no value).
pub const QUEUE_KINDS: &[&str] = &["rep", "team", "rep_username", "issue"];

/// Whether `name` is a valid custom field code name: [DOC] `[A-Za-z0-9_-]{1,64}`.
pub fn is_code_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= CODE_NAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `queue` is a queue id `generate_session_key` takes: `general`, or a kind of
/// [`QUEUE_KINDS`] with a non-empty value (numeric for `rep` and `team`).
pub fn is_queue_id(queue: &str) -> bool {
    if queue == "general" {
        return true;
    }
    let Some((kind, value)) = queue.split_once(':') else {
        return false;
    };
    match kind {
        "rep" | "team" => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        "rep_username" | "issue" => !value.is_empty(),
        _ => false,
    }
}

/// `text` cut to at most `max` bytes at a character boundary (never splitting a character).
pub fn cut_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` cut to at most `max` characters.
pub fn cut_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn queue_ids_are_the_documented_kinds() {
        for ok in [
            "general",
            "rep:12",
            "team:3",
            "rep_username:ann",
            "issue:printer",
        ] {
            assert!(is_queue_id(ok), "{ok}");
        }
        for bad in ["", "rep:", "rep:x1", "team:", "issue:", "desk:1", "General"] {
            assert!(!is_queue_id(bad), "{bad}");
        }
    }

    #[test]
    fn code_names_are_short_ascii_words() {
        assert!(is_code_name("external_ref-2"));
        assert!(!is_code_name("has space"));
        assert!(!is_code_name("é"));
        assert!(!is_code_name(&"a".repeat(65)));
    }

    #[test]
    fn a_multi_byte_text_is_cut_before_the_character_that_does_not_fit() {
        // 341 three-byte characters are 1023 bytes; the 342nd would make 1026.
        let text = "€".repeat(400);
        let cut = cut_bytes(&text, CUSTOMER_DETAILS_BYTES);
        assert_eq!(cut.len(), 1023);
        assert_eq!(cut.chars().count(), 341);
        assert_eq!(cut_chars("héllo", 2), "hé");
    }

    proptest! {
        #[test]
        fn cuts_stay_within_the_limit_and_keep_a_prefix(text in ".{0,600}", max in 0usize..700) {
            let cut = cut_bytes(&text, max);
            prop_assert!(cut.len() <= max);
            prop_assert!(text.starts_with(cut));
            prop_assert!(cut.len() == text.len() || cut.len() + 4 > max);
            let cut = cut_chars(&text, max);
            prop_assert!(cut.chars().count() <= max);
            prop_assert!(text.starts_with(cut));
        }
    }
}
