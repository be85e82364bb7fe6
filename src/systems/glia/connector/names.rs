//! Operators' display names. An engagement lists its operators as links (`[{href}]`), so the
//! name of the operator now serving takes two reads: `GET /engagements/{id}`, then the last
//! operator's link. Only links under the configured API base are followed: the visitor token
//! goes with the request, and a link elsewhere would hand it to another host.

use super::wire::{EngagementResource, OperatorResource};
use super::{SYSTEM, Settings};
use crate::connectors::ConnectorError;
use crate::connectors::http::{Api, Call, Method};

/// The engagement's current operator's name, read with `token`.
pub async fn operator_name(
    settings: &Settings,
    api: &Api,
    token: &str,
    engagement: &str,
) -> Result<String, ConnectorError> {
    let call = settings.call(
        Method::Get,
        &format!("/engagements/{engagement}"),
        "GET /engagements/{id}",
        token,
    );
    let resource: EngagementResource = api.send(call).await?.json()?;
    let link = resource
        .operators
        .last()
        .ok_or_else(|| api.payload_error("GET /engagements/{id}", "no operator in it"))?;
    let call = operator_call(settings, &link.href, token)
        .ok_or_else(|| api.payload_error("GET /engagements/{id}", outside(&link.href)))?;
    let operator: OperatorResource = api.send(call).await?.json()?;
    Ok(operator.name)
}

fn outside(href: &str) -> String {
    format!("operator link {href:?} is not under the API base")
}

/// The read of the operator at `href`, when it is under the API base.
fn operator_call(settings: &Settings, href: &str, token: &str) -> Option<Call> {
    let base = settings.api_base.trim_end_matches('/');
    let path = href.strip_prefix(base)?;
    if !path.starts_with("/operators/") {
        return None;
    }
    Some(settings.call(Method::Get, path, "GET /operators/{id}", token))
}

/// The name, or `None` with the reason logged: the chat goes on with a stand-in.
pub async fn operator_name_or_log(
    settings: &Settings,
    api: &Api,
    token: &str,
    engagement: &str,
) -> Option<String> {
    match operator_name(settings, api, token, engagement).await {
        Ok(name) => Some(name),
        Err(e) => {
            tracing::warn!(system = SYSTEM, error = %e, "no operator name");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::http::RetryPolicy;
    use crate::connectors::redact::Secret;

    fn settings() -> Settings {
        Settings {
            api_base: "https://api.glia.com/".into(),
            site_id: "site".into(),
            queue_id: "queue".into(),
            api_key_id: "id".into(),
            api_key_secret: Secret::new("secret"),
            application_token: Secret::new("app-token"),
            retry: RetryPolicy::default(),
        }
    }

    #[test]
    fn only_operator_links_under_the_api_base_are_followed() {
        let s = settings();
        let call = operator_call(&s, "https://api.glia.com/operators/op-1", "t").unwrap();
        assert_eq!(call.url(), "https://api.glia.com/operators/op-1");
        assert!(operator_call(&s, "https://evil.example/operators/op-1", "t").is_none());
        assert!(operator_call(&s, "https://api.glia.com.evil/operators/x", "t").is_none());
        assert!(operator_call(&s, "https://api.glia.com/visitors/v-1", "t").is_none());
    }
}
