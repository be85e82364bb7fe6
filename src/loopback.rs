//! Serving an HTTP router on loopback until told to stop: the one way the emulators, the
//! webhook listener and the translator emulator listen.

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Why a loopback listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// Only loopback addresses are served.
    #[error("{0} is not a loopback address")]
    NotLoopback(SocketAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Binds `listen`, which must be a loopback address, and tells the address bound (the port
/// when `listen` asked for port 0).
pub async fn bind(listen: SocketAddr) -> Result<(TcpListener, SocketAddr), ListenError> {
    if !listen.ip().is_loopback() {
        return Err(ListenError::NotLoopback(listen));
    }
    let bind_error = |source| ListenError::Bind {
        addr: listen,
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, addr))
}

/// Serves `app` on `listener` in its own task until `cancel` fires; a server that stops on an
/// error is logged under `what`.
pub fn serve_until(
    what: &'static str,
    listener: TcpListener,
    app: Router,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { cancel.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(server = what, error = %e, "server stopped");
        }
    });
}
