//! The queue and the live chat: waiting, ringing, the agent joining and talking, either side
//! ending it, the fallback timeout and the system failing.

use super::*;

#[test]
fn a_live_chat_queues_with_the_fallback_deadline() {
    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let fx = run(&mut c, Input::Started(Ok(StartOutcome::Chat)));
    assert_eq!(
        c.state(),
        &HandoffState::Queued {
            since: NOW,
            deadline: NOW + 120_000,
            position: None,
            eta_secs: None
        }
    );
    assert!(fx.contains(&Effect::ScheduleTimeout {
        at: NOW + 120_000,
        generation: 1
    }));
}

#[test]
fn queue_position_and_ringing_update_the_state() {
    let mut c = waiting();
    run(
        &mut c,
        Input::Chat(ChatEvent::Queued {
            position: Some(2),
            eta_secs: Some(30),
        }),
    );
    assert!(matches!(
        c.state(),
        HandoffState::Queued {
            position: Some(2),
            eta_secs: Some(30),
            ..
        }
    ));
    run(
        &mut c,
        Input::Chat(ChatEvent::Ringing {
            agent: "Lisa".into(),
        }),
    );
    assert!(matches!(c.state(), HandoffState::Ringing { agent, .. } if agent == "Lisa"));
}

#[test]
fn the_agent_joining_connects_and_finishes_the_step() {
    let mut c = waiting();
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentJoined { agent: lisa(false) }),
    );
    let texts = said(&fx);
    assert_eq!(
        texts[0],
        "[Success] Connecting you with a Live Agent | Your live agent chat has started!"
    );
    // The options that stayed open while waiting expire with the wait.
    assert!(texts[1].ends_with(
        "<Start agent chat Filled Pressed> <Edit / Add details Outlined Expired> \
         <Other help options Outlined Expired>"
    ));
    assert_eq!(texts.len(), 2);
    assert_eq!(
        c.state(),
        &HandoffState::Connected {
            agent: "Lisa".into(),
            since: NOW,
            with: vec![],
        }
    );
}

#[test]
fn with_the_avatar_off_agent_messages_reach_the_user_without_the_profile_picture() {
    let pictured = AgentInfo {
        avatar: Some("https://desk.example.com/avatars/Lisa.png".into()),
        ..lisa(false)
    };
    for (shown, avatar) in [(true, pictured.avatar.clone()), (false, None)] {
        let mut c = connected();
        c.settings.assistant = Arc::new(AssistantConfig {
            agent_avatar: shown,
            ..AssistantConfig::default()
        });
        let fx = run(
            &mut c,
            Input::Chat(ChatEvent::AgentMessage {
                agent: pictured.clone(),
                text: "Hi".into(),
            }),
        );
        let Effect::Emit(_, ConversationEvent::Message { message }) = &fx[0] else {
            panic!("{fx:?}")
        };
        let agent = message.agent.as_ref().unwrap();
        assert_eq!((agent.name.as_str(), &agent.avatar), ("Lisa", &avatar));
    }
}

#[test]
fn agent_messages_reach_both_sides_with_attribution() {
    let mut c = connected();
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentMessage {
            agent: lisa(true),
            text: "Hello <there>".into(),
        }),
    );
    let Effect::Emit(audience, ConversationEvent::Message { message }) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(*audience, Audience::Both);
    assert_eq!(message.role, Role::Agent);
    assert_eq!(message.agent, Some(lisa(true)));
    assert_eq!(said(&fx), vec!["Hello <there>"]);
}

#[test]
fn while_connected_user_text_goes_to_the_agent() {
    let mut c = connected();
    let fx = text(&mut c, "The error is 0x80004005");
    assert!(matches!(
        &fx[0],
        Effect::Emit(Audience::Both, ConversationEvent::Message { .. })
    ));
    assert!(
        matches!(&fx[1], Effect::Chat(ChatCommand::Text { text, .. }) if text == "The error is 0x80004005")
    );
}

#[test]
fn stop_chat_ends_a_live_chat_from_the_user_side() {
    let mut c = connected();
    let fx = text(&mut c, "Stop chat");
    assert!(fx.contains(&Effect::Chat(ChatCommand::End)));
    assert!(fx.contains(&Effect::CloseChat));
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::User
        }
    );
}

#[test]
fn the_stop_chat_keyword_is_not_shown_to_the_agent() {
    let mut c = connected();
    let fx = text(&mut c, "stop chat");
    assert!(
        matches!(&fx[0], Effect::Emit(Audience::User, ConversationEvent::Message { message }) if message.role == Role::User)
    );
}

