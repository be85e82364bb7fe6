//! A client of a `LibreTranslate`-compatible server (<https://docs.libretranslate.com>), through
//! the shared HTTP client: `POST /translate {q, source, target, format, api_key?}` answers
//! `{translatedText}`, `POST /detect {q, api_key?}` answers `[{confidence, language}]`, and an
//! error is a status with `{error}`. The fixtures beside this file are the API guide's examples.

use super::{Detected, TranslateError, Translator, is_language_code};
use crate::connectors::ConnectorError;
use crate::connectors::http::{Api, Call, Method, RetryPolicy};
use crate::connectors::redact::Secret;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The name calls and errors are logged under.
pub const SYSTEM: &str = "LibreTranslate";

/// `POST /translate`'s body.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct TranslateRequest {
    /// The text.
    pub q: String,
    /// Its language, or `auto`.
    pub source: String,
    /// The language wanted.
    pub target: String,
    /// `text` or `html`.
    #[serde(default = "text_format")]
    pub format: String,
    /// The server's API key, when it wants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

fn text_format() -> String {
    "text".into()
}

/// `POST /translate`'s answer.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TranslateResponse {
    /// The translation.
    pub translated_text: String,
}

/// `POST /detect`'s body.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct DetectRequest {
    /// The text.
    pub q: String,
    /// The server's API key, when it wants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

/// One candidate of `POST /detect`'s answer (a list, most likely first).
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct DetectCandidate {
    /// 0 to 100.
    pub confidence: f64,
    /// The language code.
    pub language: String,
}

/// An error answer: `{"error": "..."}`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: String,
}

/// The `LibreTranslate` client.
#[derive(Debug, Clone)]
pub struct LibreTranslate {
    api: Api,
    base: String,
    key: Option<Secret>,
}

impl LibreTranslate {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:5000`), with its API key.
    pub fn new(base: &str, key: Option<Secret>, policy: RetryPolicy) -> Self {
        let secrets = key.iter().cloned().collect();
        Self {
            api: Api::new(SYSTEM, policy, secrets),
            base: base.trim_end_matches('/').to_owned(),
            key,
        }
    }

    fn key(&self) -> Option<String> {
        self.key.as_ref().map(|k| k.expose().to_owned())
    }
}

fn service(error: &ConnectorError) -> TranslateError {
    TranslateError::Service(error.to_string())
}

#[async_trait]
impl Translator for LibreTranslate {
    fn name(&self) -> &str {
        SYSTEM
    }

    async fn detect(&self, text: &str) -> Result<Option<Detected>, TranslateError> {
        let body = DetectRequest {
            q: text.to_owned(),
            api_key: self.key(),
        };
        let url = format!("{}/detect", self.base);
        let call = Call::new("detect", Method::Post, url).json(&body);
        let reply = self.api.send(call).await.map_err(|e| service(&e))?;
        let candidates: Vec<DetectCandidate> = reply.json().map_err(|e| service(&e))?;
        let Some(best) = candidates.into_iter().next() else {
            return Ok(None);
        };
        if !is_language_code(&best.language) {
            let detail = format!("detect named {:?}, not a language code", best.language);
            return Err(service(&self.api.payload_error("detect", detail)));
        }
        Ok(Some(Detected {
            language: best.language,
            confidence: best.confidence,
        }))
    }

    async fn translate(
        &self,
        text: &str,
        source: &str,
        target: &str,
    ) -> Result<String, TranslateError> {
        let body = TranslateRequest {
            q: text.to_owned(),
            source: source.to_owned(),
            target: target.to_owned(),
            format: text_format(),
            api_key: self.key(),
        };
        let url = format!("{}/translate", self.base);
        let call = Call::new("translate", Method::Post, url).json(&body);
        let reply = self.api.send(call).await.map_err(|e| service(&e))?;
        let answer: TranslateResponse = reply.json().map_err(|e| service(&e))?;
        Ok(answer.translated_text)
    }
}
