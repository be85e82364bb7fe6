//! Checking a user's `attach` before anything is done with it: a file name without directories,
//! a MIME type, base64 that decodes, and a size within the broker's limit. Each failure names
//! the field. Which platforms take files at all is the attachment matrix
//! ([`Platform::capabilities`]), checked by [`platform_allows`] (issue 15, rule 8).

use crate::connectors::FileUpload;
use crate::protocol::{Platform, human_size};
use base64::Engine;

/// Who is sending a file to the user's platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The user, by paste, drop or the paperclip.
    User,
    /// An agent, to the user.
    Agent,
}

/// Whether a file may go from or to a user on `platform`, or why not, naming the platform.
pub fn platform_allows(platform: Platform, sender: Sender) -> Result<(), String> {
    let (ok, what) = match sender {
        Sender::User => (platform.sends_files(), "files cannot be sent from"),
        Sender::Agent => (platform.receives_files(), "the user is on"),
    };
    match platform.no_files_reason() {
        Some(reason) if !ok => Err(format!("{what} {}: {reason}", platform.label())),
        _ => Ok(()),
    }
}

/// The longest file name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// The file of an `attach`, or what is wrong with it (for a `bad_field` error).
pub fn accept(
    name: &str,
    content_type: &str,
    data: &str,
    max_bytes: usize,
) -> Result<FileUpload, String> {
    let name = file_name(name)?;
    let content_type = mime_type(content_type)?;
    // A base64 text longer than this cannot decode to a file within the limit.
    if data.len() > crate::protocol::attach_frame_limit(max_bytes) {
        return Err(too_big(data.len() / 4 * 3, max_bytes));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| format!("`data` is not base64 (standard alphabet, padded): {e}"))?;
    if bytes.is_empty() {
        return Err(format!("`data` is empty: {name} has no contents"));
    }
    if bytes.len() > max_bytes {
        return Err(too_big(bytes.len(), max_bytes));
    }
    Ok(FileUpload {
        name,
        content_type,
        bytes: bytes.into(),
    })
}

fn too_big(size: usize, max_bytes: usize) -> String {
    format!(
        "`data`: the file is {}; the limit is {}",
        human_size(size as u64),
        human_size(max_bytes as u64)
    )
}

/// The last path component of `name`, trimmed; clients may send a path.
fn file_name(name: &str) -> Result<String, String> {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if base.is_empty() || base == "." || base == ".." {
        return Err(format!("`name` {name:?} has no file name"));
    }
    if base.chars().any(char::is_control) {
        return Err(format!("`name` {name:?} contains control characters"));
    }
    if base.chars().count() > MAX_NAME_CHARS {
        return Err(format!("`name` is longer than {MAX_NAME_CHARS} characters"));
    }
    Ok(base)
}

/// `type/subtype` in RFC 6838 token characters, parameters allowed, lower-cased.
fn mime_type(content_type: &str) -> Result<String, String> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => Ok(content_type.trim().to_lowercase()),
        _ => Err(format!(
            "`content_type` {content_type:?} is not a MIME type such as application/pdf"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn a_good_file_is_taken_with_its_directory_dropped() {
        let file = accept(
            "C:\\Users\\alex\\log.txt",
            "Text/Plain",
            &b64(b"boom"),
            1024,
        )
        .unwrap();
        assert_eq!(file.name, "log.txt");
        assert_eq!(file.content_type, "text/plain");
        assert_eq!(&file.bytes[..], b"boom");
        let file = accept("/tmp/a/report.pdf", "application/pdf", &b64(b"%PDF"), 1024).unwrap();
        assert_eq!(file.name, "report.pdf");
    }

    #[test]
    fn each_bad_field_is_named() {
        let data = b64(b"x");
        assert!(
            accept("", "text/plain", &data, 10)
                .unwrap_err()
                .contains("`name`")
        );
        assert!(
            accept("dir/", "text/plain", &data, 10)
                .unwrap_err()
                .contains("`name`")
        );
        assert!(
            accept("a\u{7}b", "text/plain", &data, 10)
                .unwrap_err()
                .contains("control")
        );
        assert!(
            accept("a.txt", "text", &data, 10)
                .unwrap_err()
                .contains("`content_type`")
        );
        assert!(
            accept("a.txt", "te xt/plain", &data, 10)
                .unwrap_err()
                .contains("`content_type`")
        );
        assert!(
            accept("a.txt", "text/plain", "!!!", 10)
                .unwrap_err()
                .contains("not base64")
        );
        assert!(
            accept("a.txt", "text/plain", "", 10)
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn the_matrix_refuses_files_on_slack_both_ways_and_names_it() {
        for platform in [Platform::Web, Platform::Teams] {
            assert_eq!(platform_allows(platform, Sender::User), Ok(()));
            assert_eq!(platform_allows(platform, Sender::Agent), Ok(()));
        }
        assert_eq!(
            platform_allows(Platform::Slack, Sender::User),
            Err("files cannot be sent from Slack: Slack chats take no attachments".into())
        );
        assert_eq!(
            platform_allows(Platform::Slack, Sender::Agent),
            Err("the user is on Slack: Slack chats take no attachments".into())
        );
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_both_sizes() {
        let error = accept(
            "big.bin",
            "application/octet-stream",
            &b64(&[0; 2048]),
            1024,
        )
        .unwrap_err();
        assert_eq!(error, "`data`: the file is 2.0 KB; the limit is 1.0 KB");
    }
}
