//! The load generator: the same user → agent traffic against either server. Every user sends
//! `say` frames of exactly [`Load::size`] bytes whose text starts with `~T<ns>~C<chat>~` (the
//! send time, taken just before the frame goes to the socket, and the chat); the agent finds the
//! marker in whatever reaches it (the verbatim frame from the bare relay, the `message` event
//! from the broker) and times the one-way trip on the same clock. Only what arrives in the
//! measured window after the warm-up counts.

use super::peers::{self, Socket};
use super::process::{Target, cpu_seconds};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// How the users send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Throughput: each chat keeps this many messages in flight (a permit comes back when the
    /// agent receives one).
    Closed(usize),
    /// Latency: this many messages per second in all, each chat on a fixed schedule.
    Open(f64),
}

/// One relay trial's traffic.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Live chats (one user each).
    pub chats: usize,
    /// Bytes per `say` frame.
    pub size: usize,
    /// Closed or open loop.
    pub mode: Mode,
    /// Sending before the measured window.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
    /// The protocol version the broker's clients speak (2 answers a `say` with one frame,
    /// 1 with the echo and an ack, as relaybench's generator does).
    pub protocol: u32,
}

/// What one relay trial measured.
#[derive(Debug, Clone, Default)]
pub struct Relayed {
    /// One-way user → agent latencies of the messages received in the window, sorted, in µs.
    pub latencies_us: Vec<f64>,
    /// The window's length, in seconds.
    pub seconds: f64,
    /// The server's CPU time in the window, in seconds.
    pub server_cpu: f64,
    /// `error` frames and closed user sockets: a trial with any is not a fair one.
    pub faults: u64,
}

impl Relayed {
    /// Messages received per second.
    pub fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.seconds
    }

    /// Server CPU per message received, in µs.
    pub fn cpu_us_per_message(&self) -> f64 {
        self.server_cpu * 1e6 / self.latencies_us.len() as f64
    }
}

/// The shared clock and phase of a trial: 0 warming up, 1 measuring, 2 stopping.
struct Clock {
    base: Instant,
    phase: AtomicU8,
}

impl Clock {
    fn ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
    fn phase(&self) -> u8 {
        self.phase.load(Ordering::Relaxed)
    }
}

/// A `say` frame of `size` bytes (when `size` leaves room for the JSON), stamped now.
pub fn say_frame(
    conversation: &str,
    request: u64,
    chat: usize,
    size: usize,
    now_ns: u64,
) -> String {
    let mut s = String::with_capacity(size.max(160));
    _ = write!(
        s,
        r#"{{"type":"say","id":"{request}","conversation":"{conversation}","text":"~T{now_ns}~C{chat}~"#
    );
    let pad = size.saturating_sub(s.len() + 2);
    s.extend(std::iter::repeat_n('x', pad));
    s.push_str("\"}");
    s
}

/// The send time and chat of a relayed frame, from its `~T<ns>~C<chat>~` marker.
pub fn marker(text: &str) -> Option<(u64, usize)> {
    let (_, rest) = text.split_once("~T")?;
    let (sent, rest) = rest.split_once('~')?;
    let (chat, _) = rest.strip_prefix('C')?.split_once('~')?;
    Some((sent.parse().ok()?, chat.parse().ok()?))
}

