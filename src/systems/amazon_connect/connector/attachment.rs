//! Sending the user's file to the chat, as the Participant Service takes it:
//! `StartAttachmentUpload` (name, type, size) answers a presigned S3 URL and the headers it was
//! signed with; the bytes go there in one `PUT` carrying exactly those headers; then
//! `CompleteAttachmentUpload` hands the file to the agent.
//!
//! Both participant calls carry a `ClientToken` derived from the message id, so a retry (after
//! a 5xx whose work was in fact done) neither opens a second upload nor shows the file twice.
//! The `PUT` replaces the object, so retrying it is safe as it is.

use super::Settings;
use super::wire::{AttachmentUploadStarted, CompleteAttachmentUpload, StartAttachmentUpload};
use crate::connectors::http::{Api, Call, Method};
use crate::connectors::{ConnectorError, FileUpload};

/// The call names in errors and traces.
const START: &str = "StartAttachmentUpload";
const PUT: &str = "PUT attachment to its upload URL";
const COMPLETE: &str = "CompleteAttachmentUpload";

/// The `ClientToken`s of one file's start and complete calls.
fn client_tokens(client_message_id: &str) -> (String, String) {
    (
        format!("{client_message_id}-attach-start"),
        format!("{client_message_id}-attach-complete"),
    )
}

/// Uploads `file` into the chat of `connection_token`; the attachment's id on success.
pub(super) async fn send(
    settings: &Settings,
    api: &Api,
    connection_token: &str,
    file: &FileUpload,
    client_message_id: &str,
) -> Result<String, ConnectorError> {
    let (start_token, complete_token) = client_tokens(client_message_id);
    let start = StartAttachmentUpload {
        content_type: file.content_type.clone(),
        attachment_size_in_bytes: file.size(),
        attachment_name: file.name.clone(),
        client_token: start_token,
    };
    let call = settings.participant(
        "/participant/start-attachment-upload",
        START,
        connection_token,
        &start,
    );
    let started: AttachmentUploadStarted = api.send(call).await?.json()?;
    if started.attachment_id.is_empty() || started.upload_metadata.url.is_empty() {
        return Err(api.payload_error(START, "no AttachmentId or upload URL"));
    }
    let mut put = Call::new(PUT, Method::Put, started.upload_metadata.url.as_str());
    for (name, value) in &started.upload_metadata.headers_to_include {
        put = put.header(name.as_str(), value.as_str());
    }
    api.send(put.raw_body(file.bytes.clone())).await?;
    let complete = CompleteAttachmentUpload {
        attachment_ids: vec![started.attachment_id.clone()],
        client_token: complete_token,
    };
    let call = settings.participant(
        "/participant/complete-attachment-upload",
        COMPLETE,
        connection_token,
        &complete,
    );
    api.send(call).await?;
    Ok(started.attachment_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_tokens_are_stable_per_message_and_differ_per_call() {
        let (start, complete) = client_tokens("m-1");
        assert_ne!(start, complete);
        assert_eq!(client_tokens("m-1"), (start.clone(), complete));
        assert_ne!(client_tokens("m-2").0, start);
    }
}
