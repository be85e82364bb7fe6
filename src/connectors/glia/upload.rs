//! The body of Glia's file upload: multipart/form-data (RFC 7578) with one file part.
//!
//! Built as bytes rather than with reqwest's streaming form, so that a retried upload goes
//! out byte for byte again like every other call ([`crate::connectors::http`]).

use super::inferred::UPLOAD_FIELD;
use crate::connectors::FileUpload;

/// The `Content-Type` header and the body uploading `file`.
pub fn form(file: &FileUpload) -> (String, Vec<u8>) {
    let mut boundary = new_boundary();
    // A random boundary inside the contents is all but impossible; check anyway.
    while contains(&file.bytes, boundary.as_bytes()) {
        boundary = new_boundary();
    }
    let mut body = Vec::with_capacity(file.bytes.len() + 512);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"{UPLOAD_FIELD}\"; filename=\"{}\"\r\n",
            quoted_name(&file.name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!("Content-Type: {}\r\n\r\n", header_safe(&file.content_type)).as_bytes(),
    );
    body.extend_from_slice(&file.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn new_boundary() -> String {
    format!("handoff-{}", uuid::Uuid::new_v4().simple())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The file name inside `filename="..."`, escaped the way browsers do (WHATWG HTML): `"`, CR
/// and LF percent-encoded, everything else as UTF-8.
fn quoted_name(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A header value with control characters dropped, so a bad MIME type cannot break the form.
fn header_safe(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_part_between_the_boundaries() {
        let file = FileUpload {
            name: "a \"b\".txt".into(),
            content_type: "text/plain".into(),
            bytes: bytes::Bytes::from_static(b"hello"),
        };
        let (content_type, body) = form(&file);
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"a %22b%22.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }
}
