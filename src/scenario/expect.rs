//! Expectations over what an actor has seen: pure functions of its log and a cursor, so the
//! runner only reads more and asks again. Each answers `Ok(next cursor)` once met, or
//! `Err(what was seen)` while not (the runner reports the last one when it gives up).

use super::TextMatch;
use crate::protocol::{ChatMessage, ConversationEvent, MessageId, Role, ServerMsg};
use std::collections::{BTreeMap, HashSet};

/// Who is looking: their own messages are not "seen" as the next message.
pub struct Viewer<'a> {
    /// `user`, an agent's name, or an observer's.
    pub name: &'a str,
    /// True for the user actor.
    pub is_user: bool,
}

impl Viewer<'_> {
    /// Whether the viewer wrote `m` (so it is not something they were shown).
    pub fn wrote(&self, m: &ChatMessage) -> bool {
        if self.is_user {
            return m.role == Role::User;
        }
        m.role == Role::Agent && m.agent.as_ref().is_some_and(|a| a.name == self.name)
    }
}

fn event(msg: &ServerMsg) -> Option<&ConversationEvent> {
    match msg {
        ServerMsg::Event { event, .. } => Some(event),
        _ => None,
    }
}

fn message(msg: &ServerMsg) -> Option<&ChatMessage> {
    match event(msg)? {
        ConversationEvent::Message { message } => Some(message),
        _ => None,
    }
}

/// A message as one plain text: its reasoning steps, texts and files, a line each, with runs
/// of white space (non-breaking spaces too) made one space.
pub fn plain(m: &ChatMessage) -> String {
    part_lines(m, |_| None)
        .iter()
        .map(|l| squeeze(l))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub use crate::pictures::part_lines;

/// Runs of white space as one space, trimmed.
pub fn squeeze(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl TextMatch {
    /// What a `see` step with these keys expects (the parser lets exactly one through).
    pub fn of(
        equals: Option<&String>,
        contains: Option<&String>,
        matches: Option<&String>,
    ) -> Self {
        match (equals, contains, matches) {
            (Some(t), ..) => Self::Equals(t.clone()),
            (None, Some(t), _) => Self::Contains(t.clone()),
            (None, None, t) => Self::Matches(t.cloned().unwrap_or_default()),
        }
    }

    /// Whether `text` (plain, squeezed) matches; regular expressions were checked on parsing.
    pub fn accepts(&self, text: &str) -> bool {
        match self {
            // White space is not the point: line breaks and runs of spaces compare as one space.
            Self::Equals(want) => squeeze(want) == squeeze(text),
            Self::Contains(want) => squeeze(text).contains(&squeeze(want)),
            Self::Matches(re) => regex::Regex::new(re).is_ok_and(|re| re.is_match(text)),
        }
    }
}

impl std::fmt::Display for TextMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Equals(t) => write!(f, "a message equal to {t:?}"),
            Self::Contains(t) => write!(f, "a message containing {t:?}"),
            Self::Matches(t) => write!(f, "a message matching /{t}/"),
        }
    }
}

/// The next message from someone else after `cursor` matches `want` (in any version of it:
/// a message may be replaced as its reasoning steps finish). A system's own notices (role
/// `system`: a join, a queue notice, each in the system's wording) are passed over unless one
/// is what `want` expects, so a scenario reads the same on every system.
pub fn next_message(
    log: &[ServerMsg],
    cursor: usize,
    viewer: &Viewer,
    want: &TextMatch,
) -> Result<usize, String> {
    let before: HashSet<&MessageId> = log[..cursor.min(log.len())]
        .iter()
        .filter_map(message)
        .map(|m| &m.id)
        .collect();
    let mut passed: HashSet<&MessageId> = HashSet::new();
    let candidates = log
        .iter()
        .enumerate()
        .skip(cursor)
        .filter_map(|(i, msg)| message(msg).map(|m| (i, m)))
        .filter(|(_, m)| !viewer.wrote(m) && !before.contains(&m.id));
    for (first, m) in candidates {
        if !passed.insert(&m.id) {
            continue;
        }
        let versions: Vec<String> = log[first..]
            .iter()
            .filter_map(message)
            .filter(|v| v.id == m.id)
            .map(plain)
            .collect();
        if versions.iter().any(|text| want.accepts(text)) {
            return Ok(first + 1);
        }
        if m.role != Role::System {
            return Err(format!(
                "{:?}",
                versions.last().cloned().unwrap_or_default()
            ));
        }
    }
    Err("no new message".into())
}

