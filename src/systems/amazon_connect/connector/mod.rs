//! Amazon Connect chat connector.
//!
//! - Start: `StartChatContact` (`PUT {control}/contact/chat`, `SigV4` with signing name
//!   `connect`, see [`sigv4`]) with the utterance as `InitialMessage`, routing keys and the
//!   assistant transcript as `Attributes`, and a fresh `ClientToken` per call (a retry of
//!   that call resends the same token, so it cannot open a second contact; a second handoff of
//!   the same conversation gets its own token, so Connect does not answer it with the first). Then `CreateParticipantConnection`
//!   (`X-Amz-Bearer: ParticipantToken`, `ConnectParticipant: true`) and the participant
//!   WebSocket ([`chat`]): `aws/subscribe` to `aws/chat`, heartbeats, items whose `content` is
//!   a JSON string.
//! - User side: `SendMessage` (the message id is the `ClientToken`), `SendEvent` typing,
//!   `DisconnectParticipant`, and files ([`attachment`]: `StartAttachmentUpload`, `PUT` to the
//!   presigned URL, `CompleteAttachmentUpload`); all with `X-Amz-Bearer: ConnectionToken`, no
//!   `SigV4`.
//! - Agents' files: an `ATTACHMENT` item from the agent is linked with `GetAttachment`
//!   ([`download`]) and passed on as `AgentFile`; a file without a link still is, with a
//!   `SystemMessage` saying why.
//! - Robustness: a missed heartbeat echo or a closed socket reconnects with a fresh URL
//!   (URLs expire 100 s after issue) and fills the gap with `GetTranscript`, deduplicating by
//!   item id.
//! - Availability: `GetCurrentMetricData` `AGENTS_AVAILABLE` over the configured queues.

mod attachment;
pub mod chat;
mod download;
pub use super::inferred;
pub use super::sigv4;
pub mod wire;

use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::{
    Availability, Connector, ConnectorError, HISTORY_LIMIT_BYTES, HandoffRequest, Started, runtime,
};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use wire::{
    ChatMessage, Collection, Filters, GetCurrentMetricData, Metric, MetricData, ParticipantDetails,
    StartChatContact, StartChatContactResponse,
};

/// The system's name in errors and status lines.
pub const SYSTEM: &str = "Amazon Connect";

/// The longest message Connect is sure to take (the documented text/plain limit).
pub const MAX_MESSAGE_CHARS: usize = 1024;

/// How the connector reaches one Connect instance.
#[derive(Debug, Clone)]
pub struct Settings {
    /// e.g. `us-east-1`.
    pub region: String,
    /// `https://connect.<region>.amazonaws.com` (or the emulator).
    pub control_base: String,
    /// `https://participant.connect.<region>.amazonaws.com` (or the emulator).
    pub participant_base: String,
    /// The instance.
    pub instance_id: String,
    /// The inbound chat flow.
    pub contact_flow_id: String,
    /// Queues counted for availability.
    pub queue_ids: Vec<String>,
    /// Signing credentials.
    pub credentials: sigv4::Credentials,
    /// Retries.
    pub retry: RetryPolicy,
    /// How often the socket is pinged (chatjs: 10 s); a missing echo by the next ping
    /// reconnects.
    pub heartbeat: Duration,
    /// Reconnect attempts before the chat is given up.
    pub reconnect_attempts: u32,
}

impl Settings {
    fn control(
        &self,
        method: Method,
        path: &str,
        name: &str,
        body: &impl serde::Serialize,
    ) -> Call {
        let call = Call::new(
            name,
            method,
            format!("{}{path}", self.control_base.trim_end_matches('/')),
        )
        .header("Accept", "application/json")
        .json(body);
        sigv4::sign_call(call, &self.credentials, &self.region, "connect")
    }

    fn participant(
        &self,
        path: &str,
        name: &str,
        bearer: &str,
        body: &impl serde::Serialize,
    ) -> Call {
        Call::new(
            name,
            Method::Post,
            format!("{}{path}", self.participant_base.trim_end_matches('/')),
        )
        .header("X-Amz-Bearer", bearer)
        .header("Accept", "application/json")
        .json(body)
    }
}

/// The Amazon Connect connector.
#[derive(Debug)]
pub struct AmazonConnect {
    settings: Arc<Settings>,
    api: Api,
}

impl AmazonConnect {
    /// A connector for `settings`.
    pub fn new(settings: Settings) -> Self {
        let mut secrets = vec![settings.credentials.secret_access_key.clone()];
        secrets.extend(settings.credentials.session_token.clone());
        let api = Api::new(SYSTEM, settings.retry, secrets);
        Self {
            settings: Arc::new(settings),
            api,
        }
    }

