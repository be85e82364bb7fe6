//! What the emulators of the URL-handoff systems share: the landing page the user is sent to.
//!
//! The page reads its query as the real page would (each system's `check`, with its own wire
//! types), records the visit, answers a small HTML page saying what it received (400 and why
//! when the query is refused) and queues the visitor on the [`SimDesk`], keyed by the broker's
//! conversation when the URL carries it ([`CONVERSATION`]), so the console's agent inbox sees the request arrive.
//! The page then carries the chat on by itself, outside the broker: the desk's signals have no
//! wire to go to and are dropped.
//!
//! Served through [`super::serve`], so `/__emu` control and faults work, plus
//! `GET /__emu/visits`: every visit recorded, oldest first (at most [`VISITS`]).

use super::desk::{RequestInfo, SimDesk};
use super::fault::Faults;
use super::{EmulatorError, EmulatorOptions, RunningEmulator};
use crate::text::escape;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// How many visits the page remembers; past it the oldest is forgotten.
pub const VISITS: usize = 256;

/// A query as the page reads it: its pairs, in order, repeats kept.
pub type Query = Vec<(String, String)>;

/// The parameter an embedded emulator's page address carries the broker's conversation in,
/// so that the inbox files the visit under it (the real pages are not sent it).
pub const CONVERSATION: &str = "handoff_conversation";

/// Reads a page's query (without [`CONVERSATION`]) as the real page would: what the agent's
/// inbox shows of the visitor, or why the page refuses it.
pub type Check = fn(&Query) -> Result<RequestInfo, String>;

/// One visit to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    /// The path visited.
    pub path: String,
    /// The query's pairs, decoded.
    pub query: Query,
    /// Whether the page accepted it.
    pub accepted: bool,
    /// The desk's conversation for an accepted visit; why the page refused it otherwise.
    pub detail: String,
}

struct Page {
    system: &'static str,
    desk: Arc<SimDesk>,
    check: Check,
    eta_secs: u64,
    visits: Mutex<VecDeque<Visit>>,
    next: AtomicU64,
}

impl Page {
    fn record(&self, visit: Visit) {
        let mut visits = self
            .visits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if visits.len() == VISITS {
            visits.pop_front();
        }
        visits.push_back(visit);
    }

    fn visits(&self) -> Vec<Visit> {
        let visits = self
            .visits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        visits.iter().cloned().collect()
    }
}

/// Starts a landing-page emulator of `system` serving its page at `paths` on `listen`
/// (loopback only).
pub async fn spawn(
    system: &'static str,
    paths: &[&str],
    check: Check,
    listen: SocketAddr,
    options: EmulatorOptions,
) -> Spawned {
    let (desk, signals) = SimDesk::from_options(&options, crate::desk::Policy::EMULATED);
    let page = Arc::new(Page {
        system,
        desk: desk.clone(),
        check,
        eta_secs: options.eta_secs,
        visits: Mutex::new(VecDeque::new()),
        next: AtomicU64::new(1),
    });
    let app = paths
        .iter()
        .fold(Router::new(), |app, path| app.route(path, get(visit)))
        .route("/__emu/visits", get(visits))
        .with_state(page);
    let cancel = CancellationToken::new();
    super::relay_signals(signals, cancel.clone(), |conversation, signal| async move {
        tracing::debug!(
            conversation,
            ?signal,
            "the landing page carries the chat on"
        );
    });
    let faults = Arc::new(Faults::default());
    super::serve(system, listen, app, desk, faults, cancel).await
}

async fn visit(State(page): State<Arc<Page>>, uri: Uri, RawQuery(raw): RawQuery) -> Response {
    let query: Query = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let path = uri.path().to_owned();
    let conversation = first(&query, CONVERSATION).map(str::to_owned);
    let own: Query = query
        .iter()
        .filter(|(k, _)| k != CONVERSATION)
        .cloned()
        .collect();
    match (page.check)(&own) {
        Ok(request) => {
            let id = format!("visit-{}", page.next.fetch_add(1, Ordering::Relaxed));
            page.record(Visit {
                path,
                query: query.clone(),
                accepted: true,
                detail: id.clone(),
            });
            page.desk
                .open(&id, conversation, page.eta_secs, request)
                .await;
            let title = format!("{}: you are in the queue", page.system);
            (StatusCode::OK, Html(html(&title, &query))).into_response()
        }
        Err(why) => {
            page.record(Visit {
                path,
                query: query.clone(),
                accepted: false,
                detail: why.clone(),
            });
            let title = format!("{}: {why}", page.system);
            (StatusCode::BAD_REQUEST, Html(html(&title, &query))).into_response()
        }
    }
}

