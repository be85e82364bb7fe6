//! The `[five9]` section of `handoff.toml`: the chat console's tenant and profiles. Without a
//! tenant the embedded emulator's console is used.

use crate::systems::Section;
use serde::Deserialize;

/// `[five9]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Five9File {
    /// The tenant (domain) name; set, the real console is used.
    pub tenant: Option<String>,
    /// The chat profiles (campaigns) offered; required with a tenant.
    #[serde(default)]
    pub profiles: Vec<String>,
    /// The console page (default Five9's own, `https://app.five9.com/consoles/ChatConsole/index.html`).
    pub console_url: Option<String>,
    /// The chat window's title.
    pub title: Option<String>,
    /// The hidden field the utterance travels in (default `Question`).
    pub question_field: Option<String>,
    /// The most bytes of each field's value (default 1024).
    pub max_utterance_bytes: Option<usize>,
    /// Whether agents are there; unset, the console offers the chat without knowing.
    pub available: Option<bool>,
}

impl Section for Five9File {
    const NAME: &'static str = "five9";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("console_url", &self.console_url)]
    }

    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.tenant.is_some() && self.profiles.iter().all(|p| p.trim().is_empty()) {
            return Err(("profiles", "required with a tenant".into()));
        }
        if self.profiles.iter().any(|p| p.contains(',')) {
            return Err(("profiles", "a profile's name cannot hold a comma".into()));
        }
        if self.console_url.is_some() && self.tenant.is_none() {
            return Err(("tenant", "required with console_url".into()));
        }
        Ok(())
    }
}
