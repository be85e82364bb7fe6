//! The terminal console: the user chat and the agent inbox side by side, talking to a broker
//! over two WebSocket connections (role `user` and role `agent`).
//!
//! - [`App`]: the whole state; [`Msg`] enters [`update`], which returns [`Command`]s.
//! - [`client`]: one task per connection, reconnecting with `hello.since`.
//! - [`Console`]: the loop, generic over the backend and the input stream.
//! - [`run`]: sets up the real terminal and runs the loop until the user quits.

mod app;
mod attach;
pub mod bench;
pub mod client;
mod crash;
pub mod faults;
mod input;
pub mod keymap;
mod lost;
mod msg;
mod offers;
mod opener;
pub mod panes;
mod platforms;
pub mod replay;
mod restart;
mod run;
mod scroll;
pub mod session;
mod transcript;
mod update;
pub mod view;

pub use app::{App, Focus, NOTICE_SHOWN_MS, Notice, Pending, Scroll};
pub use msg::{Command, Direction, Link, Msg, Side};
pub use panes::chat::{ChatPane, ComposeMode, Echo};
pub use panes::inbox::{DeskChat, InboxPane, Question, ReplyMode};
pub use panes::inspector::{FrameRecord, Inspector};
pub use panes::{links, palette};
pub use restart::EngineSlot;
pub use run::Console;
pub use transcript::{Transcript, Upsert};
pub use update::{plain_text, update};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use crossterm::execute;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// What the console needs to start.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// The broker's WebSocket URL, e.g. `ws://127.0.0.1:4000`.
    pub url: String,
    /// `--theme`: a theme name or a path to a theme file; `None` for the default.
    pub theme: Option<String>,
    /// Where to write logs; `None` to leave logging to the caller.
    pub log_file: Option<PathBuf>,
    /// The desk agent the inbox acts as; `None` for the desk's first agent (Lisa).
    pub agent: Option<String>,
    /// Where a crash is written; `None` for `handoff-crash.log` in the temporary folder.
    pub crash_log: Option<PathBuf>,
    /// The broker's token (the embedded broker's, or `HANDOFF_TOKEN` / `--token-file`).
    pub token: Option<crate::connectors::redact::Secret>,
    /// The embedded broker's clock (demo time with `--time-scale`); the wall clock when `None`.
    pub clock: Option<crate::clock::SharedClock>,
    /// `--platform`: the chat platform the user pane opens as.
    pub platform: crate::protocol::Platform,
    /// `--record FILE`: record from the start, into FILE.
    pub record: Option<PathBuf>,
    /// `--replay FILE`: the scenario loaded for replay.
    pub replay: Option<crate::scenario::Scenario>,
    /// `--autoplay`: play the replay at a human pace, this many times faster.
    pub autoplay: Option<u32>,
    /// The broker's options, written into recordings.
    pub scenario_options: crate::scenario::Options,
    /// The console's own broker, which "Restart the broker" restarts (`None` with `--url`).
    pub engine: Option<EngineSlot>,
    /// Where the palette's system faults go: the system's emulator, or why there is none.
    pub controls: faults::Controls,
}

/// Runs the console on the real terminal until the user quits. Must be called inside a Tokio
/// runtime. The terminal is restored on return, on error and on panic.
pub async fn run(options: ConsoleOptions) -> anyhow::Result<()> {
    if let Some(path) = &options.log_file {
        init_logging(path)?;
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let user_dir = crate::theme::user_theme_dir();
    let (theme, theme_error) =
        crate::theme::load(options.theme.as_deref(), user_dir.as_deref(), !no_color);
    let mut app = App::new(theme, options.url.clone());
    app.token.clone_from(&options.token);
    app.chat.platform = options.platform;
    app.controls = options.controls.clone();
    replay::setup(&mut app, &options);
    if let Some(e) = theme_error {
        tracing::warn!(error = %e, "theme not used");
        app.notify(true, format!("{e}; using the default theme"));
        app.theme_error = Some(format!("{e}. Using the default theme."));
    }
    let crash_log = options
        .crash_log
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("handoff-crash.log"));
    crash::install(crash_log, restore);
    let terminal = ratatui::try_init()?;
    execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
    let cancel = CancellationToken::new();
    let mut console = Console::connect(app, terminal, options.agent.clone(), cancel.clone());
    console.osc52 = true;
    console.engine.clone_from(&options.engine);
    if let Some(clock) = &options.clock {
        console.clock = std::sync::Arc::clone(clock);
    }
    crash_on_request();
    let result = console.run(EventStream::new()).await;
    cancel.cancel();
    restore();
    result
}

fn restore() {
    // Best effort: the terminal may already be gone.
    _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
}

/// Debug builds crash on purpose when `HANDOFF_DEBUG_PANIC` is set, in a background task, so
/// that a test can watch the crash hook give the terminal back.
fn crash_on_request() {
    if cfg!(debug_assertions) && std::env::var_os("HANDOFF_DEBUG_PANIC").is_some() {
        tokio::spawn(async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            panic!("HANDOFF_DEBUG_PANIC asked for a crash");
        });
    }
}

fn init_logging(path: &std::path::Path) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot open log file {}: {e}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANDOFF_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Another subscriber (the caller's) may already be installed; then it gets the logs.
    _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests;
