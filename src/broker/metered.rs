//! A socket that reads at most a few kilobytes until the client has said `hello`, and after it
//! refuses any message longer than the client's role allows at the message's frame header,
//! before its payload is read.
//!
//! tungstenite's frame limit is fixed per connection at the handshake, and it must let an
//! `attach` frame through once the client is known; before that, a stranger could make it buffer
//! megabytes per connection. The meter counts the bytes read before [`Meter::open`]: past the
//! budget it stops reading and trips the meter, and the session closes with 1009.

use super::frames_in::FrameHeaders;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
    /// The longest message after `hello`, by role (`u64::MAX` until then).
    message_limit: AtomicU64,
    /// The length of the message that tripped the meter after `hello` (0: none, or the
    /// pre-`hello` budget tripped it).
    over: AtomicU64,
    /// Set when the meter trips: the socket is read no further.
    stopped: AtomicBool,
    /// Cancelled when the meter trips, or when the token it was made under is (see
    /// [`Meter::under`]): the session's wake-up.
    tripped: CancellationToken,
}

impl Meter {
    /// A meter with `budget` bytes before `hello`, under no other token.
    #[cfg(test)]
    pub fn new(budget: usize) -> Self {
        Self::with_token(budget, CancellationToken::new())
    }

    /// A meter whose [`tripped`](Self::tripped) token is a child of `parent` (the broker's
    /// shutdown): one token then wakes the session for either, and a child of it for the hub's
    /// kick as well, so the session's loop waits on one token instead of three (each wait
    /// takes a lock on every turn of the loop). Only the meter's own trip stops the reading.
    pub fn under(budget: usize, parent: &CancellationToken) -> Self {
        Self::with_token(budget, parent.child_token())
    }

    fn with_token(budget: usize, tripped: CancellationToken) -> Self {
        Self {
            inner: Arc::new(MeterState {
                armed: AtomicBool::new(false),
                open: AtomicBool::new(false),
                read: AtomicUsize::new(0),
                budget,
                message_limit: AtomicU64::new(u64::MAX),
                over: AtomicU64::new(0),
                stopped: AtomicBool::new(false),
                tripped,
            }),
        }
    }

    /// Whether the meter itself tripped (not only the token it was made under).
    pub fn is_tripped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    /// Starts counting (the handshake's own bytes are not frames).
    pub fn arm(&self) {
        self.inner.armed.store(true, Ordering::SeqCst);
    }

    /// Lifts the byte budget: the client said hello. From now on a message longer than
    /// `message_limit` bytes (the role's) trips the meter at its header.
    pub fn open(&self, message_limit: usize) {
        self.inner
            .message_limit
            .store(message_limit as u64, Ordering::SeqCst);
        self.inner.open.store(true, Ordering::SeqCst);
    }

    /// The length of the message that tripped the meter after `hello`; `None` when the
    /// pre-`hello` budget did.
    pub fn over(&self) -> Option<u64> {
        Some(self.inner.over.load(Ordering::SeqCst)).filter(|&n| n > 0)
    }

    /// The longest message the client's role may send.
    pub fn message_limit(&self) -> u64 {
        self.inner.message_limit.load(Ordering::SeqCst)
    }

    /// Cancelled when the client sent more than the budget before `hello` or a message over
    /// its role's limit (and, for a meter made [`under`](Self::under) a token, with it).
    pub fn tripped(&self) -> CancellationToken {
        self.inner.tripped.clone()
    }

    /// The budget, for the close reason.
    pub fn budget(&self) -> usize {
        self.inner.budget
    }
}

impl MeterState {
    /// Stops the reading and wakes the session.
    fn trip(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.tripped.cancel();
    }
}

/// A stream whose reads go through a [`Meter`].
#[derive(Debug)]
pub struct Metered<S> {
    stream: S,
    meter: Meter,
    frames: FrameHeaders,
}