#[test]
fn the_end_request_works_like_stop_chat_and_is_refused_outside_a_chat() {
    let mut c = connected();
    run(&mut c, Input::UserEnd);
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::User
        }
    );
    assert!(
        c.handle(Input::UserEnd, NOW)
            .unwrap_err()
            .0
            .contains("no live chat to end")
    );
}

#[test]
fn the_agent_ending_the_chat_hands_back_to_the_assistant() {
    let mut c = connected();
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::Ended {
            reason: EndReason::Agent {
                agent: "Lisa".into(),
            },
        }),
    );
    assert_eq!(said(&fx), vec!["Lisa ended the chat."]);
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::Agent {
                agent: "Lisa".into()
            }
        }
    );
    // Back with the assistant: a new request starts over.
    let fx = text(&mut c, "I'd like to speak to a live agent");
    assert_eq!(states(&fx), vec!["collecting details"]);
}

#[test]
fn the_fallback_timeout_takes_the_user_out_of_the_queue() {
    let mut c = waiting();
    let fx = run(&mut c, Input::Timeout { generation: 1 });
    // The desk is told the real reason: the broker withdrew the request, the user did not.
    assert!(fx.contains(&Effect::Chat(ChatCommand::Withdraw {
        reason: EndReason::Timeout
    })));
    assert!(!fx.contains(&Effect::Chat(ChatCommand::End)));
    assert!(
        said(&fx)
            .iter()
            .any(|t| t.contains("[Failure] Connecting you with a Live Agent"))
    );
    assert!(said(&fx).iter().any(|t| t.contains("within 2:00")));
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::Timeout
        }
    );
}

#[test]
fn a_stale_timeout_is_ignored() {
    let mut c = connected();
    assert!(run(&mut c, Input::Timeout { generation: 1 }).is_empty());
    assert!(c.is_connected());
}

#[test]
fn no_agent_from_the_system_ends_the_wait_with_the_reason() {
    let mut c = waiting();
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::Ended {
            reason: EndReason::NoAgent {
                reason: Some("every available agent declined".into()),
            },
        }),
    );
    assert!(said(&fx).iter().any(|t| {
        t.contains("no agent could take your chat right now: every available agent declined")
    }));
    assert!(matches!(
        c.state(),
        HandoffState::Ended {
            reason: EndReason::NoAgent { .. }
        }
    ));
}

#[test]
fn a_system_failure_keeps_the_request_and_offers_the_buttons_again() {
    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let fx = run(
        &mut c,
        Input::Started(Err("8x8: create conversation failed with HTTP 500".into())),
    );
    assert_eq!(states(&fx), vec!["ended", "offered"]);
    assert!(
        said(&fx)
            .iter()
            .any(|t| t.contains("couldn't reach the live agent system"))
    );
    assert!(
        press(&mut c, ButtonAction::StartAgentChat).is_ok(),
        "the user can retry"
    );
}

#[test]
fn an_agents_file_reaches_a_teams_user_but_not_a_slack_user_and_both_sides_are_told() {
    use crate::broker::platform::Scope;
    use crate::protocol::{Attachment, Platform};
    let file = Attachment {
        name: "fix.ps1".into(),
        content_type: "text/plain".into(),
        size: Some(12),
        url: Some("https://files.example/fix.ps1".into()),
    };
    let agent_file = || {
        Input::Chat(ChatEvent::AgentFile {
            agent: lisa(false),
            file: file.clone(),
        })
    };
    let mut c = connected();
    c.scope = Scope::new(Platform::Teams, None);
    let fx = run(&mut c, agent_file());
    let Effect::Emit(Audience::Both, ConversationEvent::Message { message }) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(
        message.parts,
        vec![Part::Attachment {
            attachment: file.clone()
        }]
    );

    c.scope = Scope::new(Platform::Slack, None);
    let fx = run(&mut c, agent_file());
    let Effect::Emit(Audience::Both, ConversationEvent::Message { message }) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(message.role, Role::System);
    assert_eq!(
        said(&fx),
        vec!["Lisa sent fix.ps1, which was not delivered: Slack chats take no attachments."]
    );
}

#[test]
fn the_request_tells_the_system_the_users_platform_and_site() {
    use crate::broker::platform::Scope;
    use crate::protocol::Platform;
    let mut c = offered();
    c.scope = Scope::new(Platform::Web, Some("intranet".into()));
    let fx = press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let request = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartHandoff(request) => Some(request),
            _ => None,
        })
        .expect("the handoff starts");
    assert_eq!(request.context["platform"], "web");
    assert_eq!(request.context["site"], "intranet");
}
