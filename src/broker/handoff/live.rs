//! The live side of the lifecycle: the system's answer to the handoff, the chat's events, and
//! how a chat or a wait ends.

use super::messages::{offer_buttons, set_step_status};
use super::{Checking, Conversation, Effect, Lead, Private, Refusal, Route, StartOutcome};
use crate::broker::assistant::say;
use crate::connectors::{ChatCommand, ChatEvent, FileUpload};
use crate::protocol::{
    AgentInfo, Audience, ConversationEvent, EndReason, HandoffState, Millis, Part, StepStatus,
};
use crate::text::paragraph;

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
        let (HandoffState::Connecting, Some(route)) = (&self.state, self.private.route.clone())
        else {
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
                let state = HandoffState::Queued {
                    since: now,
                    deadline,
                    position: None,
                    eta_secs: None,
                };
                let private = Private {
                    route: Some(route),
                    ..Private::default()
                };
                self.enter(state, private, out);
            }
            Ok(StartOutcome::Redirect { url, via, chat }) => {
                self.expire_buttons(out);
                let step = match &via {
                    Some(bot) => say::step_redirect_bot(bot),
                    None => say::step_redirect_url(&url),
                };
                self.finish_progress(step, StepStatus::Success, now, out);
                let private = self.hand_over(chat, route, now, out);
                self.enter(HandoffState::Redirected { url }, private, out);
            }
            Ok(StartOutcome::Posted { channel, chat }) => {
                self.expire_buttons(out);
                self.finish_progress(say::step_posted(&channel), StepStatus::Success, now, out);
                self.assistant_says(vec![Part::text(say::posted(&channel))], now, out);
                let private = self.hand_over(chat, route, now, out);
                self.enter(HandoffState::Posted { channel }, private, out);
            }
            Err(error) => self.on_start_failed(error, route, now, out),
        }
    }

    /// The system refused the request: say so, and offer it again so the user can retry.
    fn on_start_failed(&mut self, error: String, route: Route, now: Millis, out: &mut Vec<Effect>) {
        self.fail_progress(out);
        self.assistant_says(vec![Part::text(say::system_failed(&error))], now, out);
        let reason = EndReason::Error { message: error };
        self.enter(HandoffState::Ended { reason }, Private::default(), out);
        let mut message = self.new_assistant_message(vec![], now);
        message.parts.push(Part::Buttons {
            buttons: offer_buttons(true),
        });
        self.emit_message(message.clone(), Audience::User, out);
        self.offer = Some(message);
        self.offer_route(route, true, out);
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
    fn hand_over(
        &mut self,
        chat: bool,
        route: Route,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Private {
        if chat {
            self.schedule_queue_timeout(now, out);
        }
        Private {
            route: chat.then_some(route),
            relay_since: chat.then_some(now),
            ..Private::default()
        }
    }

    pub(super) fn on_chat(&mut self, event: ChatEvent, now: Millis, out: &mut Vec<Effect>) {
        match event {
            event @ (ChatEvent::Queued { .. } | ChatEvent::Ringing { .. }) => {
                self.on_queue_news(event, out);
            }
            ChatEvent::AgentJoined { agent } => self.on_agent_joined(agent, now, out),
            ChatEvent::AgentLeft { agent } => self.on_agent_left(&agent, now, out),
            ChatEvent::Ended { reason } => self.on_chat_ended(reason, now, out),
            event => self.on_chat_talk(event, now, out),
        }
    }

    /// The system's news of the queue: a position, or an agent being rung. Once an agent is
    /// rung, positions are old news.
    fn on_queue_news(&mut self, event: ChatEvent, out: &mut Vec<Effect>) {
        let (HandoffState::Queued {
            since, deadline, ..
        }
        | HandoffState::Ringing {
            since, deadline, ..
        }) = self.state
        else {
            return;
        };
        let ringing = matches!(self.state, HandoffState::Ringing { .. });
        let state = match event {
            ChatEvent::Queued { position, eta_secs } if !ringing => HandoffState::Queued {
                since,
                deadline,
                position,
                eta_secs,
            },
            ChatEvent::Ringing { agent } => HandoffState::Ringing {
                agent,
                since,
                deadline,
            },
            _ => return,
        };
        let private = self.private.clone();
        self.enter(state, private, out);
    }

    /// What is said in the chat: relayed while it is live.
    fn on_chat_talk(&mut self, event: ChatEvent, now: Millis, out: &mut Vec<Effect>) {
        let connected = self.is_connected();
        match event {
            ChatEvent::AgentMessage { agent, text } if connected => {
                // Custom platform emoji go (issue 15, rule 4); nothing left, nothing sent.
                let text = crate::text::emoji::for_user(&text);
                if !crate::text::emoji::is_blank(&text) {
                    self.agent_says(agent, Part::text(paragraph(&text)), now, out);
                }
            }
            ChatEvent::AgentFile { agent, file } if connected => {
                // Slack takes no attachments (issue 15, rule 8): both sides are told instead.
                match self.scope.platform.no_files_reason() {
                    Some(reason) => {
                        let text = format!(
                            "{} sent {}, which was not delivered: {reason}.",
                            agent.name, file.name
                        );
                        self.system_says(&text, now, out);
                    }
                    None => self.agent_says(agent, Part::Attachment { attachment: file }, now, out),
                }
            }
            ChatEvent::SystemMessage { text }
                if connected
                    || matches!(
                        self.state,
                        HandoffState::Queued { .. } | HandoffState::Ringing { .. }
                    ) =>
            {
                self.system_says(&text, now, out);
            }
            ChatEvent::Typing { agent, on } if connected => {
                let event = ConversationEvent::Typing { who: agent, on };
                out.push(Effect::Emit(Audience::Both, event));
            }
            ChatEvent::Transferred { to } if connected => {
                let to = to.unwrap_or_else(|| "another agent".into());
                self.system_says(&format!("Transferring you to {to}..."), now, out);
            }
            _ => {}
        }
    }

    /// The agents in the live chat (the latest last) and since when it is live; `None` when
    /// no chat is live.
    fn agents(&self) -> Option<(Vec<String>, Millis)> {
        let HandoffState::Connected { agent, since, with } = &self.state else {
            return None;
        };
        let mut agents = Vec::new();
        if !self.private.vacated {
            agents.extend(with.iter().cloned());
            agents.push(agent.clone());
        }
        Some((agents, *since))
    }

    fn on_agent_joined(&mut self, agent: AgentInfo, now: Millis, out: &mut Vec<Effect>) {
        let name = agent.name;
        if let Some((mut agents, since)) = self.agents() {
            agents.retain(|a| *a != name);
            agents.push(name.clone());
            self.system_says(&format!("{name} joined the chat"), now, out);
            self.enter(connected(&agents, since), Private::default(), out);
            return;
        }
        if self.private.relay_since.is_some() {
            self.assistant_says(vec![Part::text(say::CHAT_STARTED)], now, out);
        } else if matches!(
            self.state,
            HandoffState::Queued { .. } | HandoffState::Ringing { .. }
        ) {
            if let Some(progress) = self.progress.as_mut() {
                set_step_status(progress, StepStatus::Success);
                progress.parts.push(Part::text(say::CHAT_STARTED));
                let progress = progress.clone();
                self.emit_message(progress, Audience::User, out);
            }
        } else {
            return;
        }
        // What was on offer while waiting is over once the agent is here.
        self.expire_buttons(out);
        self.timeout_generation += 1;
        self.enter(connected(&[name], now), Private::default(), out);
    }

    fn on_agent_left(&mut self, agent: &str, now: Millis, out: &mut Vec<Effect>) {
        let Some((mut agents, since)) = self.agents() else {
            return;
        };
        agents.retain(|a| a != agent);
        self.system_says(&format!("{agent} left the chat"), now, out);
        if agents.is_empty() {
            self.private.vacated = true;
        } else {
            self.enter(connected(&agents, since), Private::default(), out);
        }
    }

    fn on_chat_ended(&mut self, reason: EndReason, now: Millis, out: &mut Vec<Effect>) {
        if self.is_connected() {
            out.push(Effect::CloseChat);
            let text = match &reason {
                EndReason::Agent { agent } => format!("{agent} ended the chat."),
                EndReason::User => "You ended the chat.".to_owned(),
                other => format!("The live agent chat ended ({other})."),
            };
            self.assistant_says(vec![Part::text(say::chat_ended(&text))], now, out);
            self.end(reason, out);
        } else if self.waiting_since().is_some() {
            out.push(Effect::CloseChat);
            self.fail_progress(out);
            let why = match &reason {
                EndReason::Timeout => "in time".to_owned(),
                EndReason::NoAgent { reason: Some(r) } => format!("right now: {r}"),
                EndReason::Error { message } => format!("because of an error ({message})"),
                _ => "right now".to_owned(),
            };
            self.assistant_says(vec![Part::text(say::not_taken(&why))], now, out);
            let route = self.private.route.take();
            self.end(reason, out);
            self.offer_again(route, now, out);
        }
    }

    /// After a wait that ended without an agent: the options again, as buttons ("Start agent
    /// chat" when the button mode allows it now).
    fn offer_again(&mut self, route: Option<Route>, now: Millis, out: &mut Vec<Effect>) {
        let Some(route) = route else {
            return;
        };
        let message = self.new_assistant_message(vec![], now);
        self.check_availability(route, Checking::new(message, Lead::Again), now, out);
    }

    /// The broker's fallback timeout: the wait is over, whatever the system says.
    pub(super) fn on_timeout(&mut self, generation: u64, now: Millis, out: &mut Vec<Effect>) {
        if generation != self.timeout_generation || self.waiting_since().is_none() {
            return;
        }
        out.push(Effect::Chat(ChatCommand::Withdraw {
            reason: EndReason::Timeout,
        }));
        out.push(Effect::CloseChat);
        let minutes = self.settings.queue_timeout_ms / 60_000;
        let seconds = self.settings.queue_timeout_ms / 1000 % 60;
        self.fail_progress(out);
        let within = format!("within {minutes}:{seconds:02}, so I've taken you out of the queue");
        self.assistant_says(vec![Part::text(say::not_taken(&within))], now, out);
        let route = self.private.route.take();
        self.end(EndReason::Timeout, out);
        self.offer_again(route, now, out);
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
        let attachment = file.describe();
        self.user_says(Part::Attachment { attachment }, Audience::Both, now, out);
        let client_message_id = self.client_message_id();
        out.push(Effect::Chat(ChatCommand::File {
            file,
            client_message_id,
        }));
        Ok(())
    }

    /// The user started or stopped typing: the agent of a live chat sees it.
    pub(super) fn on_user_typing(&mut self, on: bool, out: &mut Vec<Effect>) {
        if self.is_connected() {
            out.push(Effect::Chat(ChatCommand::Typing(on)));
            let who = "user".into();
            out.push(Effect::Emit(
                Audience::Both,
                ConversationEvent::Typing { who, on },
            ));
        }
    }

    /// The `end` request: leave the queue or the live chat.
    pub(super) fn on_user_end(
        &mut self,
        now: Millis,
        out: &mut Vec<Effect>,
    ) -> Result<(), Refusal> {
        if !self.is_connected() && self.waiting_since().is_none() {
            return Err(Refusal(format!(
                "there is no live chat to end (the conversation is {})",
                self.state.name()
            )));
        }
        self.user_leaves(now, out);
        Ok(())
    }

    pub(super) fn user_leaves(&mut self, now: Millis, out: &mut Vec<Effect>) {
        out.push(Effect::Chat(ChatCommand::End));
        out.push(Effect::CloseChat);
        if self.is_connected() {
            let ended = say::chat_ended("You ended the chat.");
            self.assistant_says(vec![Part::text(ended)], now, out);
        } else {
            self.fail_progress(out);
            self.assistant_says(vec![Part::text(say::LEFT_QUEUE)], now, out);
        }
        self.end(EndReason::User, out);
    }

    pub(super) fn end(&mut self, reason: EndReason, out: &mut Vec<Effect>) {
        self.expire_buttons(out);
        self.timeout_generation += 1;
        self.progress = None;
        self.enter(HandoffState::Ended { reason }, Private::default(), out);
    }
}
