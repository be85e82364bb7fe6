//! What the broker asks per message of a live chat: the user's text into English for the
//! agent, the agent's text into the user's language (up to the DNT keyword). A failure is an
//! outcome too, never a lost message: the text goes through as written, with the reason.

use super::{AGENT_LANGUAGE, Detected, TranslateError, Translator, dnt};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Translations under way at most, broker-wide. One more is not started: its message goes
/// through as written, with a notice saying why (a slow service cannot pile up tasks).
pub const MAX_IN_FLIGHT: usize = 64;

/// The broker's translation service: a translator and the rules around it.
#[derive(Debug, Clone)]
pub struct Translation {
    translator: Arc<dyn Translator>,
    /// The agent's do-not-translate keyword.
    dnt: String,
    /// The users' language when set in the configuration; detected per message otherwise.
    language: Option<String>,
    in_flight: Arc<Semaphore>,
}

/// One message's translation: the text to deliver and what the protocol tells of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What the other side receives.
    pub text: String,
    /// The language the author wrote in, when known.
    pub from: Option<String>,
    /// The language translated into (or that was attempted, when `error` says why not).
    pub to: String,
    /// Why `text` is the author's, untranslated.
    pub error: Option<String>,
}

/// A place in the in-flight bound, held while one translation runs.
#[derive(Debug)]
pub struct Permit(#[allow(dead_code)] OwnedSemaphorePermit);

impl Translation {
    /// The service over `translator`, with the agent's `dnt` keyword and the users' `language`
    /// when the configuration fixes it.
    pub fn new(translator: Arc<dyn Translator>, dnt: &str, language: Option<String>) -> Self {
        Self {
            translator,
            dnt: dnt.to_owned(),
            language,
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }

    /// The translator's name.
    pub fn translator(&self) -> &str {
        self.translator.name()
    }

    /// A place for one more translation, or why there is none; drop it when done.
    pub fn permit(&self) -> Result<Permit, String> {
        Arc::clone(&self.in_flight)
            .try_acquire_owned()
            .map(Permit)
            .map_err(|_| format!("{MAX_IN_FLIGHT} translations are already under way"))
    }

    /// The user's `text` for the agent, in English. `None`: nothing to translate (English, or
    /// no language found and none known).
    pub async fn to_agent(&self, text: &str, known: Option<&str>) -> Option<Outcome> {
        let from = match self.user_language(text, known).await {
            Ok(Some(language)) if language != AGENT_LANGUAGE => language,
            Ok(_) => return None,
            Err(e) => return Some(self.failed(text, None, AGENT_LANGUAGE, &e)),
        };
        Some(
            match self.translator.translate(text, &from, AGENT_LANGUAGE).await {
                Ok(translated) => Outcome {
                    text: translated,
                    from: Some(from),
                    to: AGENT_LANGUAGE.to_owned(),
                    error: None,
                },
                Err(e) => self.failed(text, Some(from), AGENT_LANGUAGE, &e),
            },
        )
    }

    /// The agent's `text` for a user who writes `language` (else the language of `hint`, the
    /// user's latest words), up to the DNT keyword; what follows it is delivered verbatim.
    /// `None`: nothing to translate (an English user, or no language known).
    pub async fn to_user(
        &self,
        text: &str,
        language: Option<&str>,
        hint: Option<&str>,
    ) -> Option<Outcome> {
        let target = match (self.language.as_deref().or(language), hint) {
            (Some(language), _) => language.to_owned(),
            (None, Some(hint)) => match self.translator.detect(hint).await {
                Ok(Some(Detected { language, .. })) => language,
                Ok(None) => return None,
                Err(e) => return Some(self.failed(text, None, AGENT_LANGUAGE, &e)),
            },
            (None, None) => return None,
        };
        if target == AGENT_LANGUAGE {
            return None;
        }
        let split = dnt::split(text, &self.dnt);
        let front = if split.translate.is_empty() {
            Ok(String::new())
        } else {
            let translated = self
                .translator
                .translate(split.translate, AGENT_LANGUAGE, &target);
            translated.await
        };
        Some(match front {
            Ok(front) => Outcome {
                text: dnt::join(&front, split.verbatim),
                from: Some(AGENT_LANGUAGE.to_owned()),
                to: target,
                error: None,
            },
            Err(e) => self.failed(text, Some(AGENT_LANGUAGE.to_owned()), &target, &e),
        })
    }

    /// The user's language: the configured one, else the one detected in `text`, else `known`
    /// (the language found in their earlier messages).
    async fn user_language(
        &self,
        text: &str,
        known: Option<&str>,
    ) -> Result<Option<String>, TranslateError> {
        if let Some(fixed) = &self.language {
            return Ok(Some(fixed.clone()));
        }
        let detected = self.translator.detect(text).await?;
        Ok(detected
            .map(|d| d.language)
            .or_else(|| known.map(str::to_owned)))
    }

    /// `text` delivered as written because of `error`.
    fn failed(
        &self,
        text: &str,
        from: Option<String>,
        to: &str,
        error: &TranslateError,
    ) -> Outcome {
        tracing::warn!(translator = self.translator.name(), %error, "translation failed; sent as written");
        Outcome {
            text: text.to_owned(),
            from,
            to: to.to_owned(),
            error: Some(named(self.translator.name(), error)),
        }
    }

    /// The outcome of a message that could not even be queued for translation.
    pub fn refused(text: &str, why: String) -> Outcome {
        Outcome {
            text: text.to_owned(),
            from: None,
            to: AGENT_LANGUAGE.to_owned(),
            error: Some(why),
        }
    }
}

/// `error` as a notice that starts with the translator's `name` (once).
fn named(name: &str, error: &TranslateError) -> String {
    let text = error.to_string();
    if text.starts_with(name) {
        text
    } else {
        format!("{name}: {text}")
    }
}
