//! Runs one scenario: starts its broker (or dials a running one), joins its actors, and plays
//! its steps in order, stopping at the first that fails. Each step's result is also sent on a
//! channel, for a caller that shows progress step by step.

use super::actor::{Actor, Dial};
use super::expect::{self, RequestWant, Viewer};
use super::setup::skip_reason;
use super::steps::{Maker, answered, attach, find_button, invite, poll, quiet};
use super::{Action, Scenario, Step, TextMatch, USER};
use super::{faults::FaultTarget, witness};
use crate::engine::Engine;
use crate::protocol::{ButtonAction, ClientMsg, ClientRole, ConversationId, MessageId};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Where scenarios run.
#[derive(Debug, Clone)]
pub enum Target {
    /// Each on a broker of its own, started here; `system` and `config` replace the scenario's.
    Embedded {
        /// The system instead of the scenario's.
        system: Option<crate::systems::SystemName>,
        /// The configuration file instead of the scenario's.
        config: Option<PathBuf>,
    },
    /// On a running broker (`handoff serve`).
    Connect {
        /// Its `ws://` URL.
        url: String,
        /// Its token, for agents and observers.
        token: Option<String>,
    },
}

/// How one step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// Its position, from 1.
    pub index: usize,
    /// Its line in the file.
    pub line: usize,
    /// Who acted.
    pub actor: String,
    /// Its `do`.
    pub action: &'static str,
    /// `None` when it passed; what was expected and seen when not.
    pub miss: Option<Miss>,
}

/// What a step expected, and what was seen instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// Expected.
    pub expected: String,
    /// Seen.
    pub seen: String,
}

impl Miss {
    pub(super) fn new(expected: impl Into<String>, seen: impl Into<String>) -> Self {
        Self {
            expected: expected.into(),
            seen: seen.into(),
        }
    }
}

/// How a scenario went.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every step passed.
    Passed,
    /// A step failed (or the scenario could not start: `step` is `None`).
    Failed(Box<Failure>),
    /// Not run, for this reason.
    Skipped(String),
}

/// A failed scenario: where, what, and the last events each actor saw.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The failing step, when it was one.
    pub step: Option<StepResult>,
    /// What was expected and seen.
    pub miss: Miss,
    /// Each actor's last events, one line each.
    pub last_events: Vec<(String, Vec<String>)>,
    /// What happened, as a sequence (calls to the system as notes when they were watched).
    pub picture: Option<crate::pictures::Sequence>,
}

/// The most events of each actor a failure report shows.
pub const LAST_EVENTS: usize = 8;

impl Verdict {
    fn failed(step: Option<StepResult>, miss: Miss) -> Self {
        Self::Failed(Box::new(Failure {
            step,
            miss,
            last_events: Vec::new(),
            picture: None,
        }))
    }
}

/// Runs `scenario` on `target`, sending each step's result on `steps` when given.
pub async fn run(
    scenario: &Scenario,
    target: &Target,
    steps: Option<mpsc::Sender<StepResult>>,
) -> Verdict {
    if let Some(reason) = skip_reason(scenario, target) {
        return Verdict::Skipped(reason);
    }
    let (started, _store) = match target {
        Target::Embedded { system, config } => {
            match super::setup::start_engine(scenario, *system, config.as_deref()).await {
                Ok((engine, store)) => (Some(engine), store),
                Err(miss) => return Verdict::failed(None, miss),
            }
        }
        Target::Connect { .. } => (None, None),
    };
    let (dial, emulator) = match (&started, target) {
        (Some(engine), _) => (
            Dial {
                url: engine.url(),
                token: Some(engine.broker.token().expose().to_owned()),
                platform: scenario.options.platform,
            },
            super::faults::target_of(engine),
        ),
        (None, Target::Connect { url, token }) => (
            Dial {
                url: url.clone(),
                token: token.clone(),
                platform: scenario.options.platform,
            },
            None,
        ),
        (None, Target::Embedded { .. }) => {
            return Verdict::failed(None, Miss::new("a broker", "none started"));
        }
    };
    // Boxed: the future holds the scenario's whole broker (its engine, for `restart`).
    let watch = started.is_some();
    let (verdict, engine) =
        Box::pin(play(scenario, &dial, (started, emulator), steps, watch)).await;
    if let Some(engine) = engine {
        engine.shutdown().await;
    }
    verdict
}

