//! The Google Chat connector: the request posted to a space's incoming webhook, in a thread
//! keyed by the conversation (`messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`, or the
//! key is ignored), within 32,000 bytes; the user's later messages go to the same thread.
//! Webhooks are one way: a Chat app of the space calls the acceptance hook.

pub mod wire;

use super::inferred;
use crate::connectors::channel::url::any_answer;
use crate::connectors::channel::{Limit, Markup, Post, Service, UrlChannel, fit_json, shorten};

/// How Google Chat takes a post.
pub const CHANNEL: UrlChannel = UrlChannel {
    service: Service::hooked("Google Chat"),
    route: "google-chat",
    query: "&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
    body,
    check: any_answer,
};

/// Google Chat's bold; foreign text as is.
const MARKUP: Markup = Markup {
    bold: "*",
    escape: str::to_owned,
};

/// The body of `post`: its thread keyed by the conversation, the whole within 32,000 bytes.
pub fn body(post: &Post) -> serde_json::Value {
    let key = shorten(
        &post.conversation,
        Limit::Chars(inferred::MAX_THREAD_KEY_CHARS),
    );
    let max = inferred::MAX_MESSAGE_BYTES;
    fit_json(max, max, |budget| {
        let message = wire::WebhookMessage {
            text: post.render(MARKUP, Limit::Bytes(budget)),
            thread: wire::Thread {
                thread_key: key.clone(),
            },
        };
        serde_json::to_value(message).unwrap_or_default()
    })
}
