//! The Virtual Agent web client's emulator: `GET /$sn-va-web-client-app.do` (and the
//! `._embed.do` page) on 127.0.0.1 reads the query as the client would: only documented
//! `sysparm_` parameters, flags `true` or `false`, a language code in
//! `sysparm_requester_session_language` (400 naming the fault otherwise). It records the visit
//! and queues the visitor, titled with the search text, for the agent inbox.

pub mod wire;

use super::inferred::is_language;
use crate::emulators::EmulatorOptions;
use crate::emulators::desk::RequestInfo;
use crate::emulators::landing::{self, Query, check_names, first};
use std::net::SocketAddr;

/// The client's paths.
const PATHS: &[&str] = &[
    "/$sn-va-web-client-app.do",
    "/$sn-va-web-client-app._embed.do",
];

/// Starts the web client's emulator on `listen` (loopback only).
pub async fn spawn(listen: SocketAddr, options: EmulatorOptions) -> landing::Spawned {
    landing::spawn("servicenow-web", PATHS, check, listen, options).await
}

/// The client's reading of its query.
pub fn check(query: &Query) -> Result<RequestInfo, String> {
    check_names(query, wire::PARAMS, wire::PREFIX)?;
    let language = first(query, "sysparm_requester_session_language").unwrap_or_default();
    if !language.is_empty() && !is_language(language) {
        return Err(format!(
            "sysparm_requester_session_language: {language:?} is not a language code"
        ));
    }
    let search = first(query, "sysparm_search_text").unwrap_or_default();
    let live_agent = first(query, "sysparm_live_agent_only") == Some("true");
    let title = match search {
        "" => "A Virtual Agent conversation".to_owned(),
        text => text.to_owned(),
    };
    let mut context = std::collections::BTreeMap::new();
    context.insert("language".to_owned(), language.to_owned());
    context.insert("live_agent_only".to_owned(), live_agent.to_string());
    Ok(RequestInfo {
        title,
        context,
        ..RequestInfo::default()
    })
}
