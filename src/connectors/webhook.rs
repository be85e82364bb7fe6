//! The broker's webhook listener: where 8x8, `ServiceNow` and Glia POST their events.
//!
//! One axum server on a loopback address, one route per system under `/hooks/{system}`. The
//! systems are told the route's *public* URL: the loopback URL by default, or
//! `public_base_url` + `/hooks/{system}` when the broker sits behind a tunnel or reverse proxy
//! (a real tenant cannot reach 127.0.0.1). Each route's [`WebhookHandler`] authenticates the
//! call the way its system does (8x8: JWS signature; `ServiceNow`: Basic auth or a header;
//! Glia: the headers registered with the webhook) and answers with the status the system
//! expects; the listener itself only routes.
//!
//! The listener also serves the [`FileShelf`] (`GET /files/{token}`): user files a system
//! fetches by URL, under the same public base.

use super::files::{FileShelf, ShelfLimits};
use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use tokio_util::sync::CancellationToken;

/// The largest webhook body accepted.
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

/// One webhook call as a handler sees it.
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The raw body (signatures are computed over these exact bytes).
    pub body: Vec<u8>,
}

impl WebhookRequest {
    /// A header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a handler answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookReply {
    /// The HTTP status.
    pub status: u16,
    /// A short text body.
    pub body: String,
}

impl WebhookReply {
    /// 200 with an empty body.
    pub fn ok() -> Self {
        Self {
            status: 200,
            body: String::new(),
        }
    }

    /// An error status with a reason.
    pub fn error(status: u16, reason: impl Into<String>) -> Self {
        Self {
            status,
            body: reason.into(),
        }
    }
}

/// One system's webhook route.
#[async_trait]
pub trait WebhookHandler: Send + Sync {
    /// Authenticates and takes one call.
    async fn handle(&self, request: WebhookRequest) -> WebhookReply;
}

/// What starting the listener failed with.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The configured address is not a loopback address.
    #[error("webhook listener: {0} is not a loopback address; use a tunnel and public_base_url")]
    NotLoopback(SocketAddr),
    /// The address could not be bound.
    #[error("webhook listener: cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

type Routes = Arc<RwLock<HashMap<String, Arc<dyn WebhookHandler>>>>;

/// The running listener. Dropping it (or [`WebhookListener::shutdown`]) stops the server.
pub struct WebhookListener {
    local: SocketAddr,
    public_base: String,
    routes: Routes,
    files: Arc<FileShelf>,
    cancel: CancellationToken,
}

crate::debug::debug_fields!(WebhookListener { local, public_base });

impl WebhookListener {
    /// Listens on `listen` (loopback only; port 0 picks one). Systems are given URLs under
    /// `public_base_url` when set, else under the loopback URL.
    pub async fn bind(
        listen: SocketAddr,
        public_base_url: Option<&str>,
    ) -> Result<Self, WebhookError> {
        let (listener, local) = crate::loopback::bind(listen).await.map_err(|e| match e {
            crate::loopback::ListenError::NotLoopback(addr) => WebhookError::NotLoopback(addr),
            crate::loopback::ListenError::Bind { addr, source } => {
                WebhookError::Bind { addr, source }
            }
        })?;
        let public_base = public_base_url.map_or_else(
            || format!("http://{local}"),
            |u| u.trim_end_matches('/').to_owned(),
        );
        let routes: Routes = Arc::default();
        let files = Arc::new(FileShelf::new(&public_base, ShelfLimits::default()));
        let app = Router::new()
            .route("/hooks/{system}", post(dispatch))
            .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
            .with_state(routes.clone())
            .merge(files.clone().router());
        let cancel = CancellationToken::new();
        crate::loopback::serve_until("webhook listener", listener, app, cancel.clone());
        tracing::info!(%local, public_base = %public_base, "webhook listener up");
        Ok(Self {
            local,
            public_base,
            routes,
            files,
            cancel,
        })
    }

    /// Adds (or replaces) the route of `system` and returns its public URL.
    pub fn route(&self, system: &str, handler: Arc<dyn WebhookHandler>) -> String {
        if let Ok(mut routes) = self.routes.write() {
            routes.insert(system.to_owned(), handler);
        }
        self.url_of(system)
    }

