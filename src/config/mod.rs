//! Configuration files.
//!
//! - [`systems`]: the contact-center sections of `handoff.toml` (`[http]`, `[webhook]`, `[8x8]`,
//!   `[servicenow]`, `[amazon_connect]`, `[glia]`), documented in `docs/connectors.md`.

pub mod systems;

pub use systems::{ConfigError, SystemName, SystemsConfig};