/// One actor, with how far each kind of expectation has read its log.
struct Player {
    actor: Actor,
    messages: usize,
    states: usize,
    events: usize,
    requests: usize,
}

/// A scenario in play: its actors, the user's conversation, the emulator if any.
struct Play {
    players: BTreeMap<String, Player>,
    /// The scenario's folder, which its files are relative to.
    folder: PathBuf,
    conversation: ConversationId,
    /// The scenario's own broker (none with `--connect`), for `restart`.
    engine: Option<Engine>,
    emulator: Option<FaultTarget>,
    timeout: Duration,
}

/// The scenario's own broker, when it has one, and its system's emulator.
type Started = (Option<Engine>, Option<FaultTarget>);

/// Plays the steps; with `watch`, a witness keeps what happened for a failure's picture.
async fn play(
    scenario: &Scenario,
    dial: &Dial,
    (engine, emulator): Started,
    steps: Option<mpsc::Sender<StepResult>>,
    watch: bool,
) -> (Verdict, Option<Engine>) {
    let timeout = Duration::from_millis(
        scenario
            .options
            .timeout_ms
            .unwrap_or(super::DEFAULT_TIMEOUT_MS),
    );
    let mut play = match Play::join(scenario, dial, emulator, timeout).await {
        Ok(play) => play,
        Err(e) => {
            return (
                Verdict::failed(None, Miss::new("every actor to join", e)),
                engine,
            );
        }
    };
    play.engine = engine;
    let mut witness = witness::join(dial, watch, timeout).await;
    let mut verdict = Verdict::Passed;
    for (i, step) in scenario.steps.iter().enumerate() {
        let miss = play.step(step).await.err();
        witness::follow(witness.as_mut()).await;
        let result = StepResult {
            index: i + 1,
            line: step.line,
            actor: step.actor.clone(),
            action: step.action.name(),
            miss: miss.clone(),
        };
        if let Some(tx) = &steps {
            let _ = tx.send(result.clone()).await;
        }
        if let Some(miss) = miss {
            verdict = play.failed(result, miss, witness.as_mut()).await;
            break;
        }
    }
    for (_, p) in std::mem::take(&mut play.players) {
        p.actor.close().await;
    }
    if let Some(w) = witness {
        w.close().await;
    }
    (verdict, play.engine)
}

impl Play {
    /// The user first (its hello opens the conversation), then the agents, then observers.
    async fn join(
        scenario: &Scenario,
        dial: &Dial,
        emulator: Option<FaultTarget>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let mut cast = vec![(USER.to_owned(), ClientRole::User)];
        cast.extend(
            super::parse::agents(scenario)
                .into_iter()
                .map(|a| (a, ClientRole::Agent)),
        );
        cast.extend(
            scenario
                .options
                .observers
                .iter()
                .map(|o| (o.clone(), ClientRole::Observer)),
        );
        let mut players = BTreeMap::new();
        let mut conversation = None;
        for (name, role) in cast {
            let actor = Actor::join(dial, &name, role, Instant::now() + timeout).await?;
            if role == ClientRole::User {
                conversation.clone_from(&actor.conversation);
            }
            players.insert(
                name,
                Player {
                    actor,
                    messages: 0,
                    states: 0,
                    events: 0,
                    requests: 0,
                },
            );
        }
        let conversation =
            conversation.ok_or("the broker's welcome named no conversation for the user")?;
        Ok(Self {
            players,
            folder: scenario.file.parent().unwrap_or(Path::new(".")).to_owned(),
            conversation,
            engine: None,
            emulator,
            timeout,
        })
    }

    fn player(&mut self, name: &str) -> Result<&mut Player, Miss> {
        self.players
            .get_mut(name)
            .ok_or_else(|| Miss::new(format!("an actor {name}"), "none joined"))
    }

    /// The verdict of a failed step: each actor's last events and the picture of it all.
    async fn failed(
        &mut self,
        step: StepResult,
        miss: Miss,
        mut witness: Option<&mut Actor>,
    ) -> Verdict {
        let last_events = self.last_events().await;
        if let Some(w) = witness.as_deref_mut() {
            w.drain().await;
        }
        let logs = self.players.values().map(|p| p.actor.log.as_slice());
        let picture = witness::picture(witness.as_deref(), logs, &self.conversation);
        Verdict::Failed(Box::new(Failure {
            step: Some(step),
            miss,
            last_events,
            picture: Some(picture),
        }))
    }

