//! What the URL-handoff systems (`url`, `five9`, `servicenow-web`) share when they are built:
//! the page the configuration names, else the system's emulator on loopback with the page's
//! template pointed at it, plus the broker's conversation ([`landing::CONVERSATION`]) so that
//! the emulator's agent inbox files the visit under it.

use super::registry::{BuildError, Built};
use crate::connectors::ConnectorError;
use crate::connectors::redirect::{RedirectConnector, configured_availability};
use crate::connectors::url_template::{Param, TemplateError, UrlTemplate};
use crate::emulators::landing;
use crate::emulators::{EmulatorError, RunningEmulator};
use std::future::Future;
use std::sync::Arc;

/// A URL-handoff system as its section describes it.
pub struct Page {
    /// The system's name in status lines.
    pub system: String,
    /// The section's `available`.
    pub available: Option<bool>,
    /// The real page, when the section names one.
    pub configured: Option<UrlTemplate>,
}

impl Page {
    /// `system` with what its section says.
    pub fn new(system: &str, available: Option<bool>, configured: Option<UrlTemplate>) -> Self {
        Self {
            system: system.to_owned(),
            available,
            configured,
        }
    }
}

/// The connector to `page`'s configured template, else to the emulator `spawn` starts, with the
/// template `emulated` makes from the emulator's base URL.
pub async fn build(
    page: Page,
    emulated: impl FnOnce(&str) -> Result<UrlTemplate, TemplateError>,
    spawn: impl Future<Output = Result<RunningEmulator, EmulatorError>>,
) -> Result<Built, BuildError> {
    let (template, emulator) = match page.configured {
        Some(template) => (template, None),
        None => {
            let emulator = spawn.await?;
            let template = emulated(&emulator.base_url())
                .and_then(|t| Ok(t.with(Param::text(landing::CONVERSATION, "{conversation}")?)))
                .map_err(|e| {
                    BuildError::Connector(ConnectorError::Config {
                        system: page.system.clone(),
                        detail: format!("the emulator's template: {e}"),
                    })
                })?;
            (template, Some(emulator))
        }
    };
    let availability = configured_availability(page.available);
    let connector = RedirectConnector::new(page.system, template, availability);
    Ok(Built::new(Arc::new(connector), emulator, None))
}
