//! Reading a file the user attaches (Ctrl+O): the path as typed or pasted, the size checked
//! against the broker's limit before anything is read, the MIME type from the extension, and the
//! contents base64 for the `attach` request. Runs in a task: the UI thread never touches files.

use crate::protocol::human_size;
use base64::Engine;
use std::path::{Path, PathBuf};

/// A file ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The file name, without directories.
    pub name: String,
    /// The MIME type guessed from the extension (`application/octet-stream` when unknown).
    pub content_type: String,
    /// The contents, base64.
    pub data: String,
}

/// The path in what the user typed or pasted: surrounding quotes and the backslash escapes that
/// terminals add when a file is dropped on them are removed, and `~` is the home directory.
pub fn parse_path(input: &str) -> PathBuf {
    let text = input.trim();
    let unquoted = ['\'', '"']
        .iter()
        .find_map(|q| text.strip_prefix(*q).and_then(|t| t.strip_suffix(*q)));
    let text = match unquoted {
        Some(inner) => inner.to_owned(),
        None => unescape(text),
    };
    match text.strip_prefix("~/").zip(dirs::home_dir()) {
        Some((rest, home)) => home.join(rest),
        None if text == "~" => dirs::home_dir().unwrap_or_else(|| PathBuf::from(text)),
        None => PathBuf::from(text),
    }
}

/// `My\ File.pdf` → `My File.pdf`: a backslash before a space or a shell character.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next)) if " '\"()&;$`!\\[]{}".contains(next) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// The name shown for a path before it is read.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads `path` if it is a file of at most `max_bytes`; the error says why not, for people.
pub async fn read(path: &Path, max_bytes: usize) -> Result<Prepared, String> {
    let shown = path.display();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("{} ({shown})", io_reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("not a file ({shown})"));
    }
    if meta.len() == 0 {
        return Err(format!("the file is empty ({shown})"));
    }
    if meta.len() > max_bytes as u64 {
        return Err(format!(
            "it is {}; the broker takes files up to {}",
            human_size(meta.len()),
            human_size(max_bytes as u64)
        ));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("{} ({shown})", io_reason(&e)))?;
    if bytes.len() > max_bytes {
        // It grew between the two looks.
        return Err(format!(
            "it is {}; the broker takes files up to {}",
            human_size(bytes.len() as u64),
            human_size(max_bytes as u64)
        ));
    }
    // Encoding megabytes is CPU work: keep it off the runtime's workers.
    let data = tokio::task::spawn_blocking(move || {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    })
    .await
    .map_err(|e| format!("encoding failed: {e}"))?;
    Ok(Prepared {
        name: display_name(path),
        content_type: mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_owned(),
        data,
    })
}

/// The OS error in words, without its code.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_and_dropped_paths_lose_their_quotes_and_escapes() {
        assert_eq!(parse_path("  report.pdf "), PathBuf::from("report.pdf"));
        assert_eq!(
            parse_path("'/tmp/My File.pdf'"),
            PathBuf::from("/tmp/My File.pdf")
        );
        assert_eq!(parse_path("\"a b.png\""), PathBuf::from("a b.png"));
        assert_eq!(
            parse_path("/tmp/My\\ File\\(1\\).pdf"),
            PathBuf::from("/tmp/My File(1).pdf")
        );
        // A Windows path keeps its backslashes.
        assert_eq!(
            parse_path("C:\\logs\\app.log"),
            PathBuf::from("C:\\logs\\app.log")
        );
    }

    #[test]
    fn a_tilde_is_the_home_directory() {
        if let Some(home) = dirs::home_dir() {
            assert_eq!(parse_path("~/x.txt"), home.join("x.txt"));
        }
    }

    #[tokio::test]
    async fn a_file_is_read_with_its_type_and_checked_against_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crash.png");
        std::fs::write(&path, b"\x89PNG\r\n").unwrap();
        let file = read(&path, 1024).await.unwrap();
        assert_eq!(file.name, "crash.png");
        assert_eq!(file.content_type, "image/png");
        assert_eq!(file.data, "iVBORw0K");

        assert_eq!(
            read(&path, 4).await.unwrap_err(),
            "it is 6 B; the broker takes files up to 4 B"
        );
        let missing = dir.path().join("nope.pdf");
        let error = read(&missing, 1024).await.unwrap_err();
        assert!(
            error.starts_with("no such file (") && error.ends_with("nope.pdf)"),
            "{error}"
        );
        assert!(
            read(dir.path(), 1024)
                .await
                .unwrap_err()
                .starts_with("not a file (")
        );
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, b"").unwrap();
        assert!(
            read(&empty, 1024)
                .await
                .unwrap_err()
                .starts_with("the file is empty (")
        );
    }
}
