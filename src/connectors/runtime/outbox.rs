//! The outbox: the user's messages toward the system, one call at a time, in order, in a task
//! of its own so the driver goes on reading the system's events while a call runs.
//!
//! Bounds: the job channel itself is unbounded, but every message in it holds a permit of
//! [`OUTBOX_MESSAGES`] (and its file's bytes, of [`OUTBOX_FILE_BYTES`]) until its call is
//! done, so at most that much waits; the only jobs without a permit are the one `Open` and the
//! one `Leave` of a chat. At the bound the driver waits for room (the broker's queue backs up
//! behind it) while messages go; while they are held for the chat to open, it refuses. Reports back to the driver go through [`REPORT_QUEUE`]; the outbox
//! waits when the driver falls that far behind.

use super::{ChatSender, Options, Outgoing, SendError};
use crate::connectors::ConnectorError;
use futures_util::future::BoxFuture;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

/// Messages (texts, files, typing signals) that may wait per chat, the one being sent included.
pub const OUTBOX_MESSAGES: usize = 32;
/// Bytes of files that may wait per chat (a bound on memory, not on any one file: a larger
/// file waits alone).
pub const OUTBOX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Reports waiting for the driver.
pub(super) const REPORT_QUEUE: usize = 16;

/// What the outbox tells the driver.
#[derive(Debug)]
pub(super) enum Report {
    /// A message did not go; the text says which and why.
    Failed(String),
    /// The chat was left; with the error of the leaving call, if it failed.
    Left(Option<ConnectorError>),
}

/// The room a waiting message holds.
struct Permit {
    _message: OwnedSemaphorePermit,
    _bytes: OwnedSemaphorePermit,
}

/// Room made in the outbox for one message.
pub(super) struct Room(Permit);

enum Job {
    Send(Outgoing, Permit),
    Open,
    Leave,
}

/// The driver's handle on the outbox task; dropping it stops the task, a call in flight too.
pub(super) struct Outbox {
    jobs: mpsc::UnboundedSender<Job>,
    messages: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    open: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl Outbox {
    /// Starts the task; its failures and its leaving go to `reports`.
    pub(super) fn spawn<S: ChatSender>(
        sender: S,
        options: Options,
        reports: mpsc::Sender<Report>,
    ) -> Self {
        let (jobs, rx) = mpsc::unbounded_channel();
        let open = Arc::new(AtomicBool::new(options.open));
        let task = tokio::spawn(run(sender, options, open.clone(), rx, reports));
        Self {
            jobs,
            messages: Arc::new(Semaphore::new(OUTBOX_MESSAGES)),
            bytes: Arc::new(Semaphore::new(OUTBOX_FILE_BYTES)),
            open,
            task,
        }
    }

    /// Whether messages go now (rather than wait for the chat to open).
    pub(super) fn is_open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }

    /// How many permits of the byte budget `message` takes: a file over the whole budget
    /// takes all of it, so it waits alone.
    fn bytes_of(message: &Outgoing) -> u32 {
        match message {
            Outgoing::File { file, .. } => {
                u32::try_from(file.bytes.len().min(OUTBOX_FILE_BYTES)).unwrap_or(u32::MAX)
            }
            _ => 0,
        }
    }

    /// The room for `message` if there is some now.
    pub(super) fn try_room(&self, message: &Outgoing) -> Option<Room> {
        let message_permit = self.messages.clone().try_acquire_owned().ok()?;
        let bytes = self
            .bytes
            .clone()
            .try_acquire_many_owned(Self::bytes_of(message))
            .ok()?;
        Some(Room(Permit {
            _message: message_permit,
            _bytes: bytes,
        }))
    }

    /// The room for `message` once the messages ahead of it have made some.
    pub(super) fn room(&self, message: &Outgoing) -> BoxFuture<'static, Option<Room>> {
        let (messages, bytes) = (self.messages.clone(), self.bytes.clone());
        let size = Self::bytes_of(message);
        Box::pin(async move {
            let message_permit = messages.acquire_owned().await.ok()?;
            let bytes = bytes.acquire_many_owned(size).await.ok()?;
            Some(Room(Permit {
                _message: message_permit,
                _bytes: bytes,
            }))
        })
    }

    /// Queues `message` behind the others, in the room made for it.
    pub(super) fn push(&self, message: Outgoing, room: Room) {
        // The task only ends when this handle drops, so the send cannot fail.
        let _ = self.jobs.send(Job::Send(message, room.0));
    }

    /// Lets waiting messages go, [`Outgoing::Opening`] first.
    pub(super) fn open(&self) {
        let _ = self.jobs.send(Job::Open);
    }

    /// Leaves after what is queued; messages still held by the gate never go.
    pub(super) fn leave(&self) {
        let _ = self.jobs.send(Job::Leave);
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run<S: ChatSender>(
    mut sender: S,
    options: Options,
    open: Arc<AtomicBool>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    reports: mpsc::Sender<Report>,
) {
    let mut waiting: VecDeque<(Outgoing, Option<Permit>)> = VecDeque::new();
    loop {
        if open.load(Ordering::Relaxed)
            && let Some((message, _permit)) = waiting.pop_front()
        {
            if let Err(text) = deliver(&mut sender, &options, &message).await
                && reports.send(Report::Failed(text)).await.is_err()
            {
                return;
            }
            continue;
        }
        // Open, nothing waits here; or held: every job is read as it comes.
        match jobs.recv().await {
            None => return,
            Some(Job::Send(message, permit)) => waiting.push_back((message, Some(permit))),
            Some(Job::Open) => {
                if !open.swap(true, Ordering::Relaxed) {
                    waiting.push_front((Outgoing::Opening, None));
                }
            }
            Some(Job::Leave) => {
                if !waiting.is_empty() {
                    tracing::info!(chat = %options.chat, held = waiting.len(), "left before the chat opened: held messages dropped");
                }
                let error = attempts(&mut sender, &options, &Outgoing::Leave)
                    .await
                    .err();
                let _ = reports.send(Report::Left(error)).await;
                return;
            }
        }
    }
}

/// Sends `message`, retried as the sender asks; the failure as the user should read it.
async fn deliver<S: ChatSender>(
    sender: &mut S,
    options: &Options,
    message: &Outgoing,
) -> Result<(), String> {
    let error = match attempts(sender, options, message).await {
        Ok(()) => return Ok(()),
        Err(error) => error,
    };
    tracing::warn!(chat = %options.chat, error = %error, "not sent");
    Err(sender.failure(message, &error))
}

async fn attempts<S: ChatSender>(
    sender: &mut S,
    options: &Options,
    message: &Outgoing,
) -> Result<(), ConnectorError> {
    let tries = options.policy.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        match sender.send(message).await {
            Ok(()) => return Ok(()),
            Err(SendError::Final(error)) => return Err(error),
            Err(SendError::Retry(error)) if attempt >= tries => return Err(error),
            Err(SendError::Retry(error)) => {
                tracing::debug!(chat = %options.chat, attempt, error = %error, "sending again");
                tokio::time::sleep(options.policy.backoff(attempt)).await;
                attempt += 1;
            }
        }
    }
}
