use super::*;
use crate::protocol::{ChatMessage, HandoffState, MessageId, Part, Role};

fn message(id: &str, text: &str) -> ConversationEvent {
    ConversationEvent::Message {
        message: ChatMessage {
            id: MessageId(id.into()),
            role: Role::User,
            agent: None,
            parts: vec![Part::text(text)],
            at: 5,
            request: None,
            translation: None,
        },
    }
}

#[test]
fn events_written_by_the_writer_are_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let (mut writer, mut commits) = StoreWriter::spawn(Store::open(&path).unwrap());
    let id = ConversationId::from("c-1");
    assert_eq!(writer.open(&id, &UserInfo::default(), 1), 1);
    writer.event(&id, 1, 2, Audience::User, message("m-1", "<p>hi</p>"));
    let last = writer.event(
        &id,
        2,
        3,
        Audience::Both,
        ConversationEvent::State {
            state: HandoffState::Assistant,
        },
    );
    assert_eq!(last, 3, "tickets count the writes handed over");
    // Group commit: one or more reports, the last one covering every write.
    let mut durable = 0;
    while durable < last {
        match commits.blocking_recv() {
            Some(Commit::Durable(t)) => {
                assert!(t > durable, "reports only move forward");
                durable = t;
            }
            other => panic!("expected a commit, got {other:?}"),
        }
    }
    writer.close();

    let store = Store::open(&path).unwrap();
    let all = store.conversations().unwrap();
    assert_eq!(all.len(), 1);
    // What is written is masked: the user's address too.
    let user = UserInfo {
        email: Some("[email]".into()),
        ..UserInfo::default()
    };
    assert_eq!(all[0].user, user);
    assert_eq!(
        all[0].events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(all[0].events[0].event, message("m-1", "<p>hi</p>"));
    assert_eq!(all[0].events[1].audience, Audience::Both);
    assert!(store.conversation(&"c-2".into()).unwrap().is_none());
}

#[test]
fn a_corrupt_row_is_named_by_file_conversation_and_seq() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = Store::open(&path).unwrap();
    store
        .conn
        .execute(
            "INSERT INTO conversations VALUES ('c-9', '{\"id\":\"u\",\"name\":\"U\"}', 1)",
            [],
        )
        .unwrap();
    store
        .conn
        .execute(
            "INSERT INTO events VALUES ('c-9', 4, 1, 'user', '{\"kind\":\"dance\"}')",
            [],
        )
        .unwrap();
    let err = store.conversations().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "transcript store {}: conversation c-9, seq 4: event:",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert_eq!(
        err,
        format!(
            "transcript store {}: schema version 99 is newer than this build's 1",
            path.display()
        )
    );
}

#[cfg(unix)]
#[test]
fn the_store_file_is_private_and_a_folder_it_creates_too() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-folder").join("t.sqlite");
    drop(Store::open(&path).unwrap());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
}
