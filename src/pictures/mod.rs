//! Pictures of a conversation: a sequence of arrows between the user, the assistant, the
//! broker, the system and each agent, drawn as a mermaid `sequenceDiagram`
//! (`handoff transcript ID --format mermaid`, and a failed scenario's `handoff run --mermaid`)
//! or as text for the terminal (`--format diagram`). When the connector's calls were kept
//! (a scenario run watches them), each is a note over the system, in the order it happened.

mod calls;
mod diagram;

pub use calls::{MAX_CALL_NOTES, call_note};
pub use diagram::diagram;

use crate::protocol::{Audience, CallTrace, ChatMessage, ConversationEvent, MessageId, Part, Role};
use crate::store::StoredConversation;
use crate::text::to_plain;
use std::fmt::Write as _;

/// One thing a picture is drawn from, in the order it happened.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// An event of the conversation, for whom it was.
    Event(Audience, &'a ConversationEvent),
    /// A call of the connector to its system.
    Call(&'a CallTrace),
}

/// One thing that happens in the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A message from one participant to another (indices into the participants).
    Arrow {
        /// Who sends.
        from: usize,
        /// Who receives.
        to: usize,
        /// What, on one line.
        text: String,
    },
    /// A state or desk event, noted over one participant.
    Note {
        /// Over whom.
        over: usize,
        /// What.
        text: String,
    },
}

/// The participants (the user, `assistant`, `broker`, `system`, then each agent) and the items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    /// Their names, in column order.
    pub participants: Vec<String>,
    /// What happens, in order.
    pub items: Vec<Item>,
}

const ASSISTANT: usize = 1;
const BROKER: usize = 2;
const SYSTEM: usize = 3;

/// Where a log's walk is: the messages drawn (and where), the agent in the chat, the calls.
#[derive(Default)]
struct Walk {
    shown: Vec<(MessageId, usize)>,
    agent: Option<usize>,
    calls: usize,
    more_calls: usize,
}

/// A message's parts as lines of plain text, in order: its texts and reasoning steps, its files
/// as `file: NAME`, and its buttons as `buttons` writes them (left out where it gives `None`).
/// The scenario checks and the pictures read messages through it alike.
pub fn part_lines(
    m: &ChatMessage,
    buttons: impl Fn(&[crate::protocol::Button]) -> Option<String>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for part in &m.parts {
        match part {
            Part::RichText { rich_text } => lines.push(to_plain(rich_text)),
            Part::ReasoningSteps { reasoning_steps } => {
                lines.extend(reasoning_steps.iter().map(|s| to_plain(&s.rich_text)));
            }
            Part::Attachment { attachment } => lines.push(format!("file: {}", attachment.name)),
            Part::Buttons { buttons: list } => lines.extend(buttons(list)),
        }
    }
    lines
}

/// A message's text on one line, control characters removed.
fn one_line(m: &ChatMessage) -> String {
    let lines = part_lines(m, |buttons| {
        let labels: Vec<String> = buttons
            .iter()
            .map(|b| format!("[{}]", b.button_text))
            .collect();
        Some(labels.join(" "))
    });
    let joined = lines.join(" / ");
    crate::text::clean_text(&joined, false)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Sequence {
    /// The picture of `conversation`: what the user saw as arrows (each message once, as last
    /// seen), the handoff's states as notes over the broker, the desk's events over the system.
    pub fn of(conversation: &StoredConversation) -> Self {
        let log = conversation
            .events
            .iter()
            .map(|e| Seen::Event(e.audience, &e.event));
        Self::of_log(&conversation.user.name, log)
    }

    /// The picture of a log as `of` draws it, with each call as a note over the system: the
    /// first [`MAX_CALL_NOTES`] of them, then one note saying how many more there were.
    pub fn of_log<'a>(user: &str, log: impl IntoIterator<Item = Seen<'a>>) -> Self {
        let mut seq = Self {
            participants: vec![
                crate::text::clean_text(user, false).into_owned(),
                "assistant".into(),
                "broker".into(),
                "system".into(),
            ],
            items: Vec::new(),
        };
        let mut walk = Walk::default();
        for seen in log {
            match seen {
                Seen::Event(audience, event) => seq.event(audience, event, &mut walk),
                Seen::Call(call) if walk.calls < MAX_CALL_NOTES => {
                    walk.calls += 1;
                    seq.items.push(Item::Note {
                        over: SYSTEM,
                        text: call_note(call),
                    });
                }
                Seen::Call(_) => walk.more_calls += 1,
            }
        }
        if walk.more_calls > 0 {
            seq.items.push(Item::Note {
                over: SYSTEM,
                text: format!("… {} more calls", walk.more_calls),
            });
        }
        seq
    }

    fn event(&mut self, audience: Audience, event: &ConversationEvent, walk: &mut Walk) {
        match (event, audience) {
            (ConversationEvent::Message { message }, Audience::User | Audience::Both) => {
                let item = self.arrow(message, &mut walk.agent);
                match walk.shown.iter().find(|(id, _)| *id == message.id) {
                    Some((_, at)) => self.items[*at] = item,
                    None => {
                        walk.shown.push((message.id.clone(), self.items.len()));
                        self.items.push(item);
                    }
                }
            }
            (ConversationEvent::Message { .. }, Audience::Agent) => {}
            (ConversationEvent::State { state }, _) => {
                if state.name() == "ended" {
                    walk.agent = None;
                }
                self.items.push(Item::Note {
                    over: BROKER,
                    text: state.name().into(),
                });
            }
            (other, Audience::Agent) => {
                self.items.push(Item::Note {
                    over: SYSTEM,
                    text: other.kind().into(),
                });
            }
            _ => {}
        }
    }

    /// The column of agent `name`, added when new.
    fn agent(&mut self, name: &str) -> usize {
        let name = crate::text::clean_text(name, false).into_owned();
        match self
            .participants
            .iter()
            .skip(SYSTEM + 1)
            .position(|p| *p == name)
        {
            Some(i) => i + SYSTEM + 1,
            None => {
                self.participants.push(name);
                self.participants.len() - 1
            }
        }
    }

    /// The arrow of a message: the user speaks to the agent in the chat, else the assistant.
    fn arrow(&mut self, m: &ChatMessage, agent: &mut Option<usize>) -> Item {
        let text = one_line(m);
        let (from, to) = match m.role {
            Role::User => (0, agent.unwrap_or(ASSISTANT)),
            Role::Assistant => (ASSISTANT, 0),
            Role::System => (SYSTEM, 0),
            Role::Agent => {
                let column = self.agent(m.agent.as_ref().map_or("agent", |a| a.name.as_str()));
                *agent = Some(column);
                (column, 0)
            }
        };
        Item::Arrow { from, to, text }
    }
}

/// Text made safe inside a mermaid statement: `;` and `#` (statement and entity syntax), quotes,
/// angle brackets as mermaid's entity codes; line breaks as spaces.
pub fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ';' => out.push_str("#59;"),
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// The sequence as a mermaid `sequenceDiagram`, participants as `P0`, `P1`, ... with their
/// names as labels.
pub fn mermaid(seq: &Sequence) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for (i, p) in seq.participants.iter().enumerate() {
        let _ = writeln!(out, "    participant P{i} as {}", mermaid_escape(p));
    }
    for item in &seq.items {
        let _ = match item {
            Item::Arrow { from, to, text } => {
                writeln!(out, "    P{from}->>P{to}: {}", mermaid_escape(text))
            }
            Item::Note { over, text } => {
                writeln!(out, "    Note over P{over}: {}", mermaid_escape(text))
            }
        };
    }
    out
}

#[cfg(test)]
mod tests;
