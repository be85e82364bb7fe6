//! What the channel systems' builds share (Slack, Teams, Google Chat, Webex).

use super::SystemsConfig;
use crate::connectors::channel::Common;
use crate::connectors::redact::Secret;
use crate::emulators::channel::EMULATED_SECRET;

/// The common settings of a channel connector: with the embedded emulator, acceptances are
/// signed with its secret; else with the configured one, if any.
pub(super) fn common(
    config: &SystemsConfig,
    channel_name: String,
    accept_secret: Option<Secret>,
    emulated: bool,
) -> Common {
    Common {
        channel_name,
        accept_secret: if emulated {
            Some(Secret::new(EMULATED_SECRET))
        } else {
            accept_secret
        },
        retry: config.retry_policy(),
    }
}
