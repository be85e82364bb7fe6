//! The files of an operator's chat message: its `attachment`, in the inferred shape the user's
//! files use ([`super::inferred::Attachment`]), read leniently file by file. A file that cannot
//! be read gives the reason instead, which the chat shows, so none is lost without a word.

use crate::connectors::agent_file::{content_type, http_url};
use crate::protocol::Attachment;
use serde::Deserialize;
use serde_json::Value;

/// One file as read: only the name and the link are needed.
#[derive(Deserialize)]
struct FileRef {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

/// The attachment's envelope: `{"type": "files", "files": [...]}`.
#[derive(Deserialize)]
struct Files {
    #[serde(rename = "type")]
    kind: String,
    files: Vec<Value>,
}

/// Each file of `attachment`, or why it cannot be read (one reason for the whole attachment
/// when it is not a list of files).
pub fn read(attachment: &Value) -> Vec<Result<Attachment, String>> {
    let files = match serde_json::from_value::<Files>(attachment.clone()) {
        Ok(files) if files.kind == "files" => files.files,
        Ok(files) => {
            return vec![Err(format!(
                "the attachment's type is {:?}, not \"files\"",
                files.kind
            ))];
        }
        Err(e) => return vec![Err(format!("the attachment is not a list of files: {e}"))],
    };
    if files.is_empty() {
        return vec![Err("the attachment lists no files".into())];
    }
    files.into_iter().map(file).collect()
}

fn file(raw: Value) -> Result<Attachment, String> {
    let named = raw.get("name").and_then(Value::as_str).map(str::trim);
    let quoted = named.filter(|n| !n.is_empty()).map_or_else(
        || "a file without a name".to_owned(),
        |n| format!("\"{n}\""),
    );
    let f: FileRef = serde_json::from_value(raw).map_err(|e| format!("{quoted}: {e}"))?;
    let Some(link) = f.url.as_deref() else {
        return Err(format!("{quoted} has no link (`url`)"));
    };
    let Some(url) = http_url(link) else {
        return Err(format!("{quoted} has no usable link: {link:?}"));
    };
    let Some(name) = f
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
    else {
        return Err(format!("the file at {url} has no name"));
    };
    let content_type = content_type(f.content_type.as_deref(), &name);
    Ok(Attachment {
        name,
        content_type,
        size: f.size,
        url: Some(url.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_file_is_read_and_a_missing_type_is_guessed() {
        let read = read(&json!({"type": "files", "files": [
            {"id": "f1", "url": "https://api.glia.com/f/1", "name": "a.pdf",
             "content_type": "application/pdf", "size": 3},
            {"url": "https://api.glia.com/f/2", "name": "b.png"},
        ]}));
        assert_eq!(
            read,
            vec![
                Ok(Attachment {
                    name: "a.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: Some(3),
                    url: Some("https://api.glia.com/f/1".into()),
                }),
                Ok(Attachment {
                    name: "b.png".into(),
                    content_type: "image/png".into(),
                    size: None,
                    url: Some("https://api.glia.com/f/2".into()),
                }),
            ]
        );
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        assert_eq!(
            read(&json!({"type": "files", "files": [
                {"name": "a.pdf"},
                {"name": "b.pdf", "url": "/relative"},
                {"url": "https://x.example/f"},
                {"name": "c.pdf", "url": "https://x.example/c", "size": "big"},
            ]})),
            vec![
                Err("\"a.pdf\" has no link (`url`)".into()),
                Err("\"b.pdf\" has no usable link: \"/relative\"".into()),
                Err("the file at https://x.example/f has no name".into()),
                Err("\"c.pdf\": invalid type: string \"big\", expected u64".into()),
            ]
        );
        assert_eq!(
            read(&json!({"type": "links", "files": []})),
            vec![Err(
                "the attachment's type is \"links\", not \"files\"".into()
            )]
        );
        assert_eq!(read(&json!({"type": "files", "files": []})).len(), 1);
        assert!(read(&json!("x"))[0].is_err());
    }
}
