//! The connector of every URL-handoff system (Five9's chat console, `ServiceNow`'s web client,
//! a company's chat page): it makes no call of its own, it fills the system's
//! [`UrlTemplate`] and the broker sends the user there ("Taking you to <url>").

use super::url_template::UrlTemplate;
use super::{Availability, Connector, ConnectorError, HandoffRequest, Started};
use crate::protocol::HandoffStyle;
use async_trait::async_trait;

/// A system reached by sending the user to a page.
#[derive(Debug, Clone)]
pub struct RedirectConnector {
    system: String,
    template: UrlTemplate,
    availability: Availability,
}

impl RedirectConnector {
    /// `system` (its name in status lines) sends users to `template`; `availability` is what
    /// the configuration says, [`Availability::Unknown`] when it says nothing (a page cannot
    /// be asked).
    pub fn new(
        system: impl Into<String>,
        template: UrlTemplate,
        availability: Availability,
    ) -> Self {
        Self {
            system: system.into(),
            template,
            availability,
        }
    }

    /// The page's template.
    pub fn template(&self) -> &UrlTemplate {
        &self.template
    }
}

/// What a `available = true|false` setting means: one agent or none; unset, unknown.
pub fn configured_availability(available: Option<bool>) -> Availability {
    match available {
        Some(true) => Availability::Available(1),
        Some(false) => Availability::Unavailable,
        None => Availability::Unknown,
    }
}

#[async_trait]
impl Connector for RedirectConnector {
    fn system(&self) -> &str {
        &self.system
    }

    fn style(&self) -> HandoffStyle {
        HandoffStyle::Url
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        Ok(self.availability)
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        Ok(Started::Redirect {
            url: self.template.fill(&request),
            via: None,
            chat: None,
        })
    }
}
