//! Agent scripts, and the desk as the broker's [`AgentDesk`].

use super::{ConvState, SimDesk};
use crate::connectors::{AgentDesk, DeskAction, DeskError};
use crate::protocol::DeskAgent;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// One step of a simulated agent's script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Wait this many milliseconds.
    WaitMs(u64),
    /// Wait until the user sends another message.
    AwaitUser,
    /// This agent accepts and joins.
    Join(String),
    /// The current agent says this.
    Say(String),
    /// The current agent starts or stops typing.
    Typing(bool),
    /// Transfer to this agent (the current one leaves, the new one joins).
    Transfer(String),
    /// The current agent ends the chat.
    Leave,
    /// The queue gives up on the request (no agent).
    Timeout,
}

/// What simulated agents do in each new conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgentScript {
    /// The steps, in order; the script stops early when the conversation ends.
    pub steps: Vec<Step>,
}

impl AgentScript {
    /// No automatic agent: a person or a test drives the desk.
    pub fn manual() -> Self {
        Self::default()
    }

    /// Lisa accepts after `join_after` and greets, as in the 8x8 seed conversation.
    pub fn greeting(join_after: Duration) -> Self {
        Self {
            steps: vec![
                Step::WaitMs(join_after.as_millis() as u64),
                Step::Join("Lisa".into()),
                Step::Say(
                    "Hello - can you share more details about the error message you're seeing?"
                        .into(),
                ),
            ],
        }
    }
}

impl SimDesk {
    pub(super) async fn run_script(self: Arc<Self>, id: &str) {
        let Some(mut user_count) = self
            .lock()
            .conversations
            .get(id)
            .map(|c| c.user_count.subscribe())
        else {
            return;
        };
        let mut seen = *user_count.borrow_and_update();
        for step in self.script.steps.clone() {
            if self.state_of(id) == Some(ConvState::Ended) {
                return;
            }
            let done = match step {
                Step::WaitMs(ms) => {
                    let wait = self.clock.real_wait(Duration::from_millis(ms));
                    tokio::time::sleep(wait).await;
                    Ok(())
                }
                Step::AwaitUser => {
                    while *user_count.borrow_and_update() <= seen {
                        if user_count.changed().await.is_err() {
                            return;
                        }
                    }
                    seen = *user_count.borrow();
                    Ok(())
                }
                Step::Join(agent) => self.join(id, &agent).await,
                Step::Say(text) => self.say(id, None, &text).await,
                Step::Typing(on) => self.agent_typing(id, on).await,
                Step::Transfer(to) => self.transfer(id, &to).await,
                Step::Leave => self.leave(id).await,
                Step::Timeout => self.timeout(id).await,
            };
            if let Err(e) = done {
                tracing::debug!(conversation = id, error = %e, "script step skipped");
            }
        }
    }
}

/// How long an agent's accept or reject waits for a request the system is still queueing.
/// The emulators answer the client first and queue the request on the desk just after (the
/// vendors queue asynchronously too), while the broker shows agents the request as soon as the
/// system answered: an agent who takes it at once is a moment early, not wrong. After this
/// the action fails as the desk would (an unknown conversation).
pub const OPEN_GRACE: Duration = Duration::from_secs(5);

/// How often a waiting accept looks again.
const OPEN_POLL: Duration = Duration::from_millis(10);

