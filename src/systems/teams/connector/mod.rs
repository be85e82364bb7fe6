//! The Teams connector: the request as an Adaptive Card posted to an incoming webhook or a
//! Workflows URL, within 28 KB. The card's Accept button answers the workflow that posted it
//! ("post a card and wait for a response"), which calls the acceptance hook; a plain
//! incoming webhook has no way back, and the agent reaches the user directly.

pub mod wire;

use super::inferred;
use crate::connectors::ConnectorError;
use crate::connectors::channel::{
    ChannelApi, ChannelConnector, Common, Limit, Markup, Post, Service, connect, fit_json,
};
use crate::connectors::http::{Api, Call, Method};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use async_trait::async_trait;
use std::sync::Arc;

/// The webhook listener's route for acceptances.
pub const ROUTE: &str = "teams";

struct Teams {
    url: Secret,
}

/// The Teams connector posting to `url`, its acceptances taken on `listener`.
pub fn connector(url: Secret, common: Common, listener: &WebhookListener) -> ChannelConnector {
    let teams = Arc::new(Teams { url: url.clone() });
    let service = Service::hooked("Teams");
    connect(&service, teams, vec![url], common, (listener, ROUTE))
}

/// The body of `post`: the whole message within Teams' 28 KB.
pub fn body(post: &Post) -> serde_json::Value {
    let accept = post.is_request().then_some(post.conversation.as_str());
    let max = inferred::MAX_MESSAGE_BYTES;
    fit_json(max, max, |budget| {
        wire::message(&post.render(Markup::MARKDOWN, Limit::Bytes(budget)), accept)
    })
}

#[async_trait]
impl ChannelApi for Teams {
    async fn post(
        &self,
        http: &Api,
        post: &Post,
        _thread: Option<&str>,
    ) -> Result<Option<String>, ConnectorError> {
        let call = Call::new("webhook post", Method::Post, self.url.expose()).json(&body(post));
        let reply = http.send(call).await?;
        // A Workflows URL answers 202 and nothing; an incoming webhook 200 and `1`, or 200 and
        // the error text of the failed delivery.
        let text = String::from_utf8_lossy(&reply.body);
        let text = text.trim();
        if reply.status == 200 && !text.is_empty() && text != "1" {
            return Err(http.payload_error("webhook post", text.to_owned()));
        }
        Ok(None)
    }
}
