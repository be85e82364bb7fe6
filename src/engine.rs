//! Turning command-line options into a broker configuration.

use crate::broker::BrokerConfig;
use crate::broker::routing::{RoutingError, RoutingRules};
use crate::cli::EngineArgs;
use crate::connectors::mock::Autopilot;
use std::time::Duration;

/// The broker configuration the options describe.
pub fn broker_config(args: &EngineArgs) -> Result<BrokerConfig, RoutingError> {
    let mut config = BrokerConfig::for_style(args.style.into());
    if let Some(path) = &args.routing {
        config.assistant.routing = RoutingRules::load(path)?;
    }
    if let Some(ms) = args.autopilot {
        config.desk.autopilot = Some(Autopilot {
            accept_after: Duration::from_millis(ms),
            ..Autopilot::default()
        });
    }
    if let Some(agents) = &args.agents {
        config.desk.agents.clone_from(agents);
    }
    if let Some(greeting) = &args.greeting {
        config.desk.greeting = Some(greeting.clone()).filter(|g| !g.is_empty());
    }
    config.desk.latency = Duration::from_millis(args.latency);
    config.queue_timeout = Duration::from_secs(args.queue_timeout);
    config.max_message_bytes = args.max_message_bytes;
    config.store.clone_from(&args.store);
    Ok(config)
}
