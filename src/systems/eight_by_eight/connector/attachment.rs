//! Sending the user's file, as Chat Gateway takes it (`addconversationattachments`): the file
//! is uploaded to the conversation (`POST .../attachments`, `multipart/form-data`), then a
//! message references it by the id the upload answered.
//!
//! Neither call has an idempotency key. A retried upload whose first try was in fact stored
//! leaves an unused copy nobody sees; a retried message may show the file twice (as for text).

use super::wire::{
    ATTACHMENT_PART, AUTHOR_TYPE_PART, AttachmentRef, AttachmentResult, SendMessage,
    attachments_path,
};
use super::{Settings, inferred};
use crate::connectors::http::{Api, Method};
use crate::connectors::{ConnectorError, FileUpload, multipart};

/// The call names in errors and traces.
const UPLOAD: &str = "POST /conversations/{id}/attachments";
const MESSAGE: &str = "POST /conversations/{id}/messages";

/// Uploads `file` to `conversation` and sends it; the attachment's id on success.
pub(super) async fn send(
    settings: &Settings,
    api: &Api,
    conversation: &str,
    file: &FileUpload,
) -> Result<String, ConnectorError> {
    let (content_type, form) =
        multipart::form(ATTACHMENT_PART, file, &[(AUTHOR_TYPE_PART, "user")]);
    let call = settings
        .call(Method::Post, &attachments_path(conversation), UPLOAD)
        .header("Content-Type", content_type)
        .raw_body(form);
    let stored: AttachmentResult = api.send(call).await?.json()?;
    if stored.id.is_empty() {
        return Err(api.payload_error(UPLOAD, "empty attachment id"));
    }
    let message = SendMessage {
        author_type: "user".into(),
        text: inferred::file_message_text(&file.name),
        attachments: vec![AttachmentRef {
            id: stored.id.clone(),
        }],
    };
    let call = settings
        .call(
            Method::Post,
            &format!("/conversations/{conversation}/messages"),
            MESSAGE,
        )
        .json(&message);
    api.send(call).await?;
    Ok(stored.id)
}