    fn start_body(&self, request: &HandoffRequest) -> StartChatContact {
        let mut attributes: BTreeMap<String, String> = request
            .context
            .iter()
            .map(|(k, v)| (attribute_key(k), v.clone()))
            .collect();
        attributes.insert(
            inferred::CONVERSATION_ATTRIBUTE.into(),
            request.conversation.to_string(),
        );
        attributes.insert("topic".into(), request.topic.clone());
        attributes.insert(
            inferred::HISTORY_ATTRIBUTE.into(),
            request.history_text(HISTORY_LIMIT_BYTES),
        );
        StartChatContact {
            instance_id: self.settings.instance_id.clone(),
            contact_flow_id: self.settings.contact_flow_id.clone(),
            participant_details: ParticipantDetails {
                display_name: request.user.name.clone(),
            },
            attributes,
            initial_message: Some(ChatMessage {
                content_type: wire::content_type::TEXT.into(),
                content: request.title.chars().take(MAX_MESSAGE_CHARS).collect(),
            }),
            // One token per StartChatContact: `Api::send` resends these bytes on a retry.
            client_token: Some(uuid::Uuid::new_v4().to_string()),
            supported_messaging_content_types: vec![wire::content_type::TEXT.into()],
        }
    }
}

/// Attribute keys may hold only alphanumerics, `-` and `_`.
fn attribute_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[async_trait]
impl Connector for AmazonConnect {
    fn api(&self) -> Option<&Api> {
        Some(&self.api)
    }

    async fn availability(&self) -> Result<Availability, ConnectorError> {
        if self.settings.queue_ids.is_empty() {
            return Ok(Availability::Unknown);
        }
        let body = GetCurrentMetricData {
            current_metrics: vec![
                Metric {
                    name: "AGENTS_AVAILABLE".into(),
                    unit: "COUNT".into(),
                },
                Metric {
                    name: "AGENTS_ONLINE".into(),
                    unit: "COUNT".into(),
                },
            ],
            filters: Filters {
                queues: self.settings.queue_ids.clone(),
                channels: vec!["CHAT".into()],
            },
            groupings: vec!["QUEUE".into()],
        };
        let path = format!("/metrics/current/{}", self.settings.instance_id);
        let call = self
            .settings
            .control(Method::Post, &path, "GetCurrentMetricData", &body);
        let data: MetricData = self.api.send(call).await?.json()?;
        let available: f64 = data
            .metric_results
            .iter()
            .flat_map(|r| r.collections.iter())
            .filter(|c: &&Collection| c.metric.name == "AGENTS_AVAILABLE")
            .filter_map(|c| c.value)
            .sum();
        // Counts of agents: small, non-negative integers sent as doubles.
        #[allow(clippy::cast_sign_loss)]
        let available = available.max(0.0).round() as u32;
        Ok(if available > 0 {
            Availability::Available(available)
        } else {
            Availability::Unavailable
        })
    }

    async fn start(&self, request: HandoffRequest) -> Result<Started, ConnectorError> {
        let body = self.start_body(&request);
        let call = self
            .settings
            .control(Method::Put, "/contact/chat", "StartChatContact", &body);
        let started: StartChatContactResponse = self.api.send(call).await?.json()?;
        let socket =
            chat::Socket::open(&self.settings, &self.api, &started.participant_token).await?;
        let contact = started.contact_id.clone();
        let chat = chat::Chat::new(self.settings.clone(), self.api.clone(), started, socket);
        let outbound = chat.outbound();
        tracing::info!(system = SYSTEM, conversation = %request.conversation, "chat started");
        let options = runtime::Options {
            system: SYSTEM,
            chat: contact,
            policy: self.settings.retry,
            reconnect_attempts: self.settings.reconnect_attempts,
            open: true,
        };
        Ok(Started::Chat(runtime::spawn(chat, outbound, options)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::redact::Secret;
    use crate::protocol::{ConversationId, UserInfo};

    fn connector() -> AmazonConnect {
        AmazonConnect::new(Settings {
            region: "us-east-1".into(),
            control_base: "http://127.0.0.1:9".into(),
            participant_base: "http://127.0.0.1:9".into(),
            instance_id: "instance-1".into(),
            contact_flow_id: "flow-1".into(),
            queue_ids: Vec::new(),
            credentials: sigv4::Credentials {
                access_key_id: "AKIDTEST".into(),
                secret_access_key: Secret::new("not-a-secret"),
                session_token: None,
            },
            retry: RetryPolicy::default(),
            heartbeat: Duration::from_secs(10),
            reconnect_attempts: 1,
        })
    }

    #[test]
    fn every_start_chat_contact_carries_its_own_client_token() {
        let connector = connector();
        let request = HandoffRequest {
            conversation: ConversationId::random(),
            title: "Outlook will not open".into(),
            topic: "Email".into(),
            user: UserInfo::default(),
            context: BTreeMap::new(),
            history: Vec::new(),
        };
        let first = connector.start_body(&request).client_token.unwrap();
        let second = connector.start_body(&request).client_token.unwrap();
        assert_ne!(
            first, second,
            "a second handoff must not reuse the first token"
        );
        assert!(first.len() <= 500, "ClientToken is at most 500 characters");
    }
}
