//! The generic page's emulator: `GET /start-chat` on 127.0.0.1 reads the query as seed 002's
//! page would (a `queue_id` is required; 400 without), records the visit and queues the
//! visitor for the agent inbox. Other parameters (a user's own template) are kept as routing
//! context. See [`crate::emulators::landing`].

use super::inferred::{PAGE_PATH, params};
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
    let queue_id = required(query, params::QUEUE_ID)?;
    let text = |name| first(query, name).unwrap_or_default().to_owned();
    let known = [
        params::UTTERANCE,
        params::TOPIC,
        params::NAME,
        params::EMAIL,
    ];
    let context = query
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    let title = match text(params::UTTERANCE) {
        utterance if utterance.is_empty() => format!("A visitor for queue {queue_id}"),
        utterance => utterance,
    };
    Ok(RequestInfo {
        title,
        user: UserInfo {
            id: text(params::EMAIL),
            name: text(params::NAME),
            email: first(query, params::EMAIL).map(str::to_owned),
        },
        topic: text(params::TOPIC),
        context,
        history: String::new(),
    })
}
