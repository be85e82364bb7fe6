//! An `OutputLink` item read as a live agent's file ([`OutputLink`]), or the
//! reason it cannot be: the chat turns that reason into a `SystemMessage`, so no file is lost
//! without a word.

use super::wire;
use crate::connectors::agent_file::{content_type, http_url};
use crate::protocol::Attachment;
use serde::Deserialize;
use serde_json::Value;

/// [NOT PUBLIC] An `OutputLink` item as it carries a live agent's file. Read leniently: the
/// connector takes the name from `header` or `label` and the link from `value.action` or a
/// plain string `value`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputLink {
    /// `OutputLink`.
    pub ui_type: String,
    /// `DefaultOutputLink`.
    pub group: Option<String>,
    /// Shown above the link: the file name.
    pub header: Option<String>,
    /// The link's text: the file name.
    pub label: Option<String>,
    /// `action`: the link opens `value.action`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `{"action": "<url>"}`.
    pub value: Option<Value>,
    /// The file's MIME type ([NOT PUBLIC]; guessed from the name when absent).
    pub content_type: Option<String>,
    /// The message's id.
    pub message_id: Option<String>,
    /// The agent who sent it.
    pub agent_info: Option<wire::AgentInfo>,
}

impl OutputLink {
    /// The file name: `header`, else `label`.
    pub fn name(&self) -> Option<&str> {
        [&self.header, &self.label]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
    }

    /// The link: `value.action`, or `value` itself when it is a string.
    pub fn link(&self) -> Option<&str> {
        match self.value.as_ref()? {
            Value::String(url) => Some(url),
            Value::Object(value) => value.get("action")?.as_str(),
            _ => None,
        }
    }
}

/// A file as an `OutputLink` offers it, and who sent it when the item says.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedFile {
    /// Name, type and link; the size is never told.
    pub file: Attachment,
    /// `agentInfo`, when "Agent names and avatars" is on.
    pub agent: Option<wire::AgentInfo>,
}

/// Reads `raw` (an item whose `uiType` is `OutputLink`).
pub fn read(raw: Value) -> Result<LinkedFile, String> {
    let item: OutputLink =
        serde_json::from_value(raw).map_err(|e| format!("the item is not a link: {e}"))?;
    let name = item.name().map(str::to_owned);
    let quoted = name.as_deref().map_or_else(
        || "a file without a name".to_owned(),
        |n| format!("\"{n}\""),
    );
    let Some(link) = item.link() else {
        return Err(format!("{quoted} has no link (`value.action`)"));
    };
    let url = http_url(link).ok_or_else(|| format!("{quoted} has no usable link: {link:?}"))?;
    let name = name.unwrap_or_else(|| last_segment(&url));
    let content_type = content_type(item.content_type.as_deref(), &name);
    Ok(LinkedFile {
        file: Attachment {
            name,
            content_type,
            size: None,
            url: Some(url.to_string()),
        },
        agent: item.agent_info,
    })
}

/// The URL's last path segment, for a file the item does not name.
fn last_segment(url: &url::Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .unwrap_or("file")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_type_is_guessed_from_the_name_when_the_item_has_none() {
        let linked = read(json!({"uiType": "OutputLink", "label": "photo.png",
            "value": {"action": "https://x.example/f/1"}}))
        .unwrap();
        assert_eq!(linked.file.name, "photo.png");
        assert_eq!(linked.file.content_type, "image/png");
        assert_eq!(linked.file.size, None);
        assert_eq!(linked.file.url.as_deref(), Some("https://x.example/f/1"));
        assert_eq!(linked.agent, None);
    }

    #[test]
    fn a_plain_string_value_is_the_link_and_names_the_file() {
        let linked =
            read(json!({"uiType": "OutputLink", "value": "https://x.example/f/log.txt"})).unwrap();
        assert_eq!(linked.file.name, "log.txt");
        assert_eq!(linked.file.content_type, "text/plain");
    }

    #[test]
    fn items_without_a_usable_link_say_why() {
        assert_eq!(
            read(json!({"uiType": "OutputLink", "header": "a.pdf", "value": {}})),
            Err("\"a.pdf\" has no link (`value.action`)".into())
        );
        assert_eq!(
            read(json!({"uiType": "OutputLink", "value": {"action": "javascript:alert(1)"}})),
            Err("a file without a name has no usable link: \"javascript:alert(1)\"".into())
        );
        assert!(
            read(json!({"uiType": "OutputLink", "header": 7}))
                .unwrap_err()
                .starts_with("the item is not a link: ")
        );
    }
}
