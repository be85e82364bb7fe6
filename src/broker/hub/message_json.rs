//! The wire form of a chat message's event, written without serde's string escaping for its
//! text.
//!
//! Every chat message reaches its sessions as one `event` frame, and most of its bytes are the
//! rich text of its parts. `serde_json` escapes a string one byte at a time; a kilobyte of chat
//! text made that loop the largest single cost of the hub (`docs/performance.md`). Here the
//! envelope and the message's fields are written in the order and form `serde` gives them, the
//! small values (ids, numbers, names) still through `serde_json`, and rich text is escaped by
//! [`put_json_str`], which skips eight bytes at a time while none needs an escape. The frame is
//! the same, byte for byte, as [`super::encode`] of the event (tested below, for any Unicode).

use crate::protocol::{Audience, ChatMessage, ConversationId, Millis, Part, RequestId};
use bytes::{BufMut, BytesMut};
use serde::Serialize;

/// Where a logged event is in its conversation: the fields an event frame and a `said` share.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place<'a> {
    pub conv: &'a ConversationId,
    pub seq: u64,
    pub at: Millis,
    pub audience: Audience,
}

/// Writes the `event` frame of `message` (logged at `place`) at the end of `out`, as
/// [`super::encode`] writes the same [`crate::protocol::ServerMsg::Event`].
pub(super) fn put_message_event(
    out: &mut BytesMut,
    place: Place<'_>,
    message: &ChatMessage,
) -> Result<(), serde_json::Error> {
    out.put_slice(br#"{"type":"event","#);
    put_place(out, place)?;
    out.put_slice(br#","event":{"kind":"message","message":"#);
    put_message(out, message)?;
    out.put_slice(b"}}");
    Ok(())
}

/// Writes protocol 2's `ack` of the `say` that made `message` (logged at `place`), as
/// [`super::encode`] writes the [`crate::protocol::ServerMsg::Ack`] whose `said` is
/// [`crate::protocol::Said::of`] the same: the frame a sender gets in place of its echo, written
/// without copying an id.
pub(super) fn put_said_ack(
    out: &mut BytesMut,
    place: Place<'_>,
    message: &ChatMessage,
    request: &RequestId,
) -> Result<(), serde_json::Error> {
    out.put_slice(br#"{"type":"ack","id":"#);
    put_json_str(out, request.as_str());
    out.put_slice(br#","said":{"#);
    put_place(out, place)?;
    out.put_slice(br#","message":"#);
    put_json_str(out, message.id.as_str());
    out.put_slice(br#","message_at":"#);
    put_small(out, &message.at)?;
    out.put_slice(b"}}");
    Ok(())
}

/// `"conversation":…,"seq":…,"at":…,"audience":…`.
fn put_place(out: &mut BytesMut, place: Place<'_>) -> Result<(), serde_json::Error> {
    out.put_slice(br#""conversation":"#);
    put_json_str(out, place.conv.as_str());
    out.put_slice(br#","seq":"#);
    put_small(out, &place.seq)?;
    out.put_slice(br#","at":"#);
    put_small(out, &place.at)?;
    out.put_slice(br#","audience":"#);
    put_small(out, &place.audience)
}

/// A [`ChatMessage`] as its derived `Serialize` writes it: fields in declaration order, the
/// optional ones left out when absent.
fn put_message(out: &mut BytesMut, message: &ChatMessage) -> Result<(), serde_json::Error> {
    out.put_slice(br#"{"id":"#);
    put_json_str(out, message.id.as_str());
    out.put_slice(br#","role":"#);
    put_small(out, &message.role)?;
    if let Some(agent) = &message.agent {
        out.put_slice(br#","agent":"#);
        put_small(out, agent)?;
    }
    out.put_slice(br#","parts":["#);
    for (i, part) in message.parts.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        match part {
            Part::RichText { rich_text } => {
                out.put_slice(br#"{"richText":"#);
                put_json_str(out, rich_text);
                out.put_u8(b'}');
            }
            other => put_small(out, other)?,
        }
    }
    out.put_slice(br#"],"at":"#);
    put_small(out, &message.at)?;
    if let Some(request) = &message.request {
        out.put_slice(br#","request":"#);
        put_json_str(out, request.as_str());
    }
    if let Some(translation) = &message.translation {
        out.put_slice(br#","translation":"#);
        put_small(out, translation)?;
    }
    out.put_u8(b'}');
    Ok(())
}

/// A value `serde_json` writes, at the end of `out`.
fn put_small<T: Serialize + ?Sized>(
    out: &mut BytesMut,
    value: &T,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out.writer(), value)
}

/// `text` as a JSON string, escaped as `serde_json` escapes it: `"` and `\` with a backslash,
/// the control characters below U+0020 as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00XX` (lowercase
/// hex), everything else as it is.
pub(super) fn put_json_str(out: &mut BytesMut, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.put_u8(b'"');
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !needs_escape(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        let escape: &[u8] = match b {
            b'"' => br#"\""#,
            b'\\' => br"\\",
            0x08 => br"\b",
            b'\t' => br"\t",
            b'\n' => br"\n",
            0x0C => br"\f",
            b'\r' => br"\r",
            0x00..=0x1F => {
                out.put_slice(&bytes[run..i - 1]);
                out.put_slice(br"\u00");
                out.put_u8(HEX[usize::from(b >> 4)]);
                out.put_u8(HEX[usize::from(b & 0xF)]);
                run = i;
                continue;
            }
            _ => continue,
        };
        out.put_slice(&bytes[run..i - 1]);
        out.put_slice(escape);
        run = i;
    }
    out.put_slice(&bytes[run..]);
    out.put_u8(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether any of the eight bytes of `word` is below 0x20, a `"` or a `\` (it may say yes for
/// a word that needs none: the bytes are then looked at one by one).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS != 0;
    below_space
        || has_zero(word ^ (ONES * u64::from(b'"')))
        || has_zero(word ^ (ONES * u64::from(b'\\')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{
        AgentInfo, Button, ButtonAction, ButtonState, ButtonStyle, ConversationEvent, MessageId,
        RequestId, Role, ServerMsg, Translation,
    };
    use proptest::prelude::*;

    fn written(text: &str) -> String {
        let mut out = BytesMut::new();
        put_json_str(&mut out, text);
        String::from_utf8(out.to_vec()).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [
            "",
            "plain",
            "exactly8",
            "\"quoted\" \\ back",
            &every_ascii,
            "é \u{2028} \u{7f} 😀 <p>a&amp;b</p>\u{0}\u{1f}",
        ] {
            assert_eq!(
                written(text),
                serde_json::to_string(text).expect("a string")
            );
        }
    }

    fn message(text: &str, agent: bool, request: bool, translated: bool) -> ChatMessage {
        ChatMessage {
            id: MessageId(format!("m-{}", text.len())),
            role: if agent { Role::Agent } else { Role::User },
            agent: agent.then(|| AgentInfo {
                name: text.chars().take(3).collect(),
                avatar: None,
                on_behalf: false,
            }),
            parts: vec![
                Part::RichText {
                    rich_text: crate::text::paragraph(text),
                },
                Part::Buttons {
                    buttons: vec![Button {
                        button_text: text.to_owned(),
                        style: ButtonStyle::Filled,
                        action: ButtonAction::StartAgentChat,
                        state: ButtonState::Active,
                    }],
                },
                Part::RichText {
                    rich_text: text.to_owned(),
                },
            ],
            at: 1_763_790_000_000,
            request: request.then(|| RequestId(text.to_owned())),
            translation: translated.then(|| {
                Box::new(Translation {
                    original: text.to_owned(),
                    from: Some("es".into()),
                    to: "en".into(),
                    error: None,
                })
            }),
        }
    }

    proptest! {
        #[test]
        fn strings_of_any_unicode_are_escaped_as_serde_json_escapes_them(text in any::<String>()) {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).expect("a string"));
        }

        #[test]
        fn a_message_event_is_the_frame_serde_writes(
            text in any::<String>(),
            conv in any::<String>(),
            flags in any::<(bool, bool, bool)>(),
            seq in any::<u64>(),
        ) {
            let (agent, request, translated) = flags;
            let message = message(&text, agent, request, translated);
            let conversation = ConversationId(conv);
            let mut out = BytesMut::new();
            let place = Place { conv: &conversation, seq, at: 7, audience: Audience::Both };
            put_message_event(&mut out, place, &message).expect("writes");
            let by_serde = super::super::encode(&ServerMsg::Event {
                conversation,
                seq,
                at: 7,
                audience: Audience::Both,
                event: ConversationEvent::Message { message },
            });
            prop_assert_eq!(std::str::from_utf8(&out).expect("UTF-8"), by_serde.as_str());
        }

        #[test]
        fn a_said_ack_is_the_frame_serde_writes(
            text in any::<String>(),
            conv in any::<String>(),
            seq in any::<u64>(),
            at in any::<u64>(),
        ) {
            let mut message = message(&text, false, true, false);
            message.parts.truncate(1);
            let conversation = ConversationId(conv);
            let request = message.request.clone().expect("a request");
            let mut out = BytesMut::new();
            let place = Place { conv: &conversation, seq, at, audience: Audience::User };
            put_said_ack(&mut out, place, &message, &request).expect("writes");
            let said = crate::protocol::Said::of(&conversation, seq, at, Audience::User, &message);
            prop_assert!(said.is_some());
            let by_serde = super::super::encode(&ServerMsg::Ack { id: request, said });
            prop_assert_eq!(std::str::from_utf8(&out).expect("UTF-8"), by_serde.as_str());
        }
    }
}
