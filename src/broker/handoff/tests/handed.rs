//! Handoffs that leave the bot chat (redirects, channel posts) and the chat an agent may still
//! open behind them.

use super::*;

#[test]
fn redirects_and_posts_finish_the_step() {
    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let fx = run(
        &mut c,
        Input::Started(Ok(StartOutcome::Redirect {
            chat: false,
            url: "https://x/y".into(),
            via: Some("Vayusphere Bot".into()),
        })),
    );
    // The offer's other options, open while a brokered request waits, expire with the redirect.
    let texts = said(&fx);
    assert!(texts[0].ends_with("<Other help options Outlined Expired>"));
    assert_eq!(texts[1..], ["[Success] Redirecting to Vayusphere Bot....."]);
    assert_eq!(
        c.state(),
        &HandoffState::Redirected {
            url: "https://x/y".into()
        }
    );

    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let fx = run(
        &mut c,
        Input::Started(Ok(StartOutcome::Redirect {
            chat: false,
            url: "https://x/y?q=1".into(),
            via: None,
        })),
    );
    assert_eq!(said(&fx)[1..], ["[Success] Taking you to https://x/y?q=1"]);

    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let fx = run(
        &mut c,
        Input::Started(Ok(StartOutcome::Posted {
            chat: false,
            channel: "#it-help".into(),
        })),
    );
    assert!(said(&fx)[2].contains("I've posted your request in #it-help"));
    assert_eq!(
        c.state(),
        &HandoffState::Posted {
            channel: "#it-help".into()
        }
    );
}

/// A conversation redirected to the Vayusphere Bot, whose chat the broker relays.
fn handed() -> Conversation {
    let mut c = offered();
    press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let fx = run(
        &mut c,
        Input::Started(Ok(StartOutcome::Redirect {
            url: "https://x/y".into(),
            via: Some("Vayusphere Bot".into()),
            chat: true,
        })),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::ScheduleTimeout { generation: 1, .. })),
        "the fallback timeout runs while nobody has picked the request up: {fx:?}"
    );
    c
}

#[test]
fn a_redirect_with_a_relayed_chat_connects_when_an_agent_picks_it_up() {
    let mut c = handed();
    assert!(matches!(c.state(), HandoffState::Redirected { .. }));
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentJoined { agent: lisa(false) }),
    );
    assert_eq!(said(&fx), vec!["Your live agent chat has started!"]);
    assert!(matches!(c.state(), HandoffState::Connected { agent, .. } if agent == "Lisa"));
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentMessage {
            agent: lisa(true),
            text: "Hello".into(),
        }),
    );
    assert_eq!(said(&fx), vec!["Hello"]);
    let fx = text(&mut c, "It fails at login");
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Chat(ChatCommand::Text { text, .. }) if text == "It fails at login"
    )));
}

#[test]
fn a_redirect_nobody_picks_up_times_out_and_can_be_left() {
    let mut c = handed();
    let fx = run(&mut c, Input::Timeout { generation: 1 });
    assert!(fx.contains(&Effect::Chat(ChatCommand::Withdraw {
        reason: EndReason::Timeout
    })));
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::Timeout
        }
    );
    let mut c = handed();
    let fx = run(&mut c, Input::UserEnd);
    assert!(fx.contains(&Effect::Chat(ChatCommand::End)));
    assert_eq!(
        c.state(),
        &HandoffState::Ended {
            reason: EndReason::User
        }
    );
}
