//! The handoff styles a system may use.

use serde::{Deserialize, Serialize};

/// The four ways of handing a user over to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffStyle {
    /// Message brokering: the bot relays both ways, the user stays in the bot chat.
    Brokered,
    /// Redirect to a chat page with the context in the URL.
    Url,
    /// Enqueue through the system's API, then link the user over.
    Api,
    /// Post the request in a channel that agents watch.
    Channel,
}

impl std::fmt::Display for HandoffStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Brokered => "brokered",
            Self::Url => "url",
            Self::Api => "api",
            Self::Channel => "channel",
        })
    }
}