    /// The public URL of `system`'s route.
    pub fn url_of(&self, system: &str) -> String {
        format!("{}/hooks/{system}", self.public_base)
    }

    /// The shelf of files systems fetch from this listener (URLs under the public base).
    pub fn files(&self) -> Arc<FileShelf> {
        self.files.clone()
    }

    /// The loopback address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Stops the server.
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

impl Drop for WebhookListener {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn dispatch(
    State(routes): State<Routes>,
    Path(system): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let handler = routes.read().ok().and_then(|r| r.get(&system).cloned());
    let Some(handler) = handler else {
        return (StatusCode::NOT_FOUND, "no webhook route for this system").into_response();
    };
    let headers = headers
        .iter()
        .filter_map(|(n, v)| {
            v.to_str()
                .ok()
                .map(|v| (n.as_str().to_ascii_lowercase(), v.to_owned()))
        })
        .collect();
    let reply = handler
        .handle(WebhookRequest {
            headers,
            body: body.to_vec(),
        })
        .await;
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, reply.body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    #[async_trait]
    impl WebhookHandler for Echo {
        async fn handle(&self, request: WebhookRequest) -> WebhookReply {
            let who = request.header("X-Test").unwrap_or("nobody").to_owned();
            WebhookReply {
                status: 202,
                body: format!("{who}:{}", String::from_utf8_lossy(&request.body)),
            }
        }
    }

    #[tokio::test]
    async fn routes_by_system_and_refuses_unknown_ones() {
        let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        let url = listener.route("test", Arc::new(Echo));
        assert_eq!(url, format!("http://{}/hooks/test", listener.local_addr()));
        let client = reqwest::Client::new();
        let reply = client
            .post(&url)
            .header("x-test", "me")
            .body("hi")
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 202);
        assert_eq!(reply.text().await.unwrap(), "me:hi");
        let unknown = client
            .post(listener.url_of("other"))
            .body("hi")
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
        let too_big = client
            .post(&url)
            .body(vec![b'x'; MAX_WEBHOOK_BYTES + 1])
            .send()
            .await
            .unwrap();
        assert_eq!(too_big.status(), 413);
    }

    #[tokio::test]
    async fn the_file_shelf_serves_a_file_only_with_its_authorization() {
        let listener = WebhookListener::bind("127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        let file = crate::connectors::FileUpload {
            name: "Q3 report.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: bytes::Bytes::from_static(b"%PDF-1.7 test"),
        };
        let published = listener.files().publish(&file).unwrap();
        let base = format!("http://{}/files/", listener.local_addr());
        assert!(published.url.starts_with(&base), "{}", published.url);
        let client = reqwest::Client::new();
        let none = client.get(&published.url).send().await.unwrap();
        assert_eq!(none.status(), 401);
        let wrong = client
            .get(&published.url)
            .header("Authorization", "Bearer not-the-file-secret")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let right = client
            .get(&published.url)
            .header("Authorization", published.authorization.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(right.status(), 200);
        assert_eq!(right.headers()["content-type"], "application/pdf");
        assert_eq!(
            right.headers()["content-disposition"],
            "attachment; filename=\"Q3 report.pdf\"; filename*=UTF-8''Q3%20report.pdf"
        );
        assert_eq!(right.bytes().await.unwrap().as_ref(), b"%PDF-1.7 test");
        let unknown = client
            .get(format!("{base}not-a-token"))
            .header("Authorization", published.authorization.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
    }

    #[tokio::test]
    async fn public_urls_and_loopback_only() {
        let listener = WebhookListener::bind(
            "127.0.0.1:0".parse().unwrap(),
            Some("https://hooks.example.com/"),
        )
        .await
        .unwrap();
        assert_eq!(
            listener.url_of("8x8"),
            "https://hooks.example.com/hooks/8x8"
        );
        let file = crate::connectors::FileUpload {
            name: "a.txt".into(),
            content_type: "text/plain".into(),
            bytes: bytes::Bytes::from_static(b"a"),
        };
        let published = listener.files().publish(&file).unwrap();
        assert!(
            published
                .url
                .starts_with("https://hooks.example.com/files/")
        );
        let refused = WebhookListener::bind("0.0.0.0:0".parse().unwrap(), None)
            .await
            .unwrap_err();
        assert!(matches!(refused, WebhookError::NotLoopback(_)));
    }
}
