//! Desk signals as the instance posts them to the response endpoint: the items of each
//! signal (shapes the docs do not give from `inferred`), in one envelope, in order, retried
//! on non-2xx.

use super::{Emu, wire};
use crate::connectors::http::{Call, Method};
use crate::emulators::desk::{Delivery, EndedBy, Signal};
use crate::emulators::webhook;
use crate::systems::servicenow::inferred;
use serde_json::{Value, json};
use std::sync::Arc;

/// The `agentInfo` of `agent` as JSON.
fn agent_info(agent: &crate::emulators::desk::SimAgent, sent_from_agent: bool) -> Value {
    wire::AgentInfo {
        agent_name: agent.name.clone(),
        agent_id: agent.id.clone(),
        sent_from_agent,
    }
    .to_value()
}

/// The envelope items (and whether it completes) one desk signal becomes; agents' files link
/// to `base_url`.
fn items_for(signal: Signal, base_url: &str) -> Option<(Vec<Value>, bool, bool)> {
    let system = inferred::system;
    Some(match signal {
        Signal::Queued { eta_secs } => (
            vec![
                json!({"uiType": "ActionMsg", "actionType": "StartSpinner", "spinnerType": "wait_time",
                       "message": "Routing you to a live agent...", "waitTime": format!("{eta_secs} Seconds")}),
                json!({"uiType": "ActionMsg", "actionType": "SubscribeToSupportQueue", "supportQueue": "chat-queue"}),
            ],
            false,
            false,
        ),
        Signal::Joined { agent } => (
            vec![
                inferred::switch_to_live_agent(&agent_info(&agent, false)),
                system(inferred::AGENT_ENTERED),
            ],
            true,
            false,
        ),
        Signal::Message { agent, text, id } => {
            let item = wire::AgentText {
                ui_type: "OutputText",
                group: "DefaultText",
                value: text,
                message_id: id,
                agent_info: wire::AgentInfo {
                    agent_name: agent.name.clone(),
                    agent_id: agent.id.clone(),
                    sent_from_agent: true,
                },
            };
            (
                vec![serde_json::to_value(item).unwrap_or(Value::Null)],
                true,
                false,
            )
        }
        Signal::Typing { on, .. } => {
            let kind = if on {
                "StartTypingIndicator"
            } else {
                "EndTypingIndicator"
            };
            (vec![inferred::action(kind)], true, false)
        }
        Signal::Transfer { .. } => (vec![system(inferred::TRANSFERRING)], true, false),
        Signal::Left {
            transferring: true, ..
        }
        | Signal::Ended { by: EndedBy::User } => return None,
        Signal::File { agent, file, id } => {
            let url = file.url(base_url);
            let item = inferred::agent_file(
                &agent_info(&agent, true),
                &file.name,
                &file.content_type,
                &url,
                &id,
            );
            (vec![item], true, false)
        }
        Signal::Left {
            transferring: false,
            ..
        } => (
            vec![
                system(inferred::CHAT_CLOSED),
                inferred::action("SwitchToVirtualAgent"),
            ],
            false,
            false,
        ),
        Signal::Ended {
            by: EndedBy::Agent(_),
        } => (Vec::new(), false, true),
        Signal::Ended {
            by: EndedBy::Timeout,
        } => (vec![system(inferred::TIMED_OUT)], false, true),
        Signal::Malformed => (vec![json!({"uiType": 42})], true, false),
    })
}

/// Puts one desk signal on the wire: the envelope of items it makes, posted to the outbound
/// endpoint.
pub(super) async fn relay(emu: Arc<Emu>, conversation: String, signal: Signal) {
    let label = format!("{signal:?}")
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned();
    let base_url = emu.base_url.get().cloned().unwrap_or_default();
    if let Some((items, agent_chat, completed)) = items_for(signal, &base_url) {
        post_envelope(&emu, &conversation, items, agent_chat, completed, &label).await;
    }
}

pub(super) async fn post_envelope(
    emu: &Emu,
    conversation: &str,
    body: Vec<Value>,
    agent_chat: bool,
    completed: bool,
    label: &str,
) {
    let (outbound, client_session, user_id) = {
        let books = emu.books();
        let Some(session) = books.sessions.get(conversation) else {
            return;
        };
        (
            books.outbound.clone(),
            session.client_session.clone(),
            session.user_id.clone(),
        )
    };
    let Some(outbound) = outbound else {
        tracing::warn!("ServiceNow emulator: no response endpoint configured; response dropped");
        emu.desk.record_delivery(Delivery {
            event: label.to_owned(),
            status: 0,
            retry: 0,
        });
        return;
    };
    let envelope = wire::Envelope {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_session_id: client_session,
        now_session_id: conversation.to_owned(),
        user_id,
        interaction_id: conversation.to_owned(),
        body,
        agent_chat,
        completed,
        take_control: false,
    };
    let attempt = |_retry| async {
        let mut call = Call::new(
            format!("response {label}"),
            Method::Post,
            outbound.url.as_str(),
        )
        .json(&envelope);
        for (name, value) in &outbound.headers {
            call = call.header(name.as_str(), value.as_str());
        }
        webhook::status_of(&emu.api.send(call).await)
    };
    let (attempts, delay) = (
        emu.options.webhook_attempts,
        emu.options.webhook_retry_delay,
    );
    webhook::deliver(&emu.desk, label, attempts, delay, attempt).await;
}