impl SimDesk {
    /// The desk's id of the conversation `id_or_ref` names, once its request is queued on the
    /// desk's model (or it has ended), waiting up to [`OPEN_GRACE`] for it.
    async fn opened(&self, id_or_ref: &str) -> Result<String, DeskError> {
        let deadline = tokio::time::Instant::now() + OPEN_GRACE;
        loop {
            let found = self.resolve(id_or_ref);
            if let Ok(id) = &found {
                let queued = self.lock().model.stage(&id.as_str().into()).is_some();
                if queued || self.state_of(id) == Some(ConvState::Ended) {
                    return found;
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(OPEN_POLL).await;
        }
    }
}

#[async_trait]
impl AgentDesk for SimDesk {
    async fn agents(&self) -> Vec<DeskAgent> {
        self.agent_list()
    }

    async fn act(&self, agent: &str, action: DeskAction) -> Result<(), DeskError> {
        if !self.knows(agent) {
            return Err(DeskError::UnknownAgent(agent.into()));
        }
        match action {
            DeskAction::Accept(c) => self.join(&self.opened(c.as_str()).await?, agent).await,
            DeskAction::Reject(c, reason) => {
                self.reject(&self.opened(c.as_str()).await?, agent, reason)
                    .await
            }
            DeskAction::Reply(c, text) => {
                self.say(&self.resolve(c.as_str())?, Some(agent), &text)
                    .await
            }
            DeskAction::File(c, file) => {
                self.send_file(&self.resolve(c.as_str())?, Some(agent), file)
                    .await
            }
            DeskAction::Typing(c, on) => {
                let id = self.resolve(c.as_str())?;
                self.check_agent(&id, Some(agent))?;
                self.agent_typing(&id, on).await
            }
            DeskAction::End(c) => {
                let id = self.resolve(c.as_str())?;
                self.check_agent(&id, Some(agent))?;
                self.leave(&id).await
            }
            DeskAction::Transfer(c, to) => {
                let id = self.resolve(c.as_str())?;
                self.check_agent(&id, Some(agent))?;
                self.transfer(&id, &to).await
            }
            DeskAction::Invite(c, to) => self.invite(&self.resolve(c.as_str())?, agent, &to).await,
            DeskAction::SetPresence(p) => {
                self.set_presence(agent, p);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::desk::Policy;
    use crate::emulators::EmulatorOptions;
    use crate::emulators::desk::{RequestInfo, Signal};
    use crate::protocol::ConversationEvent;

    #[tokio::test]
    async fn the_desk_stamps_requests_and_runs_scripts_on_its_clock() {
        let start = jiff::Timestamp::from_millisecond(7_000_000).unwrap();
        let options = EmulatorOptions {
            // An hour of the desk's own (manual) time, then Lisa joins: no real hour passes.
            script: AgentScript {
                steps: vec![Step::WaitMs(3_600_000), Step::Join("Lisa".into())],
            },
            clock: Arc::new(ManualClock::new(start)),
            ..EmulatorOptions::default()
        };
        let (desk, mut signals) = SimDesk::from_options(&options, Policy::EMULATED);
        let mut events = desk.subscribe();
        let request = RequestInfo {
            title: "help".into(),
            ..RequestInfo::default()
        };
        desk.open("c-1", None, 30, request).await;
        let Ok(crate::connectors::DeskEvent::Conversation {
            event: ConversationEvent::Request { queued_at, .. },
            ..
        }) = events.recv().await
        else {
            panic!("no request event first");
        };
        assert_eq!(queued_at, 7_000_000);
        let joined = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some((_, signal)) = signals.recv().await {
                if matches!(signal, Signal::Joined { .. }) {
                    return true;
                }
            }
            false
        });
        assert!(joined.await.unwrap(), "Lisa never joined");
    }

    #[tokio::test]
    async fn an_agent_who_accepts_before_the_request_is_queued_gets_it_once_it_is() {
        let (desk, _signals) = SimDesk::new(&["Lisa".to_owned()], AgentScript::manual());
        let early = {
            let desk = Arc::clone(&desk);
            tokio::spawn(async move { desk.act("Lisa", DeskAction::Accept("c-1".into())).await })
        };
        // The accept is waiting (single-threaded runtime) before the request is queued.
        tokio::task::yield_now().await;
        desk.open("c-1", None, 30, RequestInfo::default()).await;
        early.await.unwrap().unwrap();
        assert_eq!(desk.conversation("c-1").unwrap().state, ConvState::Live);
    }
}