/// Whether any message from someone else reached the viewer after `from`.
/// A system's own notices do not count, as `see` passes over them (they come in each system's
/// wording and time).
pub fn any_message(log: &[ServerMsg], from: usize, viewer: &Viewer) -> Option<String> {
    log.iter()
        .skip(from)
        .filter_map(message)
        .find(|m| !viewer.wrote(m) && m.role != Role::System)
        .map(plain)
}

/// The latest message offering buttons offers `labels` in order, and exactly `enabled` of them
/// can be pressed.
pub fn buttons(
    log: &[ServerMsg],
    labels: &[String],
    enabled: Option<&[String]>,
) -> Result<(), String> {
    let mut latest: BTreeMap<&MessageId, &ChatMessage> = BTreeMap::new();
    let mut order: Vec<&MessageId> = Vec::new();
    for m in log.iter().filter_map(message) {
        if latest.insert(&m.id, m).is_none() {
            order.push(&m.id);
        }
    }
    let Some(m) = order
        .iter()
        .rev()
        .map(|id| latest[id])
        .find(|m| m.buttons().next().is_some())
    else {
        return Err("no message with buttons".into());
    };
    let shown: Vec<&str> = m.buttons().map(|b| b.button_text.as_str()).collect();
    let active: Vec<&str> = m
        .buttons()
        .filter(|b| b.state == crate::protocol::ButtonState::Active)
        .map(|b| b.button_text.as_str())
        .collect();
    let labels_ok = shown == labels;
    let enabled_ok = enabled.is_none_or(|e| active == e);
    if labels_ok && enabled_ok {
        Ok(())
    } else {
        Err(format!(
            "buttons {shown:?}, of which {active:?} can be pressed"
        ))
    }
}

/// Whether `value` (an event or a state as JSON) has each field, by dotted path, as text.
fn has_fields(value: &serde_json::Value, fields: &BTreeMap<String, String>) -> bool {
    fields.iter().all(|(path, want)| {
        let got = path.split('.').try_fold(value, |v, key| v.get(key));
        match got {
            Some(serde_json::Value::String(s)) => s == want,
            Some(other) => {
                let text = other.to_string();
                text == *want
            }
            None => false,
        }
    })
}

/// The conversation reaches the state tagged `is` with `fields`, after `cursor`.
pub fn state(
    log: &[ServerMsg],
    cursor: usize,
    is: &str,
    fields: &BTreeMap<String, String>,
) -> Result<usize, String> {
    let mut seen = Vec::new();
    for (i, msg) in log.iter().enumerate().skip(cursor) {
        if let Some(ConversationEvent::State { state }) = event(msg) {
            let json = serde_json::to_value(state).unwrap_or_default();
            if json.get("state").and_then(|s| s.as_str()) == Some(is) && has_fields(&json, fields) {
                return Ok(i + 1);
            }
            seen.push(json.to_string());
        }
    }
    Err(if seen.is_empty() {
        "no state change".into()
    } else {
        seen.join(", then ")
    })
}

/// An event of `kind` with `fields`, after `cursor`.
pub fn event_of(
    log: &[ServerMsg],
    cursor: usize,
    kind: &str,
    fields: &BTreeMap<String, String>,
) -> Result<usize, String> {
    let mut seen = Vec::new();
    for (i, msg) in log.iter().enumerate().skip(cursor) {
        if let Some(e) = event(msg) {
            let json = serde_json::to_value(e).unwrap_or_default();
            if e.kind() == kind && has_fields(&json, fields) {
                return Ok(i + 1);
            }
            seen.push(e.kind());
        }
    }
    Err(if seen.is_empty() {
        "no event".into()
    } else {
        format!("events {}", seen.join(", "))
    })
}

/// What a `request` step expects of the next request.
pub struct RequestWant<'a> {
    pub title: Option<&'a str>,
    pub context: &'a BTreeMap<String, String>,
    pub history_contains: Option<&'a str>,
    pub history_max_bytes: Option<usize>,
}

