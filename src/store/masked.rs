//! What the store writes is masked: every text in a row's JSON goes through [`crate::pii`]
//! before it reaches the disk, so the file, its WAL and every export hold `[email]`, `[card]`
//! ... where the conversation had personal data. The live chat is not masked (the agent needs
//! the user's words); only what is kept is.

use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// Keys whose values are the protocol's own identifiers and links, never a person's text:
/// masking them would break a restored conversation (an attachment's loopback URL holds an IP
/// address that is the broker's, not the user's).
const STRUCTURAL: &[&str] = &["id", "url", "conversation", "request", "kind", "type"];

/// Masks every string in `value` except those under [`STRUCTURAL`] keys.
pub fn mask_json(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(masked) = crate::pii::mask(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        Value::Object(map) => map
            .iter_mut()
            .filter(|(k, _)| !STRUCTURAL.contains(&k.as_str()))
            .for_each(|(_, v)| mask_json(v)),
        _ => {}
    }
}

/// `value` as JSON with its texts masked.
pub(crate) fn masked_json<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut json = serde_json::to_value(value)?;
    mask_json(&mut json);
    serde_json::to_string(&json)
}
