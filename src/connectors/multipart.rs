//! `multipart/form-data` bodies (RFC 7578) for file uploads (8x8, Glia): one file part, then
//! plain fields.
//!
//! Built as bytes rather than with reqwest's streaming form, so that a retried upload goes out
//! byte for byte again like every other call ([`super::http`]).

use super::FileUpload;

/// The `Content-Type` header and the body: `file` in the part named `file_field`, then
/// `fields` in order.
pub fn form(file_field: &str, file: &FileUpload, fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let mut boundary = new_boundary();
    // A random boundary inside the contents is all but impossible; check anyway.
    while contains(&file.bytes, boundary.as_bytes()) {
        boundary = new_boundary();
    }
    let body = form_with(&boundary, file_field, file, fields);
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn form_with(
    boundary: &str,
    file_field: &str,
    file: &FileUpload,
    fields: &[(&str, &str)],
) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; \
             filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            quoted_name(&file.name),
            header_safe(&file.content_type),
        )
        .as_bytes(),
    );
    body.extend_from_slice(&file.bytes);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
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

/// A header value with control characters dropped, so a bad MIME type cannot inject a header.
fn header_safe(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, content_type: &str, bytes: &'static [u8]) -> FileUpload {
        FileUpload {
            name: name.into(),
            content_type: content_type.into(),
            bytes: bytes::Bytes::from_static(bytes),
        }
    }

    #[test]
    fn the_file_part_comes_first_then_the_fields_and_nothing_breaks_the_headers() {
        let f = file("a \"b\"\r\n.txt", "text/plain\r\nX-Evil: 1", b"hi\r\n--x");
        let body = String::from_utf8(form_with(
            "BOUND",
            "attachment",
            &f,
            &[("authorType", "user")],
        ))
        .unwrap();
        assert_eq!(
            body,
            "--BOUND\r\nContent-Disposition: form-data; name=\"attachment\"; \
             filename=\"a %22b%22%0D%0A.txt\"\r\nContent-Type: text/plainX-Evil: 1\r\n\r\n\
             hi\r\n--x\r\n--BOUND\r\nContent-Disposition: form-data; name=\"authorType\"\r\n\
             \r\nuser\r\n--BOUND--\r\n"
        );
    }

    #[test]
    fn the_boundary_is_in_the_content_type_and_not_in_the_file() {
        let f = file("a.txt", "text/plain", b"hello");
        let (content_type, body) = form("file", &f, &[]);
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }
}
