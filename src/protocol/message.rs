//! Chat messages and their parts, in the shape of Purple Chat parts.

use super::Millis;
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The end user.
    User,
    /// The assistant (the bot).
    Assistant,
    /// A live agent; [`ChatMessage::agent`] says who.
    Agent,
    /// The contact-center system itself (no attribution).
    System,
}

/// The agent a message is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// The agent's display name, from their profile in the system.
    pub name: String,
    /// An avatar URL, when the system gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// True when the system sent it on the agent's behalf (an automated greeting).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_behalf: bool,
}

/// One message of the conversation. A later message with the same id replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Unique within the conversation.
    pub id: super::MessageId,
    /// Who wrote it.
    pub role: Role,
    /// For agent messages: who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentInfo>,
    /// The content, in order.
    pub parts: Vec<Part>,
    /// When it was first sent.
    pub at: Millis,
    /// For a user's message: the `say` request that sent it, so the sending client can replace
    /// its local echo exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<super::RequestId>,
    /// A live-chat message the broker translated (or tried to): the text as its author wrote
    /// it. An addition to version 1, present only when translation is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<Box<Translation>>,
}

/// How a message was translated: `parts` hold the translation, this the original; when
/// `error` is set, `parts` hold the original and `error` says why it went untranslated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// The text as its author wrote it, plain.
    pub original: String,
    /// The author's language, when known (ISO 639-1, e.g. `es`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The language translated into (or that was attempted).
    pub to: String,
    /// Why the message went through untranslated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ChatMessage {
    /// The buttons of the message, if it has any.
    pub fn buttons(&self) -> impl Iterator<Item = &Button> {
        self.parts.iter().flat_map(|p| match p {
            Part::Buttons { buttons } => buttons.as_slice(),
            _ => &[],
        })
    }
}

/// A part of a message. Rich text is a small HTML subset: `<p>`, `<br>`, `<strong>`/`<b>`,
/// `<em>`/`<i>`, `<a href>`, and entities such as `&nbsp;`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Part {
    /// Formatted text.
    RichText {
        /// The HTML.
        #[serde(rename = "richText")]
        rich_text: String,
    },
    /// Steps the assistant is taking, each with a status.
    ReasoningSteps {
        /// The steps, in order.
        #[serde(rename = "reasoningSteps")]
        reasoning_steps: Vec<ReasoningStep>,
    },
    /// Buttons the user can press.
    Buttons {
        /// The buttons, in order.
        buttons: Vec<Button>,
    },
    /// A file sent in a live chat: by the user (the bytes went to the system; clients see what
    /// it was) or by an agent (with a link to it when the system gives one).
    Attachment {
        /// The file.
        attachment: Attachment,
    },
}

/// A size for people, in powers of 1024: `812 B`, `12.3 KB`, `4.0 MB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(clippy::cast_precision_loss)] // a display figure; the rounding is the point
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

/// A file sent in a live chat, as both sides see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name, without any directory.
    pub name: String,
    /// The MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The size in bytes, when known (some systems do not tell of an agent's file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Where to download it: an agent's file, when the system gives a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Attachment {
    /// `application/pdf · 12.3 KB`, or the type alone when the size is unknown.
    pub fn details(&self) -> String {
        match self.size {
            Some(size) => format!("{} · {}", self.content_type, human_size(size)),
            None => self.content_type.clone(),
        }
    }
}

impl Part {
    /// A rich-text part.
    pub fn text(html: impl Into<String>) -> Self {
        Self::RichText {
            rich_text: html.into(),
        }
    }

    /// A part with one reasoning step.
    pub fn step(html: impl Into<String>, status: StepStatus) -> Self {
        Self::ReasoningSteps {
            reasoning_steps: vec![ReasoningStep {
                rich_text: html.into(),
                status,
            }],
        }
    }
}

/// A step the assistant takes, shown with a spinner while pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasoningStep {
    /// What the step does, as rich text.
    #[serde(rename = "richText")]
    pub rich_text: String,
    /// How it went.
    pub status: StepStatus,
}

/// The status of a reasoning step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Still running.
    Pending,
    /// Done.
    Success,
    /// Failed.
    Failure,
}

/// A button of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// The label.
    #[serde(rename = "buttonText")]
    pub button_text: String,
    /// Filled (the primary action) or outlined.
    pub style: ButtonStyle,
    /// What pressing it does; sent back in `press`.
    pub action: ButtonAction,
    /// Whether it can still be pressed.
    #[serde(default)]
    pub state: ButtonState,
}

/// The look of a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonStyle {
    /// The primary action.
    Filled,
    /// A secondary action.
    Outlined,
}

/// Whether a button can be pressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonState {
    /// Can be pressed.
    #[default]
    Active,
    /// Was pressed.
    Pressed,
    /// A newer message or a state change made it stale.
    Expired,
    /// Shown but not available (e.g. no agent is available).
    Disabled,
}

/// What a button does. Serialised as a string: `start_agent_chat`, `edit_details`,
/// `other_help`, `choice:<text>` or `open:<url>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ButtonAction {
    /// Enqueue the user for a live agent.
    StartAgentChat,
    /// Change the details of the request.
    EditDetails,
    /// Show self-service alternatives.
    OtherHelp,
    /// Answer a question with this choice.
    Choice(String),
    /// Open a link (self-service portals); the broker only records the press.
    Open(String),
}

impl ButtonAction {
    fn as_wire(&self) -> String {
        match self {
            Self::StartAgentChat => "start_agent_chat".into(),
            Self::EditDetails => "edit_details".into(),
            Self::OtherHelp => "other_help".into(),
            Self::Choice(c) => format!("choice:{c}"),
            Self::Open(u) => format!("open:{u}"),
        }
    }

    fn from_wire(s: &str) -> Option<Self> {
        Some(match s {
            "start_agent_chat" => Self::StartAgentChat,
            "edit_details" => Self::EditDetails,
            "other_help" => Self::OtherHelp,
            _ => {
                if let Some(c) = s.strip_prefix("choice:") {
                    Self::Choice(c.to_owned())
                } else if let Some(u) = s.strip_prefix("open:") {
                    Self::Open(u.to_owned())
                } else {
                    return None;
                }
            }
        })
    }
}

impl Serialize for ButtonAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_wire())
    }
}

impl<'de> Deserialize<'de> for ButtonAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_wire(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown button action {s:?} (expected start_agent_chat, edit_details, \
                 other_help, choice:<text> or open:<url>)"
            ))
        })
    }
}
