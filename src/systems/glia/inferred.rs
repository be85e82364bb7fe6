//! **Glia contracts the public sources do not give.** Used by the connector and the emulator;
//! correct here against a real site.
//!
//! | what | status |
//! |---|---|
//! | an operator cannot invite another into an engagement the public API shows: its events carry a second operator only as `engagement.transfer`, so the emulator refuses an invitation (one operator per chat) | [INFER] |
//! | which token reads `GET /engagements/{id}` and the operator links in it: the visitor's | [INFER] |
//! | the operator resource has `name` (the reference's operator fields) | [INFER] from the operators list |
//! | `POST /queue_tickets` answer `{id, state}` | [INFER] |
//! | `engagement.request.failure` payload `{event_type, queue_ticket: {id}, reason}` | [NOT PUBLIC]: made up |
//! | `engagement.transfer` payload `{event_type, engagement}` (the new operator is looked up) | [NOT PUBLIC] |
//! | visitor ends: `DELETE /engagements/{id}` (live) or `DELETE /queue_tickets/{id}` (queued) | [NOT PUBLIC]: plausible, unverified |
//! | availability: `GET /operators?include_offline=false&site_ids[]=..` → `{operators: [{id, name, available}]}` | [CODE] legacy samples; field names [INFER] |
//! | typing indicators | [NOT PUBLIC]: not sent, not received |
//! | the utterance goes as the first chat message, context as its `metadata` | [INFER] |
//! | 401 body `{"error": "Unauthorized"}`, 406 for a wrong `Accept` | [INFER] |
//! | file upload: `POST /engagements/{id}/files`, multipart/form-data with the file in a part `file`, visitor token → 201 `{id, url, name, content_type, size}` | [NOT PUBLIC]: made up ([`upload_path`], [`UploadedFile`]) |
//! | a message's `attachment` (the field is [DOC]): `{"type": "files", "files": [<uploaded file>]}`, with empty `content` | [NOT PUBLIC]: made up ([`Attachment`]) |
//! | an operator's files reach the visitor the same way: `engagement.chat.message` (`target: visitor`) with that `attachment` and empty or absent `content`, each file's `url` downloadable by the visitor | [NOT PUBLIC]: made up |
//! | the files Glia takes: at most [`MAX_FILE_BYTES`] (413 beyond), types in [`FILE_TYPES`] (415 otherwise) | [NOT PUBLIC]: made up |
//! | a message referencing an unknown file id: 400 `{"error": ...}` | [INFER] |

use serde::{Deserialize, Serialize};

/// [INFER] `POST /queue_tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueTicket {
    /// The ticket.
    pub id: String,
    /// `queued`.
    #[serde(default)]
    pub state: Option<String>,
}

/// [INFER] An operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Takes engagements now (availability list only).
    #[serde(default)]
    pub available: Option<bool>,
}

/// [CODE]/[INFER] `GET /operators`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Operators {
    /// The operators.
    #[serde(default)]
    pub operators: Vec<Operator>,
}

/// [NOT PUBLIC] Why a request failed, from `engagement.request.failure`.
pub fn failure_is_timeout(event: &super::connector::wire::Event) -> bool {
    event.rest.get("reason").and_then(serde_json::Value::as_str) == Some("timeout")
}

/// The header the connector registers to find the chat of an event.
pub const CHAT_HEADER: &str = "x-handoff-chat";

/// [NOT PUBLIC] Where a visitor uploads a file for `engagement` (multipart/form-data, visitor
/// token).
pub fn upload_path(engagement: &str) -> String {
    format!("/engagements/{engagement}/files")
}

/// [NOT PUBLIC] The multipart part carrying the file.
pub const UPLOAD_FIELD: &str = "file";

/// [NOT PUBLIC] The largest file Glia takes.
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;

/// [NOT PUBLIC] The file types Glia takes (a `type/` entry takes the whole family).
pub const FILE_TYPES: &[&str] = &[
    "image/",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// Whether Glia takes files of `content_type` (parameters ignored).
pub fn takes_file_type(content_type: &str) -> bool {
    let base = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    FILE_TYPES.iter().any(|t| {
        if t.ends_with('/') {
            base.starts_with(t)
        } else {
            base == *t
        }
    })
}

/// [NOT PUBLIC] The upload's answer, and one file of a message's attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// Glia's id for the file.
    pub id: String,
    /// Where the operator's side fetches it.
    pub url: String,
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub content_type: String,
    /// The size in bytes.
    pub size: u64,
}

/// [NOT PUBLIC] A chat message's `attachment`: uploaded files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// `files`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The files.
    pub files: Vec<UploadedFile>,
}

impl Attachment {
    /// The attachment of uploaded `files`.
    pub fn files(files: Vec<UploadedFile>) -> Self {
        Self {
            kind: "files".into(),
            files,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_types_match_whole_families_and_exact_types() {
        assert!(takes_file_type("image/png"));
        assert!(takes_file_type("application/pdf; name=a.pdf"));
        assert!(!takes_file_type("application/x-msdownload"));
        assert!(!takes_file_type("application/pdfx"));
    }

    #[test]
    fn an_attachment_reads_as_files() {
        let a = Attachment::files(vec![UploadedFile {
            id: "f-1".into(),
            url: "https://api.glia.com/engagements/e/files/f-1".into(),
            name: "a.pdf".into(),
            content_type: "application/pdf".into(),
            size: 3,
        }]);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"type":"files","files":[{"id":"f-1","url":"https://api.glia.com/engagements/e/files/f-1","name":"a.pdf","content_type":"application/pdf","size":3}]}"#
        );
    }
}