impl<'a> RequestWant<'a> {
    /// What a `request` step with these keys expects.
    pub fn new(
        title: Option<&'a str>,
        context: &'a BTreeMap<String, String>,
        history_contains: Option<&'a str>,
        history_max_bytes: Option<usize>,
    ) -> Self {
        Self {
            title,
            context,
            history_contains,
            history_max_bytes,
        }
    }
}

/// The next request the agent sees after `cursor` is as wanted.
pub fn request(log: &[ServerMsg], cursor: usize, want: &RequestWant) -> Result<usize, String> {
    let Some((i, title, context, history)) =
        log.iter()
            .enumerate()
            .skip(cursor)
            .find_map(|(i, msg)| match event(msg) {
                Some(ConversationEvent::Request {
                    title,
                    context,
                    history,
                    ..
                }) => Some((i, title, context, history)),
                _ => None,
            })
    else {
        return Err("no request".into());
    };
    let ok = want.title.is_none_or(|t| t == title)
        && want.context.iter().all(|(k, v)| context.get(k) == Some(v))
        && want.history_contains.is_none_or(|h| history.contains(h))
        && want
            .history_max_bytes
            .is_none_or(|max| history.len() <= max);
    if ok {
        Ok(i + 1)
    } else {
        Err(format!(
            "a request titled {title:?} with context {context:?} and a history of {} bytes",
            history.len()
        ))
    }
}

/// One line about a message, for the last events of a failure's report.
pub fn describe(msg: &ServerMsg) -> String {
    let cut = |s: String| {
        if s.chars().count() > 100 {
            format!("{}…", s.chars().take(100).collect::<String>())
        } else {
            s
        }
    };
    match msg {
        ServerMsg::Event { seq, event, .. } => match event {
            ConversationEvent::Message { message } => {
                let who = match (&message.role, &message.agent) {
                    (Role::Agent, Some(a)) => a.name.clone(),
                    (role, _) => format!("{role:?}").to_lowercase(),
                };
                cut(format!("#{seq} message from {who}: {:?}", plain(message)))
            }
            other => cut(format!(
                "#{seq} {}",
                serde_json::to_string(other).unwrap_or_default()
            )),
        },
        other => cut(serde_json::to_string(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Audience, ConversationId, Part};

    fn said(id: &str, role: Role, text: &str) -> ServerMsg {
        ServerMsg::Event {
            conversation: ConversationId::from("c-1"),
            seq: 1,
            at: 0,
            audience: Audience::Both,
            event: ConversationEvent::Message {
                message: ChatMessage {
                    id: MessageId::from(id),
                    role,
                    agent: None,
                    parts: vec![Part::text(text)],
                    at: 0,
                    request: None,
                    translation: None,
                },
            },
        }
    }

    const USER: Viewer<'static> = Viewer {
        name: "user",
        is_user: true,
    };

    fn equals(text: &str) -> TextMatch {
        TextMatch::Equals(text.into())
    }

    #[test]
    fn a_systems_own_notice_before_the_expected_message_is_passed_over() {
        let log = [
            said("m-1", Role::System, "A live agent has entered the chat"),
            said("m-2", Role::Agent, "Which VPN client do you use?"),
        ];
        let want = equals("Which VPN client do you use?");
        assert_eq!(next_message(&log, 0, &USER, &want), Ok(2));
    }

    #[test]
    fn a_systems_notice_is_met_when_it_is_what_the_step_expects() {
        let log = [said("m-1", Role::System, "Sam joined the chat")];
        assert_eq!(
            next_message(&log, 0, &USER, &equals("Sam joined the chat")),
            Ok(1)
        );
    }

    #[test]
    fn a_systems_notice_does_not_break_a_quiet_but_a_message_does() {
        let notice = said("m-1", Role::System, "You are now in the queue.");
        assert_eq!(any_message(std::slice::from_ref(&notice), 0, &USER), None);
        let log = [notice, said("m-2", Role::User, "are you there")];
        let lisa = Viewer {
            name: "Lisa",
            is_user: false,
        };
        assert_eq!(
            any_message(&log, 0, &lisa).as_deref(),
            Some("are you there")
        );
    }

    #[test]
    fn another_speakers_message_is_not_passed_over() {
        let log = [
            said("m-1", Role::Agent, "Hello"),
            said("m-2", Role::Agent, "Which VPN client do you use?"),
        ];
        let want = equals("Which VPN client do you use?");
        assert_eq!(next_message(&log, 0, &USER, &want), Err("\"Hello\"".into()));
    }
}
