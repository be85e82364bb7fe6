//! The live side of the lifecycle: the system's answer to the handoff, the chat's events, and
//! how a chat or a wait ends.

use super::{Conversation, Effect, Phase, Refusal, StartOutcome, offer_buttons, set_step_status};
use crate::broker::assistant::say;
use crate::connectors::{ChatCommand, ChatEvent, FileUpload};
use crate::protocol::{
    Audience, ChatMessage, ConversationEvent, EndReason, HandoffState, Millis, Part, Role,
    StepStatus,
};

/// The live state of a chat with `agents` (the latest last), started at `since`.
fn connected(agents: &[String], since: Millis) -> HandoffState {
    let (agent, with) = agents
        .split_last()
        .map_or((String::new(), &[][..]), |(last, rest)| {
            (last.clone(), rest)
        });
    HandoffState::Connected {
        agent,
        since,
        with: with.to_vec(),
    }
}

impl Conversation {
    pub(super) fn on_started(
        &mut self,
        result: Result<StartOutcome, String>,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let Phase::Connecting { route } = self.phase.clone() else {
            // The user left before the system answered: leave the chat that was opened.
            if matches!(
                result,
                Ok(StartOutcome::Chat
                    | StartOutcome::Redirect { chat: true, .. }
                    | StartOutcome::Posted { chat: true, .. })
            ) {
                out.push(Effect::Chat(ChatCommand::End));
                out.push(Effect::CloseChat);
            }
            return;
        };
        match result {
            Ok(StartOutcome::Chat) => {
                let deadline = self.schedule_queue_timeout(now, out);
                self.phase = Phase::Waiting {
                    since: now,
                    deadline,
                    ringing: None,
                    position: None,
                    eta_secs: None,
                };
                self.set_state(
                    HandoffState::Queued {
                        since: now,
                        deadline,
                        position: None,
                        eta_secs: None,
                    },
                    out,
                );
            }
            Ok(StartOutcome::Redirect { url, via, chat }) => {
                let step = match &via {
                    Some(bot) => say::step_redirect_bot(bot),
                    None => say::step_redirect_url(&url),
                };
                self.finish_progress(step, StepStatus::Success, now, out);
                self.hand_over(chat, now, out);
                self.set_state(HandoffState::Redirected { url }, out);
            }
            Ok(StartOutcome::Posted { channel, chat }) => {
                self.finish_progress(say::step_posted(&channel), StepStatus::Success, now, out);
                self.assistant_says(vec![Part::text(say::posted(&channel))], now, out);
                self.hand_over(chat, now, out);
                self.set_state(HandoffState::Posted { channel }, out);
            }
            Err(error) => {
                self.fail_progress(now, out);
                self.assistant_says(vec![Part::text(say::system_failed(&error))], now, out);
                self.set_state(
                    HandoffState::Ended {
                        reason: EndReason::Error { message: error },
                    },
                    out,
                );
                // Keep the request: offer the buttons again so the user can retry.
                let mut message = self.new_assistant_message(vec![], now);
                message.parts.push(Part::Buttons {
                    buttons: offer_buttons(true),
                });
                self.emit_message(message.clone(), Audience::User, out);
                self.offer = Some(message);
                let topic = route.expert.clone().unwrap_or_else(|| route.topic.clone());
                self.phase = Phase::Offered { route };
                self.set_state(
                    HandoffState::Offered {
                        topic,
                        available: true,
                    },
                    out,
                );
            }
        }
    }

    /// Arms the broker's fallback queue timeout from `now`; returns its deadline.
    fn schedule_queue_timeout(&mut self, now: Millis, out: &mut Vec<Effect>) -> Millis {
        let deadline = now + self.settings.queue_timeout_ms;
        self.timeout_generation += 1;
        out.push(Effect::ScheduleTimeout {
            at: deadline,
            generation: self.timeout_generation,
        });
        deadline
    }

    /// After a redirect or a post: done, or waiting (under the fallback timeout) for the agent
    /// who picks the request up to join the relayed chat.
    fn hand_over(&mut self, chat: bool, now: Millis, out: &mut Vec<Effect>) {
        self.phase = if chat {
            self.schedule_queue_timeout(now, out);
            Phase::Handed { since: now }
        } else {
            Phase::Done
        };
    }

