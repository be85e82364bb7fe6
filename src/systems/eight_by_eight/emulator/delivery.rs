//! Webhook delivery: desk signals become Chat Gateway events, signed like 8x8 signs them and
//! sent (POST) to every registered webhook, retried with a new transmission time.

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use crate::emulators::desk::{AgentFile, SimAgent};
use crate::emulators::webhook;

pub(super) fn event(conversation: &str, kind: &str, data: Option<Value>) -> wire::Event {
    wire::Event {
        event_type: kind.into(),
        message_type: None,
        conversation_id: conversation.into(),
        timestamp: now_millis(),
        agent_id: None,
        agent_name: None,
        data,
    }
}

/// `AGENT_JOINED` as the chat workflow shows it: the agent's id and display name, the only
/// place Chat Gateway gives the name.
fn agent_joined(conversation: &str, agent: &SimAgent) -> wire::Event {
    wire::Event {
        message_type: Some("SYSTEM".into()),
        agent_id: Some(agent.id.clone()),
        agent_name: Some(agent.name.clone()),
        ..event(conversation, "AGENT_JOINED", None)
    }
}

/// The webhook events one desk signal becomes.
pub(super) fn events_for(emu: &Emu, conversation: &str, signal: Signal) -> Vec<String> {
    let queue = emu
        .meta(conversation, |m| m.queue.clone())
        .unwrap_or_else(|| DEFAULT_QUEUE.to_owned());
    let to_json = |e: wire::Event| serde_json::to_string(&e).unwrap_or_default();
    let events = match signal {
        Signal::Queued { .. } => vec![
            event(
                conversation,
                "CONVERSATION_UPDATE",
                Some(json!({
                    "state": "created", "assignment": {"type": "queue", "id": queue}, "channel": "ChatAPI",
                })),
            ),
            event(
                conversation,
                "QUEUED",
                Some(json!({"queueId": queue, "queueName": queue})),
            ),
        ],
        Signal::Joined { agent } => joined(emu, conversation, &agent),
        Signal::Message { agent, text, .. } => vec![event(
            conversation,
            "MESSAGE",
            Some(json!({
                "isEcho": false, "sender": {"id": agent.id, "type": "agent"}, "text": text,
            })),
        )],
        Signal::Typing { agent, on } => {
            let users = if on {
                json!([{"type": "agent", "id": agent.id}])
            } else {
                json!([])
            };
            vec![event(
                conversation,
                "ACTIVITY",
                Some(json!({"name": "typing", "value": {"users": users}})),
            )]
        }
        Signal::Transfer { .. } => vec![event(conversation, "TRANSFER", None)],
        Signal::Left { agent, .. } => {
            emu.meta(conversation, |m| m.left.push(agent.id.clone()));
            vec![event(
                conversation,
                "MEMBERS_CHANGED",
                Some(json!({
                    "memberType": "agent", "change": "left", "id": agent.id,
                })),
            )]
        }
        Signal::Ended {
            by: EndedBy::Timeout,
        } => {
            vec![event(
                conversation,
                "CONVERSATION_UPDATE",
                Some(inferred::queue_timeout_data(&queue)),
            )]
        }
        Signal::File { agent, file, .. } => vec![agent_file(emu, conversation, &agent, &file)],
        Signal::Ended {
            by: EndedBy::Agent(_) | EndedBy::User,
        } => Vec::new(),
        Signal::Malformed => {
            return vec![
                json!({"eventType": "MESSAGE", "conversationId": conversation, "data": {"sender": 42}})
                    .to_string(),
            ];
        }
    };
    events.into_iter().map(to_json).collect()
}

/// An agent joined: the conversation is assigned, the name announced, the member listed.
fn joined(emu: &Emu, conversation: &str, agent: &SimAgent) -> Vec<wire::Event> {
    emu.meta(conversation, |m| m.agents.push(agent.clone()));
    vec![
        event(
            conversation,
            "CONVERSATION_UPDATE",
            Some(json!({
                "state": "active", "assignment": {"type": "agent", "id": agent.id}, "channel": "ChatAPI",
            })),
        ),
        agent_joined(conversation, agent),
        event(
            conversation,
            "MEMBERS_CHANGED",
            Some(json!({
                "memberType": "agent", "change": "joined", "id": agent.id,
            })),
        ),
    ]
}

