//! Channel handoff, shared by Slack, Teams, Google Chat and Webex: the request posted where
//! agents watch, fitted to each service's size limit, and the chat that tells the user when an
//! agent picks it up.
//!
//! A system supplies a [`ChannelApi`] (how to post in its channel); [`ChannelConnector`] does
//! the rest: it posts the request ([`Post`]: who, what, topic, routing context, a link back to
//! the user), opens the relayed chat ([`relay::Relay`]) and answers
//! [`Started::Posted`](super::Started::Posted). The acceptance comes back through the webhook
//! listener ([`accept`]): Slack's signed interactivity payload, or the signed acceptance hook
//! the other channels' automations call.

pub mod accept;
pub mod relay;
pub mod url;

pub use relay::{ChannelConnector, Relay, connect};
pub use url::UrlChannel;

use super::http::{Api, RetryPolicy};
use super::redact::Secret;
use super::{ConnectorError, HandoffRequest};
use async_trait::async_trait;

/// What ends a shortened text: the agent sees that something was cut.
pub const MARKER: &str = " … [shortened]";

/// What starts the reference line of every post: the broker's conversation id follows.
pub const REF_PREFIX: &str = "Ref: handoff:";

/// The longest reference kept (a conversation id is far shorter).
const MAX_REF_BYTES: usize = 200;

/// A service's size limit for a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most this many UTF-8 bytes.
    Bytes(usize),
    /// At most this many characters (Unicode scalar values).
    Chars(usize),
}

impl Limit {
    fn measure(self, text: &str) -> usize {
        match self {
            Self::Bytes(_) => text.len(),
            Self::Chars(_) => text.chars().count(),
        }
    }

    fn max(self) -> usize {
        match self {
            Self::Bytes(n) | Self::Chars(n) => n,
        }
    }
}

/// `text` within `limit`: unchanged when it fits, else cut at a character boundary and ended
/// with [`MARKER`] (the whole within the limit), so the service never refuses it as too long.
pub fn shorten(text: &str, limit: Limit) -> String {
    if limit.measure(text) <= limit.max() {
        return text.to_owned();
    }
    let marked = limit.measure(MARKER) <= limit.max();
    let room = if marked {
        limit.max() - limit.measure(MARKER)
    } else {
        limit.max()
    };
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        let size = match limit {
            Limit::Bytes(_) => c.len_utf8(),
            Limit::Chars(_) => 1,
        };
        if used + size > room {
            break;
        }
        used += size;
        end = at + c.len_utf8();
    }
    if !marked {
        // No room even for the marker: the cut text alone.
        return text[..end].to_owned();
    }
    format!("{}{MARKER}", &text[..end])
}

/// How a service marks text up.
#[derive(Debug, Clone, Copy)]
pub struct Markup {
    /// Bold, e.g. `*x*` (Slack, Google Chat) or `**x**` (Teams, Webex).
    pub bold: &'static str,
    /// Escapes foreign text for the service (Slack: `&`, `<`, `>`).
    pub escape: fn(&str) -> String,
}

impl Markup {
    /// Markdown's bold, foreign text as is.
    pub const MARKDOWN: Self = Self {
        bold: "**",
        escape: str::to_owned,
    };
}

/// What is posted in the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The broker's conversation.
    pub conversation: String,
    /// The request, or a later message in its thread.
    pub kind: PostKind,
}

/// A new request or a follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostKind {
    /// A user asks for an agent.
    Request {
        /// The user's name, with the email when known.
        user: String,
        /// The user's own words.
        utterance: String,
        /// The topic the assistant derived.
        topic: String,
        /// Routing context (`queue`, `language`, ...), sorted by key.
        context: Vec<(String, String)>,
        /// Where the agent reaches the user (`mailto:`), when known.
        link_back: Option<String>,
    },
    /// The user said more in the chat, or left it.
    FollowUp {
        /// Who.
        user: String,
        /// What.
        text: String,
    },
}

impl Post {
    /// The request `request` as a post.
    pub fn request(request: &HandoffRequest) -> Self {
        let email = request.user.email.clone().filter(|e| !e.is_empty());
        let user = match &email {
            Some(email) => format!("{} <{email}>", request.user.name),
            None => request.user.name.clone(),
        };
        Self {
            conversation: request.conversation.0.clone(),
            kind: PostKind::Request {
                user,
                utterance: request.title.clone(),
                topic: request.topic.clone(),
                context: request
                    .context
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                link_back: email.map(|e| format!("mailto:{e}")),
            },
        }
    }

