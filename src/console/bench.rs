//! A benchmark of drawing: the frame time with short and long transcripts, on `TestBackend`.
//! Because only visible lines are laid out, the time should not grow with the transcript.

use super::app::App;
use crate::protocol::{AgentInfo, Audience, ChatMessage, ConversationEvent, Part, Role, ServerMsg};
use crate::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::io::Write;
use std::time::{Duration, Instant};

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

/// An app whose chat holds `n` messages.
pub fn app_with(n: usize) -> App {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:0");
    for i in 0..n {
        super::update(
            &mut app,
            super::Msg::Server {
                side: super::Side::User,
                msg: ServerMsg::Event {
                    conversation: "c-bench".into(),
                    seq: i as u64 + 1,
                    at: 0,
                    audience: Audience::User,
                    event: ConversationEvent::Message {
                        message: message(i),
                    },
                },
            },
        );
    }
    app
}

/// Measures the mean frame time over `frames` draws of an app with `n` messages at a size.
pub fn frame_time(n: usize, width: u16, height: u16, frames: u32) -> anyhow::Result<Duration> {
    let mut app = app_with(n);
    app.size = ratatui::layout::Rect::new(0, 0, width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    let start = Instant::now();
    for i in 0..frames {
        app.spinner = i as usize;
        terminal.draw(|f| crate::console::view::render(&app, f))?;
    }
    Ok(start.elapsed() / frames.max(1))
}

/// Prints the frame time with 100 and 100,000 messages at 80x24 and 160x48 to `out`.
pub fn bench(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "handoff console frame time (TestBackend, mean of 200 frames)"
    )?;
    for &n in SIZES {
        for (w, h) in [(80, 24), (160, 48)] {
            let t = frame_time(n, w, h, 200)?;
            writeln!(
                out,
                "{n:>7} messages  {w:>3}x{h:<3}  {:>8.1} µs/frame",
                t.as_secs_f64() * 1e6
            )?;
        }
    }
    Ok(())
}
