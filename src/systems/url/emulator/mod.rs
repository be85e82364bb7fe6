//! The generic page's emulator: `GET /start-chat` on 127.0.0.1 reads the query as seed 002's
//! page would (a `queue_id` is required; 400 without), records the visit and queues the
//! visitor for the agent inbox. Other parameters (a user's own template) are kept as routing
//! context. See [`crate::emulators::landing`].

use super::inferred::{PAGE_PATH, PARAMS};
use crate::emulators::EmulatorOptions;
use crate::emulators::desk::RequestInfo;
use crate::emulators::landing::{self, Query, first, required};
use crate::protocol::UserInfo;
use std::net::SocketAddr;

/// Starts the generic page's emulator on `listen` (loopback only).
pub async fn spawn(listen: SocketAddr, options: EmulatorOptions) -> landing::Spawned {
    landing::spawn("url", &[PAGE_PATH], check, listen, options).await
}

/// The page's reading of its query.
pub fn check(query: &Query) -> Result<RequestInfo, String> {
    let [queue, utterance, topic, name, email] = PARAMS.map(|(name, _)| name);
    let queue_id = required(query, queue)?;
    let text = |name| first(query, name).unwrap_or_default().to_owned();
    let context = query
        .iter()
        .filter(|(k, _)| ![utterance, topic, name, email].contains(&k.as_str()))
        .cloned()
        .collect();
    let title = match text(utterance) {
        said if said.is_empty() => format!("A visitor for queue {queue_id}"),
        said => said,
    };
    Ok(RequestInfo {
        title,
        user: UserInfo {
            id: text(email),
            name: text(name),
            email: first(query, email).map(str::to_owned),
        },
        topic: text(topic),
        context,
        history: String::new(),
    })
}
