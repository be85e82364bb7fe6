//! The console loop, generic over the terminal backend and the input stream so that it runs
//! the same on a real terminal and headless on `TestBackend` with scripted input.
//!
//! Each step waits (biased) for terminal input, then app messages from the connections, then a
//! tick that is armed only while something on screen animates or a notice is to expire; it
//! drains up to [`DRAIN`] more queued messages, and draws once if anything changed. Input goes
//! first and the drain is bounded, so a key pressed during a burst of events waits at most one
//! bounded step and is never lost. An idle console sleeps.

use super::app::App;
use super::client::{self, ClientHandle};
use super::msg::{Command, Msg, Side};
use super::session;
use super::update::update;
use crate::protocol::ClientMsg;
use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Messages from the connections waiting for the app.
const INBOX: usize = 1_024;
/// Queued messages applied after the first in one step before input is looked at again.
const DRAIN: usize = 256;

/// The running console: state, terminal and the two broker connections.
pub struct Console<B: Backend> {
    /// The state.
    pub app: App,
    /// The terminal drawn on.
    pub terminal: Terminal<B>,
    rx: mpsc::Receiver<Msg>,
    /// For tasks the console starts itself (reading an attached file).
    tx: mpsc::Sender<Msg>,
    user: ClientHandle,
    agent: ClientHandle,
    cancel: CancellationToken,
    /// Whether copying writes OSC 52 to stdout (a real terminal; not on `TestBackend`).
    pub osc52: bool,
    /// The clock of the times shown (the embedded broker's, so demo time matches).
    pub clock: crate::clock::SharedClock,
    /// The console's own broker, for "Restart the broker" (`None` with `--url`).
    pub engine: Option<super::restart::EngineSlot>,
}

impl<B: Backend> Console<B> {
    /// Connects the user and agent sides to the broker at `app.url`, acting as `agent`
    /// (the desk's first agent when `None`).
    pub fn connect(
        app: App,
        terminal: Terminal<B>,
        agent: Option<String>,
        cancel: CancellationToken,
    ) -> Self {
        let (tx, rx) = mpsc::channel(INBOX);
        let mut app = app;
        if agent.is_some() {
            app.inbox.agent = agent;
        }
        let spawn = |side| {
            let hello = session::hello(&app, side);
            client::spawn(session::dial(&app), side, hello, tx.clone(), cancel.clone())
        };
        let (user, agent) = (spawn(Side::User), spawn(Side::Agent));
        if let Ok(size) = terminal.size() {
            app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        }
        Self {
            app,
            terminal,
            rx,
            tx,
            user,
            agent,
            cancel,
            osc52: false,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
            engine: None,
        }
    }