/// Runs one relay trial against the server at `url` (process `pid`).
pub async fn relay(
    target: Target,
    url: &str,
    pid: u32,
    token: &str,
    load: Load,
) -> anyhow::Result<Relayed> {
    let clock = Arc::new(Clock {
        base: Instant::now(),
        phase: AtomicU8::new(0),
    });
    let window = match load.mode {
        Mode::Closed(w) => w,
        Mode::Open(_) => 0,
    };
    let permits: Arc<Vec<Semaphore>> =
        Arc::new((0..load.chats).map(|_| Semaphore::new(window)).collect());
    let stop = CancellationToken::new();
    // The agent first, so that nothing a user sends is dropped.
    let agent = peers::agent(target, url, token, load.protocol).await?;
    let agent_task = tokio::spawn(agent_reader(
        agent,
        Arc::clone(&permits),
        Arc::clone(&clock),
        stop.clone(),
    ));
    let mut users = Vec::with_capacity(load.chats);
    for chat in 0..load.chats {
        users.push(
            peers::user(target, url, chat, load.protocol)
                .await
                .map_err(|e| anyhow::anyhow!("chat {chat}: {e}"))?,
        );
    }
    let period = Duration::from_secs_f64(
        load.chats as f64
            / match load.mode {
                Mode::Open(rate) => rate.max(1e-3),
                Mode::Closed(_) => 1.0,
            },
    );
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let (mut writers, mut readers) = (Vec::new(), Vec::new());
    for (chat, user) in users.into_iter().enumerate() {
        let (sink, rx) = user.ws.split();
        readers.push(tokio::spawn(user_reader(rx, stop.clone())));
        let w = Writer {
            sink,
            conversation: user.conversation,
            chat,
            size: load.size,
            clock: Arc::clone(&clock),
        };
        let first = start + period.mul_f64(chat as f64 / load.chats as f64);
        writers.push(match load.mode {
            Mode::Closed(_) => tokio::spawn(w.closed(Arc::clone(&permits))),
            Mode::Open(_) => tokio::spawn(w.open(first, period)),
        });
    }
    let server_cpu = || cpu_seconds(&pid.to_string());
    tokio::time::sleep(load.warmup).await;
    let (cpu0, t0) = (server_cpu(), Instant::now());
    clock.phase.store(1, Ordering::SeqCst);
    tokio::time::sleep(load.duration).await;
    clock.phase.store(2, Ordering::SeqCst);
    let (cpu1, seconds) = (server_cpu(), t0.elapsed().as_secs_f64());
    for p in permits.iter() {
        p.close();
    }
    for w in writers {
        _ = w.await;
    }
    stop.cancel();
    let (mut latencies_us, mut faults) = agent_task.await?;
    for r in readers {
        faults += r.await?;
    }
    latencies_us.sort_by(f64::total_cmp);
    Ok(Relayed {
        latencies_us,
        seconds,
        server_cpu: cpu1 - cpu0,
        faults,
    })
}

/// Reads the agent socket: times relayed messages and hands their chat's permit back; accepts
/// the broker's offers. Returns the latencies in µs and the `error` frames seen.
async fn agent_reader(
    ws: Socket,
    permits: Arc<Vec<Semaphore>>,
    clock: Arc<Clock>,
    stop: CancellationToken,
) -> (Vec<f64>, u64) {
    let (mut sink, mut rx) = ws.split();
    let (mut latencies, mut errors, mut accepted) = (Vec::new(), 0, 0);
    loop {
        let frame = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            f = rx.next() => f,
        };
        let Some(Ok(Message::Text(text))) = frame else {
            if matches!(frame, Some(Ok(_))) {
                continue;
            }
            break;
        };
        let now = clock.ns();
        if let Some((sent, chat)) = marker(text.as_str()) {
            if clock.phase() == 1 {
                latencies.push(now.saturating_sub(sent) as f64 / 1e3);
            }
            if let Some(p) = permits.get(chat) {
                p.add_permits(1);
            }
        } else if text.as_str().contains(r#""type":"error""#) {
            errors += 1;
        } else if let Some(accept) = peers::accept_offer(text.as_str(), accepted) {
            accepted += 1;
            if sink.send(Message::text(accept)).await.is_err() {
                break;
            }
        }
    }
    (latencies, errors)
}

