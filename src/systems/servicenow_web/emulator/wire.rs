//! What the emulated web client reads: the documented `sysparm_` parameters, with its own
//! names (never the connector's).

use crate::emulators::landing::Kind;

/// Every documented parameter of the client (`PROTOCOL.md`), and how it reads each.
pub const PARAMS: &[(&str, Kind)] = &[
    ("sysparm_live_agent_only", Kind::Flag),
    ("sysparm_search_text", Kind::Text),
    ("sysparm_requester_session_language", Kind::Text),
    ("sysparm_default_topic", Kind::Text),
    ("sysparm_skip_load_history", Kind::Flag),
    ("sysparm_load_active_only", Kind::Flag),
    ("sysparm_branding_key", Kind::Text),
    ("sysparm_domain_id", Kind::Text),
];

/// Only these are checked: the client leaves other parameters to the page around it.
pub const PREFIX: &str = "sysparm_";
