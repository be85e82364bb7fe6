//! Support sessions: `generate_session_key` and the `start_session` page. Each session the
//! site accepts queues on the desk at once, under its 7-digit key, with the broker's
//! conversation as the desk's external ref (`external_key`, or `session.custom.external_key`
//! on the page). The real site queues a session when the customer's client connects; the
//! emulator plays the customer as following the link at once ([INFER] simplification).

use super::{Emu, rep_list, wire};
use crate::emulators::desk::RequestInfo;
use crate::protocol::UserInfo;
use crate::systems::beyondtrust::inferred::{
    CUSTOMER_DETAILS_BYTES, CUSTOMER_NAME_CHARS, is_queue_id,
};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// How many sessions the emulator remembers; at the bound the oldest is forgotten (its key
/// no longer opens the page: 404).
pub const MAX_SESSIONS: usize = 256;

/// One accepted session.
struct Session {
    short_key: String,
    external_key: Option<String>,
}

/// The sessions, oldest first, at most [`MAX_SESSIONS`].
#[derive(Default)]
pub(super) struct Sessions(VecDeque<Session>);

impl Sessions {
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    fn knows_key(&self, key: &str) -> bool {
        self.0.iter().any(|s| s.short_key == key)
    }

    fn key_of(&self, external_key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|s| s.external_key.as_deref() == Some(external_key))
            .map(|s| s.short_key.clone())
    }

    /// Registers a session under a new unique 7-digit key.
    fn add(&mut self, external_key: Option<String>) -> String {
        let key = loop {
            let key = format!("{:07}", fastrand::u32(0..10_000_000));
            if !self.knows_key(&key) {
                break key;
            }
        };
        if self.0.len() >= MAX_SESSIONS {
            self.0.pop_front();
        }
        self.0.push_back(Session {
            short_key: key.clone(),
            external_key,
        });
        key
    }
}

/// Checks where `queue_id` sends the session: a documented form, a logged-in rep.
fn check_queue(emu: &Emu, queue: &str) -> Result<(), String> {
    if !is_queue_id(queue) {
        return Err(format!("Invalid queue_id [{queue}]."));
    }
    let reps = rep_list(emu);
    let known = match queue.split_once(':') {
        Some(("rep", id)) => reps.iter().any(|r| r.id.to_string() == id),
        Some(("rep_username", name)) => reps.iter().any(|r| r.display_name == name),
        _ => true,
    };
    if known {
        Ok(())
    } else {
        Err(format!("Invalid queue_id [{queue}]: not logged in."))
    }
}

/// Queues a new session on the desk; returns its key.
async fn queue(emu: &Emu, external_key: Option<String>, request: RequestInfo) -> String {
    let key = emu.books().sessions.add(external_key.clone());
    let id = format!("bt-{key}");
    emu.desk
        .open(&id, external_key, emu.options.eta_secs, request)
        .await;
    key
}

fn request_info(
    title: &str,
    name: Option<&str>,
    mut custom: BTreeMap<String, String>,
) -> RequestInfo {
    let title = custom
        .remove("utterance")
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| title.to_owned());
    RequestInfo {
        title,
        user: UserInfo {
            id: custom.get("external_key").cloned().unwrap_or_default(),
            name: name
                .map(str::to_owned)
                .or_else(|| custom.remove("user_name"))
                .unwrap_or_else(|| "Customer".into()),
            email: custom.remove("user_email"),
        },
        topic: custom.remove("topic").unwrap_or_default(),
        context: custom,
        history: String::new(),
    }
}

/// `generate_session_key`: the session's `<session_key>`, or the site's error text.
pub(super) async fn generate(emu: &Emu, params: &wire::Params) -> Result<String, String> {
    match params.get("type") {
        Some("support") => {}
        other => return Err(format!("Invalid type [{}].", other.unwrap_or_default())),
    }
    let queue_id = params.get("queue_id").unwrap_or_default();
    check_queue(emu, queue_id)?;
    let ttl = match params.get("ttl") {
        Some(t) => t
            .parse::<u64>()
            .map_err(|_| format!("Invalid ttl [{t}]."))?,
        None => 86_400,
    };
    let custom = params.custom()?;
    let external = params.get("external_key").map(str::to_owned);
    let title = "Support session (session key)";
    let key = queue(emu, external, request_info(title, None, custom)).await;
    let base = emu.base_url.get().map_or("", String::as_str);
    let key_url = format!("{base}/api/start_session?short_key={key}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = wire::SessionKey {
        xmlns: super::NAMESPACE,
        kind: "support",
        short_key: key,
        mail_subject: "Support Session Key",
        mail_body: format!("Please use the link to start your support session: {key_url}"),
        key_url,
        expires: wire::Expires {
            timestamp: now + ttl,
        },
    };
    Ok(wire::document("session_key", &body))
}