impl<S> Metered<S> {
    /// Wraps `stream`.
    pub fn new(stream: S, meter: Meter) -> Self {
        Self {
            stream,
            meter,
            frames: FrameHeaders::default(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let state = Arc::clone(&self.meter.inner);
        if !state.armed.load(Ordering::SeqCst) {
            return Pin::new(&mut self.stream).poll_read(cx, buf);
        }
        if state.stopped.load(Ordering::SeqCst) {
            // Read no further; the session sees the trip and closes. Its wake-up comes from
            // the token, not from this socket.
            return Poll::Pending;
        }
        let open = state.open.load(Ordering::SeqCst);
        let before = buf.filled().len();
        let result = if open {
            Pin::new(&mut self.stream).poll_read(cx, buf)
        } else {
            let left = state
                .budget
                .saturating_sub(state.read.load(Ordering::SeqCst));
            if left == 0 {
                state.trip();
                return Poll::Pending;
            }
            read_at_most(Pin::new(&mut self.stream), cx, buf, left)
        };
        if let Poll::Ready(Ok(())) = &result {
            let fresh = &buf.filled()[before..];
            state.read.fetch_add(fresh.len(), Ordering::SeqCst);
            let limit = state.message_limit.load(Ordering::SeqCst);
            // Headers are followed from the first frame on, so they stay aligned after hello.
            if let Err((length, header_end)) = self.frames.feed(fresh, limit) {
                // Nothing past the header reaches the WebSocket reader: it never buffers the
                // message, and the session closes on the trip.
                buf.set_filled(before + header_end);
                state.over.store(length, Ordering::SeqCst);
                state.trip();
            }
        }
        result
    }
}

/// Reads at most `left` bytes (a few KiB, the pre-`hello` budget) into `buf`.
fn read_at_most<S: AsyncRead>(
    stream: Pin<&mut S>,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
    left: usize,
) -> Poll<std::io::Result<()>> {
    if buf.remaining() <= left {
        return stream.poll_read(cx, buf);
    }
    let mut small = vec![0u8; left];
    let mut part = ReadBuf::new(&mut small);
    let result = stream.poll_read(cx, &mut part);
    buf.put_slice(part.filled());
    result
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
        assert_eq!(meter.over(), None, "the budget tripped it, not a message");
    }

    #[tokio::test]
    async fn after_hello_a_message_over_the_limit_trips_at_its_header() {
        let (mut far, near) = tokio::io::duplex(64 * 1024);
        let meter = Meter::new(4096);
        let mut metered = Metered::new(near, meter.clone());
        meter.arm();
        // A masked 5-byte text frame (the hello), then the meter opens at 100 bytes.
        far.write_all(&[0x81, 0x85, 1, 2, 3, 4, b'h', b'e', b'l', b'l', b'o'])
            .await
            .expect("write");
        let mut buf = [0u8; 64];
        let mut got = 0;
        while got < 11 {
            got += metered.read(&mut buf).await.expect("read");
        }
        meter.open(100);
        // A header announcing 4,464 bytes, and some of them: only the header is read.
        far.write_all(&[0x81, 0x80 | 0x7e, 0x11, 0x70, 1, 2, 3, 4, b'x', b'y'])
            .await
            .expect("write");
        let n = metered.read(&mut buf).await.expect("read");
        assert_eq!(n, 8, "the header only");
        assert!(meter.tripped().is_cancelled());
        assert_eq!(meter.over(), Some(4_464));
    }

    #[tokio::test]
    async fn the_parent_token_wakes_the_session_but_does_not_stop_the_reading() {
        let (mut far, near) = tokio::io::duplex(64);
        let parent = CancellationToken::new();
        let meter = Meter::under(4096, &parent);
        let mut metered = Metered::new(near, meter.clone());
        meter.arm();
        parent.cancel();
        assert!(meter.tripped().is_cancelled(), "the session is woken");
        assert!(!meter.is_tripped());
        far.write_all(b"bye").await.expect("write");
        let mut buf = [0u8; 8];
        let n = metered.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], b"bye", "a close handshake can still be read");
    }
}
