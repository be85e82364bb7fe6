//! A stored conversation as people read it: plain text, or the Purple Chat format of the seed
//! conversations (JSON, or a link that opens it), showing what the user saw. Exports are masked
//! again ([`crate::pii`]), so a store written before masking existed exports none either.

use super::StoredConversation;
use crate::protocol::{
    Audience, ButtonState, ChatMessage, ConversationEvent, Millis, Part, Role, StepStatus,
};
use crate::text::{clean_text, escape, to_plain_raw};
use serde_json::{Value, json};
use std::borrow::Cow;

/// Where a Purple Chat link opens.
pub const PURPLE_CHAT_URL: &str =
    "https://developer.moveworks.com/creator-studio/developer-tools/purple-chat/";

/// The messages the user saw, each in its latest version, in order of first appearance.
fn user_messages(conversation: &StoredConversation) -> Vec<ChatMessage> {
    let mut messages: Vec<ChatMessage> = Vec::new();
    for e in &conversation.events {
        if let (ConversationEvent::Message { message }, Audience::User | Audience::Both) =
            (&e.event, e.audience)
        {
            match messages.iter_mut().find(|m| m.id == message.id) {
                Some(m) => *m = message.clone(),
                None => messages.push(message.clone()),
            }
        }
    }
    messages
}

fn clock(at: Millis) -> String {
    i64::try_from(at)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or_else(
            || "--:--:--".to_owned(),
            |t| t.strftime("%H:%M:%S").to_string(),
        )
}

/// The conversation as plain text, one line per paragraph, times in UTC: first the handoff's
/// states and the desk's events, then what the user saw.
pub fn text(conversation: &StoredConversation) -> String {
    let mut lines = vec![format!(
        "Conversation {} with {}",
        conversation.id, conversation.user.name
    )];
    for e in &conversation.events {
        match &e.event {
            ConversationEvent::State { state } => {
                lines.push(format!("{}  -- {}", clock(e.at), state.name()));
            }
            ConversationEvent::Message { .. } => {}
            other if e.audience == Audience::Agent => {
                lines.push(format!("{}  -- desk: {}", clock(e.at), other.kind()));
            }
            _ => {}
        }
    }
    lines.push(String::new());
    for m in user_messages(conversation) {
        let who = match (m.role, &m.agent) {
            (Role::User, _) => conversation.user.name.clone(),
            (Role::Agent, Some(agent)) => format!("{} said", agent.name),
            (Role::Agent, None) => "Agent".into(),
            (Role::Assistant, _) => "Assistant".into(),
            (Role::System, _) => "System".into(),
        };
        let at = clock(m.at);
        for part in &m.parts {
            match part {
                Part::RichText { rich_text } => {
                    lines.push(format!(
                        "{at} {who}: {}",
                        to_plain_raw(rich_text).replace('\n', " / ")
                    ));
                }
                Part::ReasoningSteps { reasoning_steps } => {
                    for s in reasoning_steps {
                        let mark = match s.status {
                            StepStatus::Pending => "…",
                            StepStatus::Success => "✓",
                            StepStatus::Failure => "✗",
                        };
                        lines.push(format!("{at} {who}: {mark} {}", to_plain_raw(&s.rich_text)));
                    }
                }
                Part::Buttons { buttons } => {
                    let labels: Vec<String> = buttons
                        .iter()
                        .map(|b| match b.state {
                            ButtonState::Pressed => format!("[{}] (pressed)", b.button_text),
                            _ => format!("[{}]", b.button_text),
                        })
                        .collect();
                    lines.push(format!("{at} {who}: {}", labels.join(" ")));
                }
                Part::Attachment { attachment } => {
                    lines.push(format!("{at} {who}: [file] {}", file_label(attachment)));
                }
            }
        }
    }
    lines.push(String::new());
    crate::pii::mask(&lines.join("\n")).into_owned()
}

/// `report.pdf (application/pdf, 12.3 KB)`.
fn file_label(attachment: &crate::protocol::Attachment) -> String {
    let details = attachment.details().replace(" · ", ", ");
    match &attachment.url {
        Some(url) => format!("{} ({details}) {url}", attachment.name),
        None => format!("{} ({details})", attachment.name),
    }
}

/// The conversation in the Purple Chat format: `{"messages": [{"role", "parts"}]}`, agent and
/// system messages shown as the assistant's, agents named as in the seeds ("Lisa said:").
pub fn purple(conversation: &StoredConversation) -> Value {
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for m in user_messages(conversation) {
        let role = if m.role == Role::User {
            "user"
        } else {
            "assistant"
        };
        let parts: Vec<Value> = m
            .parts
            .iter()
            .map(|p| match p {
                Part::RichText { rich_text } => match (&m.role, &m.agent) {
                    (Role::Agent, Some(agent)) => json!({"richText": format!("<p><strong>{} said:</strong></p>\n{rich_text}", escape(&agent.name))}),
                    _ => json!({"richText": rich_text}),
                },
                Part::ReasoningSteps { reasoning_steps } => json!({"reasoningSteps": reasoning_steps}),
                Part::Buttons { buttons } => json!({"buttons": buttons.iter().map(|b| json!({"buttonText": b.button_text, "style": b.style})).collect::<Vec<_>>()}),
                // Purple Chat has no file part; a paragraph keeps the transcript readable there.
                Part::Attachment { attachment } => json!({"richText": format!("<p>📎 {}</p>", escape(&file_label(attachment)))}),
            })
            .collect();
        match turns.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(parts),
            _ => turns.push((role, parts)),
        }
    }
    let mut value = json!({"messages": turns.into_iter().map(|(role, parts)| json!({"role": role, "parts": parts})).collect::<Vec<_>>()});
    super::masked::mask_json(&mut value);
    value
}

/// A link that opens the conversation in Purple Chat.
pub fn purple_link(conversation: &StoredConversation) -> String {
    purple_link_for_terminal(conversation, true)
}

/// `text` made safe for a terminal: escape sequences (OSC 0 titles, OSC 52 clipboard writes,
/// CSI), C0 and C1 controls and bidirectional overrides removed, newlines kept. As it is when
/// `raw`.
pub fn for_terminal(text: &str, raw: bool) -> Cow<'_, str> {
    if raw {
        Cow::Borrowed(text)
    } else {
        clean_text(text, true)
    }
}

/// `value` with every string in it made safe for a terminal (see [`for_terminal`]), so the
/// JSON printed stays valid and inert. As it is when `raw`.
pub fn json_for_terminal(mut value: Value, raw: bool) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(clean) = clean_text(s, true) {
                    *s = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    if !raw {
        walk(&mut value);
    }
    value
}

/// A link that opens the conversation in Purple Chat, its texts made safe for a terminal
/// unless `raw`.
pub fn purple_link_for_terminal(conversation: &StoredConversation, raw: bool) -> String {
    let json = json_for_terminal(purple(conversation), raw).to_string();
    let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
    format!("{PURPLE_CHAT_URL}?conversation={encoded}")
}
