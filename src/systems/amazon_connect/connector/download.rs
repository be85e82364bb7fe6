//! Files an agent sends the user. They arrive as an `ATTACHMENT` item naming each file by
//! `AttachmentId`; `GetAttachment` (`POST /participant/attachment`, connection token) turns an
//! id into a presigned download link and the file's size.
//!
//! Every file becomes a `ChatEvent::AgentFile`, with its link when one could be had. When not
//! (the call failed, the file is not approved, the item lacks an id) the user still sees the
//! file, followed by a `SystemMessage` saying why it has no link: no file is dropped silently.

use super::wire::{AttachmentItem, AttachmentLink, GetAttachment};
use super::{SYSTEM, Settings, inferred};
use crate::connectors::http::Api;
use crate::connectors::{ChatEvent, ConnectorError, agent_file};
use crate::protocol::{AgentInfo, Attachment};

/// The call name in errors and traces.
const GET: &str = "GetAttachment";

/// Why a file has no download link.
enum NoLink {
    /// `GetAttachment` failed.
    Call(ConnectorError),
    /// The service has not approved the file (`REJECTED`, `IN_PROGRESS`, ...).
    Status(String),
    /// The item names no `AttachmentId` to ask for.
    NoId,
}

impl NoLink {
    /// What the user reads under the file.
    fn text(&self, name: &str) -> String {
        match self {
            Self::Call(e) => format!("{e} (the agent's file {name:?} has no download link)"),
            Self::Status(status) => format!(
                "{SYSTEM}: the agent's file {name:?} has status {status}, so it has no download link"
            ),
            Self::NoId => format!(
                "{SYSTEM}: the agent's file {name:?} came without an AttachmentId, so it has no \
                 download link"
            ),
        }
    }
}

/// The events one agent's `ATTACHMENT` item becomes, in order.
pub(super) async fn agent_files(
    settings: &Settings,
    api: &Api,
    connection_token: &str,
    agent: &AgentInfo,
    files: Vec<AttachmentItem>,
) -> Vec<ChatEvent> {
    if files.is_empty() {
        return vec![ChatEvent::SystemMessage {
            text: format!("{SYSTEM}: an agent's ATTACHMENT item named no file"),
        }];
    }
    let mut events = Vec::with_capacity(files.len());
    for item in files {
        let mut file = describe(&item);
        let link = link(settings, api, connection_token, &item).await;
        let note = match link {
            Ok(link) => {
                file.url = Some(link.url);
                file.size = link.attachment_size_in_bytes;
                None
            }
            Err(why) => {
                tracing::warn!(system = SYSTEM, attachment = %item.attachment_id, "agent file without a link");
                Some(why.text(&file.name))
            }
        };
        events.push(ChatEvent::AgentFile {
            agent: agent.clone(),
            file,
        });
        events.extend(note.map(|text| ChatEvent::SystemMessage { text }));
    }
    events
}

/// What the item tells of a file: its name, and its type (guessed from the name when the item
/// gives none).
fn describe(item: &AttachmentItem) -> Attachment {
    let name = if item.attachment_name.trim().is_empty() {
        "file".to_owned()
    } else {
        item.attachment_name.clone()
    };
    let content_type = agent_file::content_type(Some(&item.content_type), &name);
    Attachment {
        name,
        content_type,
        size: None,
        url: None,
    }
}

/// `GetAttachment` for one approved file.
async fn link(
    settings: &Settings,
    api: &Api,
    connection_token: &str,
    item: &AttachmentItem,
) -> Result<AttachmentLink, NoLink> {
    // A missing status is read as approved: the call itself says whether the file can be had.
    if !item.status.is_empty() && item.status != inferred::APPROVED {
        return Err(NoLink::Status(item.status.clone()));
    }
    if item.attachment_id.is_empty() {
        return Err(NoLink::NoId);
    }
    let body = GetAttachment {
        attachment_id: item.attachment_id.clone(),
        url_expiry_in_seconds: Some(inferred::DOWNLOAD_URL_EXPIRY_SECS),
    };
    let call = settings.participant("/participant/attachment", GET, connection_token, &body);
    let link: AttachmentLink = api
        .send(call)
        .await
        .and_then(|reply| reply.json())
        .map_err(NoLink::Call)?;
    if link.url.is_empty() {
        return Err(NoLink::Call(api.payload_error(GET, "no Url")));
    }
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, content_type: &str) -> AttachmentItem {
        AttachmentItem {
            attachment_id: "a-1".into(),
            attachment_name: name.into(),
            content_type: content_type.into(),
            status: inferred::APPROVED.into(),
        }
    }

    #[test]
    fn the_type_is_the_items_or_guessed_from_the_name() {
        assert_eq!(
            describe(&item("a.pdf", "image/png")).content_type,
            "image/png"
        );
        assert_eq!(describe(&item("a.pdf", "")).content_type, "application/pdf");
        let unnamed = describe(&item(" ", ""));
        assert_eq!(unnamed.name, "file");
        assert_eq!(unnamed.content_type, "application/octet-stream");
    }

    #[test]
    fn every_reason_names_the_system_and_the_file() {
        for why in [NoLink::Status("REJECTED".into()), NoLink::NoId] {
            let text = why.text("scan.png");
            assert!(text.starts_with(SYSTEM), "{text}");
            assert!(text.contains("\"scan.png\""), "{text}");
        }
    }
}