    /// Whether this is a new request (which carries the accept button).
    pub fn is_request(&self) -> bool {
        matches!(self.kind, PostKind::Request { .. })
    }

    /// The reference line, which ends every post (never shortened away).
    pub fn reference(&self) -> String {
        let line = format!("{REF_PREFIX}{}", self.conversation);
        shorten(&line, Limit::Bytes(MAX_REF_BYTES))
    }

    /// The post as `markup` text within `limit`, the reference line included.
    pub fn render(&self, markup: Markup, limit: Limit) -> String {
        let reference = format!("\n{}", self.reference());
        let body = self.body(markup);
        let room = limit.max().saturating_sub(limit.measure(&reference));
        let body = match limit {
            Limit::Bytes(_) => shorten(&body, Limit::Bytes(room)),
            Limit::Chars(_) => shorten(&body, Limit::Chars(room)),
        };
        format!("{body}{reference}")
    }

    fn body(&self, markup: Markup) -> String {
        let b = markup.bold;
        let esc = markup.escape;
        match &self.kind {
            PostKind::Request {
                user,
                utterance,
                topic,
                context,
                link_back,
            } => {
                let mut lines = vec![
                    format!("{b}Live agent request{b}"),
                    format!("{b}User:{b} {}", esc(user)),
                    format!("{b}Topic:{b} {}", esc(topic)),
                ];
                for (key, value) in context {
                    lines.push(format!("{b}{}:{b} {}", esc(key), esc(value)));
                }
                if let Some(link) = link_back {
                    lines.push(format!("{b}Reach the user:{b} {}", esc(link)));
                }
                lines.push(format!("{b}Request:{b} {}", esc(utterance)));
                lines.join("\n")
            }
            PostKind::FollowUp { user, text } => format!("{b}{}:{b} {}", esc(user), esc(text)),
        }
    }
}

/// The conversation a post's text refers to: what follows [`REF_PREFIX`] on its last line.
pub fn reference_in(text: &str) -> Option<&str> {
    let line = text.lines().last()?;
    let id = line.strip_prefix(REF_PREFIX)?;
    (!id.is_empty()).then_some(id)
}

/// How one service posts in its channel.
#[async_trait]
pub trait ChannelApi: Send + Sync {
    /// Posts; returns the thread later posts of the conversation go to, when the service has
    /// threads.
    async fn post(&self, to: Posting<'_>) -> Result<Option<String>, ConnectorError>;
}

/// One post to make.
#[derive(Debug, Clone, Copy)]
pub struct Posting<'a> {
    /// The HTTP handle to post with.
    pub http: &'a Api,
    /// What to post.
    pub post: &'a Post,
    /// What an earlier post of the conversation returned.
    pub thread: Option<&'a str>,
}

/// A channel service: its name and how its acceptances are signed and read.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// The service, as the user is told, e.g. "Slack".
    pub name: &'static str,
    /// How acceptances are signed.
    pub scheme: accept::Scheme,
    /// How acceptances are read.
    pub parse: accept::ParseFn,
}

impl Service {
    /// A service whose acceptances come through the acceptance hook.
    pub const fn hooked(name: &'static str) -> Self {
        Self {
            name,
            scheme: accept::Scheme::HANDOFF,
            parse: accept::parse_hook,
        }
    }
}

/// What every channel connector is configured with, besides where it posts.
#[derive(Debug, Clone)]
pub struct Common {
    /// The channel as the user is told, e.g. `#it-help` ("Slack #it-help").
    pub channel_name: String,
    /// The secret acceptances are signed with; `None`: no acceptance comes back, so no chat
    /// is relayed and the agent reaches the user directly.
    pub accept_secret: Option<Secret>,
    /// Retries and timeouts.
    pub retry: RetryPolicy,
}

/// Builds a JSON body with the largest text budget under which it serializes within
/// `max_bytes` (escapes can grow a text), starting from `budget`.
pub fn fit_json(
    max_bytes: usize,
    mut budget: usize,
    build: impl Fn(usize) -> serde_json::Value,
) -> serde_json::Value {
    // Each round removes at least the overflow; four rounds settle any realistic body.
    for _ in 0..8 {
        let body = build(budget);
        let size = body.to_string().len();
        if size <= max_bytes || budget == 0 {
            return body;
        }
        budget = budget.saturating_sub((size - max_bytes).max(budget / 8));
    }
    build(0)
}

#[cfg(test)]
mod tests;
