//! What clients ask of the hub: joining (with the replay of what they missed) and requests,
//! checked against the client's role and conversation.

use super::{Entry, Frame, Hub, Join, Joined, Session, SessionId, error, event_msg, index};
use crate::broker::attachment;
use crate::broker::handoff::{Conversation, Effect, Input};
use crate::broker::platform::Scope;
use crate::connectors::DeskAction;
use crate::protocol::{
    ClientMsg, ClientRole, ConversationEvent, ConversationId, ErrorCode, OLDEST_PROTOCOL_VERSION,
    PROTOCOL_VERSION, RequestId, Role, ServerMsg, UserInfo,
};
use std::collections::BTreeMap;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

impl Hub {
    pub(super) fn join(
        &mut self,
        join: Join,
        out: mpsc::Sender<Frame>,
        kicked: CancellationToken,
    ) -> Result<Joined, (ErrorCode, String)> {
        if !(OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&join.protocol) {
            return Err((
                ErrorCode::UnsupportedVersion,
                format!(
                    "protocol version {} is not supported; this broker speaks versions {OLDEST_PROTOCOL_VERSION} to {PROTOCOL_VERSION}",
                    join.protocol
                ),
            ));
        }
        let (conversation, agent) = match join.role {
            ClientRole::User => (Some(self.user_conversation(&join)?), None),
            ClientRole::Agent => (None, Some(self.joining_agent(join.agent)?)),
            ClientRole::Observer => (None, None),
        };
        let session = self.next_session;
        self.next_session += 1;
        let mut replay = vec![ServerMsg::Welcome {
            protocol: join.protocol,
            session: format!("s-{session}"),
            role: join.role,
            conversation: conversation.clone(),
            agent: agent.clone(),
            resume: conversation
                .as_ref()
                .map(|c| self.settings.resume.secret(c)),
            broker: self.settings.info.clone(),
        }];
        replay.extend(self.missed(join.role, &join.since, conversation.as_ref()));
        let session_state = Session {
            role: join.role,
            conversation,
            agent,
            out,
            kicked,
            traces: join.traces,
            supervisor: join.supervisor,
            protocol: join.protocol,
        };
        let seat = index::Seat::of(join.role, session_state.conversation.as_ref());
        self.index.add(session, seat);
        self.sessions.insert(session, session_state);
        Ok(Joined { session, replay })
    }

    /// The desk agent a joining agent client works as: the one it names, else the first.
    fn joining_agent(&self, named: Option<String>) -> Result<String, (ErrorCode, String)> {
        if self.desk.is_none() {
            return Err((
                ErrorCode::Unavailable,
                format!(
                    "{} has no simulated desk here: its agents work in the system itself",
                    self.connector.system()
                ),
            ));
        }
        let name = named.unwrap_or_else(|| {
            self.desk_agents
                .first()
                .map(|a| a.name.clone())
                .unwrap_or_default()
        });
        self.check_agent(&name)?;
        Ok(name)
    }

    /// What a joining client missed: the desk (for the desk's side) and every event of the
    /// conversations it watches after the `seq` it last saw.
    fn missed(
        &self,
        role: ClientRole,
        seen: &BTreeMap<ConversationId, u64>,
        conversation: Option<&ConversationId>,
    ) -> Vec<ServerMsg> {
        let mut replay = Vec::new();
        if role != ClientRole::User && self.desk.is_some() {
            replay.push(ServerMsg::Desk {
                agents: self.desk_agents.clone(),
            });
        }
        let watched = match conversation {
            Some(conv) => std::slice::from_ref(conv),
            None => self.opened.as_slice(),
        };
        for conv in watched {
            let since = seen.get(conv).copied().unwrap_or(0);
            if let Some(entry) = self.conversations.get(conv) {
                replay.extend(
                    entry
                        .log
                        .iter()
                        .filter(|l| l.seq > since && l.seq <= entry.visible)
                        .filter(|l| l.audience.reaches(role))
                        .map(|l| event_msg(conv, l)),
                );
            }
        }
        replay
    }

    /// The conversation a user resumes, if `resume` is its secret. The secret is checked
    /// first, so a refusal does not tell whether the conversation exists.
    pub(super) fn resumable(
        &self,
        conv: ConversationId,
        resume: Option<&str>,
    ) -> Result<ConversationId, (ErrorCode, String)> {
        if !resume.is_some_and(|secret| self.settings.resume.verify(&conv, secret)) {
            return Err((
                ErrorCode::Forbidden,
                "resuming a conversation needs its resume secret (hello.resume)".into(),
            ));
        }
        if !self.conversations.contains_key(&conv) {
            return Err(self.unknown_conversation(&conv));
        }
        Ok(conv)
    }

    pub(super) fn check_agent(&self, name: &str) -> Result<(), (ErrorCode, String)> {
        if self.desk_agents.iter().any(|a| a.name == name) {
            return Ok(());
        }
        let names: Vec<&str> = self.desk_agents.iter().map(|a| a.name.as_str()).collect();
        Err((
            ErrorCode::NotFound,
            format!(
                "no agent named {name:?} on the desk; it has: {}",
                names.join(", ")
            ),
        ))
    }

