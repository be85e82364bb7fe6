//! Getting events to sessions: each message is serialised once and its bytes shared by every
//! recipient; the recipients come from the [`SessionIndex`](super::index::SessionIndex), so an
//! event costs O(recipients), not O(sessions).
//!
//! Overload policy. Every session has a bounded queue (`session_queue`, 4096 by default):
//! - A desk-side session (agent or observer) sees every conversation, so a burst from many
//!   users lands on it. When its queue is more than three quarters full the hub holds back
//!   users' requests (their own queue, [`HubMsg`](super::HubMsg)s on the intake) until it is
//!   down to half: the senders' sockets stop being read and TCP slows them. A healthy agent
//!   is never closed for someone else's burst.
//! - A client that stops reading is closed by its write timeout (1008, "client too slow"); until
//!   then it holds users' requests back for at most that long.
//! - A queue that is full anyway (events that are not users' requests: the desk, the system)
//!   drops its session with notice (1008); the client resumes with `hello.since` and loses
//!   nothing. A user's own queue only holds its conversation's events.

use super::index::Seat;
use super::{Hub, Logged, SessionId};
use crate::protocol::{
    Audience, ClientRole, ConversationEvent, ConversationId, Millis, Said, ServerMsg,
};
use bytes::{BufMut, BytesMut};
use serde::Serialize;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// A serialised server message, shared by every session it goes to.
pub type Frame = Utf8Bytes;

/// How often the hub looks again at a backed-up session while it holds requests back.
pub(super) const RECHECK: Duration = Duration::from_millis(1);

/// The room an event's bytes need at least before it is written: a chat message of a few
/// hundred bytes and its envelope fit; a longer one grows the chunk.
const EVENT_CAPACITY: usize = 2048;

/// Events and messages to one session (an `ack`, an `error`) are serialised one after another
/// into chunks of this size, each frame a shared slice
/// of its chunk: one allocation per chunk, not a buffer and a shared header per event (with
/// glibc, an allocation of 1 KiB or more first merges the allocator's fast free lists). Bound: a
/// queued frame keeps at most its chunk alive (16 KiB, where a frame of its own held the 2 KiB
/// buffer it was written in), and the chunk being written is the only one the hub holds.
/// 8 KiB chunks measured a third of the gain (`docs/performance.md`).
pub(super) const CHUNK: usize = 16 * 1024;

/// What is sent if a message cannot be serialised (no message type can fail today).
const UNENCODABLE: &str =
    r#"{"type":"error","code":"unavailable","message":"the broker could not encode a message"}"#;

/// The wire form of `msg`.
pub fn encode(msg: &ServerMsg) -> Frame {
    match serde_json::to_string(msg) {
        Ok(text) => Frame::from(text),
        Err(e) => {
            tracing::error!(error = %e, "a server message could not be serialised");
            Frame::from_static(UNENCODABLE)
        }
    }
}

/// [`ServerMsg::Event`] by reference, serialised the same way: a logged event goes out
/// without being copied first.
#[derive(Serialize)]
#[serde(tag = "type", rename = "event")]
struct EventRef<'a> {
    conversation: &'a ConversationId,
    seq: u64,
    at: Millis,
    audience: Audience,
    event: &'a ConversationEvent,
}

/// The wire form of the logged event `l` of `conv`, as [`encode`] gives its [`ServerMsg`],
/// written in `chunk` (see [`CHUNK`]).
fn encode_event(chunk: &mut BytesMut, conv: &ConversationId, l: &Logged) -> Frame {
    let event = EventRef {
        conversation: conv,
        seq: l.seq,
        at: l.at,
        audience: l.audience,
        event: &l.event,
    };
    let written = write_in(chunk, |chunk| match &l.event {
        ConversationEvent::Message { message } => {
            super::message_json::put_message_event(chunk, place(conv, l), message)
        }
        _ => serde_json::to_writer(chunk.writer(), &event),
    });
    written.unwrap_or_else(|| encode(&super::event_msg(conv, l)))
}

/// A frame written by `write` in `chunk` (see [`CHUNK`]); `None` if it could not be.
fn write_in(
    chunk: &mut BytesMut,
    write: impl FnOnce(&mut BytesMut) -> Result<(), serde_json::Error>,
) -> Option<Frame> {
    chunk.clear();
    if chunk.capacity() < EVENT_CAPACITY {
        *chunk = BytesMut::with_capacity(CHUNK);
    }
    write(chunk).ok()?;
    Frame::try_from(chunk.split().freeze()).ok()
}

impl Hub {
    /// Queues a message for a session, written in the current chunk (an `ack` per `say` was
    /// a string and a shared header of its own).
    pub(super) fn send(&mut self, session: SessionId, msg: &ServerMsg) {
        if self.sessions.contains_key(&session) {
            let frame = write_in(&mut self.outbox.chunk, |chunk| {
                serde_json::to_writer(chunk.writer(), msg)
            });
            self.send_frame(session, frame.unwrap_or_else(|| encode(msg)));
        }
    }