    /// Runs until the user quits, the input ends or `cancel` fires.
    pub async fn run<S>(&mut self, mut input: S) -> anyhow::Result<()>
    where
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        self.draw()?;
        while self.step(&mut input).await? {}
        self.cancel.cancel();
        Ok(())
    }

    /// Waits for the next thing to happen, applies it and everything else queued, draws if
    /// needed. False when the console should stop.
    pub async fn step<S>(&mut self, input: &mut S) -> anyhow::Result<bool>
    where
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        let tick = self.app.tick_interval();
        let first = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Ok(false),
            event = input.next() => match event {
                Some(e) => Msg::Input(e?),
                None => return Ok(false),
            },
            msg = self.rx.recv() => match msg {
                Some(m) => m,
                None => return Ok(false),
            },
            () = tokio::time::sleep(tick.unwrap_or(Duration::ZERO)), if tick.is_some() => {
                Msg::Tick(self.clock.now_millis())
            }
        };
        self.apply(first);
        for _ in 0..DRAIN {
            let Ok(msg) = self.rx.try_recv() else { break };
            self.apply(msg);
        }
        if self.app.quit {
            return Ok(false);
        }
        if self.app.dirty {
            self.draw()?;
        }
        Ok(true)
    }

    fn apply(&mut self, msg: Msg) {
        if !matches!(msg, Msg::Tick(_)) {
            self.app.now = self.app.now.max(self.clock.now_millis());
        }
        let commands = update(&mut self.app, msg);
        // What a reconnect says, and where it dials, follow the state, before any command can
        // make one.
        self.user.set_hello(session::hello(&self.app, Side::User));
        self.agent.set_hello(session::hello(&self.app, Side::Agent));
        self.user.set_dial(session::dial(&self.app));
        self.agent.set_dial(session::dial(&self.app));
        for command in commands {
            self.execute(command);
        }
    }

    fn execute(&mut self, command: Command) {
        match command {
            Command::Quit => self.app.quit = true,
            Command::Open(url) => {
                tokio::spawn(super::opener::open(url, self.tx.clone()));
            }
            Command::Copy(text) => {
                let done = if self.osc52 {
                    super::opener::copy_osc52(&text)
                        .map(|()| format!("Copied {text} (through the terminal, OSC 52)"))
                        .map_err(|e| format!("Could not copy: {e}"))
                } else {
                    Err(format!("No terminal to copy through; the link is {text}"))
                };
                match done {
                    Ok(text) => self.app.notify(false, text),
                    Err(text) => self.app.notify(true, text),
                }
            }
            Command::RestartBroker => {
                let (slot, url, tx) = (self.engine.clone(), self.app.url.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let said = super::restart::restart(slot, url).await;
                    let _ = tx.send(said).await;
                });
            }
            Command::DropSocket(side) => {
                let handle = match side {
                    Side::User => &self.user,
                    Side::Agent => &self.agent,
                };
                if let Err(e) = handle.drop_socket() {
                    self.app.notify(true, format!("Nothing dropped: {e}"));
                }
            }
            Command::Fault {
                target,
                action,
                conversation,
            } => {
                let tx = self.tx.clone();
                tokio::spawn(super::faults::inject(target, action, conversation, tx));
            }
            Command::NewConversation => {
                if let Err(e) = self.user.reconnect() {
                    self.app.chat.restarting = false;
                    self.app.notify(true, format!("No new conversation: {e}"));
                }
            }
            Command::Attach {
                side,
                id,
                conversation,
                path,
                max_bytes,
            } => {
                let handle = match side {
                    Side::User => self.user.clone(),
                    Side::Agent => self.agent.clone(),
                };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let sent = match super::attach::read(&path, max_bytes).await {
                        Ok(file) => handle.send(ClientMsg::Attach {
                            id: id.clone(),
                            conversation,
                            name: file.name,
                            content_type: file.content_type,
                            data: file.data,
                        }),
                        Err(error) => Err(error),
                    };
                    if let Err(error) = sent {
                        let _ = tx.send(Msg::AttachFailed { id, error }).await;
                    }
                });
            }
            Command::Send { side, msg } => {
                let handle = match side {
                    Side::User => &self.user,
                    Side::Agent => &self.agent,
                };
                if let Err(e) = handle.send(msg) {
                    self.app.notify(
                        true,
                        format!("Not sent on the {} connection: {e}", side.label()),
                    );
                }
            }
        }
    }

    /// Draws the current state.
    pub fn draw(&mut self) -> anyhow::Result<()> {
        crate::console::view::settle_scrolls(&mut self.app);
        let app = &self.app;
        self.terminal
            .draw(|frame| crate::console::view::render(app, frame))
            .map_err(|e| anyhow::anyhow!("drawing failed: {e}"))?;
        self.app.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::Theme;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;

    #[tokio::test]
    async fn an_enter_pressed_during_a_burst_of_events_is_handled_in_the_next_step() {
        let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
        app.chat.conversation = Some("c-1".into());
        app.chat.composer.insert_str("hello");
        let terminal = Terminal::new(TestBackend::new(100, 30)).expect("a test terminal");
        let cancel = CancellationToken::new();
        let mut console = Console::connect(app, terminal, None, cancel.clone());
        // A burst that fills most of the app's queue, then the key.
        for n in 0..(INBOX - 64) {
            let frame = Msg::Frame {
                side: Side::Agent,
                direction: super::super::msg::Direction::In,
                at: n as u64,
                text: format!(r#"{{"type":"event","seq":{n}}}"#),
            };
            console.tx.try_send(frame).expect("room in the queue");
        }
        let enter = Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let mut input =
            futures_util::stream::iter(vec![Ok(enter)]).chain(futures_util::stream::pending());
        assert!(console.step(&mut input).await.expect("a step"));
        assert_eq!(console.app.chat.history, ["hello"], "the Enter was applied");
        assert!(console.app.chat.composer.is_empty());
        assert!(
            console.app.inspector.count <= DRAIN as u64,
            "a step applies a bounded number of queued messages"
        );
        cancel.cancel();
    }
}
