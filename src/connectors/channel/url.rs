//! A channel reached by posting JSON to one secret URL (Teams, Google Chat): the URL is the
//! credential, the body the service's own, no thread id comes back.

use super::{ChannelApi, ChannelConnector, Common, Post, Posting, Service, connect};
use crate::connectors::ConnectorError;
use crate::connectors::http::{Api, Call, Method, Reply};
use crate::connectors::redact::Secret;
use crate::connectors::webhook::WebhookListener;
use async_trait::async_trait;
use std::sync::Arc;

/// How a service takes a post at its URL.
#[derive(Debug, Clone, Copy)]
pub struct UrlChannel {
    /// The service.
    pub service: Service,
    /// The listener's route its acceptances come to.
    pub route: &'static str,
    /// Appended to the URL (e.g. `&messageReplyOption=...`).
    pub query: &'static str,
    /// The body of a post.
    pub body: fn(&Post) -> serde_json::Value,
    /// Checks a 2xx answer (some services answer 200 with an error text).
    pub check: fn(&Api, &Reply) -> Result<(), ConnectorError>,
}

impl UrlChannel {
    /// The connector posting to `url`, its acceptances taken on `listener`.
    pub fn connect(
        &'static self,
        url: Secret,
        common: Common,
        listener: &WebhookListener,
    ) -> ChannelConnector {
        let poster = Arc::new(UrlPoster {
            channel: self,
            url: url.clone(),
        });
        connect(
            &self.service,
            poster,
            vec![url],
            common,
            (listener, self.route),
        )
    }
}

/// Any 2xx answer is a success.
pub fn any_answer(_: &Api, _: &Reply) -> Result<(), ConnectorError> {
    Ok(())
}

struct UrlPoster {
    channel: &'static UrlChannel,
    url: Secret,
}

#[async_trait]
impl ChannelApi for UrlPoster {
    async fn post(&self, to: Posting<'_>) -> Result<Option<String>, ConnectorError> {
        let url = format!("{}{}", self.url.expose(), self.channel.query);
        let body = (self.channel.body)(to.post);
        let call = Call::new("webhook post", Method::Post, url).json(&body);
        let reply = to.http.send(call).await?;
        (self.channel.check)(to.http, &reply)?;
        Ok(None)
    }
}