    async fn last_events(&mut self) -> Vec<(String, Vec<String>)> {
        let mut all = Vec::new();
        for (name, p) in &mut self.players {
            p.actor.drain().await;
            let log = &p.actor.log;
            let lines = log[log.len().saturating_sub(LAST_EVENTS)..]
                .iter()
                .map(expect::describe)
                .collect();
            all.push((name.clone(), lines));
        }
        all
    }

    async fn step(&mut self, step: &Step) -> Result<(), Miss> {
        let deadline = Instant::now() + self.timeout;
        if step.action == Action::Restart {
            let actors = self.players.values_mut().map(|p| &mut p.actor).collect();
            return super::restart::restart(&mut self.engine, actors, deadline).await;
        }
        if let Action::Transcript { purple_chat, turns } = &step.action {
            let folder = self.folder.clone();
            let user = &mut self.player(USER)?.actor;
            let file = purple_chat.as_deref();
            return super::transcript::expect(user, &folder, file, turns, deadline).await;
        }
        let Some((fails, make)) = self.build(&step.action, deadline).await? else {
            return self.observe(step, deadline).await;
        };
        let p = self.player(&step.actor)?;
        // What the actor sees next comes after what it does: its expectations read on from here.
        let before = p.actor.log.len();
        p.messages = p.messages.max(before);
        p.states = p.states.max(before);
        let answer = p
            .actor
            .request(make, deadline)
            .await
            .map_err(|e| Miss::new("an answer", e))?;
        answered(answer, fails)
    }

    /// The request an action sends and the error it expects instead of an ack, if it sends one.
    async fn build(
        &mut self,
        action: &Action,
        deadline: Instant,
    ) -> Result<Option<(Option<String>, Maker)>, Miss> {
        let conversation = self.conversation.clone();
        let c = || conversation.clone();
        let request = |fails: &Option<String>, msg: Maker| (fails.clone(), msg);
        let (fails, make) = match action {
            Action::Say { text, fails } => {
                let (conversation, text) = (c(), text.clone());
                request(
                    fails,
                    Box::new(move |id| ClientMsg::Say {
                        id,
                        conversation,
                        text,
                    }),
                )
            }
            Action::Press {
                label,
                action,
                fails,
            } => {
                let (message, action) = self
                    .button(label.as_deref(), action.as_deref(), deadline)
                    .await?;
                let conversation = c();
                request(
                    fails,
                    Box::new(move |id| ClientMsg::Press {
                        id,
                        conversation,
                        message,
                        action,
                    }),
                )
            }
            Action::Attach {
                name,
                content_type,
                text,
                fails,
            } => request(fails, attach(c(), name, content_type, text)),
            Action::Accept { fails } => {
                let conversation = c();
                request(
                    fails,
                    Box::new(move |id| ClientMsg::Accept { id, conversation }),
                )
            }
            Action::Reject { reason, fails } => {
                let (conversation, reason) = (c(), reason.clone());
                request(
                    fails,
                    Box::new(move |id| ClientMsg::Reject {
                        id,
                        conversation,
                        reason,
                    }),
                )
            }
            Action::Reply { text, fails } => {
                let (conversation, text) = (c(), text.clone());
                request(
                    fails,
                    Box::new(move |id| ClientMsg::Reply {
                        id,
                        conversation,
                        text,
                    }),
                )
            }
            Action::Transfer { to, fails } => {
                let (conversation, to) = (c(), to.clone());
                request(
                    fails,
                    Box::new(move |id| ClientMsg::Transfer {
                        id,
                        conversation,
                        to,
                    }),
                )
            }
            Action::Invite { to, fails } => request(fails, invite(c(), to.clone())),
            Action::End { fails } => {
                let conversation = c();
                request(
                    fails,
                    Box::new(move |id| ClientMsg::End { id, conversation }),
                )
            }
            Action::Note { text, fails } => request(fails, super::steps::note(c(), text)),
            Action::Notify {
                text,
                buttons,
                fails,
            } => request(fails, super::steps::notify(c(), text, buttons)),
            _ => return Ok(None),
        };
        Ok(Some((fails, make)))
    }