/// An agent's file, as a message with one attachment.
fn agent_file(emu: &Emu, conversation: &str, agent: &SimAgent, file: &AgentFile) -> wire::Event {
    let base = emu.base_url();
    event(
        conversation,
        "MESSAGE",
        // [INFER] `type` holds the MIME type and the text is empty (`inferred`).
        Some(json!({
            "isEcho": false, "sender": {"id": agent.id, "type": "agent"}, "text": "",
            "attachments": [{
                "id": file.id, "type": file.content_type,
                "preSignedUrl": file.url(&base), "fileName": file.name,
            }],
        })),
    )
}

pub(super) fn spawn_delivery(emu: Arc<Emu>, event: wire::Event) {
    let body = serde_json::to_string(&event).unwrap_or_default();
    tokio::spawn(async move { deliver_one(&emu, &event.event_type, &body).await });
}

/// Puts one desk signal on the wire: each event it makes, delivered to every webhook.
pub(super) async fn relay(emu: Arc<Emu>, conversation: String, signal: Signal) {
    for body in events_for(&emu, &conversation, signal) {
        let kind = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("eventType")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        deliver_one(&emu, &kind, &body).await;
    }
}

/// Delivers one event to every webhook, retrying non-2xx answers.
pub(super) async fn deliver_one(emu: &Emu, kind: &str, body: &str) {
    let hooks = emu
        .webhooks
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    if hooks.is_empty() {
        tracing::warn!(
            event = kind,
            "8x8 emulator: no webhook registered; event dropped"
        );
    }
    for url in hooks {
        let eid = uuid::Uuid::new_v4().simple().to_string();
        // 8x8 signs each retry anew, with its number in the signature.
        let attempt = |retry| post_signed_with(emu, &url, kind, body, u64::from(retry), &eid);
        let (attempts, delay) = (
            emu.options.webhook_attempts,
            emu.options.webhook_retry_delay,
        );
        webhook::deliver(&emu.desk, kind, attempts, delay, attempt).await;
    }
}

pub(super) async fn post_signed(emu: &Emu, url: &str, kind: &str, body: &str, retry: u64) -> u16 {
    let eid = uuid::Uuid::new_v4().simple().to_string();
    post_signed_with(emu, url, kind, body, retry, &eid).await
}

pub(super) async fn post_signed_with(
    emu: &Emu,
    url: &str,
    kind: &str,
    body: &str,
    retry: u64,
    eid: &str,
) -> u16 {
    let tt = now_millis();
    let signed = Signed {
        cid: TENANT,
        eid,
        retry,
        tid: TENANT,
        tt,
    };
    let payload = signature::payload(body.as_bytes(), &signed);
    let mut sig = match emu.signer.sign(&payload) {
        Ok(sig) => sig,
        Err(e) => {
            tracing::error!(error = %e, "8x8 emulator cannot sign");
            return 0;
        }
    };
    if emu.faults.take_bad_signature() {
        // Flip the signature's last character: still well-formed, no longer valid.
        let last = if sig.ends_with('A') { 'B' } else { 'A' };
        sig.pop();
        sig.push(last);
    }
    let call = Call::new(format!("webhook {kind}"), Method::Post, url)
        .header("content-type", "application/json")
        .header("x-8x8-tenant-id", TENANT)
        .header("x-8x8-customer-id", TENANT)
        .header("x-8x8-event-id", eid)
        .header("x-8x8-transmission-time", tt.to_string())
        .header("x-8x8-retry", retry.to_string())
        .header("x-8x8-signature", sig);
    let call = with_raw_body(call, body);
    match emu.api.send(call).await {
        Ok(reply) => reply.status,
        Err(
            crate::connectors::ConnectorError::Status { status, .. }
            | crate::connectors::ConnectorError::Unauthorized { status, .. },
        ) => status,
        Err(_) => 0,
    }
}

pub(super) fn with_raw_body(call: Call, body: &str) -> Call {
    call.raw_body(body.as_bytes().to_vec())
}
