//! The broker's file shelf: user files a system fetches by URL (`ServiceNow` takes attachments
//! by URL only).
//!
//! [`FileShelf::publish`] puts a file on the shelf and returns its URL under the listener's
//! public base (`/files/{token}`, the token random and unguessable) and a per-file
//! `Authorization` value (a random bearer secret) that the system must send back. The
//! listener serves `GET /files/{token}`: 404 for an unknown or expired token, 401 without the
//! exact `Authorization`, else the bytes with their `Content-Type` and a `Content-Disposition`
//! filename. Tokens and secrets are never logged.

use super::FileUpload;
use super::redact::{Secret, same_secret};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The route the shelf serves on the listener.
pub const ROUTE: &str = "/files/{token}";

/// How much the shelf holds. Files live in memory until the system fetches them, and a user
/// (or a burst of users) may send many: without a bound the broker's memory would grow with
/// every file. The oldest files go first, because a system fetches a file right after it is
/// told about it, so the oldest are the ones most likely fetched already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShelfLimits {
    /// Files held at most.
    pub max_files: usize,
    /// Bytes held at most, all files together; also the largest file taken.
    pub max_bytes: u64,
    /// How long a file stays fetchable.
    pub ttl: Duration,
}

impl Default for ShelfLimits {
    fn default() -> Self {
        Self {
            max_files: 32,
            max_bytes: 64 * 1024 * 1024,
            ttl: Duration::from_secs(30 * 60),
        }
    }
}

/// A file on the shelf, as the system is told about it.
#[derive(Debug, Clone)]
pub struct PublishedFile {
    /// Where the system fetches it (the token in it is a capability: keep it out of logs).
    pub url: String,
    /// The exact `Authorization` value the fetch must carry.
    pub authorization: Secret,
}

/// Why a file could not be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShelfError {
    /// The file alone is larger than the whole shelf.
    #[error("the file ({size} bytes) is larger than the broker's file shelf ({max} bytes)")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The shelf's size.
        max: u64,
    },
}

struct Entry {
    token: String,
    authorization: Secret,
    file: FileUpload,
    at: Instant,
}

/// Files waiting to be fetched; cheap to share (`Arc`).
pub struct FileShelf {
    public_base: String,
    limits: ShelfLimits,
    entries: Mutex<VecDeque<Entry>>,
}

crate::debug::debug_fields!(FileShelf {
    public_base,
    limits
});

/// A random string from the OS generator (two v4 UUIDs: 244 random bits).
fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl FileShelf {
    /// An empty shelf whose URLs start with `public_base` (no trailing slash).
    pub fn new(public_base: &str, limits: ShelfLimits) -> Self {
        Self {
            public_base: public_base.trim_end_matches('/').to_owned(),
            limits,
            entries: Mutex::default(),
        }
    }

    fn entries(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Puts `file` on the shelf, evicting the oldest files as needed.
    pub fn publish(&self, file: &FileUpload) -> Result<PublishedFile, ShelfError> {
        let size = file.size();
        if size > self.limits.max_bytes {
            return Err(ShelfError::TooLarge {
                size,
                max: self.limits.max_bytes,
            });
        }
        let token = random_token();
        let authorization = Secret::new(format!("Bearer {}", random_token()));
        let mut entries = self.entries();
        self.drop_expired(&mut entries);
        let mut held: u64 = entries.iter().map(|e| e.file.size()).sum();
        while !entries.is_empty()
            && (entries.len() >= self.limits.max_files || held + size > self.limits.max_bytes)
        {
            if let Some(old) = entries.pop_front() {
                held -= old.file.size();
                tracing::debug!(name = %old.file.name, "file shelf full: oldest file evicted");
            }
        }
        entries.push_back(Entry {
            token: token.clone(),
            authorization: authorization.clone(),
            file: file.clone(),
            at: Instant::now(),
        });
        tracing::debug!(name = %file.name, size, "file published");
        Ok(PublishedFile {
            url: format!("{}/files/{token}", self.public_base),
            authorization,
        })
    }

    /// How many files are held.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the shelf is empty.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    fn drop_expired(&self, entries: &mut VecDeque<Entry>) {
        entries.retain(|e| e.at.elapsed() < self.limits.ttl);
    }

    /// The file under `token` for a caller presenting `authorization`.
    fn fetch(&self, token: &str, authorization: Option<&str>) -> Result<FileUpload, StatusCode> {
        let mut entries = self.entries();
        self.drop_expired(&mut entries);
        let entry = entries
            .iter()
            .find(|e| e.token == token)
            .ok_or(StatusCode::NOT_FOUND)?;
        if !authorization.is_some_and(|given| same_secret(given, &entry.authorization)) {
            return Err(StatusCode::UNAUTHORIZED);
        }
        Ok(entry.file.clone())
    }

    /// The `GET /files/{token}` route, to merge into the listener.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new().route(ROUTE, get(serve)).with_state(self)
    }
}

