//! The emulated attachment upload: `StartAttachmentUpload` checks the quota and the type and
//! hands out a presigned-style URL on the emulator itself, the `PUT` there stores the bytes
//! (signature, expiry, signed headers and the declared size checked, as S3 does), and
//! `CompleteAttachmentUpload` approves the file, records it on the desk and echoes it on the
//! socket as the customer's `ATTACHMENT` item.
//!
//! [INFER] The URL's form: `/__s3/connect-attachments/{AttachmentId}` with S3-style
//! `X-Amz-*` query parameters, the signature an HMAC of the id, date and validity under a key
//! made at start. Real URLs point at an S3 bucket; clients only follow them.

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use crate::emulators::desk::ReceivedFile;
use participant::Connected;
use std::collections::BTreeMap;
use wire::{ATTACHMENT, AttachmentItem};

/// Where the emulator's "bucket" lives.
pub(super) const S3_PATH: &str = "/__s3/connect-attachments";

/// The longest body the emulator's bucket reads: the quota plus room for a client that
/// declared less than it sends (answered with S3's error rather than a cut connection).
pub(super) const BUCKET_BODY_LIMIT: usize = inferred::MAX_ATTACHMENT_BYTES as usize + 1024 * 1024;

/// One started upload.
pub(super) struct Upload {
    contact: String,
    name: String,
    content_type: String,
    size: u64,
    headers: BTreeMap<String, String>,
    expires: SystemTime,
    stored: Option<ReceivedFile>,
    completed: bool,
}

pub(super) fn validation(message: &str) -> Response {
    aws_error(StatusCode::BAD_REQUEST, "ValidationException", message)
}

/// Whether Connect takes files of `content_type` (parameters such as `charset` aside).
fn allowed_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    inferred::ATTACHMENT_CONTENT_TYPES.contains(&essence.as_str())
}

/// The URL's signature: binds the attachment to the URL's date and validity.
fn signature(key: &[u8], attachment: &str, date: &str, expires: &str) -> String {
    let signed = format!("{attachment}\n{date}\n{expires}");
    hex::encode(aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key),
        signed.as_bytes(),
    ))
}

pub(super) async fn start_upload(
    State(emu): State<Arc<Emu>>,
    Connected { contact, request }: Connected<wire::StartUploadRequest>,
) -> Response {
    if !allowed_type(&request.content_type) {
        return validation(&format!(
            "The content type {} is not supported for attachments",
            request.content_type
        ));
    }
    if request.attachment_size_in_bytes > inferred::MAX_ATTACHMENT_BYTES {
        return aws_error(
            StatusCode::PAYMENT_REQUIRED,
            "ServiceQuotaExceededException",
            "The attachment exceeds the maximum file size of 20 MB",
        );
    }
    let key = format!("start-attachment:{contact}:{}", request.client_token);
    participant::once(&emu, key, || {
        let addr = emu.listening()?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = SystemTime::now();
        let date = sigv4::amz_date(now);
        let validity = inferred::UPLOAD_URL_VALIDITY.as_secs().to_string();
        let headers = inferred::upload_headers(&request.content_type);
        let signed: Vec<String> = headers.keys().map(|h| h.to_ascii_lowercase()).collect();
        let url = format!(
            "http://{addr}{S3_PATH}/{id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}\
             &X-Amz-Expires={validity}&X-Amz-SignedHeaders={}&X-Amz-Signature={}",
            signed.join("%3B"),
            signature(&emu.bucket_key, &id, &date, &validity),
        );
        let expires = now + inferred::UPLOAD_URL_VALIDITY;
        emu.books().uploads.insert(
            id.clone(),
            Upload {
                contact: contact.clone(),
                name: request.attachment_name.clone(),
                content_type: request.content_type.clone(),
                size: request.attachment_size_in_bytes,
                headers: headers.clone(),
                expires,
                stored: None,
                completed: false,
            },
        );
        let started = wire::UploadStarted {
            attachment_id: id,
            upload_metadata: wire::UploadMetadata {
                url,
                url_expiry: sigv4::iso8601(expires),
                headers_to_include: headers,
            },
        };
        Ok(serde_json::to_value(started).unwrap_or_default())
    })
}

