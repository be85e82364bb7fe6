//! Every JSON example of the protocol document decodes as the message it shows, and survives a
//! round trip: the document cannot drift from the types.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used)]

mod doc_support;

use handoff::protocol::{ClientMsg, ServerMsg, decode_client};

fn examples() -> Vec<String> {
    doc_support::code_blocks("src/protocol/README.md", "json")
}

#[test]
fn every_example_is_a_valid_message() {
    let blocks = examples();
    assert!(
        blocks.len() >= 25,
        "expected an example of every message, found {}",
        blocks.len()
    );
    let (mut client, mut server) = (0, 0);
    for block in &blocks {
        if let Ok(msg) = decode_client(block) {
            let back: ClientMsg =
                serde_json::from_value(serde_json::to_value(&msg).unwrap()).unwrap();
            assert_eq!(back, msg);
            client += 1;
        } else {
            let msg: ServerMsg = serde_json::from_str(block)
                .unwrap_or_else(|e| panic!("not a protocol message ({e}):\n{block}"));
            let back: ServerMsg =
                serde_json::from_value(serde_json::to_value(&msg).unwrap()).unwrap();
            assert_eq!(back, msg);
            server += 1;
        }
    }
    // Every client message type is shown.
    for t in ClientMsg::TYPES {
        assert!(
            blocks
                .iter()
                .any(|b| b.contains(&format!("\"type\": \"{t}\""))),
            "no example of `{t}`"
        );
    }
    for kind in [
        "opened",
        "message",
        "state",
        "typing",
        "request",
        "offered",
        "rejected",
        "withdrawn",
        "assigned",
        "chat_ended",
        "invited",
        "invite_declined",
    ] {
        assert!(
            blocks
                .iter()
                .any(|b| b.contains(&format!("\"kind\": \"{kind}\""))),
            "no example of event `{kind}`"
        );
    }
    assert!(
        client >= 11 && server >= 10,
        "client {client}, server {server}"
    );
}
