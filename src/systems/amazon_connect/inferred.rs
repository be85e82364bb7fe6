//! **Amazon Connect behaviour the public documentation leaves open.** Used by the connector
//! and the emulator alike; correct here against a real instance.
//!
//! | what | status |
//! |---|---|
//! | an agent's invitation of another (a conference from the agent's desk) is the contact center's own; the customer's socket sees only the invitee's `participant.joined` (the `event.participant.invited` content type's payload is not documented, and the connector ignores it) | [INFER] |
//! | queue and greeting texts arrive as `MESSAGE` with `ParticipantRole: SYSTEM` | [INFER] (flow "Send message" blocks) |
//! | a queue timeout is SYSTEM messages then `chat.ended` with no agent ever joined | [INFER] |
//! | `GetCurrentMetricData` response field names | [INFER] from general AWS knowledge |
//! | error bodies `{"Message": ...}` with the type in `x-amzn-ErrorType` | [INFER] |
//! | the texts the emulator's "flow" sends | [NOT PUBLIC]: made up |
//! | `GetTranscript` `StartPosition.Id` is exclusive | [INFER]; the connector deduplicates by item id either way |
//! | a WebSocket URL serves one connection (the emulator refuses a second use with 403) | [INFER]; the connector always asks for a fresh URL |
//! | attachments: at most 20 MB, only the listed file types | [DOC] feature limits (extensions); the byte count and the MIME types for them are [INFER] |
//! | `HeadersToInclude` of `StartAttachmentUpload`: `Content-Type` and `x-amz-acl` | [INFER]; the connector sends whatever the service lists |
//! | the upload URL is valid for 5 minutes; its exact form (the emulator's `/__s3/...`) | [INFER] |
//! | the customer's own file comes back on the socket as `Type: ATTACHMENT`, `Status: APPROVED`, no `ContentType` | [CODE] chatjs attachment docs; the connector skips it |
//! | an agent's file arrives the same way: `Type: ATTACHMENT`, `ParticipantRole: AGENT`, no `ContentType`, `Status: APPROVED` once scanned | [INFER]; the connector reads any non-`CUSTOMER` `ATTACHMENT` as a file for the user |
//! | `GetAttachment` (`POST /participant/attachment`): `{AttachmentId, UrlExpiryInSeconds?}` answered `{Url, UrlExpiry, AttachmentSizeInBytes}` | [DOC] API reference and botocore |
//! | `UrlExpiryInSeconds` lies in 5-300 (the connector asks for 300) | [INFER] |
//! | an unknown `AttachmentId` is a 400 `ValidationException` (no `ResourceNotFound` is documented for the call) | [INFER] |
//! | the download link's form (the emulator hands out its own `/__emu/files/{id}`; real links are presigned S3 URLs) | [NOT PUBLIC]: made up |

/// [NOT PUBLIC] What the emulator's flow says when the contact is queued.
pub const QUEUED_TEXT: &str = "Thank you for contacting us. You are now in the queue.";
/// [NOT PUBLIC] What the emulator's flow says when nobody takes the chat.
pub const NO_AGENT_TEXT: &str = "Sorry, no agent is available right now. Please try again later.";
/// [INFER] The attribute carrying the broker's conversation id.
pub const CONVERSATION_ATTRIBUTE: &str = "handoff_conversation";
/// [INFER] The attribute carrying the assistant transcript (agents see attributes in the CCP).
pub const HISTORY_ATTRIBUTE: &str = "handoff_history";

/// [DOC] The largest attachment Connect takes ("20 MB"; [INFER] read as MiB).
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;

/// [DOC] The attachment types Connect takes (csv, doc(x), heic, jfif, jpeg/jpg, mov, mp4, pdf,
/// png, ppt(x), rtf, txt, wav, xls(x)), as the MIME types a client declares for them ([INFER]).
pub const ATTACHMENT_CONTENT_TYPES: &[&str] = &[
    "text/csv",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/heic",
    "image/jpeg",
    "image/pjpeg",
    "video/quicktime",
    "video/mp4",
    "application/pdf",
    "image/png",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/rtf",
    "text/rtf",
    "text/plain",
    "audio/wav",
    "audio/x-wav",
    "audio/wave",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// [INFER] How long the upload URL of `StartAttachmentUpload` is valid.
pub const UPLOAD_URL_VALIDITY: std::time::Duration = std::time::Duration::from_secs(300);

/// [INFER] The headers `StartAttachmentUpload` tells the client to send with the `PUT`.
pub fn upload_headers(content_type: &str) -> std::collections::BTreeMap<String, String> {
    [
        ("Content-Type", content_type),
        ("x-amz-acl", "bucket-owner-full-control"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// [DOC] `Status` of an attachment the service accepted.
pub const APPROVED: &str = "APPROVED";

/// [INFER] The longest validity `GetAttachment` grants a download link, which the connector
/// asks for: the user may follow the link a while after the file arrived.
pub const DOWNLOAD_URL_EXPIRY_SECS: u32 = 300;

/// [INFER] The shortest validity `GetAttachment` accepts.
pub const MIN_DOWNLOAD_URL_EXPIRY_SECS: u32 = 5;