/// S3's error body.
fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message><RequestId>{}</RequestId></Error>",
        uuid::Uuid::new_v4().simple()
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

/// `PUT {S3_PATH}/{id}?X-Amz-...`: the presigned upload.
pub(super) async fn put_object(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let param = |name: &str| q.get(name).map(String::as_str).unwrap_or_default();
    let expected = signature(
        &emu.bucket_key,
        &id,
        param("X-Amz-Date"),
        param("X-Amz-Expires"),
    );
    let mismatch = || {
        s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    };
    if param("X-Amz-Signature") != expected {
        return mismatch();
    }
    let mut books = emu.books();
    let Some(upload) = books.uploads.get_mut(&id) else {
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied");
    };
    if SystemTime::now() > upload.expires {
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    let headers_match = upload
        .headers
        .iter()
        .all(|(name, value)| header(&headers, name) == Some(value.as_str()));
    if !headers_match {
        return mismatch();
    }
    let size = body.len() as u64;
    if size > upload.size {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the declared AttachmentSizeInBytes",
        );
    }
    if size < upload.size {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            "You did not provide the number of bytes declared in AttachmentSizeInBytes",
        );
    }
    upload.stored = Some(ReceivedFile::of(&upload.name, &upload.content_type, &body));
    StatusCode::OK.into_response()
}

pub(super) async fn complete_upload(
    State(emu): State<Arc<Emu>>,
    Connected { contact, request }: Connected<wire::CompleteUploadRequest>,
) -> Response {
    let Some(id) = request.attachment_ids.first().cloned() else {
        return validation("AttachmentIds must hold exactly 1 item");
    };
    let key = format!("complete-attachment:{contact}:{}", request.client_token);
    participant::once(&emu, key, || complete(&emu, &contact, &id))
}

/// Approves a stored upload once: the desk records it and the socket echoes it.
fn complete(emu: &Emu, contact: &str, id: &str) -> Result<Value, Box<Response>> {
    let file = {
        let mut books = emu.books();
        let upload = books
            .uploads
            .get_mut(id)
            .filter(|u| u.contact == contact)
            .ok_or_else(|| Box::new(validation(&format!("Attachment {id} was not found"))))?;
        if upload.completed {
            return Ok(json!({}));
        }
        let file = upload.stored.clone().ok_or_else(|| {
            Box::new(validation(&format!(
                "Attachment {id} has not been uploaded"
            )))
        })?;
        upload.completed = true;
        file
    };
    if let Err(e) = emu.desk.user_file(contact, file.clone()) {
        if let Some(upload) = emu.books().uploads.get_mut(id) {
            upload.completed = false;
        }
        return Err(Box::new(aws_error(
            StatusCode::CONFLICT,
            "ConflictException",
            &e.to_string(),
        )));
    }
    let who = participant::customer(emu, contact);
    let mut item = new_item(ATTACHMENT, "", None, "CUSTOMER", Some(&who), contact);
    item.content_type = None;
    item.attachments = vec![AttachmentItem {
        attachment_id: id.to_owned(),
        attachment_name: file.name,
        content_type: file.content_type,
        status: inferred::APPROVED.into(),
    }];
    push(emu, contact, item);
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_types_ignore_case_and_parameters() {
        assert!(allowed_type("application/pdf"));
        assert!(allowed_type("Text/Plain; charset=utf-8"));
        assert!(!allowed_type("application/x-msdownload"));
        assert!(!allowed_type(""));
    }

    #[test]
    fn the_signature_binds_the_date_and_the_validity() {
        let base = signature(b"k", "a-1", "20260101T000000Z", "300");
        assert_eq!(base, signature(b"k", "a-1", "20260101T000000Z", "300"));
        assert_ne!(base, signature(b"k", "a-1", "20260101T000000Z", "3000"));
        assert_ne!(base, signature(b"k", "a-2", "20260101T000000Z", "300"));
        assert_ne!(base, signature(b"other", "a-1", "20260101T000000Z", "300"));
    }
}