    pub(super) fn open(&mut self, user: UserInfo, scope: Scope) -> ConversationId {
        let mut id = ConversationId::random();
        while self.conversations.contains_key(&id) {
            id = ConversationId::random();
        }
        self.store_open(&id, &user);
        self.user_chats.insert(&user.id, scope.platform, id.clone());
        let machine = Conversation::new(id.clone(), user, self.settings.handoff.clone())
            .scoped(scope)
            .on_system(&self.settings.info.system);
        let opening = machine.opening();
        self.conversations
            .insert(id.clone(), Entry::new(machine, Vec::new()));
        self.opened.push(id.clone());
        tracing::info!(conversation = %id, "conversation opened");
        self.apply(&id, opening);
        id
    }

    pub(super) fn request(&mut self, session: SessionId, request: ClientMsg) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let (role, own, agent) = (s.role, s.conversation.clone(), s.agent.clone());
        let id = request.request_id().cloned();
        // Protocol 2: a user's `say` is answered by the ack that is its echo (see `append`).
        self.saying =
            (s.protocol >= 2 && matches!(request, ClientMsg::Say { .. })).then_some(session);
        let saying = self.saying.is_some();
        let result = match (role, request) {
            (_, ClientMsg::Ping { .. }) => Ok(true),
            (_, ClientMsg::Say { ref text, .. } | ClientMsg::Reply { ref text, .. })
                if super::notices::blank(text).is_some() =>
            {
                super::notices::blank(text).map_or(Ok(false), Err)
            }
            (_, msg @ (ClientMsg::Note { .. } | ClientMsg::Notify { .. })) => {
                self.notice(session, msg)
            }
            (ClientRole::User, msg) => self.user_request(own.as_ref(), msg),
            (ClientRole::Agent, ClientMsg::ActAs { agent: name, .. }) => self.act_as(session, name),
            (ClientRole::Agent, msg) => match self.desk_action_of(msg) {
                Ok(action) => {
                    self.desk_action(session, id, agent.unwrap_or_default(), action);
                    return;
                }
                Err(refusal) => Err(refusal),
            },
            (role, other) => Err(not_for_role(role, &other)),
        };
        // `append` took it with the message it echoes.
        let echoed = saying && self.saying.take().is_none();
        match (result, id) {
            // The ack went out as the echo, in its message event's place (`fan_out`).
            (Ok(_), Some(_)) if echoed => {}
            (Ok(_), Some(id)) => self.send_durable(session, ServerMsg::ack(id)),
            (Err((code, message)), id) => self.reply_error(session, id, code, message),
            (Ok(_), None) => {}
        }
    }

    /// A user's request, in `own` conversation only.
    fn user_request(
        &mut self,
        own: Option<&ConversationId>,
        request: ClientMsg,
    ) -> Result<bool, (ErrorCode, String)> {
        match request {
            ClientMsg::Say {
                id,
                conversation,
                text,
            } => self.user_say(own, &conversation, text, &id),
            ClientMsg::Attach {
                id,
                conversation,
                name,
                content_type,
                data,
            } => self.user_attach(own, &conversation, &name, &content_type, &data, &id),
            ClientMsg::Press {
                conversation,
                message,
                action,
                ..
            } => self.user_input(own, &conversation, Input::Press { message, action }),
            ClientMsg::Typing {
                conversation, on, ..
            } => self.user_input(own, &conversation, Input::UserTyping(on)),
            ClientMsg::End { conversation, .. } => {
                self.user_input(own, &conversation, Input::UserEnd)
            }
            other => Err(not_for_role(ClientRole::User, &other)),
        }
    }

    /// The desk action an agent's request asks for (its file checked), or why there is none.
    fn desk_action_of(&self, request: ClientMsg) -> Result<DeskAction, (ErrorCode, String)> {
        Ok(match request {
            ClientMsg::Accept { conversation, .. } => DeskAction::Accept(conversation),
            ClientMsg::Reject {
                conversation,
                reason,
                ..
            } => DeskAction::Reject(conversation, reason),
            ClientMsg::Reply {
                conversation, text, ..
            } => DeskAction::Reply(conversation, text),
            ClientMsg::Typing {
                conversation, on, ..
            } => DeskAction::Typing(conversation, on),
            ClientMsg::End { conversation, .. } => DeskAction::End(conversation),
            ClientMsg::Transfer {
                conversation, to, ..
            } => DeskAction::Transfer(conversation, to),
            ClientMsg::Invite {
                conversation,
                agent,
                ..
            } => DeskAction::Invite(conversation, agent),
            ClientMsg::Attach {
                conversation,
                name,
                content_type,
                data,
                ..
            } => {
                self.platform_allows(&conversation, attachment::Sender::Agent)?;
                let file = self.checked_file(&name, &content_type, &data)?;
                DeskAction::File(conversation, file)
            }
            ClientMsg::SetPresence { presence, .. } => DeskAction::SetPresence(presence),
            other => {
                let kind = kind(&other);
                return Err((
                    ErrorCode::Forbidden,
                    format!("agents cannot send `{kind}`: it is a user request"),
                ));
            }
        })
    }

    /// `act_as`: a supervisor may act as any desk agent; anyone else only as itself.
    fn act_as(&mut self, session: SessionId, name: String) -> Result<bool, (ErrorCode, String)> {
        let Some(s) = self.sessions.get(&session) else {
            return Ok(false);
        };
        if !s.supervisor && s.agent.as_deref() != Some(name.as_str()) {
            return Err((
                ErrorCode::Forbidden,
                format!(
                    "acting as {name:?} needs the supervisor capability (hello.supervisor with the token)"
                ),
            ));
        }
        self.check_agent(&name)?;
        if let Some(s) = self.sessions.get_mut(&session) {
            s.agent = Some(name);
        }
        Ok(true)
    }

    pub(super) fn reply_error(
        &mut self,
        session: SessionId,
        id: Option<RequestId>,
        code: ErrorCode,
        message: String,
    ) {
        self.send(session, &error(id, code, message));
    }

    /// A user's `say`: the message it produces carries the request id for the local echo.
    fn user_say(
        &mut self,
        own: Option<&ConversationId>,
        conversation: &ConversationId,
        text: String,
        id: &RequestId,
    ) -> Result<bool, (ErrorCode, String)> {
        self.user_input_stamped(own, conversation, Input::UserText(text), Some(id))
    }

    /// A user's `attach`: the file is checked before the conversation sees it.
    fn user_attach(
        &mut self,
        own: Option<&ConversationId>,
        conversation: &ConversationId,
        name: &str,
        content_type: &str,
        data: &str,
        id: &RequestId,
    ) -> Result<bool, (ErrorCode, String)> {
        self.platform_allows(conversation, attachment::Sender::User)?;
        let file = self.checked_file(name, content_type, data)?;
        self.user_input_stamped(own, conversation, Input::UserFile(file), Some(id))
    }

    /// The file of an `attach` (from a user or an agent), checked against the broker's limit.
    fn checked_file(
        &self,
        name: &str,
        content_type: &str,
        data: &str,
    ) -> Result<crate::connectors::FileUpload, (ErrorCode, String)> {
        let limit = self.settings.info.max_attachment_bytes;
        if limit == 0 {
            return Err((
                ErrorCode::Unavailable,
                "this broker takes no files (max_attachment_bytes is 0)".into(),
            ));
        }
        attachment::accept(name, content_type, data, limit).map_err(|e| {
            (
                ErrorCode::BadField,
                format!("invalid `attach` message: {e}"),
            )
        })
    }

    pub(super) fn user_input(
        &mut self,
        own: Option<&ConversationId>,
        conversation: &ConversationId,
        input: Input,
    ) -> Result<bool, (ErrorCode, String)> {
        self.user_input_stamped(own, conversation, input, None)
    }

    fn user_input_stamped(
        &mut self,
        own: Option<&ConversationId>,
        conversation: &ConversationId,
        input: Input,
        stamp: Option<&RequestId>,
    ) -> Result<bool, (ErrorCode, String)> {
        if own != Some(conversation) {
            return Err((
                ErrorCode::Forbidden,
                format!("conversation {conversation} is not this user's"),
            ));
        }
        let entry = self.conversations.get_mut(conversation).ok_or_else(|| {
            (
                ErrorCode::NotFound,
                format!("unknown conversation {conversation}"),
            )
        })?;
        let mut effects = entry
            .machine
            .handle(input, self.settings.clock.now_millis())
            .map_err(|refusal| (ErrorCode::InvalidState, refusal.0))?;
        if let Some(id) = stamp {
            let first_user_message = effects.iter_mut().find_map(|e| match e {
                Effect::Emit(_, ConversationEvent::Message { message })
                    if message.role == Role::User =>
                {
                    Some(message)
                }
                _ => None,
            });
            if let Some(message) = first_user_message {
                message.request = Some(id.clone());
            }
        }
        self.apply(conversation, effects);
        Ok(true)
    }

    pub(super) fn desk_action(
        &mut self,
        session: SessionId,
        id: Option<RequestId>,
        agent: String,
        action: DeskAction,
    ) {
        if self.desk.is_none() {
            self.reply_error(
                session,
                id,
                ErrorCode::Unavailable,
                "this system has no simulated desk".into(),
            );
            return;
        }
        let state = super::outbound::action_conversation(&action)
            .and_then(|c| self.conversations.get(c))
            .map(|e| e.machine.state());
        if let Some((code, message)) = state.and_then(|s| super::outbound::chat_gone(s, &action)) {
            self.reply_error(session, id, code, message);
            return;
        }
        self.desk_call(session, id, agent, action);
    }
}

/// The `type` of a client message, as it is on the wire.
fn kind(request: &ClientMsg) -> String {
    serde_json::to_value(request)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_owned)))
        .unwrap_or_default()
}

/// The refusal of a request the client's role may not send.
fn not_for_role(role: ClientRole, request: &ClientMsg) -> (ErrorCode, String) {
    let kind = kind(request);
    (
        ErrorCode::Forbidden,
        format!("a client with role {role:?} cannot send `{kind}`").to_lowercase(),
    )
}
