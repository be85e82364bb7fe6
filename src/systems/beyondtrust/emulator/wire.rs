//! The emulator's own view of the wire (never the connector's types): form and query pairs as
//! the site reads them, and the XML documents it answers, written with quick-xml's serde
//! support in the command API's namespace.

use crate::systems::beyondtrust::inferred::{
    CUSTOM_PREFIX, CUSTOM_VALUE_BYTES, NAMESPACE, is_code_name,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// A request's parameters, in order (a repeated name keeps its first value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `application/x-www-form-urlencoded` text (a query string or a body); bytes that
    /// are not UTF-8 become U+FFFD.
    pub fn parse(bytes: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(bytes).into_owned().collect())
    }

    /// Adds `other`'s pairs after these.
    pub fn extend(&mut self, other: Self) {
        self.0.extend(other.0);
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `session.custom.<field>` values by field, checked as the site checks them.
    pub fn custom(&self) -> Result<BTreeMap<String, String>, String> {
        let mut out = BTreeMap::new();
        for (name, value) in &self.0 {
            let Some(field) = name.strip_prefix(CUSTOM_PREFIX) else {
                continue;
            };
            if !is_code_name(field) {
                return Err(format!("Invalid custom field code name [{field}]."));
            }
            if value.len() > CUSTOM_VALUE_BYTES {
                return Err(format!(
                    "Value of [{name}] is longer than {CUSTOM_VALUE_BYTES} bytes."
                ));
            }
            out.entry(field.to_owned()).or_insert_with(|| value.clone());
        }
        Ok(out)
    }
}

/// A document in the command API's namespace, with the XML declaration.
pub fn document(root: &str, body: &impl Serialize) -> String {
    let xml = quick_xml::se::to_string_with_root(root, body)
        .unwrap_or_else(|e| format!("<error>the emulator could not write <{root}>: {e}</error>"));
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}")
}

/// `<error>text</error>`.
pub fn error(text: &str) -> String {
    #[derive(Serialize)]
    struct Error<'a> {
        #[serde(rename = "@xmlns")]
        xmlns: &'static str,
        #[serde(rename = "$text")]
        text: &'a str,
    }
    document(
        "error",
        &Error {
            xmlns: NAMESPACE,
            text,
        },
    )
}

/// `<session_key>`.
#[derive(Debug, Serialize)]
pub struct SessionKey {
    /// The namespace.
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    /// `support`.
    #[serde(rename = "@type")]
    pub kind: &'static str,
    /// Seven digits.
    pub short_key: String,
    /// Where the customer goes.
    pub key_url: String,
    /// The mail's subject.
    pub mail_subject: &'static str,
    /// The mail's body.
    pub mail_body: String,
    /// When the key expires.
    pub expires: Expires,
}

/// `<expires timestamp="..">`.
#[derive(Debug, Serialize)]
pub struct Expires {
    /// Unix seconds.
    #[serde(rename = "@timestamp")]
    pub timestamp: u64,
}

/// `<logged_in_reps>`.
#[derive(Debug, Serialize)]
pub struct LoggedInReps {
    /// The namespace.
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    /// The reps.
    pub rep: Vec<Rep>,
}

/// `<rep id="..">`.
#[derive(Debug, Serialize)]
pub struct Rep {
    /// The id.
    #[serde(rename = "@id")]
    pub id: u32,
    /// The name.
    pub display_name: String,
    /// The name customers see.
    pub public_display_name: String,
    /// `normal`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `<appliances>` of one healthy appliance (`check_health`).
pub fn health() -> String {
    #[derive(Serialize)]
    struct Appliance {
        #[serde(rename = "@id")]
        id: &'static str,
        status: &'static str,
    }
    #[derive(Serialize)]
    struct Appliances {
        #[serde(rename = "@xmlns")]
        xmlns: &'static str,
        appliance: Appliance,
    }
    let body = Appliances {
        xmlns: NAMESPACE,
        appliance: Appliance {
            id: "emulated",
            status: "ok",
        },
    };
    document("appliances", &body)
}

/// `<api_info>` (`get_api_info`).
pub fn api_info() -> String {
    #[derive(Serialize)]
    struct ApiInfo {
        #[serde(rename = "@xmlns")]
        xmlns: &'static str,
        api_version: &'static str,
    }
    let body = ApiInfo {
        xmlns: NAMESPACE,
        api_version: "1.0 (emulated)",
    };
    document("api_info", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_requests_read_as_the_site_reads_them() {
        let form = Params::parse(
            include_str!("../fixtures/generate_session_key.request.form")
                .trim()
                .as_bytes(),
        );
        assert_eq!(form.get("queue_id"), Some("general"));
        assert_eq!(form.get("external_key"), Some("c-42"));
        let custom = form.custom().unwrap();
        assert_eq!(custom["utterance"], "My printer is offline");
        let query = Params::parse(
            include_str!("../fixtures/start_session.request.query")
                .trim()
                .as_bytes(),
        );
        assert_eq!(query.get("codeName"), Some("printer"));
        assert_eq!(query.custom().unwrap()["external_key"], "c-42");
    }

    #[test]
    fn an_error_document_escapes_its_text() {
        let xml = error("a <b> & \"c\"");
        assert!(xml.contains("<error xmlns=\""), "{xml}");
        assert!(xml.contains("a &lt;b&gt; &amp;"), "{xml}");
    }

    #[test]
    fn a_bad_custom_field_is_named() {
        let p = Params::parse(b"session.custom.a%20b=1");
        assert_eq!(
            p.custom().unwrap_err(),
            "Invalid custom field code name [a b]."
        );
    }
}
