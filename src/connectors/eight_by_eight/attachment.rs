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
use crate::connectors::{ConnectorError, FileUpload};

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
    let boundary = format!("handoff-{}", uuid::Uuid::new_v4().simple());
    let call = settings
        .call(Method::Post, &attachments_path(conversation), UPLOAD)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .raw_body(form(&boundary, file));
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

/// The upload's `multipart/form-data` body: the file part, then `authorType: user`.
fn form(boundary: &str, file: &FileUpload) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{ATTACHMENT_PART}\"; \
             filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            escape(&file.name),
            single_line(&file.content_type),
        )
        .as_bytes(),
    );
    body.extend_from_slice(&file.bytes);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{AUTHOR_TYPE_PART}\"\
             \r\n\r\nuser\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    body
}

/// A file name inside a quoted header parameter, escaped as browsers do (WHATWG HTML):
/// `"`, CR and LF percent-encoded, everything else (UTF-8 included) as is.
fn escape(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A header value without line breaks (a broken MIME type cannot inject a header).
fn single_line(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_has_the_file_part_then_the_author() {
        let file = FileUpload {
            name: "a \"b\"\r\n.txt".into(),
            content_type: "text/plain\r\nX-Evil: 1".into(),
            bytes: bytes::Bytes::from_static(b"hi\r\n--x"),
        };
        let body = String::from_utf8(form("BOUND", &file)).unwrap();
        assert_eq!(
            body,
            "--BOUND\r\nContent-Disposition: form-data; name=\"attachment\"; \
             filename=\"a %22b%22%0D%0A.txt\"\r\nContent-Type: text/plainX-Evil: 1\r\n\r\n\
             hi\r\n--x\r\n--BOUND\r\nContent-Disposition: form-data; name=\"authorType\"\r\n\
             \r\nuser\r\n--BOUND--\r\n"
        );
    }
}