async fn visits(State(page): State<Arc<Page>>) -> Json<Vec<Visit>> {
    Json(page.visits())
}

/// A page saying `title` and listing what it received, every foreign text escaped.
fn html(title: &str, query: &Query) -> String {
    let mut out = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{0}</title></head>\
         <body><h1>{0}</h1><p>The page received:</p><dl>",
        escape(title)
    );
    for (name, value) in query {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
    }
    out.push_str("</dl></body></html>\n");
    out
}

/// What starting a landing page gives.
pub type Spawned = Result<RunningEmulator, EmulatorError>;

/// How a page reads one of its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any text.
    Text,
    /// `true` or `false`.
    Flag,
}

/// Refuses a parameter whose name starts with `prefix` ("" for every name) and is not in
/// `known` (a misspelt name the real page would silently ignore), and a flag that is neither
/// `true` nor `false`.
pub fn check_names(query: &Query, known: &[(&str, Kind)], prefix: &str) -> Result<(), String> {
    for (name, value) in query {
        match known.iter().find(|(k, _)| k == name) {
            None if name.starts_with(prefix) => {
                return Err(format!("unknown parameter {name:?}"));
            }
            Some((_, Kind::Flag)) if value != "true" && value != "false" => {
                return Err(format!("{name} must be true or false, not {value:?}"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The value of the first `name` in `query`.
pub fn first<'q>(query: &'q Query, name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The value of `name`, which the page requires to be there and not blank.
pub fn required<'q>(query: &'q Query, name: &str) -> Result<&'q str, String> {
    first(query, name)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("the query has no {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &Query) -> Result<RequestInfo, String> {
        let title = required(query, "q")?.to_owned();
        if query.iter().any(|(k, _)| k == CONVERSATION) {
            return Err("the page was given the conversation".into());
        }
        Ok(RequestInfo {
            title,
            ..RequestInfo::default()
        })
    }

    async fn get_text(url: &str) -> (u16, String) {
        let response = reqwest::get(url).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    #[tokio::test]
    async fn a_visit_is_checked_recorded_escaped_and_queued() {
        let emulator = spawn(
            "page",
            &["/start"],
            check,
            SocketAddr::from(([127, 0, 0, 1], 0)),
            EmulatorOptions::default(),
        )
        .await
        .unwrap();
        let base = emulator.base_url();
        let (status, body) = get_text(&format!(
            "{base}/start?q=%3Cb%3Ehi&handoff_conversation=c-9"
        ))
        .await;
        assert_eq!(status, 200);
        assert!(body.contains("<dd>&lt;b&gt;hi</dd>"), "{body}");
        let (status, body) = get_text(&format!("{base}/start?x=1")).await;
        assert_eq!(status, 400);
        assert!(body.contains("the query has no q"), "{body}");

        let visits: Vec<serde_json::Value> = reqwest::get(format!("{base}/__emu/visits"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(visits.len(), 2);
        assert_eq!(visits[0]["accepted"], true);
        assert_eq!(visits[1]["detail"], "the query has no q");
        let queued = emulator.sim().conversations();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].external_ref.as_deref(), Some("c-9"));
    }

    #[test]
    fn the_visit_log_forgets_the_oldest_past_its_bound() {
        let (desk, _signals) = SimDesk::new(&[], crate::emulators::desk::AgentScript::manual());
        let page = Page {
            system: "page",
            desk,
            check,
            eta_secs: 0,
            visits: Mutex::new(VecDeque::new()),
            next: AtomicU64::new(1),
        };
        for i in 0..=VISITS {
            page.record(Visit {
                path: "/".into(),
                query: Vec::new(),
                accepted: true,
                detail: i.to_string(),
            });
        }
        let visits = page.visits();
        assert_eq!(visits.len(), VISITS);
        assert_eq!(visits[0].detail, "1");
    }
}
