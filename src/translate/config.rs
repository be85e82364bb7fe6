//! The `[translation]` section of `handoff.toml` (off by default) and what it resolves to.

use super::dnt::DEFAULT_KEYWORD;
use super::is_language_code;
use crate::config::{ConfigError, read_secret};
use serde::Deserialize;

/// The section's name.
pub const SECTION: &str = "translation";

/// The API key's variable when `api_key_env` names none.
pub const DEFAULT_KEY_ENV: &str = "HANDOFF_LIBRETRANSLATE_API_KEY";

/// `[translation]` as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationFile {
    /// Translate live chats (default false).
    pub enabled: Option<bool>,
    /// `offline` (the phrase table, default) or `libretranslate`.
    pub provider: Option<String>,
    /// The `LibreTranslate` server; the embedded emulator when absent.
    pub url: Option<String>,
    /// The agent's do-not-translate keyword (default `DNT`).
    pub dnt_keyword: Option<String>,
    /// The variable holding the `LibreTranslate` API key (default
    /// `HANDOFF_LIBRETRANSLATE_API_KEY`); no key when unset.
    pub api_key_env: Option<String>,
    /// The users' language (`es`); detected from each message when absent.
    pub language: Option<String>,
}

/// Which translator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// The offline phrase table.
    Offline,
    /// A `LibreTranslate` server at this URL (`None`: the embedded emulator), with its key.
    LibreTranslate {
        /// The server.
        url: Option<String>,
        /// Its API key.
        key: Option<crate::connectors::redact::Secret>,
    },
}

/// `[translation]` resolved: present only when translation is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationSettings {
    /// The translator.
    pub provider: Provider,
    /// The agent's do-not-translate keyword.
    pub dnt_keyword: String,
    /// The users' language, when fixed.
    pub language: Option<String>,
}

impl TranslationSettings {
    /// Translation with the offline table and the defaults: the console's `--translate`.
    pub fn offline(language: Option<String>) -> Self {
        Self {
            provider: Provider::Offline,
            dnt_keyword: DEFAULT_KEYWORD.to_owned(),
            language,
        }
    }
}

impl TranslationFile {
    /// The settings, `None` when translation is off; errors name `file` and the key.
    pub fn resolve(&self, file: &str) -> Result<Option<TranslationSettings>, ConfigError> {
        let invalid = |key: &str, detail: String| ConfigError::Invalid {
            file: file.to_owned(),
            key: format!("{SECTION}.{key}"),
            detail,
        };
        if !self.enabled.unwrap_or(false) {
            return Ok(None);
        }
        let dnt_keyword = self
            .dnt_keyword
            .clone()
            .unwrap_or_else(|| DEFAULT_KEYWORD.into());
        if dnt_keyword.is_empty() || dnt_keyword.chars().any(char::is_whitespace) {
            return Err(invalid(
                "dnt_keyword",
                format!("{dnt_keyword:?} must be one word"),
            ));
        }
        if let Some(language) = self.language.as_deref().filter(|l| !is_language_code(l)) {
            let detail = format!("{language:?} is not a language code such as \"es\"");
            return Err(invalid("language", detail));
        }
        let provider = match self.provider.as_deref().unwrap_or("offline") {
            "offline" => Provider::Offline,
            "libretranslate" => {
                if let Some(url) = &self.url {
                    let parsed = url::Url::parse(url)
                        .map_err(|e| invalid("url", format!("{url:?}: {e}")))?;
                    if !matches!(parsed.scheme(), "http" | "https") {
                        return Err(invalid("url", format!("{url:?} must be http(s)")));
                    }
                }
                let key_env = self.api_key_env.as_deref();
                let key = read_secret(
                    file,
                    "translation.api_key_env",
                    key_env,
                    DEFAULT_KEY_ENV,
                    None,
                )?;
                Provider::LibreTranslate {
                    url: self.url.clone(),
                    key: key.map(crate::connectors::redact::Secret::new),
                }
            }
            other => {
                let detail = format!("{other:?} is not offline or libretranslate");
                return Err(invalid("provider", detail));
            }
        };
        Ok(Some(TranslationSettings {
            provider,
            dnt_keyword,
            language: self.language.clone(),
        }))
    }
}

/// The translation service `settings` describe, with the `LibreTranslate` emulator it runs on
/// when no server is named (kept alive as long as the service is used).
pub async fn start(
    settings: &TranslationSettings,
    policy: crate::connectors::http::RetryPolicy,
) -> std::io::Result<(
    super::flow::Translation,
    Option<super::emulator::RunningTranslator>,
)> {
    use std::sync::Arc;
    let (translator, emulator): (Arc<dyn super::Translator>, _) = match &settings.provider {
        Provider::Offline => (Arc::new(super::offline::PhraseTable), None),
        Provider::LibreTranslate {
            url: Some(url),
            key,
        } => {
            let client = super::libre::LibreTranslate::new(url, key.clone(), policy);
            (Arc::new(client), None)
        }
        Provider::LibreTranslate { url: None, key } => {
            let expected = key.as_ref().map(|k| k.expose().to_owned());
            let emulator = super::emulator::spawn(([127, 0, 0, 1], 0).into(), expected).await?;
            let client =
                super::libre::LibreTranslate::new(&emulator.base_url(), key.clone(), policy);
            (Arc::new(client), Some(emulator))
        }
    };
    let service =
        super::flow::Translation::new(translator, &settings.dnt_keyword, settings.language.clone());
    Ok((service, emulator))
}
