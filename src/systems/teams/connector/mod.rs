//! The Teams connector: the request as an Adaptive Card posted to an incoming webhook or a
//! Workflows URL, within 28 KB. The card's Accept button answers the workflow that posted it
//! ("post a card and wait for a response"), which calls the acceptance hook; a plain
//! incoming webhook has no way back, and the agent reaches the user directly.

pub mod wire;

use super::inferred;
use crate::connectors::ConnectorError;
use crate::connectors::channel::{Limit, Markup, Post, Service, UrlChannel, fit_json};
use crate::connectors::http::{Api, Reply};

/// How Teams takes a post.
pub const CHANNEL: UrlChannel = UrlChannel {
    service: Service::hooked("Teams"),
    route: "teams",
    query: "",
    body,
    check,
};

/// The body of `post`: the whole message within Teams' 28 KB.
pub fn body(post: &Post) -> serde_json::Value {
    let accept = post.is_request().then_some(post.conversation.as_str());
    let max = inferred::MAX_MESSAGE_BYTES;
    fit_json(max, max, |budget| {
        wire::message(&post.render(Markup::MARKDOWN, Limit::Bytes(budget)), accept)
    })
}

/// A Workflows URL answers 202 and nothing; an incoming webhook 200 and `1`, or 200 and the
/// error text of the failed delivery.
fn check(http: &Api, reply: &Reply) -> Result<(), ConnectorError> {
    let text = String::from_utf8_lossy(&reply.body);
    let text = text.trim();
    if reply.status == 200 && !text.is_empty() && text != "1" {
        return Err(http.payload_error("webhook post", text.to_owned()));
    }
    Ok(())
}
