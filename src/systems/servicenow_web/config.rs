//! The `[servicenow-web]` section of `handoff.toml`: the instance whose Virtual Agent web
//! client the user is sent to, and more of its documented parameters. Without an instance
//! the embedded emulator's client is used.

use super::connector::wire::OPTIONAL;
use super::inferred::is_language;
use crate::systems::Section;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[servicenow-web]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceNowWebFile {
    /// The instance, e.g. `https://acme.service-now.com`; set, the real client is used.
    pub instance_url: Option<String>,
    /// More of the documented parameters, e.g. `{ sysparm_default_topic = "<sys_id>" }`.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// The embeddable client (`$sn-va-web-client-app._embed.do`) instead of the full page.
    pub embedded: Option<bool>,
    /// Straight to a live agent (default true).
    pub live_agent_only: Option<bool>,
    /// The language when the routing context has none (default: the context's `language`).
    pub language: Option<String>,
    /// The most bytes of the utterance in `sysparm_search_text` (default 1024).
    pub max_search_bytes: Option<usize>,
    /// Whether agents are there; unset, the console offers the chat without knowing.
    pub available: Option<bool>,
}

impl Section for ServiceNowWebFile {
    const NAME: &'static str = "servicenow-web";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("instance_url", &self.instance_url)]
    }

    fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(code) = self.language.as_ref().filter(|c| !is_language(c)) {
            let why = format!("{code:?} is not a language code like en or en-US");
            return Err(("language", why));
        }
        match self.params.keys().find(|k| !OPTIONAL.contains(&k.as_str())) {
            Some(name) => Err((
                "params",
                format!("{name:?} is not one of {}", OPTIONAL.join(", ")),
            )),
            None => Ok(()),
        }
    }
}
