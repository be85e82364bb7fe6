//! A benchmark of the console: the time to draw a frame and to take in one more message event,
//! with a short and a long transcript, on `TestBackend`. Only the visible lines are laid out and
//! what intake asks of the transcript is kept as state, so neither should grow with its length.

use super::app::App;
use crate::protocol::{AgentInfo, Audience, ChatMessage, ConversationEvent, Part, Role, ServerMsg};
use crate::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

/// Transcript lengths measured by [`bench`].
pub const SIZES: &[usize] = &[100, 100_000];

fn message(i: usize) -> ChatMessage {
    let (role, agent) = match i % 3 {
        0 => (Role::User, None),
        1 => (Role::Assistant, None),
        _ => (
            Role::Agent,
            Some(AgentInfo {
                name: "Lisa".into(),
                avatar: None,
                on_behalf: false,
            }),
        ),
    };
    ChatMessage {
        id: format!("m{i}").into(),
        role,
        agent,
        parts: vec![Part::text(format!(
            "<p>Message {i}: I'm running into a strange issue with a <strong>SQL database</strong> \
             that I'm using, and the error message says&nbsp;the connection was reset.</p>"
        ))],
        at: 1_700_000_000_000 + i as u64 * 1000,
        request: None,
        translation: None,
    }
}

/// The user-side event that brings `message` in as number `i`.
fn event(i: usize, message: ChatMessage) -> super::Msg {
    super::Msg::Server {
        side: super::Side::User,
        msg: ServerMsg::Event {
            conversation: "c-bench".into(),
            seq: i as u64 + 1,
            at: 0,
            audience: Audience::User,
            event: ConversationEvent::Message { message },
        },
    }
}

/// An app whose chat holds `n` messages.
pub fn app_with(n: usize) -> App {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:0");
    for i in 0..n {
        super::update(&mut app, event(i, message(i)));
    }
    app
}

/// The time `update` takes to add message number `i` (after the `app_with` ones), in µs.
pub fn intake(app: &mut App, i: usize) -> f64 {
    let one_more = ChatMessage {
        parts: vec![Part::text(format!(
            "<p>Message {i}: one more line in a long chat.</p>"
        ))],
        role: Role::User,
        agent: None,
        ..message(i)
    };
    let msg = event(i, one_more);
    let started = Instant::now();
    _ = super::update(app, msg);
    started.elapsed().as_secs_f64() * 1e6
}

/// An app of `n` messages drawn on a terminal of its own.
struct Screen {
    app: App,
    n: usize,
    terminal: Terminal<TestBackend>,
    frames: usize,
}

impl Screen {
    fn new(n: usize, width: u16, height: u16) -> Self {
        let mut app = app_with(n);
        app.size = ratatui::layout::Rect::new(0, 0, width, height);
        let terminal =
            Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|never| match never {});
        Self {
            app,
            n,
            terminal,
            frames: 0,
        }
    }

    /// Draws one frame (the spinner moves, as when the console animates), in µs.
    fn draw(&mut self) -> anyhow::Result<f64> {
        self.frames += 1;
        self.app.spinner = self.frames;
        let app = &self.app;
        let started = Instant::now();
        self.terminal
            .draw(|f| crate::console::view::render(app, f))?;
        Ok(started.elapsed().as_secs_f64() * 1e6)
    }
}

/// Frame and intake times of a short and a long transcript, sorted, in µs.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Frames drawn with the short transcript.
    pub frames_short: Vec<f64>,
    /// Frames drawn with the long one, interleaved with the short one's (same noise).
    pub frames_long: Vec<f64>,
    /// One more message event taken in by the short transcript.
    pub intake_short: Vec<f64>,
    /// The same for the long one, interleaved.
    pub intake_long: Vec<f64>,
}

/// Measures `frames` interleaved frames at `width`x`height`, then `intakes` interleaved message
/// events, with transcripts of `short` and `long` messages.
pub fn measure(
    (short, long): (usize, usize),
    (width, height): (u16, u16),
    frames: usize,
    intakes: usize,
) -> anyhow::Result<Figures> {
    let mut a = Screen::new(short, width, height);
    let mut b = Screen::new(long, width, height);
    let mut out = Figures::default();
    // A few frames first, so that both start warm.
    for _ in 0..frames.min(50) {
        a.draw()?;
        b.draw()?;
    }
    for i in 0..frames {
        // Alternate which goes first.
        let (x, y) = if i % 2 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        let (tx, ty) = (x.draw()?, y.draw()?);
        let (ta, tb) = if i % 2 == 0 { (tx, ty) } else { (ty, tx) };
        out.frames_short.push(ta);
        out.frames_long.push(tb);
    }
    for k in 0..intakes {
        out.intake_short.push(intake(&mut a.app, a.n + k));
        out.intake_long.push(intake(&mut b.app, b.n + k));
    }
    for v in [
        &mut out.frames_short,
        &mut out.frames_long,
        &mut out.intake_short,
        &mut out.intake_long,
    ] {
        v.sort_by(f64::total_cmp);
    }
    Ok(out)
}
