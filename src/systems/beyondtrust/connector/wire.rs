//! BeyondTrust's wire types as the documentation gives them: the OAuth token (JSON) and the
//! command API's XML answers, read with quick-xml's serde support. The answers declare a
//! default namespace ([`super::inferred::NAMESPACE`]); elements are matched by local name, so
//! the namespace's exact value does not matter to the reader.

use quick_xml::events::Event;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// [DOC] `POST /oauth2/token`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Token {
    /// The bearer token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds until it expires (3600 in the docs).
    pub expires_in: u64,
}

/// [DOC] params, [INFER] element names: `generate_session_key`'s `<session_key>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionKey {
    /// The 7-digit key the customer can type on the site.
    pub short_key: String,
    /// The link that starts the customer's session.
    pub key_url: String,
}

/// [INFER] `get_logged_in_reps`'s `<logged_in_reps>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct LoggedInReps {
    /// The representatives logged in now.
    #[serde(default)]
    pub rep: Vec<Rep>,
}

/// [INFER] One `<rep id="..">`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rep {
    /// The rep's id (`rep:<id>` queues).
    #[serde(rename = "@id")]
    pub id: String,
    /// The rep's name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// What a command answered: the expected document, or the site's `<error>` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// The document.
    Ok(T),
    /// [DOC] `<error>text</error>`.
    Error(String),
}

/// Reads a command's answer whose root should be `root`: `<error>` becomes
/// [`Answer::Error`]; anything else unreadable is an `Err` describing what was wrong.
pub fn read<T: DeserializeOwned>(xml: &str, root: &str) -> Result<Answer<T>, String> {
    match root_name(xml)?.as_str() {
        "error" => Ok(Answer::Error(error_text(xml)?)),
        name if name == root => quick_xml::de::from_str(xml)
            .map(Answer::Ok)
            .map_err(|e| format!("<{root}>: {e}")),
        other => Err(format!("expected <{root}>, got <{other}>")),
    }
}

/// The local name of the document's root element.
fn root_name(xml: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Ok(e.local_name().into_inner().to_owned());
            }
            Ok(Event::Eof) => return Err("no XML element in the answer".into()),
            Ok(_) => {}
            Err(e) => {
                return Err(format!("not XML at byte {}: {e}", reader.error_position()));
            }
        }
    }
}

/// The text of an `<error>` document, whitespace trimmed.
fn error_text(xml: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct ErrorDoc {
        #[serde(rename = "$text", default)]
        text: String,
    }
    let doc: ErrorDoc = quick_xml::de::from_str(xml).map_err(|e| format!("<error>: {e}"))?;
    Ok(doc.text.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T: DeserializeOwned + std::fmt::Debug>(xml: &str, root: &str) -> T {
        match read(xml, root) {
            Ok(Answer::Ok(doc)) => doc,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_documented_answers_read_by_local_name() {
        let xml = include_str!("../fixtures/generate_session_key.response.xml");
        let key: SessionKey = ok(xml, "session_key");
        assert_eq!(key.short_key, "8407325");
        assert!(key.key_url.starts_with("https://support.example.com/"));
        let xml = include_str!("../fixtures/get_logged_in_reps.response.xml");
        let reps: LoggedInReps = ok(xml, "logged_in_reps");
        assert_eq!(reps.rep.len(), 2);
        assert_eq!(reps.rep[0].display_name.as_deref(), Some("Lisa"));
    }

    #[test]
    fn an_error_document_is_its_text_and_other_roots_are_refused() {
        let e: Answer<SessionKey> = read(
            include_str!("../fixtures/error.response.xml"),
            "session_key",
        )
        .unwrap();
        assert_eq!(e, Answer::Error("Invalid queue_id [team:99].".into()));
        let wrong = read::<SessionKey>("<api_info/>", "session_key").unwrap_err();
        assert_eq!(wrong, "expected <session_key>, got <api_info>");
        assert!(read::<SessionKey>("", "session_key").is_err());
        assert!(read::<SessionKey>("<session_key>", "session_key").is_err());
    }
}
