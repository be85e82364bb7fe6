//! The emulated queue tickets: `POST /queue_tickets` (201 new, 200 for the same criteria
//! while the visitor's ticket is active, 409 for other criteria) and `DELETE` to leave.

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use crate::emulators::desk::ConvState;

/// What the reference requires of a ticket, or the 400 saying what is wrong.
fn validate(request: &wire::QueueTicket) -> Result<(), Box<Response>> {
    if request.site_id.is_empty() {
        return Err(Box::new(bad("site_id is required")));
    }
    if !wire::INTEGRATOR_MEDIA.contains(&request.media.as_str()) {
        let detail = format!("media must be one of {:?}", wire::INTEGRATOR_MEDIA);
        return Err(Box::new(bad(&detail)));
    }
    if request.queue_id.is_some() && request.team_ids.is_some() {
        return Err(Box::new(bad(
            "queue_id can't be used together with team_ids",
        )));
    }
    if request.webhooks.len() > wire::MAX_WEBHOOKS {
        return Err(Box::new(bad("at most 10 webhooks")));
    }
    if request.webhooks.iter().any(|w| w.events.is_empty()) {
        return Err(Box::new(bad("a webhook needs at least one event")));
    }
    Ok(())
}

/// The visitor's active ticket, with its criteria.
fn active(emu: &Emu, visitor: &str) -> Option<(String, wire::Criteria)> {
    let books = emu.books();
    books
        .tickets
        .iter()
        .filter(|(_, t)| t.visitor == visitor)
        .find(|(id, _)| {
            emu.desk
                .conversation(id)
                .is_some_and(|c| c.state != ConvState::Ended)
        })
        .map(|(id, t)| (id.clone(), t.criteria.clone()))
}

pub(super) async fn create(
    State(emu): State<Arc<Emu>>,
    VisitorOf(visitor): VisitorOf,
    body: axum::body::Bytes,
) -> Response {
    let request: wire::QueueTicket = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    if let Err(r) = validate(&request) {
        return *r;
    }
    if let Some((id, criteria)) = active(&emu, &visitor) {
        if criteria == request.criteria() {
            return Json(json!({ "id": id, "state": "queued" })).into_response();
        }
        let detail = format!("visitor has an active queue ticket {id} with other criteria");
        return error(StatusCode::CONFLICT, &detail);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let external = request
        .webhooks
        .iter()
        .find_map(|w| w.headers.get(inferred::CHAT_HEADER).cloned());
    let mut context = std::collections::BTreeMap::new();
    if let Some(queue) = &request.queue_id {
        context.insert("queue_id".to_owned(), queue.clone());
    }
    let criteria = request.criteria();
    emu.books().tickets.insert(
        id.clone(),
        Ticket {
            visitor: visitor.clone(),
            webhooks: request.webhooks,
            engagement: None,
            criteria,
        },
    );
    // Glia's ticket carries no utterance (it comes as the first chat message) and no user
    // details beyond the visitor.
    let info = RequestInfo {
        title: "Visitor chat".into(),
        user: crate::protocol::UserInfo {
            id: visitor,
            name: "Visitor".into(),
            email: None,
        },
        context,
        ..RequestInfo::default()
    };
    let desk = emu.desk.clone();
    let eta = emu.options.eta_secs;
    let opened = id.clone();
    tokio::spawn(async move { desk.open(&opened, external, eta, info).await });
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "state": "queued" })),
    )
        .into_response()
}

pub(super) async fn cancel(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    VisitorOf(_): VisitorOf,
) -> Response {
    match emu.desk.user_left(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => error(StatusCode::NOT_FOUND, "queue ticket not found"),
    }
}
