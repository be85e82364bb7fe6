//! The generic page's connector is the shared [`RedirectConnector`]: the template is the
//! user's (`[url]`), or, emulated, the emulator's page with everything the inbox shows.
//!
//! [`RedirectConnector`]: crate::connectors::redirect::RedirectConnector

use super::inferred::{PAGE_PATH, PARAMS};
use crate::connectors::url_template::{Param, TemplateError, UrlTemplate};

/// The emulated page at `base` (the emulator's base URL).
pub fn emulated(base: &str) -> Result<UrlTemplate, TemplateError> {
    let params = PARAMS
        .into_iter()
        .map(|(name, value)| Param::text(name, value))
        .collect::<Result<_, _>>()?;
    UrlTemplate::new(&format!("{base}{PAGE_PATH}"), params)
}