fn page(status: StatusCode, text: &str) -> Response {
    let body = format!("<!doctype html><title>Support</title><p>{text}</p>");
    (status, Html(body)).into_response()
}

/// What the page was asked to start: exactly one of a session key, a rep, or the issue menu.
fn check_page(params: &wire::Params) -> Result<(), String> {
    let chosen = ["short_key", "id", "name", "issue_menu"]
        .iter()
        .filter(|p| params.get(p).is_some())
        .count();
    if chosen != 1 {
        return Err("give exactly one of short_key, id, name or issue_menu".into());
    }
    if params.get("issue_menu").is_some_and(|v| v != "1") {
        return Err("issue_menu must be 1".into());
    }
    if params.get("codeName").is_some() && params.get("issue_menu").is_none() {
        return Err("codeName needs issue_menu=1".into());
    }
    let name = params.get("customer.name").unwrap_or_default();
    if name.chars().count() > CUSTOMER_NAME_CHARS {
        return Err(format!(
            "customer.name is longer than {CUSTOMER_NAME_CHARS} characters"
        ));
    }
    let details = params.get("customer.details").unwrap_or_default();
    if details.len() > CUSTOMER_DETAILS_BYTES {
        return Err(format!(
            "customer.details is longer than {CUSTOMER_DETAILS_BYTES} bytes"
        ));
    }
    Ok(())
}

/// `GET /api/start_session`: checks the parameters and their limits, then queues the session
/// (once per `session.custom.external_key`, so a reload does not queue it twice) or, for a
/// `short_key`, finds the session it names.
pub(super) async fn start_page(State(emu): State<Arc<Emu>>, RawQuery(query): RawQuery) -> Response {
    let params = wire::Params::parse(query.unwrap_or_default().as_bytes());
    let custom = match check_page(&params).and_then(|()| params.custom()) {
        Ok(custom) => custom,
        Err(e) => return page(StatusCode::BAD_REQUEST, &format!("Invalid request: {e}.")),
    };
    if let Some(key) = params.get("short_key") {
        return if emu.books().sessions.knows_key(key) {
            page(StatusCode::OK, "Your support session is starting.")
        } else {
            page(StatusCode::NOT_FOUND, "Invalid session key.")
        };
    }
    if let Some(rep) = params.get("id").map(|id| format!("rep:{id}"))
        && let Err(e) = check_queue(&emu, &rep)
    {
        return page(StatusCode::NOT_FOUND, &e);
    }
    let external = custom.get("external_key").cloned();
    let known = external
        .as_deref()
        .and_then(|e| emu.books().sessions.key_of(e));
    if known.is_none() {
        let details = params.get("customer.details").unwrap_or_default();
        let request = request_info(details, params.get("customer.name"), custom);
        queue(&emu, external, request).await;
    }
    page(StatusCode::OK, "Your support session is starting.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_bound_the_oldest_session_is_forgotten() {
        let mut sessions = Sessions::default();
        let first = sessions.add(Some("c-0".into()));
        for i in 1..MAX_SESSIONS {
            sessions.add(Some(format!("c-{i}")));
        }
        assert!(sessions.knows_key(&first));
        let newest = sessions.add(Some("c-new".into()));
        assert_eq!(sessions.len(), MAX_SESSIONS);
        assert!(!sessions.knows_key(&first));
        assert_eq!(sessions.key_of("c-new"), Some(newest));
        assert_eq!(sessions.key_of("c-0"), None);
    }

    #[test]
    fn the_page_takes_exactly_one_target_within_the_limits() {
        let ok = |q: &str| check_page(&wire::Params::parse(q.as_bytes()));
        assert!(ok("issue_menu=1&codeName=printer").is_ok());
        assert!(ok("id=1&name=Lisa").is_err());
        assert!(ok("codeName=x&id=1").is_err());
        assert!(ok("").is_err());
        let long = "é".repeat(101);
        assert!(ok(&format!("id=1&customer.name={long}")).is_err());
        let details = "€".repeat(342);
        assert!(ok(&format!("id=1&customer.details={details}")).is_err());
        let details = "€".repeat(341);
        assert!(ok(&format!("id=1&customer.details={details}")).is_ok());
    }
}
