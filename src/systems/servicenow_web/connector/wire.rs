//! The web client's address, from `ServiceNow`'s documentation of its URL parameters
//! (`PROTOCOL.md`).

/// The full-page client.
pub const PAGE: &str = "/$sn-va-web-client-app.do";
/// The embeddable client.
pub const EMBEDDED_PAGE: &str = "/$sn-va-web-client-app._embed.do";

/// `true`: straight to a live agent.
pub const LIVE_AGENT_ONLY: &str = "sysparm_live_agent_only";
/// The search text: the user's utterance.
pub const SEARCH_TEXT: &str = "sysparm_search_text";
/// The requester's session language.
pub const LANGUAGE: &str = "sysparm_requester_session_language";

/// The documented parameters a section may add: the topic to start (its `sys_id`), `true` to
/// not load the earlier conversation, or only active ones, the branding, the domain.
pub const OPTIONAL: &[&str] = &[
    "sysparm_default_topic",
    "sysparm_skip_load_history",
    "sysparm_load_active_only",
    "sysparm_branding_key",
    "sysparm_domain_id",
];
