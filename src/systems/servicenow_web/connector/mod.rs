//! The Virtual Agent web client as a URL template: `sysparm_live_agent_only`, the utterance as
//! `sysparm_search_text` (cut to its byte limit), the requester's language, and the optional
//! documented parameters the section adds. The shared [`RedirectConnector`] sends the user
//! there.
//!
//! [`RedirectConnector`]: crate::connectors::redirect::RedirectConnector

pub mod wire;

use super::config::ServiceNowWebFile;
use super::inferred::MAX_SEARCH_BYTES;
use crate::connectors::url_template::{Param, TemplateError, UrlTemplate};

/// The client on the instance at `instance` (the real one, or an emulator's base URL).
pub fn template(section: &ServiceNowWebFile, instance: &str) -> Result<UrlTemplate, TemplateError> {
    let flag = |on: bool| if on { "true" } else { "false" };
    let page = if section.embedded == Some(true) {
        wire::EMBEDDED_PAGE
    } else {
        wire::PAGE
    };
    let language = match &section.language {
        Some(code) => Param::literal(wire::LANGUAGE, code),
        None => Param::text(wire::LANGUAGE, "{language}")?,
    };
    let max = section.max_search_bytes.unwrap_or(MAX_SEARCH_BYTES);
    let mut params = vec![
        Param::literal(
            wire::LIVE_AGENT_ONLY,
            flag(section.live_agent_only.unwrap_or(true)),
        ),
        Param::text(wire::SEARCH_TEXT, "{utterance}")?.max_bytes(max),
        language,
    ];
    // In the documented order; the section's check refused any other name.
    for name in wire::OPTIONAL {
        if let Some(value) = section.params.get(*name) {
            params.push(Param::literal(name, value));
        }
    }
    UrlTemplate::new(&format!("{}{page}", instance.trim_end_matches('/')), params)
}
