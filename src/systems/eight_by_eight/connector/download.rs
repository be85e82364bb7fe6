//! Files an agent sends the user: the `attachments` of an agent's `MESSAGE` event, each with
//! a `preSignedUrl` the user can follow without our API key.
//!
//! Every file becomes a `ChatEvent::AgentFile` (8x8 does not tell its size). A file whose link
//! is missing or unusable is still shown, followed by a `SystemMessage` saying so: no file is
//! dropped silently.

use super::SYSTEM;
use super::wire::MessageAttachment;
use crate::connectors::{ChatEvent, agent_file};
use crate::protocol::{AgentInfo, Attachment};

/// The events the files of one agent message become, in order.
pub(super) fn agent_files(agent: &AgentInfo, files: Vec<MessageAttachment>) -> Vec<ChatEvent> {
    let mut events = Vec::with_capacity(files.len());
    for item in files {
        let mut file = describe(&item);
        let note = match link(&item.pre_signed_url) {
            Ok(url) => {
                file.url = Some(url);
                None
            }
            Err(why) => {
                tracing::warn!(system = SYSTEM, attachment = %item.id, why, "agent file without a link");
                Some(ChatEvent::SystemMessage {
                    text: format!(
                        "{SYSTEM}: the agent's file {:?} has no download link ({why})",
                        file.name
                    ),
                })
            }
        };
        events.push(ChatEvent::AgentFile {
            agent: agent.clone(),
            file,
        });
        events.extend(note);
    }
    events
}

/// Name and type: `type` when it is a MIME type ([INFER] it is), else guessed from the name.
fn describe(item: &MessageAttachment) -> Attachment {
    let name = if item.file_name.trim().is_empty() {
        "file".to_owned()
    } else {
        item.file_name.clone()
    };
    let content_type = agent_file::content_type(Some(&item.kind), &name);
    Attachment {
        name,
        content_type,
        size: None,
        url: None,
    }
}

/// The link, when it is one the user can follow.
fn link(pre_signed_url: &str) -> Result<String, &'static str> {
    if pre_signed_url.trim().is_empty() {
        return Err("no preSignedUrl");
    }
    agent_file::http_url(pre_signed_url)
        .map(|url| url.to_string())
        .ok_or("preSignedUrl is not an http(s) URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lisa() -> AgentInfo {
        AgentInfo {
            name: "Lisa".into(),
            avatar: None,
            on_behalf: false,
        }
    }

    fn item(kind: &str, url: &str, name: &str) -> MessageAttachment {
        MessageAttachment {
            id: "att-1".into(),
            kind: kind.into(),
            pre_signed_url: url.into(),
            file_name: name.into(),
        }
    }

    #[test]
    fn a_mime_type_is_kept_anything_else_is_guessed_from_the_name() {
        assert_eq!(
            describe(&item("image/png", "", "a.pdf")).content_type,
            "image/png"
        );
        assert_eq!(
            describe(&item("file", "", "a.pdf")).content_type,
            "application/pdf"
        );
        assert_eq!(describe(&item("", "", "a.csv")).content_type, "text/csv");
        let unnamed = describe(&item("", "", ""));
        assert_eq!(
            (unnamed.name.as_str(), unnamed.content_type.as_str()),
            ("file", "application/octet-stream")
        );
    }

    #[test]
    fn a_file_with_a_link_is_one_event() {
        let events = agent_files(
            &lisa(),
            vec![item(
                "application/pdf",
                "https://files.example/x?sig=1",
                "a.pdf",
            )],
        );
        assert_eq!(
            events,
            vec![ChatEvent::AgentFile {
                agent: lisa(),
                file: Attachment {
                    name: "a.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: None,
                    url: Some("https://files.example/x?sig=1".into()),
                },
            }]
        );
    }

    #[test]
    fn a_file_without_a_usable_link_is_shown_and_explained() {
        for url in ["", "not a url", "file:///etc/passwd"] {
            let events = agent_files(&lisa(), vec![item("text/plain", url, "log.txt")]);
            let [
                ChatEvent::AgentFile { file, .. },
                ChatEvent::SystemMessage { text },
            ] = events.as_slice()
            else {
                panic!("a file and a note for {url:?}: {events:?}");
            };
            assert_eq!((file.name.as_str(), file.url.as_deref()), ("log.txt", None));
            assert!(text.starts_with("8x8: "), "{text}");
            assert!(text.contains("\"log.txt\""), "{text}");
        }
    }
}
