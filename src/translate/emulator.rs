//! A `LibreTranslate` emulator on loopback, answering from the offline phrase table: the same
//! routes, bodies and error shapes as the real server (`/translate`, `/detect`, `/languages`),
//! strict about what it takes, so the [`libre`](super::libre) client is tested over HTTP.

use super::libre::{
    DetectCandidate, DetectRequest, ErrorResponse, TranslateRequest, TranslateResponse,
};
use super::offline::{LANGUAGES, PhraseTable};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A running emulator; it stops when dropped.
#[derive(Debug)]
pub struct RunningTranslator {
    addr: SocketAddr,
    cancel: CancellationToken,
}

impl RunningTranslator {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningTranslator {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[derive(Debug)]
struct Emulator {
    /// The only API key accepted; any request is accepted when `None`.
    key: Option<String>,
}

/// Serves the emulator on `listen` (loopback only); with `key`, requests must carry it.
pub async fn spawn(listen: SocketAddr, key: Option<String>) -> std::io::Result<RunningTranslator> {
    let (listener, addr) = crate::loopback::bind(listen)
        .await
        .map_err(|e| std::io::Error::other(format!("the LibreTranslate emulator: {e}")))?;
    let app = Router::new()
        .route("/translate", post(translate))
        .route("/detect", post(detect))
        .route("/languages", get(languages))
        .with_state(Arc::new(Emulator { key }));
    let cancel = CancellationToken::new();
    crate::loopback::serve_until("LibreTranslate emulator", listener, app, cancel.clone());
    Ok(RunningTranslator { addr, cancel })
}

fn refuse(status: StatusCode, error: impl Into<String>) -> Response {
    let body = ErrorResponse {
        error: error.into(),
    };
    (status, Json(body)).into_response()
}

impl Emulator {
    /// The server's answer to a missing or wrong key (`LibreTranslate`'s 403).
    fn check_key(&self, given: Option<&str>) -> Result<(), Refusal> {
        match &self.key {
            Some(key) if given != Some(key.as_str()) => {
                Err((StatusCode::FORBIDDEN, "Invalid API key".into()))
            }
            _ => Ok(()),
        }
    }
}

/// A request's body, read and its key checked, or the server's refusal.
fn admit<T>(
    emu: &Emulator,
    body: Result<Json<T>, JsonRejection>,
    key: impl Fn(&T) -> Option<&str>,
) -> Result<T, Refusal> {
    let Json(request) = body.map_err(|rejection| {
        let why = format!("Invalid request: {}", rejection.body_text());
        (StatusCode::BAD_REQUEST, why)
    })?;
    emu.check_key(key(&request))?;
    Ok(request)
}

/// An error status and its message.
type Refusal = (StatusCode, String);

fn supported(language: &str) -> Result<(), Refusal> {
    if LANGUAGES.contains(&language) {
        Ok(())
    } else {
        Err((
            StatusCode::BAD_REQUEST,
            format!("{language} is not supported"),
        ))
    }
}

async fn translate(
    State(emu): State<Arc<Emulator>>,
    body: Result<Json<TranslateRequest>, JsonRejection>,
) -> Response {
    let request = match admit(&emu, body, |r: &TranslateRequest| r.api_key.as_deref()) {
        Ok(request) => request,
        Err((status, why)) => return refuse(status, why),
    };
    if request.format != "text" && request.format != "html" {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Invalid request: format must be text or html",
        );
    }
    let table = PhraseTable;
    let source = if request.source == "auto" {
        table
            .detect_now(&request.q)
            .map_or_else(|| "en".to_owned(), |d| d.language)
    } else {
        request.source.clone()
    };
    if let Err((status, why)) = supported(&source).and_then(|()| supported(&request.target)) {
        return refuse(status, why);
    }
    match table.translate_now(&request.q, &source, &request.target) {
        Ok(translated_text) => Json(TranslateResponse { translated_text }).into_response(),
        Err(e) => refuse(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn detect(
    State(emu): State<Arc<Emulator>>,
    body: Result<Json<DetectRequest>, JsonRejection>,
) -> Response {
    let request = match admit(&emu, body, |r: &DetectRequest| r.api_key.as_deref()) {
        Ok(request) => request,
        Err((status, why)) => return refuse(status, why),
    };
    let candidates: Vec<DetectCandidate> = PhraseTable
        .detect_now(&request.q)
        .map(|d| DetectCandidate {
            confidence: d.confidence,
            language: d.language,
        })
        .into_iter()
        .collect();
    Json(candidates).into_response()
}

async fn languages() -> Response {
    let names = ["English", "Spanish", "French", "German"];
    let list: Vec<_> = LANGUAGES
        .iter()
        .zip(names)
        .map(|(code, name)| json!({"code": code, "name": name, "targets": LANGUAGES}))
        .collect();
    Json(list).into_response()
}
