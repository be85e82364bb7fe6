//! The emulated `addconversationattachments`: `POST /conversations/{id}/attachments` takes a
//! `multipart/form-data` upload (the `attachment` part with its file name and type, an optional
//! `authorType`), stores it with the conversation and answers its id. A message that
//! references an id the conversation does not have is refused; the file is recorded on the
//! desk when a message carries it. Limits and refused types are made up ([`inferred`]).

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use crate::emulators::desk::{ConvState, ReceivedFile};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;

/// The longest upload body read: the limit plus room for the form around the file, so an
/// oversized file gets the 413 problem rather than a cut connection.
pub(super) const BODY_LIMIT: usize = inferred::MAX_ATTACHMENT_BYTES as usize + 1024 * 1024;

fn invalid(message: &str) -> Response {
    problem(StatusCode::BAD_REQUEST, "invalid_parameter", message)
}

/// Why the emulator refuses a file, if it does.
fn refusal(name: &str, size: u64) -> Option<Response> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if inferred::REFUSED_EXTENSIONS.contains(&extension.as_str()) {
        return Some(problem(
            StatusCode::BAD_REQUEST,
            inferred::REFUSED_TYPE_CODE,
            &format!("files of type .{extension} are not allowed"),
        ));
    }
    if size > inferred::MAX_ATTACHMENT_BYTES {
        return Some(too_large());
    }
    (size == 0).then(|| invalid("the attachment is empty"))
}

/// A form file name as sent by browsers (WHATWG HTML): `"`, CR and LF percent-encoded.
/// [INFER] that 8x8 decodes them; the parser underneath does not.
fn unescape(name: &str) -> String {
    name.replace("%22", "\"")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
}

fn too_large() -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        inferred::TOO_LARGE_CODE,
        &format!(
            "attachments are limited to {} bytes",
            inferred::MAX_ATTACHMENT_BYTES
        ),
    )
}

pub(super) async fn upload(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    _: Key,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    match emu.desk.conversation(&id) {
        None => return unknown(&id),
        Some(c) if c.state == ConvState::Ended => {
            return problem(
                StatusCode::CONFLICT,
                "CONVERSATION_CLOSED",
                "the conversation has ended",
            );
        }
        Some(_) => {}
    }
    let mut form = match form {
        Ok(form) => form,
        Err(e) => return invalid(&format!("expected multipart/form-data: {e}")),
    };
    let mut file = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(e) => return invalid(&e.body_text()),
        };
        match field.name() {
            Some(wire::ATTACHMENT_PART) => {
                let Some(name) = field.file_name().map(unescape) else {
                    return invalid("the attachment part needs a file name");
                };
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = match field.bytes().await {
                    Ok(bytes) => bytes,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
                    Err(e) => return invalid(&e.body_text()),
                };
                file = Some(ReceivedFile::of(&name, &content_type, &bytes));
            }
            Some(wire::AUTHOR_TYPE_PART) => {
                let author = field.text().await.unwrap_or_default();
                if let Err(r) = check_author(&author, wire::MESSAGE_AUTHORS) {
                    return *r;
                }
            }
            _ => {}
        }
    }
    let Some(file) = file else {
        return invalid("the attachment part is required");
    };
    if let Some(refused) = refusal(&file.name, file.size) {
        return refused;
    }
    let attachment = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    // `AttachmentResult`: the reference requires `size` but describes `sizeInBytes`; both.
    let stored = json!({
        "id": attachment, "filename": file.name, "size": file.size, "sizeInBytes": file.size,
        "type": file.content_type, "createdAt": jiff::Timestamp::now().to_string(),
    });
    if emu
        .meta(&id, |m| m.attachments.insert(attachment.clone(), file))
        .is_none()
    {
        return unknown(&id);
    }
    hal(StatusCode::OK, &stored)
}

/// The files a message references, or the 400 for the first id the conversation lacks.
pub(super) fn referenced(
    emu: &Emu,
    conversation: &str,
    refs: &[String],
) -> Result<Vec<(String, ReceivedFile)>, Box<Response>> {
    let stored = emu
        .meta(conversation, |m| m.attachments.clone())
        .unwrap_or_default();
    refs.iter()
        .map(|r| {
            stored
                .get(r)
                .map(|file| (r.clone(), file.clone()))
                .ok_or_else(|| {
                    Box::new(problem(
                        StatusCode::BAD_REQUEST,
                        inferred::UNKNOWN_ATTACHMENT_CODE,
                        &format!("attachment {r} was not uploaded to conversation {conversation}"),
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_empty_and_oversized_files_are_refused() {
        assert!(refusal("report.pdf", 10).is_none());
        assert!(refusal("noextension", 10).is_none());
        let status = |r: Option<Response>| r.map(|r| r.status());
        assert_eq!(
            status(refusal("Setup.EXE", 10)),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            status(refusal("a.pdf", inferred::MAX_ATTACHMENT_BYTES + 1)),
            Some(StatusCode::PAYLOAD_TOO_LARGE)
        );
        assert_eq!(status(refusal("a.pdf", 0)), Some(StatusCode::BAD_REQUEST));
    }
}
