//! The `[vayusphere]` section of `handoff.toml`: the tenant's API URL, the default queue and
//! where the API key is (the name of an environment variable, or a file).

use super::inferred;
use crate::config::ConfigError;
use crate::connectors::redact::Secret;
use crate::systems::{Section, SystemsConfig};
use serde::Deserialize;
use std::path::PathBuf;

/// `[vayusphere]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VayusphereFile {
    /// The tenant's API base URL; required with an API key (Vayusphere publishes no default).
    pub api_base_url: Option<String>,
    /// The queue when the routing names none (default `general`).
    pub queue: String,
    /// Env var holding the API key (default `HANDOFF_VAYUSPHERE_API_KEY`).
    pub api_key_env: Option<String>,
    /// File holding the API key.
    pub api_key_file: Option<PathBuf>,
}

impl Default for VayusphereFile {
    fn default() -> Self {
        Self {
            api_base_url: None,
            queue: inferred::DEFAULT_QUEUE.to_owned(),
            api_key_env: None,
            api_key_file: None,
        }
    }
}

impl VayusphereFile {
    /// The API key from `api_key_file`, else the environment; `None` runs the emulator.
    pub fn api_key(&self, config: &SystemsConfig) -> Result<Option<Secret>, ConfigError> {
        let env = self.api_key_env.as_deref();
        let file = self.api_key_file.as_deref();
        let default_env = "HANDOFF_VAYUSPHERE_API_KEY";
        config.secret("vayusphere.api_key_file", env, default_env, file)
    }
}

impl Section for VayusphereFile {
    const NAME: &'static str = "vayusphere";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("api_base_url", &self.api_base_url)]
    }
}
