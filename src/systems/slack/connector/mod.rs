//! The Slack connector: the request as a message with an Accept button, posted with
//! `chat.postMessage` (bot token) or to an incoming webhook; the button's signed
//! `block_actions` payload tells the user who picked it up. Slack answers HTTP 200 with
//! `{"ok": false, "error": name}` for most failures: the name is what the user is told.

pub mod wire;

use super::inferred;
use crate::connectors::ConnectorError;
use crate::connectors::channel::accept::{Acceptance, Scheme};
use crate::connectors::channel::{
    ChannelApi, ChannelConnector, Common, Limit, Markup, Post, Posting, Service, connect, shorten,
};
use crate::connectors::http::{Call, Method};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use async_trait::async_trait;
use std::sync::Arc;
use wire::{Block, Button, PostMessage, Text};

/// Where the connector posts.
#[derive(Debug, Clone)]
pub enum Target {
    /// `chat.postMessage` with a bot token.
    Api {
        /// The Web API base, e.g. `https://slack.com/api`.
        base: String,
        /// The bot token.
        token: Secret,
        /// The channel id.
        channel: String,
    },
    /// An incoming webhook (its URL is the secret); no threads.
    Webhook {
        /// The URL.
        url: Secret,
    },
}

/// Slack's half of the channel connector.
struct Slack {
    target: Target,
}

/// The webhook listener's route for the Accept button (the app's interactivity Request URL).
pub const ROUTE: &str = "slack";

/// Slack, its acceptances the Accept button's signed payloads.
pub const SERVICE: Service = Service {
    name: "Slack",
    scheme: Scheme::SLACK,
    parse: parse_interaction,
};

/// The Slack connector posting to `target`, its acceptances taken on `listener`.
pub fn connector(target: Target, common: Common, listener: &WebhookListener) -> ChannelConnector {
    let secrets = match &target {
        Target::Api { token, .. } => vec![token.clone()],
        Target::Webhook { url } => vec![url.clone()],
    };
    let slack = Arc::new(Slack { target });
    connect(&SERVICE, slack, secrets, common, (listener, ROUTE))
}

/// Slack's mrkdwn escapes: `&`, `<` and `>` only.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const MRKDWN: Markup = Markup { bold: "*", escape };

fn text(kind: &'static str, text: String) -> Text {
    Text { kind, text }
}

/// The message of `post`: one section within Slack's limit, and the Accept button on a request.
pub fn message<'a>(
    post: &Post,
    channel: Option<&'a str>,
    thread: Option<&'a str>,
) -> PostMessage<'a> {
    let body = post.render(MRKDWN, Limit::Chars(inferred::SECTION_MAX_CHARS));
    let mut blocks = vec![Block::Section {
        text: text("mrkdwn", body.clone()),
    }];
    if post.is_request() {
        blocks.push(Block::Actions {
            elements: vec![Button {
                kind: "button",
                text: text("plain_text", "Accept".into()),
                action_id: inferred::ACCEPT_ACTION,
                value: shorten(
                    &post.conversation,
                    Limit::Chars(inferred::BUTTON_VALUE_MAX_CHARS),
                ),
                style: "primary",
            }],
        });
    }
    PostMessage {
        channel,
        text: body,
        blocks,
        thread_ts: thread,
    }
}

#[async_trait]
impl ChannelApi for Slack {
    async fn post(&self, to: Posting<'_>) -> Result<Option<String>, ConnectorError> {
        let Posting { http, post, thread } = to;
        match &self.target {
            Target::Api {
                base,
                token,
                channel,
            } => {
                let url = format!("{}/chat.postMessage", base.trim_end_matches('/'));
                let call = Call::new("chat.postMessage", Method::Post, url)
                    .header("authorization", format!("Bearer {}", token.expose()))
                    .json(&message(post, Some(channel), thread));
                let reply: wire::PostReply = http.send(call).await?.json()?;
                if reply.ok {
                    return Ok(reply.ts);
                }
                Err(slack_error(
                    reply.error.as_deref().unwrap_or("unknown_error"),
                ))
            }
            Target::Webhook { url } => {
                let call = Call::new("incoming webhook", Method::Post, url.expose())
                    .json(&message(post, None, None));
                http.send(call).await?;
                Ok(None)
            }
        }
    }
}

/// An `ok: false` answer, named.
fn slack_error(name: &str) -> ConnectorError {
    let hint = if inferred::AUTH_ERRORS.contains(&name) {
        " (check the bot token)"
    } else {
        ""
    };
    ConnectorError::Status {
        system: "Slack".into(),
        call: "chat.postMessage".into(),
        status: 200,
        detail: format!("Slack error `{name}`{hint}"),
    }
}

/// Reads an interactivity call: the form field `payload`, a `block_actions` with the Accept
/// button; other payloads accept nothing.
pub fn parse_interaction(body: &[u8]) -> Result<Option<Acceptance>, String> {
    let payload = url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v.into_owned())
        .ok_or("interactivity body: no `payload` field")?;
    let interaction: wire::Interaction =
        serde_json::from_str(&payload).map_err(|e| format!("interactivity payload: {e}"))?;
    if interaction.kind != "block_actions" {
        return Ok(None);
    }
    let Some(action) = interaction
        .actions
        .iter()
        .find(|a| a.action_id == inferred::ACCEPT_ACTION)
    else {
        return Ok(None);
    };
    let conversation = action
        .value
        .clone()
        .ok_or("interactivity payload: the Accept action has no `value`")?;
    let user = interaction.user.ok_or("interactivity payload: no `user`")?;
    let agent = user.name.or(user.username).unwrap_or(user.id);
    Ok(Some(Acceptance {
        conversation,
        agent,
    }))
}