    pub(super) fn on_chat(&mut self, event: ChatEvent, now: Millis, out: &mut Vec<Effect>) {
        match event {
            ChatEvent::Queued { position, eta_secs } => {
                if let Phase::Waiting {
                    since,
                    deadline,
                    ringing: None,
                    ..
                } = self.phase
                {
                    self.phase = Phase::Waiting {
                        since,
                        deadline,
                        ringing: None,
                        position,
                        eta_secs,
                    };
                    self.set_state(
                        HandoffState::Queued {
                            since,
                            deadline,
                            position,
                            eta_secs,
                        },
                        out,
                    );
                }
            }
            ChatEvent::Ringing { agent } => {
                if let Phase::Waiting {
                    since,
                    deadline,
                    position,
                    eta_secs,
                    ..
                } = self.phase
                {
                    self.phase = Phase::Waiting {
                        since,
                        deadline,
                        ringing: Some(agent.clone()),
                        position,
                        eta_secs,
                    };
                    self.set_state(
                        HandoffState::Ringing {
                            agent,
                            since,
                            deadline,
                        },
                        out,
                    );
                }
            }
            ChatEvent::AgentJoined { agent } => match &mut self.phase {
                Phase::Handed { .. } => {
                    self.timeout_generation += 1;
                    self.assistant_says(vec![Part::text(say::CHAT_STARTED)], now, out);
                    self.phase = Phase::Connected {
                        agents: vec![agent.name.clone()],
                        since: now,
                    };
                    self.set_state(connected(&[agent.name], now), out);
                }
                Phase::Waiting { .. } => {
                    self.timeout_generation += 1;
                    if let Some(progress) = self.progress.as_mut() {
                        set_step_status(progress, StepStatus::Success);
                        progress.parts.push(Part::text(say::CHAT_STARTED));
                        let progress = progress.clone();
                        self.emit_message(progress, Audience::User, out);
                    }
                    self.phase = Phase::Connected {
                        agents: vec![agent.name.clone()],
                        since: now,
                    };
                    self.set_state(connected(&[agent.name], now), out);
                }
                Phase::Connected { agents, since } => {
                    agents.retain(|a| *a != agent.name);
                    agents.push(agent.name.clone());
                    let state = connected(agents, *since);
                    self.system_says(&format!("{} joined the chat", agent.name), now, out);
                    self.set_state(state, out);
                }
                _ => {}
            },
            ChatEvent::AgentMessage { agent, text } => {
                if self.is_connected() {
                    self.agent_says(agent, &text, now, out);
                }
            }
            ChatEvent::AgentFile { agent, file } => {
                if self.is_connected() {
                    let message = ChatMessage {
                        id: self.new_message_id(),
                        role: Role::Agent,
                        agent: Some(agent),
                        parts: vec![Part::Attachment { attachment: file }],
                        at: now,
                        request: None,
                    };
                    self.emit_message(message, Audience::Both, out);
                }
            }
            ChatEvent::SystemMessage { text } => {
                if matches!(self.phase, Phase::Waiting { .. } | Phase::Connected { .. }) {
                    self.system_says(&text, now, out);
                }
            }
            ChatEvent::Typing { agent, on } => {
                if self.is_connected() {
                    out.push(Effect::Emit(
                        Audience::Both,
                        ConversationEvent::Typing { who: agent, on },
                    ));
                }
            }
            ChatEvent::Transferred { to } => {
                if self.is_connected() {
                    let to = to.unwrap_or_else(|| "another agent".into());
                    self.system_says(&format!("Transferring you to {to}..."), now, out);
                }
            }
            ChatEvent::AgentLeft { agent } => {
                if let Phase::Connected { agents, since } = &mut self.phase {
                    agents.retain(|a| a != &agent);
                    let state = (!agents.is_empty()).then(|| connected(agents, *since));
                    self.system_says(&format!("{agent} left the chat"), now, out);
                    if let Some(state) = state {
                        self.set_state(state, out);
                    }
                }
            }
            ChatEvent::Ended { reason } => match self.phase.clone() {
                Phase::Connected { .. } => {
                    out.push(Effect::CloseChat);
                    let text = match &reason {
                        EndReason::Agent { agent } => format!("{agent} ended the chat."),
                        EndReason::User => "You ended the chat.".to_owned(),
                        other => format!("The live agent chat ended ({other})."),
                    };
                    self.assistant_says(vec![Part::text(say::chat_ended(&text))], now, out);
                    self.end(reason, out);
                }
                Phase::Waiting { .. } | Phase::Handed { .. } => {
                    out.push(Effect::CloseChat);
                    self.fail_progress(now, out);
                    let why = match &reason {
                        EndReason::Timeout => "in time".to_owned(),
                        EndReason::NoAgent { reason: Some(r) } => format!("right now ({r})"),
                        EndReason::Error { message } => format!("because of an error ({message})"),
                        _ => "right now".to_owned(),
                    };
                    self.assistant_says(vec![Part::text(say::not_taken(&why))], now, out);
                    self.end(reason, out);
                }
                _ => {}
            },
        }
    }

    /// A file goes to the agent of a live chat; before an agent is there nobody could read it.
    pub(super) fn on_user_file(
        &mut self,
        file: FileUpload,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        if !self.is_connected() {
            return Err(Refusal(format!(
                "{} was not sent: files go to a live agent, and the conversation is {}",
                file.name,
                self.state.name()
            )));
        }
        let id = self.new_message_id();
        self.emit_message(
            ChatMessage {
                id,
                role: Role::User,
                agent: None,
                parts: vec![Part::Attachment {
                    attachment: file.describe(),
                }],
                at: now,
                request: None,
            },
            Audience::Both,
            out,
        );
        out.push(Effect::Chat(ChatCommand::File {
            file,
            client_message_id: format!("{}-{}", self.id, self.next_message - 1),
        }));
        Ok(())
    }

    pub(super) fn user_leaves(&mut self, now: Millis, out: &mut Vec<Effect>) {
        out.push(Effect::Chat(ChatCommand::End));
        out.push(Effect::CloseChat);
        match self.phase {
            Phase::Connected { .. } => {
                self.assistant_says(
                    vec![Part::text(say::chat_ended("You ended the chat."))],
                    now,
                    out,
                );
            }
            _ => {
                self.fail_progress(now, out);
                self.assistant_says(vec![Part::text(say::LEFT_QUEUE)], now, out);
            }
        }
        self.end(EndReason::User, out);
    }

    pub(super) fn end(&mut self, reason: EndReason, out: &mut Vec<Effect>) {
        self.timeout_generation += 1;
        self.phase = Phase::Done;
        self.progress = None;
        self.set_state(HandoffState::Ended { reason }, out);
    }
}
