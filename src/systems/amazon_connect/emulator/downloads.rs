//! Agents' files on the participant side: the desk's `Signal::File` becomes the agent's
//! `ATTACHMENT` item, and `GetAttachment` (`POST /participant/attachment`, connection token)
//! answers a link to the bytes, its expiry and the size.
//!
//! [NOT PUBLIC] The link is the emulator's own `/__emu/files/{id}` (real links are presigned S3
//! URLs); the `AttachmentId` is the desk's file id. Only the contact the file was sent in can
//! link it; any other id is a `ValidationException` ([INFER], see `inferred`).

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use crate::emulators::desk::AgentFile;
use participant::Connected;
use wire::{ATTACHMENT, AttachmentItem};

/// The agent's `ATTACHMENT` item for `file`; the file is remembered as the contact's.
pub(super) fn agent_item(
    emu: &Emu,
    contact: &str,
    agent: &SimAgent,
    file: AgentFile,
    id: String,
) -> Item {
    emu.books()
        .agent_files
        .insert(file.id.clone(), contact.to_owned());
    let mut item = new_item(ATTACHMENT, "", None, "AGENT", Some(agent), contact);
    item.id = id;
    // [INFER] As the customer's own: an ATTACHMENT item carries no ContentType of its own.
    item.content_type = None;
    item.attachments = vec![AttachmentItem {
        attachment_id: file.id,
        attachment_name: file.name,
        content_type: file.content_type,
        status: inferred::APPROVED.into(),
    }];
    item
}

/// `POST /participant/attachment`.
pub(super) async fn get_attachment(
    State(emu): State<Arc<Emu>>,
    Connected { contact, request }: Connected<wire::GetAttachmentRequest>,
) -> Response {
    let id = request.attachment_id;
    let expiry = request
        .url_expiry_in_seconds
        .unwrap_or(u64::from(inferred::DOWNLOAD_URL_EXPIRY_SECS));
    let allowed = inferred::MIN_DOWNLOAD_URL_EXPIRY_SECS..=inferred::DOWNLOAD_URL_EXPIRY_SECS;
    if !allowed.contains(&u32::try_from(expiry).unwrap_or(u32::MAX)) {
        return attachments::validation(&format!(
            "UrlExpiryInSeconds must be {}-{}",
            inferred::MIN_DOWNLOAD_URL_EXPIRY_SECS,
            inferred::DOWNLOAD_URL_EXPIRY_SECS
        ));
    }
    let owned = emu.books().agent_files.get(&id) == Some(&contact);
    let Some((file, _)) = owned.then(|| emu.desk.agent_file_bytes(&id)).flatten() else {
        return attachments::validation(&format!("Attachment {id} was not found"));
    };
    let addr = match emu.listening() {
        Ok(addr) => addr,
        Err(r) => return *r,
    };
    let expires = SystemTime::now() + Duration::from_secs(expiry);
    Json(wire::AttachmentLink {
        url: file.url(&format!("http://{addr}")),
        url_expiry: sigv4::iso8601(expires),
        attachment_size_in_bytes: file.size,
    })
    .into_response()
}
