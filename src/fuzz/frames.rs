//! Broker frames that carry a hostile text in every field a person reads, as JSON (the form in
//! which they reach the console), so they follow the protocol's types as those grow.

use serde_json::{Value, json};

fn envelope(seq: u64, audience: &str, event: &Value) -> Value {
    json!({"type": "event", "conversation": "c-1", "seq": seq, "at": 1_000 + seq,
           "audience": audience, "event": event})
}

/// The welcome frames of both connections and the desk, with `t` as the system's and agents'
/// names.
pub fn opening(t: &str) -> Vec<Value> {
    let broker = json!({"version": "0.1.0", "system": t, "style": "brokered",
                        "queue_timeout_ms": 120_000, "max_message_bytes": 65_536});
    vec![
        json!({"type": "welcome", "protocol": 1, "session": "s-1", "role": "user",
               "conversation": "c-1", "broker": broker}),
        json!({"type": "welcome", "protocol": 1, "session": "s-2", "role": "agent",
               "agent": "Lisa", "broker": broker}),
        json!({"type": "desk", "agents": [
            {"name": "Lisa", "presence": "available", "active_chats": 0},
            {"name": t, "presence": "away", "active_chats": 1}]}),
    ]
}

/// A conversation's events with `t` in every text: messages of each role and part, states,
/// typing, and the desk's view (request, offer, reject, assignment, end).
pub fn conversation(t: &str, first_seq: u64) -> Vec<(bool, Value)> {
    let user = json!({"id": t, "name": t, "email": t});
    let message = |id: &str, role: &str, parts: Value| {
        json!({"kind": "message", "message": {"id": id, "role": role, "at": 2_000,
               "agent": {"name": t, "on_behalf": true}, "parts": parts}})
    };
    let rich = json!([{"richText": t}, {"richText": format!("<p>{t}</p><b>{t}</b>")}]);
    let steps = json!([{"reasoningSteps": [{"richText": t, "status": "pending"},
                                            {"richText": t, "status": "failure"}]},
                       {"buttons": [{"buttonText": t, "style": "filled", "action": "start_agent_chat", "state": "active"},
                                    {"buttonText": t, "style": "outlined", "action": "other_help", "state": "disabled"}]}]);
    let file = json!([{"attachment": {"name": t, "content_type": t, "size": 8, "url": t}}]);
    let events: Vec<(bool, &str, Value)> = vec![
        (true, "user", json!({"kind": "opened", "user": user})),
        (true, "user", message("m-1", "user", rich.clone())),
        (true, "user", message("m-2", "assistant", steps)),
        (
            true,
            "both",
            json!({"kind": "state", "state": {"state": "offered", "topic": t, "available": true}}),
        ),
        (
            false,
            "agent",
            json!({"kind": "request", "title": t, "user": user, "topic": t,
                                 "context": {t: t}, "history": t, "queued_at": 1_000, "style": "brokered"}),
        ),
        (false, "agent", json!({"kind": "offered", "agent": t})),
        (
            false,
            "agent",
            json!({"kind": "rejected", "agent": t, "reason": t}),
        ),
        (
            true,
            "both",
            json!({"kind": "state", "state": {"state": "connected", "agent": t, "since": 1_000}}),
        ),
        (
            false,
            "agent",
            json!({"kind": "assigned", "agent": "Lisa", "agents": ["Lisa", t]}),
        ),
        (
            true,
            "both",
            json!({"kind": "typing", "who": t, "on": true}),
        ),
        (true, "both", message("m-3", "agent", rich)),
        (true, "both", message("m-4", "user", file)),
        (
            true,
            "both",
            message("m-5", "system", json!([{"richText": t}])),
        ),
        (
            true,
            "both",
            json!({"kind": "state", "state": {"state": "redirected", "url": t}}),
        ),
        (
            false,
            "agent",
            json!({"kind": "chat_ended", "reason": {"by": "error", "message": t}}),
        ),
    ];
    events
        .into_iter()
        .zip(first_seq..)
        .map(|((to_user, audience, event), seq)| (to_user, envelope(seq, audience, &event)))
        .collect()
}

/// Other frames a console reads: errors, a trace of a call, an unknown frame.
pub fn others(t: &str) -> Vec<Value> {
    vec![
        json!({"type": "error", "id": t, "code": "invalid_state", "message": t}),
        json!({"type": "trace", "call": {"at": 1, "system": t, "name": t, "kind": "http",
               "method": t, "url": t, "status": 500, "duration_ms": 4, "request": t, "response": t}}),
        json!({"type": t}),
    ]
}
