//! Webhook delivery: desk signals become Glia events, sent (POST) with the registered headers
//! verbatim, retried on non-2xx. An operator's file is an `engagement.chat.message` whose
//! `attachment` links to `GET /__emu/files/{id}`. `POST /__emu/glia/event`
//! `{conversation, event}` sends a hand-made event (tests).

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;

/// `POST /__emu/glia/event`: a test tool.
#[derive(serde::Deserialize)]
pub(super) struct RawEvent {
    /// The queue ticket (the desk's conversation id).
    conversation: String,
    /// The event body, sent as is.
    event: Value,
}

/// Sends a hand-made event to the ticket's webhooks subscribed to its `event_type`, as a
/// real delivery (registered headers, retries), before answering: for events the desk cannot
/// make, such as an operator's file Glia would describe wrongly.
pub(super) async fn raw_event(State(emu): State<Arc<Emu>>, Json(raw): Json<RawEvent>) -> Response {
    let kind = raw
        .event
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !emu.books().tickets.contains_key(&raw.conversation) {
        return error(StatusCode::NOT_FOUND, "no such queue ticket");
    }
    post_event(&emu, &raw.conversation, &kind, &raw.event.to_string()).await;
    StatusCode::NO_CONTENT.into_response()
}

/// The event body one desk signal becomes, and whether it is retried on failure.
fn event_for(emu: &Emu, ticket: &str, signal: Signal) -> Option<(String, String)> {
    let engagement_of = |create: bool| {
        let mut books = emu.books();
        let t = books.tickets.get_mut(ticket)?;
        if t.engagement.is_none() && create {
            let id = uuid::Uuid::new_v4().to_string();
            t.engagement = Some(id.clone());
            let visitor = t.visitor.clone();
            books.engagements.insert(id.clone(), ticket.to_owned());
            return Some((id, visitor, true));
        }
        t.engagement.clone().map(|e| (e, t.visitor.clone(), false))
    };
    let body = match signal {
        Signal::Joined { .. } => {
            let (id, visitor, new) = engagement_of(true)?;
            if !new {
                return None;
            }
            json!({"event_type": "engagement.start", "engagement": {"id": id, "visitor_id": visitor, "source": "visitor_integrator"}})
        }
        Signal::Message { text, id, .. } => {
            let (engagement, ..) = engagement_of(false)?;
            json!({"event_type": "engagement.chat.message", "message": {
                "id": id, "content": text, "engagement_id": engagement, "target": "visitor",
                "timestamp": now_millis(), "type": "chat"}})
        }
        Signal::File { file, id, .. } => {
            let (engagement, ..) = engagement_of(false)?;
            let base_url = emu.base_url.get().map_or("", String::as_str);
            // [NOT PUBLIC] the files attachment of this project's contract (`inferred`).
            let attachment = json!({"type": "files", "files": [{
                "url": file.url(base_url), "id": file.id, "name": file.name,
                "content_type": file.content_type, "size": file.size,
            }]});
            json!({"event_type": "engagement.chat.message", "message": {
                "id": id, "content": "", "attachment": attachment, "engagement_id": engagement,
                "target": "visitor", "timestamp": now_millis(), "type": "chat"}})
        }
        Signal::Transfer { .. } => {
            let (id, visitor, _) = engagement_of(false)?;
            json!({"event_type": "engagement.transfer", "engagement": {"id": id, "visitor_id": visitor}})
        }
        Signal::Ended {
            by: EndedBy::Agent(_),
        } => {
            let (id, visitor, _) = engagement_of(false)?;
            json!({"event_type": "engagement.end", "engagement": {"id": id, "visitor_id": visitor}})
        }
        Signal::Ended {
            by: EndedBy::Timeout,
        } => {
            json!({"event_type": "engagement.request.failure", "queue_ticket": {"id": ticket}, "reason": "timeout"})
        }
        Signal::Malformed => return Some(("malformed".into(), "{\"event_type\": ".into())),
        Signal::Queued { .. }
        | Signal::Typing { .. }
        | Signal::Left { .. }
        | Signal::Ended { by: EndedBy::User } => return None,
    };
    let kind = body
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((kind, body.to_string()))
}

/// Puts one desk signal on the wire: its event, posted to the ticket's webhooks.
pub(super) async fn relay(emu: Arc<Emu>, ticket: String, signal: Signal) {
    if let Some((kind, body)) = event_for(&emu, &ticket, signal) {
        post_event(&emu, &ticket, &kind, &body).await;
    }
}

/// Sends event `body` (of `kind`) to the ticket's webhooks that subscribed to it, each retried
/// on non-2xx.
async fn post_event(emu: &Emu, ticket: &str, kind: &str, body: &str) {
    let hooks: Vec<wire::Webhook> = emu
        .books()
        .tickets
        .get(ticket)
        .map(|t| t.webhooks.clone())
        .unwrap_or_default();
    for hook in hooks
        .iter()
        .filter(|h| kind == "malformed" || h.events.iter().any(|e| e == kind))
    {
        let attempts = if kind == "malformed" {
            1
        } else {
            emu.options.webhook_attempts
        };
        let attempt = |_retry| async {
            let mut call = Call::new(format!("webhook {kind}"), Method::Post, hook.url.as_str())
                .header("content-type", "application/json")
                .raw_body(body.as_bytes().to_vec());
            let forge = emu.faults.take_bad_signature();
            for (name, value) in &hook.headers {
                let value = if forge && name.eq_ignore_ascii_case("authorization") {
                    "Bearer forged"
                } else {
                    value
                };
                call = call.header(name.as_str(), value);
            }
            webhook::status_of(&emu.api.send(call).await)
        };
        let delay = emu.options.webhook_retry_delay;
        webhook::deliver(&emu.desk, kind, attempts, delay, attempt).await;
    }
}