async fn serve(
    State(shelf): State<Arc<FileShelf>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let file = match shelf.fetch(&token, given) {
        Ok(file) => file,
        Err(status) => {
            tracing::warn!(status = status.as_u16(), "file shelf: fetch refused");
            let reason = if status == StatusCode::NOT_FOUND {
                "no such file (unknown or expired)"
            } else {
                "missing or wrong credentials"
            };
            return (status, reason).into_response();
        }
    };
    tracing::debug!(name = %file.name, size = file.size(), "file fetched");
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&content_disposition(&file.name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        file.bytes,
    )
        .into_response()
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266):
/// the name is the user's, so quotes, control and non-ASCII characters never reach the header
/// raw.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: usize) -> FileUpload {
        FileUpload {
            name: name.into(),
            content_type: "application/pdf".into(),
            bytes: bytes::Bytes::from(vec![b'x'; size]),
        }
    }

    fn token_of(url: &str) -> &str {
        url.rsplit('/').next().unwrap()
    }

    #[test]
    fn only_the_exact_authorization_opens_a_file() {
        let shelf = FileShelf::new("https://hooks.example.com/", ShelfLimits::default());
        let published = shelf.publish(&file("a.pdf", 3)).unwrap();
        assert!(
            published
                .url
                .starts_with("https://hooks.example.com/files/")
        );
        let token = token_of(&published.url);
        assert!(token.len() >= 64, "an unguessable token");
        let auth = published.authorization.expose().to_owned();
        assert!(auth.starts_with("Bearer "));
        assert_eq!(shelf.fetch(token, None), Err(StatusCode::UNAUTHORIZED));
        assert_eq!(
            shelf.fetch(token, Some("Bearer not-it")),
            Err(StatusCode::UNAUTHORIZED)
        );
        assert_eq!(shelf.fetch(token, Some(&auth)).unwrap().name, "a.pdf");
        assert_eq!(shelf.fetch("nope", Some(&auth)), Err(StatusCode::NOT_FOUND));
        let other = shelf.publish(&file("b.pdf", 3)).unwrap();
        assert_ne!(other.url, published.url);
        assert_ne!(other.authorization, published.authorization);
        assert_eq!(
            shelf.fetch(token_of(&other.url), Some(&auth)),
            Err(StatusCode::UNAUTHORIZED),
            "one file's secret does not open another"
        );
    }

    #[test]
    fn the_oldest_files_are_evicted_by_count_and_by_bytes() {
        let limits = ShelfLimits {
            max_files: 2,
            max_bytes: 10,
            ..ShelfLimits::default()
        };
        let shelf = FileShelf::new("http://127.0.0.1:1", limits);
        let a = shelf.publish(&file("a", 1)).unwrap();
        let b = shelf.publish(&file("b", 1)).unwrap();
        let c = shelf.publish(&file("c", 1)).unwrap();
        assert_eq!(shelf.len(), 2);
        let open =
            |p: &PublishedFile| shelf.fetch(token_of(&p.url), Some(p.authorization.expose()));
        assert_eq!(open(&a), Err(StatusCode::NOT_FOUND));
        assert!(open(&b).is_ok() && open(&c).is_ok());
        // 9 bytes fit next to c but not next to b and c: only b goes.
        let d = shelf.publish(&file("d", 9)).unwrap();
        assert_eq!(shelf.len(), 2);
        assert_eq!(open(&b), Err(StatusCode::NOT_FOUND));
        assert!(open(&c).is_ok() && open(&d).is_ok());
        // A file as large as the shelf holds alone.
        let d = shelf.publish(&file("d", 10)).unwrap();
        assert_eq!(shelf.len(), 1);
        assert_eq!(open(&c), Err(StatusCode::NOT_FOUND));
        assert!(open(&d).is_ok());
        assert_eq!(
            shelf.publish(&file("e", 11)).unwrap_err(),
            ShelfError::TooLarge { size: 11, max: 10 }
        );
        assert!(open(&d).is_ok(), "a refused file evicts nothing");
    }

    #[test]
    fn expired_files_are_gone() {
        let limits = ShelfLimits {
            ttl: Duration::ZERO,
            ..ShelfLimits::default()
        };
        let shelf = FileShelf::new("http://127.0.0.1:1", limits);
        let p = shelf.publish(&file("a", 1)).unwrap();
        assert_eq!(
            shelf.fetch(token_of(&p.url), Some(p.authorization.expose())),
            Err(StatusCode::NOT_FOUND)
        );
        assert!(shelf.is_empty());
    }

    #[test]
    fn the_filename_header_is_safe() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            content_disposition("a \"b\"\r\né.txt"),
            "attachment; filename=\"a _b____.txt\"; filename*=UTF-8''a%20%22b%22%0D%0A%C3%A9.txt"
        );
    }
}
