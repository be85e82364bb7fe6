//! The Five9 chat console's emulator: `GET /consoles/ChatConsole/index.html` (and the
//! `/clients/...` spelling) on 127.0.0.1 reads the query as the page's script would: a tenant
//! and profiles are required, flags are `true` or `false`, and `fields` must be JSON of
//! `{name: {value, show, label, required}}` (400 naming the fault otherwise). It records the
//! visit and queues the visitor, titled with the hidden question, for the agent inbox.

pub mod wire;

use super::inferred::QUESTION_FIELD;
use crate::emulators::EmulatorOptions;
use crate::emulators::desk::RequestInfo;
use crate::emulators::landing::{self, Query, check_names, first, required};
use crate::protocol::UserInfo;
use std::net::SocketAddr;

/// The console's paths.
const PATHS: &[&str] = &[
    "/consoles/ChatConsole/index.html",
    "/clients/consoles/ChatConsole/index.html",
];

/// Starts the Five9 console's emulator on `listen` (loopback only).
pub async fn spawn(listen: SocketAddr, options: EmulatorOptions) -> landing::Spawned {
    landing::spawn("five9", PATHS, check, listen, options).await
}

/// The console's reading of its query.
pub fn check(query: &Query) -> Result<RequestInfo, String> {
    check_names(query, wire::PARAMS, "")?;
    let tenant = required(query, "tenant")?;
    let profiles = required(query, "profiles")?;
    let fields: wire::Fields = match first(query, "fields") {
        Some(json) => serde_json::from_str(json).map_err(|e| format!("fields: {e}"))?,
        None => wire::Fields::new(),
    };
    let field = |name: &str| fields.get(name).map(|f| f.value.clone());
    let title = field(QUESTION_FIELD).unwrap_or_else(|| format!("A chat on {profiles}"));
    Ok(RequestInfo {
        title,
        user: UserInfo {
            id: field("email").unwrap_or_default(),
            name: field("name").unwrap_or_default(),
            email: field("email"),
        },
        topic: profiles.to_owned(),
        context: [
            ("tenant".to_owned(), tenant.to_owned()),
            (
                "language".to_owned(),
                field("UserLocale").unwrap_or_default(),
            ),
        ]
        .into(),
        history: String::new(),
    })
}
