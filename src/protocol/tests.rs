use super::*;
use serde_json::json;

#[test]
fn hello_decodes_with_defaults() {
    let msg = decode_client(r#"{"type":"hello","protocol":1,"role":"user"}"#).unwrap();
    assert_eq!(
        msg,
        ClientMsg::Hello {
            protocol: 1,
            role: ClientRole::User,
            client: None,
            conversation: None,
            user: None,
            agent: None,
            since: BTreeMap::new(),
            traces: false,
            token: None,
            resume: None,
            supervisor: false,
            platform: None,
            site: None,
        }
    );
}

#[test]
fn hello_carries_the_token_the_resume_secret_and_the_supervisor_capability() {
    let msg = decode_client(
        r#"{"type":"hello","protocol":1,"role":"agent","token":"t","resume":"r","supervisor":true}"#,
    )
    .unwrap();
    let ClientMsg::Hello {
        token,
        resume,
        supervisor,
        ..
    } = msg
    else {
        panic!("not a hello")
    };
    assert_eq!(
        (token.as_deref(), resume.as_deref(), supervisor),
        (Some("t"), Some("r"), true)
    );
    let err =
        decode_client(r#"{"type":"hello","protocol":1,"role":"agent","token":7}"#).unwrap_err();
    assert_eq!(err.code, ErrorCode::BadField);
    assert!(err.message.contains("string"), "{}", err.message);
}

#[test]
fn malformed_json_is_named() {
    let err = decode_client(r#"{"type":"say","#).unwrap_err();
    assert_eq!(err.code, ErrorCode::BadJson);
    assert!(err.message.starts_with("malformed JSON"), "{}", err.message);
}

#[test]
fn a_non_object_is_rejected() {
    let err = decode_client("[1,2]").unwrap_err();
    assert_eq!(err.code, ErrorCode::BadJson);
    assert_eq!(err.message, "expected a JSON object, got an array");
}

#[test]
fn unknown_type_keeps_the_request_id() {
    let err = decode_client(r#"{"type":"dance","id":"r7"}"#).unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownType);
    assert_eq!(err.id, Some(RequestId::from("r7")));
    assert!(err.message.contains("\"dance\""), "{}", err.message);
}

#[test]
fn a_missing_field_is_named() {
    let err = decode_client(r#"{"type":"say","id":"r1","conversation":"c-1"}"#).unwrap_err();
    assert_eq!(err.code, ErrorCode::BadField);
    assert_eq!(err.id, Some(RequestId::from("r1")));
    assert!(
        err.message.contains("missing field `text`"),
        "{}",
        err.message
    );
}

#[test]
fn unknown_fields_are_tolerated_on_the_wire() {
    let msg = decode_client(r#"{"type":"ping","id":"r2","extra":true}"#).unwrap();
    assert_eq!(msg.request_id(), Some(&RequestId::from("r2")));
}

#[test]
fn parts_keep_the_purple_chat_shape() {
    let parts = vec![
        Part::step(
            "<p>Determining appropriate live agent queue</p>",
            StepStatus::Success,
        ),
        Part::text("<p>Hi</p>"),
        Part::Buttons {
            buttons: vec![Button {
                button_text: "Start agent chat".into(),
                style: ButtonStyle::Filled,
                action: ButtonAction::StartAgentChat,
                state: ButtonState::Active,
            }],
        },
    ];
    assert_eq!(
        serde_json::to_value(&parts).unwrap(),
        json!([
            {"reasoningSteps": [{"richText": "<p>Determining appropriate live agent queue</p>", "status": "success"}]},
            {"richText": "<p>Hi</p>"},
            {"buttons": [{"buttonText": "Start agent chat", "style": "filled", "action": "start_agent_chat", "state": "active"}]}
        ])
    );
    let back: Vec<Part> = serde_json::from_value(serde_json::to_value(&parts).unwrap()).unwrap();
    assert_eq!(back, parts);
}

#[test]
fn button_actions_round_trip() {
    for action in [
        ButtonAction::StartAgentChat,
        ButtonAction::EditDetails,
        ButtonAction::OtherHelp,
        ButtonAction::Choice("Azure SQL Database".into()),
        ButtonAction::Open("https://help.example.com".into()),
    ] {
        let v = serde_json::to_value(&action).unwrap();
        assert_eq!(serde_json::from_value::<ButtonAction>(v).unwrap(), action);
    }
    assert!(serde_json::from_value::<ButtonAction>(json!("fly")).is_err());
}

#[test]
fn events_are_type_tagged_with_a_kind() {
    let msg = ServerMsg::Event {
        conversation: "c-1".into(),
        seq: 3,
        at: 1000,
        audience: Audience::User,
        event: ConversationEvent::State {
            state: HandoffState::Ended {
                reason: EndReason::Agent {
                    agent: "Lisa".into(),
                },
            },
        },
    };
    assert_eq!(
        serde_json::to_value(&msg).unwrap(),
        json!({"type": "event", "conversation": "c-1", "seq": 3, "at": 1000, "audience": "user",
               "event": {"kind": "state", "state": {"state": "ended", "reason": {"by": "agent", "agent": "Lisa"}}}})
    );
}

#[test]
fn audiences_reach_the_right_roles() {
    assert!(Audience::User.reaches(ClientRole::User));
    assert!(!Audience::User.reaches(ClientRole::Agent));
    assert!(Audience::Agent.reaches(ClientRole::Agent));
    assert!(!Audience::Agent.reaches(ClientRole::User));
    assert!(Audience::Both.reaches(ClientRole::User));
    for a in [Audience::User, Audience::Agent, Audience::Both] {
        assert!(a.reaches(ClientRole::Observer));
    }
}

/// A client frame as a JSON object: a known or unknown `type` and fields of any kind, names
/// sometimes repeated, text of any Unicode, sometimes cut short.
fn client_frame() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    use std::fmt::Write;
    let names = prop::sample::select(vec![
        "id",
        "conversation",
        "text",
        "on",
        "role",
        "protocol",
        "agent",
        "message",
        "action",
        "reason",
        "to",
        "presence",
        "name",
        "content_type",
        "data",
        "since",
    ]);
    let value = prop_oneof![
        any::<String>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<u32>().prop_map(serde_json::Value::from),
        prop::sample::select(vec!["user", "agent", "observer", "online"])
            .prop_map(serde_json::Value::from),
    ];
    let kind = prop_oneof![
        prop::sample::select(ClientMsg::TYPES.to_vec()).prop_map(str::to_owned),
        any::<String>(),
    ];
    let base = prop::option::of((any::<String>(), any::<String>(), any::<String>()));
    let fields = prop::collection::vec((names, value), 0..8);
    (kind, base, fields, any::<u16>()).prop_map(|(kind, base, fields, cut)| {
        let mut frame = format!("{{\"type\":{}", serde_json::Value::from(kind));
        // The fields most requests need, so that many frames are valid.
        if let Some((id, conversation, text)) = base {
            let [id, conversation, text] = [id, conversation, text].map(serde_json::Value::from);
            write!(
                frame,
                ",\"id\":{id},\"conversation\":{conversation},\"text\":{text}"
            )
            .expect("writing to a String");
        }
        for (name, value) in fields {
            write!(frame, ",\"{name}\":{value}").expect("writing to a String");
        }
        frame.push('}');
        if cut % 5 == 0 {
            let mut end = usize::from(cut) % (frame.len() + 1);
            while !frame.is_char_boundary(end) {
                end -= 1;
            }
            frame.truncate(end);
        }
        frame
    })
}

proptest::proptest! {
    #[test]
    fn decoding_in_one_pass_gives_what_the_checked_decode_gives(frame in client_frame()) {
        proptest::prop_assert_eq!(decode_client(&frame), super::decode::decode_checked(&frame));
    }
}

proptest::proptest! {
    /// A `say` of any text, its fields in any order, with or without a field of another kind:
    /// its own fast path reads it as the general decoder does.
    #[test]
    fn a_say_decodes_as_the_tagged_enum_decodes_it(
        id in proptest::prelude::any::<String>(),
        conversation in proptest::prelude::any::<String>(),
        text in proptest::prelude::any::<String>(),
        order in 0usize..6,
        extra in proptest::prelude::any::<bool>(),
    ) {
        use serde_json::Value;
        let mut fields = vec![
            format!("\"id\":{}", Value::from(id)),
            format!("\"conversation\":{}", Value::from(conversation)),
            format!("\"text\":{}", Value::from(text)),
        ];
        fields.rotate_left(order % 3);
        if order >= 3 {
            fields.swap(0, 1);
        }
        if extra {
            fields.push("\"client\":\"x\"".to_owned());
        }
        let frame = format!("{{\"type\":\"say\",{}}}", fields.join(","));
        let general: ClientMsg = serde_json::from_str(&frame).expect("a valid say");
        proptest::prop_assert_eq!(decode_client(&frame), Ok(general));
    }
}