    /// The message and action of the latest button the user was offered with this label or
    /// action, waiting for it until `deadline` (the assistant's answer may follow the ack).
    async fn button(
        &mut self,
        label: Option<&str>,
        action: Option<&str>,
        deadline: Instant,
    ) -> Result<(MessageId, ButtonAction), Miss> {
        let wanted = label.map_or_else(
            || format!("a button with action {action:?}"),
            |l| format!("a button labelled {l:?}"),
        );
        let user = &mut self.player(USER)?.actor;
        poll(user, deadline, |log| find_button(log, label, action))
            .await
            .map_err(|seen| Miss::new(wanted, seen))
    }

    /// Steps that wait and look, and faults.
    async fn observe(&mut self, step: &Step, deadline: Instant) -> Result<(), Miss> {
        let p = self.player(&step.actor)?;
        let viewer_name = step.actor.clone();
        let viewer = Viewer {
            name: &viewer_name,
            is_user: step.actor == USER,
        };
        match &step.action {
            Action::See {
                equals,
                contains,
                matches,
            } => {
                let want = TextMatch::of(equals.as_ref(), contains.as_ref(), matches.as_ref());
                let from = p.messages;
                p.messages = poll(&mut p.actor, deadline, |log| {
                    expect::next_message(log, from, &viewer, &want)
                })
                .await
                .map_err(|seen| Miss::new(want.to_string(), seen))?;
                Ok(())
            }
            Action::Buttons { labels, enabled } => {
                let wanted = format!(
                    "buttons {labels:?}{}",
                    enabled
                        .as_ref()
                        .map(|e| format!(", of which {e:?} can be pressed"))
                        .unwrap_or_default()
                );
                poll(&mut p.actor, deadline, |log| {
                    expect::buttons(log, labels, enabled.as_deref())
                })
                .await
                .map_err(|seen| Miss::new(wanted, seen))
            }
            Action::State { is, fields } => {
                let from = p.states;
                p.states = poll(&mut p.actor, deadline, |log| {
                    expect::state(log, from, is, fields)
                })
                .await
                .map_err(|seen| Miss::new(format!("state {is} {fields:?}"), seen))?;
                Ok(())
            }
            Action::Event { kind, fields } => {
                let from = p.events;
                p.events = poll(&mut p.actor, deadline, |log| {
                    expect::event_of(log, from, kind, fields)
                })
                .await
                .map_err(|seen| Miss::new(format!("event {kind} {fields:?}"), seen))?;
                Ok(())
            }
            Action::Request {
                title,
                context,
                history_contains,
                history_max_bytes,
            } => {
                let want = RequestWant::new(
                    title.as_deref(),
                    context,
                    history_contains.as_deref(),
                    *history_max_bytes,
                );
                let from = p.requests;
                p.requests = poll(&mut p.actor, deadline, |log| {
                    expect::request(log, from, &want)
                })
                .await
                .map_err(|seen| {
                    Miss::new(
                        format!("a request with title {title:?}, context {context:?}"),
                        seen,
                    )
                })?;
                Ok(())
            }
            Action::Wait { until, .. } => {
                let (kind, from) = (until.clone().unwrap_or_default(), p.events);
                p.events = poll(&mut p.actor, deadline, |log| {
                    expect::event_of(log, from, &kind, &BTreeMap::new())
                })
                .await
                .map_err(|seen| Miss::new(format!("event {kind}"), seen))?;
                Ok(())
            }
            _ => self.disrupt(step, deadline).await,
        }
    }

    /// Waits and faults: time passes, a socket drops, the system fails.
    async fn disrupt(&mut self, step: &Step, deadline: Instant) -> Result<(), Miss> {
        let emulator = self.emulator.clone();
        let conversation = self.conversation.to_string();
        let p = self.player(&step.actor)?;
        let viewer = Viewer {
            name: &step.actor,
            is_user: step.actor == USER,
        };
        match &step.action {
            Action::Wait { ms: Some(ms), .. } => {
                tokio::time::sleep(Duration::from_millis(*ms)).await;
                Ok(())
            }
            Action::Quiet { ms } => quiet(&mut p.actor, &viewer, *ms).await,
            Action::Drop => p
                .actor
                .drop_and_rejoin(deadline)
                .await
                .map_err(|e| Miss::new("to reconnect", e)),
            fault => {
                let base =
                    emulator.ok_or_else(|| Miss::new("the system's emulator", "none runs"))?;
                super::faults::inject_into(&base, fault, &conversation)
                    .await
                    .map_err(|e| Miss::new("the fault injected", e))
            }
        }
    }
}