    /// Puts a frame in a session's queue (at the end of a burst, see `burst`): a session whose
    /// queue is full is dropped with notice; a desk-side one past three quarters holds users'
    /// requests back.
    pub(super) fn deliver(&mut self, session: SessionId, frame: Frame) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        match s.out.try_send(frame) {
            Ok(()) => {
                let desk_side = s.role != ClientRole::User;
                if desk_side && nearly_full(&s.out) && !self.backed_up.contains(&session) {
                    tracing::debug!(session, "desk-side session backed up; holding requests");
                    self.backed_up.push(session);
                }
            }
            Err(e) => {
                if matches!(e, mpsc::error::TrySendError::Full(_)) {
                    tracing::warn!(
                        session,
                        "session fell behind; closing it so it resumes with hello.since"
                    );
                }
                s.kicked.cancel();
                self.drop_session(session);
            }
        }
    }

    /// Forgets a session (it left or was dropped).
    pub(super) fn drop_session(&mut self, session: SessionId) {
        if let Some(s) = self.sessions.remove(&session) {
            self.index
                .remove(session, Seat::of(s.role, s.conversation.as_ref()));
        }
        self.backed_up.retain(|id| *id != session);
    }

    /// Whether users' requests wait: a desk-side session is backed up and not yet down to half.
    pub(super) fn holding_requests(&mut self) -> bool {
        if self.backed_up.is_empty() {
            return false;
        }
        let sessions = &self.sessions;
        self.backed_up.retain(|id| {
            sessions
                .get(id)
                .is_some_and(|s| s.out.capacity() < s.out.max_capacity() / 2)
        });
        !self.backed_up.is_empty()
    }

    /// Sends `msg` to every session `wanted` picks.
    pub(super) fn broadcast(&mut self, wanted: impl Fn(&super::Session) -> bool, msg: &ServerMsg) {
        let targets: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|(_, s)| wanted(s))
            .map(|(id, _)| *id)
            .collect();
        if targets.is_empty() {
            return;
        }
        let frame = encode(msg);
        for id in targets {
            self.send_frame(id, frame.clone());
        }
    }

    /// Sends the event `seq` of `conv` to every session it reaches.
    pub(super) fn fan_out(&mut self, conv: &ConversationId, seq: u64) {
        let Some(entry) = self.conversations.get_mut(conv) else {
            return;
        };
        entry.visible = entry.visible.max(seq);
        let Some(logged) = logged_at(&entry.log, seq) else {
            return;
        };
        let targets = self.index.recipients(conv, logged.audience);
        if targets.is_empty() {
            return;
        }
        let frame = encode_event(&mut self.outbox.chunk, conv, logged);
        let echo = logged
            .echo_to
            .and_then(|to| Some((to, said_ack(&mut self.outbox.chunk, conv, logged)?)));
        for id in targets {
            match &echo {
                Some((to, ack)) if *to == id => self.send_frame(id, ack.clone()),
                _ => self.send_frame(id, frame.clone()),
            }
        }
    }
}

/// Where the logged event `l` of `conv` is.
fn place<'a>(conv: &'a ConversationId, l: &Logged) -> super::message_json::Place<'a> {
    super::message_json::Place {
        conv,
        seq: l.seq,
        at: l.at,
        audience: l.audience,
    }
}

/// The protocol 2 `ack` that stands for the logged user message `l` (its echo), written in
/// `chunk` like the event.
fn said_ack(chunk: &mut BytesMut, conv: &ConversationId, l: &Logged) -> Option<Frame> {
    let ConversationEvent::Message { message } = &l.event else {
        return None;
    };
    let request = message.request.as_ref()?;
    let said = write_in(chunk, |chunk| {
        super::message_json::put_said_ack(chunk, place(conv, l), message, request)
    });
    said.or_else(|| {
        let said = Said::of(conv, l.seq, l.at, l.audience, message)?;
        Some(encode(&ServerMsg::Ack {
            id: request.clone(),
            said: Some(said),
        }))
    })
}

/// The logged event `seq`: the newest one, as a rule (without a store every event is fanned
/// out as it is appended), found without touching the rest of a long log; else by search.
fn logged_at(log: &[Logged], seq: u64) -> Option<&Logged> {
    match log.last() {
        Some(last) if last.seq == seq => Some(last),
        _ => log
            .binary_search_by_key(&seq, |l| l.seq)
            .ok()
            .and_then(|i| log.get(i)),
    }
}

/// More than three quarters of the queue is taken.
fn nearly_full<T>(out: &mpsc::Sender<T>) -> bool {
    out.capacity() < out.max_capacity() / 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_by_reference_is_the_same_frame_as_the_event_message() {
        let conv = ConversationId::from("c-1");
        let events = [
            ConversationEvent::Typing {
                who: "user \"é\" <\u{2028}>".into(),
                on: true,
            },
            ConversationEvent::Offered {
                agent: "Lisa".into(),
            },
            ConversationEvent::Message {
                message: crate::protocol::ChatMessage {
                    id: crate::protocol::MessageId("m-1".into()),
                    role: crate::protocol::Role::User,
                    agent: None,
                    parts: vec![crate::protocol::Part::text("<p>\"hi\"\u{2028}\t</p>")],
                    at: 1_763_790_000_000,
                    request: Some(crate::protocol::RequestId("r-1".into())),
                    translation: None,
                },
            },
        ];
        let mut chunk = BytesMut::new();
        for (i, event) in events.into_iter().enumerate() {
            let logged = Logged {
                seq: i as u64 + 1,
                at: 1_763_790_000_000,
                audience: Audience::Agent,
                event,
                echo_to: None,
            };
            let by_value = encode(&super::super::event_msg(&conv, &logged));
            assert_eq!(
                encode_event(&mut chunk, &conv, &logged).as_str(),
                by_value.as_str()
            );
        }
    }
}
