//! Dynamic translation of a live chat (brokering rule 6): what the user writes reaches the agent
//! in English, what the agent writes reaches the user in the user's language, except what
//! follows the agent's "do not translate" keyword ([`dnt`]).
//!
//! Translators sit behind the [`Translator`] trait: [`offline::PhraseTable`], a small phrase
//! table of greetings and common support phrases in Spanish, French and German (good enough
//! for demos and tests, not for real conversations), and [`libre::LibreTranslate`], a client
//! of any `LibreTranslate`-compatible server, whose [`emulator`] answers from the phrase table.
//! [`flow`] is what the broker calls per message; [`config`] is the `[translation]` section.

pub mod config;
pub mod dnt;
pub mod emulator;
pub mod flow;
pub mod libre;
pub mod offline;

use async_trait::async_trait;

/// The language every agent reads: translation is N-to-English (the brokering spec).
pub const AGENT_LANGUAGE: &str = "en";

/// A language a detector found, with how sure it is (0 to 100, as `LibreTranslate` reports).
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// An ISO 639-1 code, e.g. `es`.
    pub language: String,
    /// 0 to 100.
    pub confidence: f64,
}

/// Why a translation failed: the message then goes through untranslated, with a notice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    /// The translation service answered with an error or could not be reached.
    #[error("{0}")]
    Service(String),
    /// The translator does not know this pair of languages.
    #[error("{translator} cannot translate from {source_language:?} to {target:?}")]
    Unsupported {
        /// The translator's name.
        translator: String,
        /// The language of the text.
        source_language: String,
        /// The language wanted.
        target: String,
    },
}

/// Translates plain text and detects its language.
#[async_trait]
pub trait Translator: Send + Sync + std::fmt::Debug {
    /// A name for logs and notices, e.g. `offline phrase table`.
    fn name(&self) -> &str;

    /// The language of `text`, or `None` when nothing in it tells.
    async fn detect(&self, text: &str) -> Result<Option<Detected>, TranslateError>;

    /// `text` from `source` into `target` (ISO 639-1 codes).
    async fn translate(
        &self,
        text: &str,
        source: &str,
        target: &str,
    ) -> Result<String, TranslateError>;
}

/// Whether `code` looks like a language code we may put in a request or a protocol field: two
/// or three ASCII letters, with an optional region (`pt-BR`, `zh-Hans`).
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.splitn(2, '-');
    let base = parts.next().unwrap_or_default();
    let base_ok = (2..=3).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = parts
        .next()
        .is_none_or(|r| (2..=8).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric()));
    base_ok && region_ok
}

#[cfg(test)]
mod tests;
