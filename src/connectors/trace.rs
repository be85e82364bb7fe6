//! Call traces: what a connector sends to its system and what comes back, for the console's
//! inspector. A connector records into its [`TraceSlot`]; nothing is recorded until the broker
//! connects a sender, and nothing is kept when nobody listens. Everything recorded is redacted:
//! the connector's secrets, credential-like JSON fields and URL query values.

use super::redact::{REDACTED, Secret, redact};
use crate::protocol::CallTrace;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

/// Where traces go: the broker's broadcast channel.
pub type TraceSender = broadcast::Sender<CallTrace>;

/// How much of a request or response body a trace keeps.
pub const BODY_CHARS: usize = 4096;

/// JSON fields and query parameters whose values are credentials wherever they appear.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api_key_secret",
    "api_key_id",
    "access_token",
    "participanttoken",
    "connectiontoken",
    "authorization",
    "x-amz-bearer",
    "signature",
];

/// A connector's place to record traces; clones share the slot.
#[derive(Debug, Clone, Default)]
pub struct TraceSlot(Arc<OnceLock<TraceSender>>);

impl TraceSlot {
    /// Starts sending traces to `sender` (the first sender connected wins).
    pub fn connect(&self, sender: TraceSender) {
        let _ = self.0.set(sender);
    }

    /// Whether anyone would receive a trace now (so callers can skip building one).
    pub fn is_listening(&self) -> bool {
        self.0.get().is_some_and(|tx| tx.receiver_count() > 0)
    }

    /// Records a trace built by `make`, if anyone listens.
    pub fn record(&self, make: impl FnOnce() -> CallTrace) {
        if let Some(tx) = self.0.get().filter(|tx| tx.receiver_count() > 0) {
            let _ = tx.send(make());
        }
    }
}

fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_FIELDS
        .iter()
        .any(|f| name == *f || name.ends_with(&format!("_{f}")) || name.ends_with(f))
}

/// A URL with its secrets and credential-like query values redacted.
pub fn redact_url(url: &str, secrets: &[&Secret]) -> String {
    let url = redact(url, secrets);
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_field(k) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// A body as text, redacted and shortened: JSON bodies lose the values of credential-like
/// fields; every body loses the connector's secrets.
pub fn redact_body(body: &[u8], secrets: &[&Secret]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            scrub_json(&mut value);
            value.to_string()
        }
        // A file upload: the text up to the first binary byte (multipart headers), then a
        // note instead of mojibake.
        Err(_) => match std::str::from_utf8(body) {
            Ok(text) => text.to_owned(),
            Err(e) => format!(
                "{}<binary from byte {} of {}>",
                String::from_utf8_lossy(&body[..e.valid_up_to()]),
                e.valid_up_to(),
                body.len()
            ),
        },
    };
    let text = redact(&text, secrets);
    Some(match text.char_indices().nth(BODY_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], body.len()),
        None => text,
    })
}

fn scrub_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_field(key) && !v.is_object() && !v.is_array() {
                    *v = serde_json::Value::String(REDACTED.into());
                } else {
                    scrub_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(scrub_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_fields_and_secrets_are_redacted() {
        let secret = Secret::new("s3cr3t-value");
        let body = br#"{"api_key_secret":"abc","api_key_id":"glia-key-id","nested":{"ParticipantToken":"tok"},"text":"my s3cr3t-value"}"#;
        let text = redact_body(body, &[&secret]).unwrap();
        assert!(
            !text.contains("abc")
                && !text.contains("tok")
                && !text.contains("s3cr3t-value")
                && !text.contains("glia-key-id"),
            "{text}"
        );
        assert!(text.contains("\"text\":\"my [redacted]\""), "{text}");
    }

    #[test]
    fn credential_query_values_are_redacted() {
        assert_eq!(
            redact_url("ws://127.0.0.1:9/connect?token=abc&x=1", &[]),
            "ws://127.0.0.1:9/connect?token=[redacted]&x=1"
        );
    }

    #[test]
    fn a_binary_upload_shows_its_text_part_and_where_the_bytes_begin() {
        let mut body = b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n".to_vec();
        let head = body.len();
        body.extend([0x89, b'P', b'N', b'G', 0xff, 0x00]);
        let text = redact_body(&body, &[]).unwrap();
        assert!(text.starts_with("--b\r\nContent-Disposition"), "{text}");
        assert!(
            text.ends_with(&format!("<binary from byte {head} of {}>", head + 6)),
            "{text}"
        );
    }

    #[test]
    fn long_bodies_are_shortened() {
        let body = vec![b'x'; BODY_CHARS + 10];
        assert!(
            redact_body(&body, &[])
                .unwrap()
                .ends_with(&format!("… ({} bytes)", BODY_CHARS + 10))
        );
    }

    #[tokio::test]
    async fn nothing_is_recorded_until_someone_listens() {
        let slot = TraceSlot::default();
        assert!(!slot.is_listening());
        let (tx, mut rx) = broadcast::channel(4);
        slot.connect(tx);
        assert!(slot.is_listening());
        slot.record(|| CallTrace {
            at: 1,
            system: "8x8".into(),
            name: "create conversation".into(),
            kind: crate::protocol::CallKind::Http,
            method: Some("POST".into()),
            url: "http://x".into(),
            status: Some(202),
            duration_ms: Some(3),
            request: None,
            response: None,
            error: None,
        });
        assert_eq!(rx.recv().await.unwrap().status, Some(202));
    }
}
