//! Checking an incoming text frame before trusting it: valid JSON, an object, a known `type`,
//! then the fields. Each failure names the problem and keeps the request id when there is one,
//! so the error frame can be matched to the request.

use super::{ClientMsg, ConversationId, ErrorCode, RequestId};
use serde::Deserialize;
use serde_json::Value;

/// Why a text frame is not a valid [`ClientMsg`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    /// The frame's `id`, when it had a string one.
    pub id: Option<RequestId>,
    /// The error code for the error frame.
    pub code: ErrorCode,
    /// What is wrong, naming the field or type.
    pub message: String,
}

/// Decodes one text frame from a client: a valid frame in one pass; one that fails is decoded
/// again step by step, so that the error names what is wrong. A `say`, the frame clients send
/// most, is read straight into its fields first.
pub fn decode_client(text: &str) -> Result<ClientMsg, DecodeError> {
    if let Ok(say) = serde_json::from_str::<SayFrame>(text) {
        return Ok(say.into());
    }
    serde_json::from_str(text).or_else(|_| decode_checked(text))
}

/// A `say` frame, the same fields as [`ClientMsg::Say`] read the same way, without what an
/// internally tagged enum does first for any frame: buffer every key and value, then find the
/// variant (a third of decoding a chat message). Anything else, or a `say` that is not valid,
/// fails here at once and goes the general way.
#[derive(Deserialize)]
struct SayFrame {
    #[serde(rename = "type")]
    _kind: SayType,
    id: RequestId,
    conversation: ConversationId,
    text: String,
}

/// The one `type` a [`SayFrame`] has.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum SayType {
    Say,
}

impl From<SayFrame> for ClientMsg {
    fn from(say: SayFrame) -> Self {
        ClientMsg::Say {
            id: say.id,
            conversation: say.conversation,
            text: say.text,
        }
    }
}

/// Decodes through a JSON value, checking the object and its `type` before the fields.
pub(crate) fn decode_checked(text: &str) -> Result<ClientMsg, DecodeError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DecodeError {
        id: None,
        code: ErrorCode::BadJson,
        message: format!("malformed JSON: {e}"),
    })?;
    let Value::Object(map) = &value else {
        return Err(DecodeError {
            id: None,
            code: ErrorCode::BadJson,
            message: format!("expected a JSON object, got {}", kind_of(&value)),
        });
    };
    let id = map
        .get("id")
        .and_then(Value::as_str)
        .map(|s| RequestId(s.to_owned()));
    let fail = |code, message| DecodeError {
        id: id.clone(),
        code,
        message,
    };
    match map.get("type") {
        None => {
            return Err(fail(
                ErrorCode::UnknownType,
                "missing field `type`".to_owned(),
            ));
        }
        Some(Value::String(t)) if !ClientMsg::TYPES.contains(&t.as_str()) => {
            return Err(fail(
                ErrorCode::UnknownType,
                format!(
                    "unknown message type {t:?}; expected one of: {}",
                    ClientMsg::TYPES.join(", ")
                ),
            ));
        }
        Some(Value::String(_)) => {}
        Some(other) => {
            return Err(fail(
                ErrorCode::UnknownType,
                format!("field `type` must be a string, got {}", kind_of(other)),
            ));
        }
    }
    let type_name = map
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let (Some(platform), "hello") = (map.get("platform"), type_name.as_str()) {
        super::platform::check_field(platform).map_err(|e| {
            fail(
                ErrorCode::BadField,
                format!("invalid `hello` message: `platform`: {e}"),
            )
        })?;
    }
    serde_json::from_value(value).map_err(|e| {
        fail(
            ErrorCode::BadField,
            format!("invalid `{type_name}` message: {e}"),
        )
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