/// Drains a user socket (the broker answers each `say`); counts `error` frames and a close.
async fn user_reader(mut rx: SplitStream<Socket>, stop: CancellationToken) -> u64 {
    let mut faults = 0;
    loop {
        let frame = tokio::select! {
            biased;
            () = stop.cancelled() => return faults,
            f = rx.next() => f,
        };
        match frame {
            Some(Ok(Message::Text(t))) if t.as_str().contains(r#""type":"error""#) => faults += 1,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return faults + 1,
            Some(Ok(_)) => {}
        }
    }
}

/// A user's sending half.
struct Writer {
    sink: SplitSink<Socket, Message>,
    conversation: String,
    chat: usize,
    size: usize,
    clock: Arc<Clock>,
}

impl Writer {
    async fn send(&mut self, n: u64) -> bool {
        let frame = say_frame(&self.conversation, n, self.chat, self.size, self.clock.ns());
        self.sink.send(Message::text(frame)).await.is_ok()
    }

    /// One frame per permit of its chat.
    async fn closed(mut self, permits: Arc<Vec<Semaphore>>) {
        let Some(mine) = permits.get(self.chat) else {
            return;
        };
        for n in 1.. {
            match mine.acquire().await {
                Ok(p) => p.forget(),
                Err(_) => return,
            }
            if self.clock.phase() >= 2 || !self.send(n).await {
                return;
            }
        }
    }

    /// One frame every `period` from `first`.
    async fn open(mut self, first: tokio::time::Instant, period: Duration) {
        let mut next = first;
        for n in 1.. {
            tokio::time::sleep_until(next).await;
            if self.clock.phase() >= 2 || !self.send(n).await {
                return;
            }
            next += period;
        }
    }
}

/// What the idle trial measured.
#[derive(Debug, Clone, Copy)]
pub struct Idle {
    /// Resident memory per idle connection, in KiB.
    pub kib_per_connection: f64,
}

/// Opens `n` connections that only say hello and reads the server's resident memory before and
/// after; one connection is opened first so that one-time setup is in the "before".
pub async fn idle(target: Target, url: &str, pid: u32, n: usize) -> anyhow::Result<Idle> {
    let _warm = peers::idle(target, url, usize::MAX).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = super::process::status_kib(pid, "VmRSS");
    let gate = Arc::new(Semaphore::new(64));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (url, gate) = (url.to_owned(), Arc::clone(&gate));
        tasks.push(tokio::spawn(async move {
            let _slot = gate.acquire_owned().await;
            peers::idle(target, &url, i)
                .await
                .map_err(|e| anyhow::anyhow!("idle connection {i}: {e}"))
        }));
    }
    let mut open = Vec::with_capacity(n);
    for t in tasks {
        open.push(t.await??);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = super::process::status_kib(pid, "VmRSS");
    drop(open);
    Ok(Idle {
        kib_per_connection: (after - before) / n.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_say_frame_is_exactly_its_size_and_its_marker_reads_back() {
        let frame = say_frame("c-0000000000ab", 7, 42, 1024, 123_456_789);
        assert_eq!(frame.len(), 1024);
        let parsed: crate::protocol::ClientMsg = serde_json::from_str(&frame).unwrap();
        assert!(matches!(parsed, crate::protocol::ClientMsg::Say { .. }));
        assert_eq!(marker(&frame), Some((123_456_789, 42)));
        // Inside the broker's message event, JSON around it.
        let text = frame.find("~T").map_or("", |at| &frame[at..]);
        let event = format!(r#"{{"parts":[{{"richText":"<p>{text}</p>"}}]}}"#);
        assert_eq!(
            marker(&event).map(|(_, c)| c),
            marker(&frame).map(|(_, c)| c)
        );
    }

    #[test]
    fn frames_without_a_whole_marker_are_not_counted() {
        assert_eq!(marker("{\"type\":\"ack\"}"), None);
        assert_eq!(marker("~T12~"), None);
        assert_eq!(marker("~Tx~C1~"), None);
        assert_eq!(marker("~T12~C~"), None);
    }
}
