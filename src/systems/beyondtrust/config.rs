//! The `[beyondtrust]` section of `handoff.toml`: the site, the API account (the secret only
//! as the name of an environment variable or a file), the handoff mode, the queue, the custom
//! fields and the session key's lifetime.

use super::inferred;
use crate::systems::Section;
use serde::Deserialize;
use std::path::PathBuf;

/// `[beyondtrust]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeyondTrustFile {
    /// The public site, e.g. `https://support.example.com`.
    pub site_url: Option<String>,
    /// The API account's OAuth client id (not a secret on its own).
    pub client_id: Option<String>,
    /// `api` (default): a session key through the command API; `url`: a `start_session` link.
    #[serde(default)]
    pub mode: Mode,
    /// Env var holding the OAuth client secret (default `HANDOFF_BEYONDTRUST_CLIENT_SECRET`).
    pub client_secret_env: Option<String>,
    /// File holding the OAuth client secret.
    pub client_secret_file: Option<PathBuf>,
    /// Where sessions queue (default `general`).
    #[serde(default = "Queue::general")]
    pub queue: Queue,
    /// How long a session key is valid, in seconds (the site's default when unset).
    pub ttl_secs: Option<u64>,
    /// The custom session fields sent, by code name: `utterance`, `topic`, `user_name`,
    /// `user_email`, or a routing-context key (default `["utterance", "topic"]`).
    #[serde(default = "default_custom_fields")]
    pub custom_fields: Vec<CodeName>,
}

impl Default for BeyondTrustFile {
    fn default() -> Self {
        Self {
            site_url: None,
            client_id: None,
            mode: Mode::default(),
            client_secret_env: None,
            client_secret_file: None,
            queue: Queue::general(),
            ttl_secs: None,
            custom_fields: default_custom_fields(),
        }
    }
}

impl Section for BeyondTrustFile {
    const NAME: &'static str = "beyondtrust";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("site_url", &self.site_url)]
    }
}

/// How the user is sent to the site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `generate_session_key`, then the key's URL.
    #[default]
    Api,
    /// A `start_session` URL, no API call.
    Url,
}

/// A string newtype whose value `check` accepts, checked when the file is read; a refused
/// value is named in the error, after `what`.
macro_rules! checked {
    ($(#[$doc:meta])* $name:ident, $check:path, $what:literal, $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                if $check(&value) {
                    Ok(Self(value))
                } else {
                    Err(format!(concat!($what, " {:?} must be ", $expected), value))
                }
            }
        }
    };
}

checked!(
    /// A queue id as `generate_session_key` takes it.
    Queue,
    inferred::is_queue_id,
    "queue",
    "general, rep:<id>, team:<id>, rep_username:<name> or issue:<code_name>"
);

checked!(
    /// A custom field's code name.
    CodeName,
    inferred::is_code_name,
    "custom field",
    "1 to 64 of A-Z, a-z, 0-9, _ and -"
);

impl Queue {
    /// The general queue.
    pub fn general() -> Self {
        Self("general".into())
    }

    /// `(kind, value)`: `("general", "")`, `("rep", "12")`, ...
    pub fn parts(&self) -> (&str, &str) {
        self.0.split_once(':').unwrap_or((&self.0, ""))
    }
}

/// The custom fields sent when `custom_fields` is not set.
pub fn default_custom_fields() -> Vec<CodeName> {
    ["utterance", "topic"]
        .into_iter()
        .map(|n| CodeName(n.into()))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::systems::SystemsConfig;

    #[test]
    fn bad_values_name_the_file_section_and_value() {
        for (text, wanted) in [
            ("queue = \"desk:1\"", "queue \"desk:1\" must be general"),
            ("custom_fields = [\"a b\"]", "custom field \"a b\" must be"),
            ("mode = \"chat\"", "unknown variant `chat`"),
        ] {
            let e = SystemsConfig::from_toml("h.toml", &format!("[beyondtrust]\n{text}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("h.toml: [beyondtrust]: "), "{e}");
            assert!(e.contains(wanted), "{e}");
        }
    }
}
