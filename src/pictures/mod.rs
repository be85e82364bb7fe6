//! Pictures of a stored conversation: a sequence of arrows between the user, the assistant,
//! the broker, the system and each agent, drawn as a mermaid `sequenceDiagram`
//! (`handoff transcript ID --format mermaid`) or as text for the terminal (`--format diagram`).

mod diagram;

pub use diagram::diagram;

use crate::protocol::{Audience, ChatMessage, ConversationEvent, Role};
use crate::store::StoredConversation;
use std::fmt::Write as _;

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

/// A message's text on one line, control characters removed.
fn one_line(m: &ChatMessage) -> String {
    let lines = crate::scenario::expect::part_lines(m, |buttons| {
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
        let mut seq = Self {
            participants: vec![
                crate::text::clean_text(&conversation.user.name, false).into_owned(),
                "assistant".into(),
                "broker".into(),
                "system".into(),
            ],
            items: Vec::new(),
        };
        let mut shown: Vec<(crate::protocol::MessageId, usize)> = Vec::new();
        let mut agent: Option<usize> = None;
        for e in &conversation.events {
            match (&e.event, e.audience) {
                (ConversationEvent::Message { message }, Audience::User | Audience::Both) => {
                    let item = seq.arrow(message, &mut agent);
                    match shown.iter().find(|(id, _)| *id == message.id) {
                        Some((_, at)) => seq.items[*at] = item,
                        None => {
                            shown.push((message.id.clone(), seq.items.len()));
                            seq.items.push(item);
                        }
                    }
                }
                (ConversationEvent::Message { .. }, Audience::Agent) => {}
                (ConversationEvent::State { state }, _) => {
                    if state.name() == "ended" {
                        agent = None;
                    }
                    seq.items.push(Item::Note {
                        over: BROKER,
                        text: state.name().into(),
                    });
                }
                (other, Audience::Agent) => {
                    seq.items.push(Item::Note {
                        over: SYSTEM,
                        text: other.kind().into(),
                    });
                }
                _ => {}
            }
        }
        seq
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
