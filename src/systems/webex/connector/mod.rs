//! The Webex connector: the request as a Markdown message (`POST /messages`, bot token) in a
//! room, within 7,439 bytes; the user's later messages are replies to it (`parentId`). The
//! agent's acceptance comes through the acceptance hook (a bot of the room calls it).

pub mod wire;

use super::inferred;
use crate::connectors::ConnectorError;
use crate::connectors::channel::{
    ChannelApi, ChannelConnector, Common, Limit, Markup, Post, Posting, Service, connect,
};
use crate::connectors::http::{Call, Method};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use async_trait::async_trait;
use std::sync::Arc;

/// The webhook listener's route for acceptances.
pub const ROUTE: &str = "webex";

/// Where the connector posts.
#[derive(Debug, Clone)]
pub struct Target {
    /// The REST API base, e.g. `https://webexapis.com/v1`.
    pub base: String,
    /// The bot's access token.
    pub token: Secret,
    /// The room id.
    pub room_id: String,
}

struct Webex {
    target: Target,
}

/// The Webex connector posting to `target`, its acceptances taken on `listener`.
pub fn connector(target: Target, common: Common, listener: &WebhookListener) -> ChannelConnector {
    let secrets = vec![target.token.clone()];
    let webex = Arc::new(Webex { target });
    connect(
        &Service::hooked("Webex"),
        webex,
        secrets,
        common,
        (listener, ROUTE),
    )
}

/// The body of `post` in `room_id`, replying to `parent`.
pub fn body<'a>(post: &Post, room_id: &'a str, parent: Option<&'a str>) -> wire::CreateMessage<'a> {
    let limit = Limit::Bytes(inferred::MAX_MARKDOWN_BYTES);
    wire::CreateMessage {
        room_id,
        markdown: post.render(Markup::MARKDOWN, limit),
        parent_id: parent,
    }
}

#[async_trait]
impl ChannelApi for Webex {
    async fn post(&self, to: Posting<'_>) -> Result<Option<String>, ConnectorError> {
        let Posting { http, post, thread } = to;
        let url = format!("{}/messages", self.target.base.trim_end_matches('/'));
        let call = Call::new("POST messages", Method::Post, url)
            .header(
                "authorization",
                format!("Bearer {}", self.target.token.expose()),
            )
            .json(&body(post, &self.target.room_id, thread));
        let created: wire::Message = http.send(call).await?.json()?;
        // Replies go under the request, never under a reply.
        Ok(Some(thread.map_or(created.id, str::to_owned)))
    }
}
