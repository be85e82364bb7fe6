//! Kept for a time to live, masked on disk: what the store promises about transcripts.

use super::ttl::{format_ttl, parse_ttl, purge_periodically};
use super::*;
use crate::clock::ManualClock;
use crate::protocol::{ChatMessage, MessageId, Part, Role};
use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;

const HOUR: u64 = 3_600_000;

fn said(text: &str) -> ConversationEvent {
    ConversationEvent::Message {
        message: ChatMessage {
            id: MessageId("m-1".into()),
            role: Role::User,
            agent: None,
            parts: vec![Part::text(text)],
            at: 0,
            request: None,
            translation: None,
        },
    }
}

/// A conversation `id` opened at `opened`, with one event at each of `events`.
fn put(store: &mut Store, id: &str, opened: Millis, events: &[Millis]) {
    let id = ConversationId::from(id);
    let mut ops = vec![writer::Op::Open {
        id: id.clone(),
        user: UserInfo::default(),
        at: opened,
    }];
    for (seq, &at) in (1..).zip(events) {
        ops.push(writer::Op::Event {
            conversation: id.clone(),
            seq,
            at,
            audience: Audience::Both,
            event: said("hello"),
        });
    }
    store.write(&ops).unwrap();
}

fn ids(store: &Store) -> Vec<String> {
    let all = store.conversations().unwrap();
    all.into_iter().map(|c| c.id.to_string()).collect()
}

#[test]
fn a_conversation_expires_a_ttl_after_its_last_event_not_its_opening() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.sqlite")).unwrap();
    let day = Duration::from_secs(86_400);
    put(&mut store, "c-old", 0, &[HOUR]);
    put(&mut store, "c-busy", 0, &[HOUR, 30 * HOUR]);
    put(&mut store, "c-quiet", 2 * HOUR, &[]);
    // A day after c-old's last event, to the millisecond: still kept.
    assert_eq!(store.purge(25 * HOUR, day).unwrap(), 0);
    assert_eq!(store.purge(25 * HOUR + 1, day).unwrap(), 1);
    assert_eq!(ids(&store), ["c-busy", "c-quiet"]);
    assert_eq!(
        store.purge(26 * HOUR + 1, day).unwrap(),
        1,
        "no events: from its opening"
    );
    assert_eq!(ids(&store), ["c-busy"]);
    let left: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 2, "the expired conversations' events went with them");
}

#[test]
fn an_event_of_an_expired_conversation_is_dropped_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.sqlite")).unwrap();
    put(&mut store, "c-1", 0, &[]);
    put(&mut store, "c-2", 5 * HOUR, &[]);
    assert_eq!(store.purge(2 * HOUR, Duration::from_secs(60)).unwrap(), 1);
    // The hub still holds c-1 in memory and goes on writing its events.
    let late = |conversation: &str| writer::Op::Event {
        conversation: conversation.into(),
        seq: 1,
        at: 6 * HOUR,
        audience: Audience::Both,
        event: said("still here?"),
    };
    store.write(&[late("c-1"), late("c-2")]).unwrap();
    assert_eq!(ids(&store), ["c-2"]);
    assert_eq!(
        store
            .conversation(&"c-2".into())
            .unwrap()
            .unwrap()
            .events
            .len(),
        1
    );
}

#[test]
fn personal_data_never_reaches_the_file_or_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let mut store = Store::open(&path).unwrap();
    let secret = "mail jo.doe@example.org, card 4111 1111 1111 1111, IBAN GB82WEST12345698765432";
    put(&mut store, "c-1", 1, &[]);
    store
        .write(&[writer::Op::Event {
            conversation: "c-1".into(),
            seq: 2,
            at: 2,
            audience: Audience::User,
            event: said(secret),
        }])
        .unwrap();
    let stored = store.conversation(&"c-1".into()).unwrap().unwrap();
    assert_eq!(
        stored.events.last().unwrap().event,
        said("mail [email], card [card], IBAN [iban]")
    );
    assert_eq!(stored.user.email.as_deref(), Some("[email]"));
    drop(store);
    for file in ["t.sqlite", "t.sqlite-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for piece in ["jo.doe@example.org", "4111 1111", "GB82WEST", "alex.kim@"] {
            assert!(!text.contains(piece), "{piece} is in {file}");
        }
    }
}

#[test]
fn structural_fields_keep_their_values() {
    let mut value = serde_json::json!({"url": "http://127.0.0.1:9/f", "id": "c-10.0.0.1", "text": "at 10.0.0.1"});
    masked::mask_json(&mut value);
    assert_eq!(
        value,
        serde_json::json!({"url": "http://127.0.0.1:9/f", "id": "c-10.0.0.1", "text": "at [ip]"})
    );
}

#[test]
fn ttls_read_and_print_as_a_number_and_a_unit() {
    assert_eq!(parse_ttl("1d"), Ok(Duration::from_secs(86_400)));
    assert_eq!(parse_ttl(" 90s "), Ok(Duration::from_secs(90)));
    assert_eq!(parse_ttl("30m"), Ok(Duration::from_secs(1800)));
    for bad in [
        "",
        "1",
        "d",
        "0s",
        "1w",
        "-1d",
        "367d",
        "1.5h",
        "99999999999999999999d",
    ] {
        assert!(parse_ttl(bad).is_err(), "{bad:?}");
    }
    for text in ["1d", "12h", "30m", "90s"] {
        assert_eq!(format_ttl(parse_ttl(text).unwrap()), text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_purge_follows_the_clock_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let mut store = Store::open(&path).unwrap();
    put(&mut store, "c-1", 0, &[1000]);
    let clock = Arc::new(ManualClock::new(Timestamp::from_millisecond(1000).unwrap()));
    let stop = tokio_util::sync::CancellationToken::new();
    let ttl = Duration::from_secs(1);
    let task = tokio::spawn(purge_periodically(
        path.clone(),
        ttl,
        clock.clone(),
        stop.clone(),
    ));
    // An hour later on the manual clock (no sleeping through the TTL), a purge deletes it.
    clock.advance(Duration::from_millis(HOUR));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !ids(&store).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "never purged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    task.await.unwrap();
}
