//! Drives the console loop headless: a `TestBackend`, a scripted input stream, and a real
//! broker over WebSocket. Waits are on screen conditions, with a timeout as a safety net.
#![allow(dead_code)]

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use futures_util::Stream;
use handoff::broker::{self, BrokerConfig, RunningBroker};
use handoff::console::{App, Console};
use handoff::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The safety net of every wait.
pub const WAIT: Duration = Duration::from_secs(10);

type Input = Pin<Box<dyn Stream<Item = std::io::Result<Event>> + Send>>;

/// A console on a headless terminal, connected to a real broker.
pub struct Harness {
    pub console: Console<TestBackend>,
    pub broker: Option<RunningBroker>,
    keys: mpsc::UnboundedSender<Event>,
    queued: Arc<AtomicUsize>,
    input: Input,
    cancel: CancellationToken,
}

impl Harness {
    /// Starts a broker with `config` and a console of `width` x `height` on it.
    pub async fn start(config: BrokerConfig, theme: Theme, width: u16, height: u16) -> Self {
        let broker = broker::start(config).await.expect("broker starts");
        let url = broker.url();
        Self::connect(broker, &url, theme, width, height).await
    }

    /// A console of `width` x `height` on `url` (the broker's, or a proxy in front of it).
    pub async fn connect(
        broker: RunningBroker,
        url: &str,
        theme: Theme,
        width: u16,
        height: u16,
    ) -> Self {
        let token = broker.token().clone();
        let mut h = Self::dial(token, url, theme, width, height).await;
        h.broker = Some(broker);
        h
    }

    /// A console of `width` x `height` on the broker at `url` whose token is `token`, which
    /// the test owns (an engine, which the console may restart).
    pub async fn dial(
        token: handoff::connectors::redact::Secret,
        url: &str,
        theme: Theme,
        width: u16,
        height: u16,
    ) -> Self {
        let mut app = App::new(theme, url);
        app.token = Some(token);
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let cancel = CancellationToken::new();
        let console = Console::connect(app, terminal, None, cancel.clone());
        let (keys, rx) = mpsc::unbounded_channel::<Event>();
        let queued = Arc::new(AtomicUsize::new(0));
        let counter = queued.clone();
        let input: Input = Box::pin(futures_util::stream::unfold(rx, move |mut rx| {
            let counter = counter.clone();
            async move {
                let event = rx.recv().await?;
                counter.fetch_sub(1, Ordering::SeqCst);
                Some((Ok(event), rx))
            }
        }));
        let mut h = Self {
            console,
            broker: None,
            keys,
            queued,
            input,
            cancel,
        };
        h.console.draw().expect("first draw");
        h.until("both connections", |s| s.contains("● user ● agent"))
            .await;
        h
    }

    /// Queues a terminal event and runs the loop until it has been handled.
    pub async fn send(&mut self, event: Event) {
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.keys.send(event).expect("input stream open");
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.queued.load(Ordering::SeqCst) > 0 {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let step = tokio::time::timeout(left, self.console.step(&mut self.input)).await;
            assert!(
                step.is_ok(),
                "timed out handling input; screen:\n{}",
                self.text()
            );
        }
    }

    pub async fn key(&mut self, code: KeyCode) {
        self.send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .await;
    }

    pub async fn alt(&mut self, c: char) {
        self.send(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::ALT,
        )))
        .await;
    }

    pub async fn ctrl(&mut self, c: char) {
        self.send(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
        .await;
    }

    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// Types a line and presses Enter.
    pub async fn say(&mut self, text: &str) {
        self.type_text(text).await;
        self.key(KeyCode::Enter).await;
    }

    /// Clicks the first cell showing `label`.
    pub async fn click(&mut self, label: &str) {
        let (col, row) = self
            .find(label)
            .unwrap_or_else(|| panic!("{label:?} not on screen:\n{}", self.text()));
        self.send(Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        }))
        .await;
    }

    /// Runs the loop until the screen satisfies `pred`.
    pub async fn until(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        self.until_state(what, |h| pred(&h.text())).await;
    }

    /// Runs the loop until the harness (its screen or the console's state) satisfies `pred`.
    pub async fn until_state(&mut self, what: &str, pred: impl Fn(&Self) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !pred(self) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let step = tokio::time::timeout(left, self.console.step(&mut self.input)).await;
            assert!(
                step.is_ok(),
                "timed out waiting for {what}; screen:\n{}",
                self.text()
            );
        }
    }

    /// Waits until the screen contains `text`.
    pub async fn see(&mut self, text: &str) {
        let t = text.to_owned();
        self.until(text, move |s| s.contains(&t)).await;
    }

    pub fn buffer(&self) -> &Buffer {
        self.console.terminal.backend().buffer()
    }

    /// The screen as text, one line per row.
    pub fn text(&self) -> String {
        buffer_text(self.buffer())
    }

    /// Column and row of the first cell where `label` starts.
    pub fn find(&self, label: &str) -> Option<(u16, u16)> {
        find(self.buffer(), label)
    }

    /// The app drawn on a fresh terminal of another size (for snapshots at several sizes).
    pub fn render_at(&self, width: u16, height: u16) -> Buffer {
        let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        t.draw(|f| handoff::console::view::render(&self.console.app, f))
            .expect("draw");
        t.backend().buffer().clone()
    }

    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(b) = self.broker.take() {
            b.shutdown().await;
        }
    }
}

pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn find(buf: &Buffer, label: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let row: Vec<&str> = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        let line: String = row.concat();
        if let Some(byte) = line.find(label) {
            // Map the byte offset back to a column (cells hold one symbol each).
            let mut seen = 0;
            for (x, s) in row.iter().enumerate() {
                if seen == byte {
                    return Some((x as u16, y));
                }
                seen += s.len();
            }
        }
    }
    None
}

/// The screen with volatile text masked: digits of clock times and durations (`05:12`,
/// `0:42`) become `#`, conversation ids (`c-` and 32 hex digits) become `c-` and 32 `#`,
/// spinner frames become `*`.
pub fn normalize(text: &str) -> String {
    let chars: Vec<char> = mask_ids(text).chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || c == ':' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == ':') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let is_time = run.contains(':')
                && run.chars().any(|c| c.is_ascii_digit())
                && !run.starts_with(':');
            if is_time {
                out.extend(run.chars().map(|c| if c == ':' { ':' } else { '#' }));
            } else {
                out.push_str(&run);
            }
            continue;
        }
        out.push(if ('\u{2800}'..='\u{28ff}').contains(&c) {
            '*'
        } else {
            c
        });
        i += 1;
    }
    out
}

fn mask_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("c-") {
        let tail = &rest[i + 2..];
        let hex = tail.chars().take_while(char::is_ascii_hexdigit).count();
        out.push_str(&rest[..i + 2]);
        if hex == 32 {
            out.push_str(&"#".repeat(32));
            rest = &tail[32..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}
