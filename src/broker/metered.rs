//! A socket that reads at most a few kilobytes until the client has said `hello`.
//!
//! tungstenite's frame limit is fixed per connection at the handshake, and it must let an
//! `attach` frame through once the client is known; before that, a stranger could make it buffer
//! megabytes per connection. The meter counts the bytes read before [`Meter::open`]: past the
//! budget it stops reading and trips the meter, and the session closes with 1009.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::sync::CancellationToken;

/// Bytes a client may send after the handshake and before its `hello` is accepted: a `hello`
/// fits in a fraction of it.
pub const PRE_HELLO_BYTES: usize = 4096;

/// The session's handle on its socket's meter.
#[derive(Debug, Clone)]
pub struct Meter {
    inner: Arc<MeterState>,
}

#[derive(Debug)]
struct MeterState {
    /// Counting starts when armed (after the HTTP handshake).
    armed: AtomicBool,
    /// No limit once open (after `hello`).
    open: AtomicBool,
    read: AtomicUsize,
    budget: usize,
    tripped: CancellationToken,
}

impl Meter {
    /// A meter with `budget` bytes before `hello`.
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Arc::new(MeterState {
                armed: AtomicBool::new(false),
                open: AtomicBool::new(false),
                read: AtomicUsize::new(0),
                budget,
                tripped: CancellationToken::new(),
            }),
        }
    }

    /// Starts counting (the handshake's own bytes are not frames).
    pub fn arm(&self) {
        self.inner.armed.store(true, Ordering::SeqCst);
    }

    /// Lifts the limit: the client said hello.
    pub fn open(&self) {
        self.inner.open.store(true, Ordering::SeqCst);
    }

    /// Cancelled when the client sent more than the budget before `hello`.
    pub fn tripped(&self) -> CancellationToken {
        self.inner.tripped.clone()
    }

    /// The budget, for the close reason.
    pub fn budget(&self) -> usize {
        self.inner.budget
    }
}

/// A stream whose reads go through a [`Meter`].
#[derive(Debug)]
pub struct Metered<S> {
    stream: S,
    meter: Meter,
}

impl<S> Metered<S> {
    /// Wraps `stream`.
    pub fn new(stream: S, meter: Meter) -> Self {
        Self { stream, meter }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let state = Arc::clone(&self.meter.inner);
        let limited = state.armed.load(Ordering::SeqCst) && !state.open.load(Ordering::SeqCst);
        if !limited {
            return Pin::new(&mut self.stream).poll_read(cx, buf);
        }
        let left = state
            .budget
            .saturating_sub(state.read.load(Ordering::SeqCst));
        if left == 0 {
            // Read no further; the session sees the trip and closes. Its wake-up comes from
            // the token, not from this socket.
            state.tripped.cancel();
            return Poll::Pending;
        }
        let before = buf.filled().len();
        let result = if buf.remaining() <= left {
            Pin::new(&mut self.stream).poll_read(cx, buf)
        } else {
            // Read into a budget-sized buffer (at most the budget, a few KiB) and copy.
            let mut small = vec![0u8; left];
            let mut part = ReadBuf::new(&mut small);
            let result = Pin::new(&mut self.stream).poll_read(cx, &mut part);
            buf.put_slice(part.filled());
            result
        };
        if let Poll::Ready(Ok(())) = &result {
            state
                .read
                .fetch_add(buf.filled().len() - before, Ordering::SeqCst);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Metered<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn reads_stop_at_the_budget_until_opened() {
        let (mut far, near) = tokio::io::duplex(64 * 1024);
        let meter = Meter::new(10);
        let mut metered = Metered::new(near, meter.clone());
        far.write_all(b"handshake!").await.expect("write");
        let mut buf = [0u8; 64];
        let n = metered.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], b"handshake!", "nothing counted before arming");
        meter.arm();
        far.write_all(&[b'x'; 25]).await.expect("write");
        let mut got = 0;
        while got < 10 {
            got += metered.read(&mut buf).await.expect("read");
        }
        assert_eq!(got, 10, "exactly the budget is read");
        assert!(!meter.tripped().is_cancelled());
        let stalled =
            tokio::time::timeout(std::time::Duration::from_millis(50), metered.read(&mut buf))
                .await;
        assert!(stalled.is_err(), "no read past the budget");
        assert!(meter.tripped().is_cancelled(), "the session is told");
        meter.open();
        let n = metered.read(&mut buf).await.expect("read");
        assert_eq!(n, 15, "the rest flows once opened");
    }
}
