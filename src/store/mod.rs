//! The transcript store: every conversation's event log in a SQLite file, so conversations
//! survive a broker restart and can be read back (`handoff transcript`).
//!
//! Durable before visible: the hub hands events to a [`StoreWriter`], whose thread commits them
//! in groups (WAL, one transaction and one sync per group) and reports each group
//! ([`Commit`]); the hub fans an event out only once its group is committed, so every event a
//! client saw survives `kill -9` with its `seq`, and a restart continues after the highest
//! stored `seq`. The hub never waits on the disk meanwhile. Reading ([`Store::conversations`]) is for start-up
//! and for the `transcript` command.
//!
//! Transcripts are kept only when asked for (`--transcripts`, `--store` or `[transcripts]`),
//! for a time to live ([`ttl`]), and every text written is masked first ([`masked`]).

pub mod export;
pub mod masked;
pub mod ttl;
mod writer;

pub use ttl::DEFAULT_TTL;
pub use writer::{Commit, StoreWriter, Ticket};

use crate::protocol::{Audience, ConversationEvent, ConversationId, Millis, UserInfo};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};

/// The schema version this build writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS conversations (
    id        TEXT PRIMARY KEY,
    user_json TEXT NOT NULL,
    opened_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    conversation TEXT NOT NULL REFERENCES conversations(id),
    seq          INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    audience     TEXT NOT NULL,
    event_json   TEXT NOT NULL,
    PRIMARY KEY (conversation, seq)
);
";

/// What the store failed with; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("transcript store {path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The file was written by a newer `handoff`.
    #[error(
        "transcript store {path}: schema version {found} is newer than this build's {SCHEMA_VERSION}"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
    },
    /// A stored row is not valid JSON of the protocol's types.
    #[error("transcript store {path}: conversation {conversation}, seq {seq}: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The conversation.
        conversation: String,
        /// The row (0 for the conversation's own row).
        seq: u64,
        /// What is wrong.
        detail: String,
    },
}

/// One stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the conversation's log.
    pub seq: u64,
    /// When.
    pub at: Millis,
    /// For whom.
    pub audience: Audience,
    /// What.
    pub event: ConversationEvent,
}

/// One stored conversation with its whole log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    /// Its id.
    pub id: ConversationId,
    /// The end user.
    pub user: UserInfo,
    /// When it was opened.
    pub opened_at: Millis,
    /// Its log, in order.
    pub events: Vec<StoredEvent>,
}

/// An open store file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let err = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private_files::create_dir_all(dir)
                .map_err(|e| err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        }
        // Owner-only before SQLite opens it (its -wal and -shm files copy the mode).
        crate::private_files::create_file(path)
            .map_err(|e| err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
        let conn = Connection::open(path).map_err(err)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_owned(),
                found: version,
            });
        }
        // WAL lets `handoff transcript` read while a broker writes, and makes a commit one
        // append and one sync; FULL syncs at every commit, so a committed group survives a
        // crash of the process and of the machine. The writer commits in groups to keep the
        // syncs few. A reader's checkpoint may hold the file briefly: wait rather than fail.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(err)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The broker's key for resume secrets, made (from the OS RNG) the first time, so that a
    /// restarted broker accepts the secrets it gave out before. Kept in a table of its own.
    pub fn resume_key(&self) -> Result<[u8; 32], StoreError> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS broker_keys (name TEXT PRIMARY KEY, key BLOB NOT NULL)",
            )
            .map_err(|e| self.sqlite(e))?;
        let fresh = crate::random::random_bytes::<32>().map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            conversation: String::new(),
            seq: 0,
            detail: e.to_string(),
        })?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO broker_keys (name, key) VALUES ('resume', ?1)",
                params![fresh.as_slice()],
            )
            .map_err(|e| self.sqlite(e))?;
        let key: Vec<u8> = self
            .conn
            .query_row(
                "SELECT key FROM broker_keys WHERE name = 'resume'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sqlite(e))?;
        key.try_into().map_err(|k: Vec<u8>| StoreError::Corrupt {
            path: self.path.clone(),
            conversation: String::new(),
            seq: 0,
            detail: format!("the resume key is {} bytes, not 32", k.len()),
        })
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Writes a batch of operations in one transaction, texts masked; an event of a conversation
    /// that is not stored (purged as expired) is dropped.
    pub(crate) fn write(&mut self, ops: &[writer::Op]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let json = |v: serde_json::Result<String>| {
            v.map_err(|e| err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
        };
        let tx = self.conn.transaction().map_err(err)?;
        for op in ops {
            match op {
                writer::Op::Open { id, user, at } => tx.execute(
                    "INSERT OR IGNORE INTO conversations (id, user_json, opened_at) VALUES (?1, ?2, ?3)",
                    params![id.as_str(), json(masked::masked_json(user))?, int(*at)],
                ),
                writer::Op::Event { conversation, seq, at, audience, event } => tx.execute(
                    // A conversation purged while the hub still holds it stays purged: its
                    // later events are dropped here rather than fail the group (and the broker).
                    "INSERT INTO events (conversation, seq, at, audience, event_json) SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM conversations WHERE id = ?1)",
                    params![conversation.as_str(), int(*seq), int(*at), audience_name(*audience), json(masked::masked_json(event))?],
                ),
            }
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Every conversation with its log, oldest first.
    pub fn conversations(&self) -> Result<Vec<StoredConversation>, StoreError> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM conversations ORDER BY opened_at, rowid")
                .map_err(|e| self.sqlite(e))?;
            stmt.query_map([], |r| r.get(0))
                .map_err(|e| self.sqlite(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.sqlite(e))?
        };
        ids.into_iter()
            .filter_map(|id| self.conversation(&ConversationId(id)).transpose())
            .collect()
    }

    /// One conversation with its log, if it is stored.
    pub fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<StoredConversation>, StoreError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT user_json, opened_at FROM conversations WHERE id = ?1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        let Some((user_json, opened_at)) = row else {
            return Ok(None);
        };
        let corrupt = |seq: u64, detail: String| StoreError::Corrupt {
            path: self.path.clone(),
            conversation: id.to_string(),
            seq,
            detail,
        };
        let user: UserInfo =
            serde_json::from_str(&user_json).map_err(|e| corrupt(0, format!("user: {e}")))?;
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, audience, event_json FROM events WHERE conversation = ?1 ORDER BY seq")
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([id.as_str()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, at, audience, event_json) = row.map_err(|e| self.sqlite(e))?;
            let (seq, at) = (uint(seq), uint(at));
            let audience: Audience = serde_json::from_value(serde_json::Value::String(audience))
                .map_err(|e| corrupt(seq, format!("audience: {e}")))?;
            let event: ConversationEvent = serde_json::from_str(&event_json)
                .map_err(|e| corrupt(seq, format!("event: {e}")))?;
            events.push(StoredEvent {
                seq,
                at,
                audience,
                event,
            });
        }
        Ok(Some(StoredConversation {
            id: id.clone(),
            user,
            opened_at: uint(opened_at),
            events,
        }))
    }
}

/// The audience as stored: its protocol name.
fn audience_name(audience: Audience) -> &'static str {
    match audience {
        Audience::User => "user",
        Audience::Agent => "agent",
        Audience::Both => "both",
    }
}

/// SQLite integers are signed; times and sequence numbers never come near the limit.
fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn uint(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod ttl_tests;
