//! Beside the chat (issue 15): custom emoji and blank messages of agents (rule 4),
//! notifications for the user only (rule 5), agents' private notes (rule 9).

use super::*;
use crate::broker::handoff::notices::MAX_NOTIFICATIONS;
use crate::protocol::{Button, ButtonState, ButtonStyle};

fn agent_says(c: &mut Conversation, text: &str) -> Vec<Effect> {
    let event = ChatEvent::AgentMessage {
        agent: lisa(false),
        text: text.into(),
    };
    run(c, Input::Chat(event))
}

/// The audience of every message emitted.
fn audiences(fx: &[Effect]) -> Vec<Audience> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Emit(a, ConversationEvent::Message { .. }) => Some(*a),
            _ => None,
        })
        .collect()
}

fn notify(c: &mut Conversation, text: &str) -> Vec<Effect> {
    let buttons = vec![Button {
        button_text: "Read the policy".into(),
        style: ButtonStyle::Outlined,
        action: ButtonAction::Open("https://intranet.example.com/policy".into()),
        state: ButtonState::Active,
    }];
    run(
        c,
        Input::Notify {
            text: text.into(),
            buttons,
        },
    )
}

#[test]
fn an_agents_custom_emoji_are_stripped_and_standard_ones_kept() {
    let mut c = connected();
    let fx = agent_says(&mut c, "Fixed :partyparrot: :tada: <:blob:123> 👍");
    assert_eq!(said(&fx), vec!["Fixed 🎉 👍"]);
}

#[test]
fn an_agent_message_of_only_custom_emoji_or_whitespace_is_not_sent() {
    let mut c = connected();
    assert!(agent_says(&mut c, ":partyparrot: (custom)").is_empty());
    assert!(agent_says(&mut c, " \t\n").is_empty());
}

#[test]
fn a_private_note_reaches_agents_only_and_never_the_system() {
    let mut c = connected();
    let fx = run(
        &mut c,
        Input::AgentNote {
            agent: "Lisa".into(),
            text: "User sounds upset, go gently".into(),
        },
    );
    assert_eq!(said(&fx), vec!["User sounds upset, go gently"]);
    assert_eq!(audiences(&fx), vec![Audience::Agent]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Chat(_))), "{fx:?}");
}

#[test]
fn a_note_needs_a_live_chat_the_agent_is_in() {
    let note = |who: &str| Input::AgentNote {
        agent: who.into(),
        text: "psst".into(),
    };
    let mut c = connected();
    let refusal = c.handle(note("Sam"), NOW).unwrap_err();
    assert!(refusal.0.contains("Sam is not in a live chat"), "{refusal}");
    let mut w = waiting();
    assert!(w.handle(note("Lisa"), NOW).is_err());
}

#[test]
fn a_notification_reaches_the_user_only_with_buttons_active_outside_a_chat() {
    let mut c = conversation();
    let fx = notify(&mut c, "Password expiry on Friday");
    assert_eq!(audiences(&fx), vec![Audience::User]);
    assert_eq!(
        said(&fx),
        vec!["Password expiry on Friday | <Read the policy Outlined Active>"]
    );
}

#[test]
fn during_a_live_chat_a_notifications_buttons_wait_for_its_end() {
    let mut c = connected();
    let fx = notify(&mut c, "Password expiry on Friday");
    assert_eq!(audiences(&fx), vec![Audience::User]);
    assert!(said(&fx)[0].ends_with("<Read the policy Outlined Disabled>"));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Chat(_))),
        "never the agent"
    );
    let id = c.notifications[0].id.clone();
    let open = ButtonAction::Open("https://intranet.example.com/policy".into());
    let press = |c: &mut Conversation| {
        c.handle(
            Input::Press {
                message: id.clone(),
                action: open.clone(),
            },
            NOW,
        )
    };
    assert!(press(&mut c).is_err(), "disabled while the chat lasts");
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::Ended {
            reason: EndReason::Agent {
                agent: "Lisa".into(),
            },
        }),
    );
    assert!(
        said(&fx)
            .iter()
            .any(|s| s.ends_with("<Read the policy Outlined Active>")),
        "{:?}",
        said(&fx)
    );
    let fx = press(&mut c).expect("enabled after the chat");
    assert!(said(&fx)[0].ends_with("<Read the policy Outlined Pressed>"));
}

#[test]
fn notifications_already_shown_wait_when_a_chat_begins() {
    let mut c = waiting();
    notify(&mut c, "Maintenance tonight");
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::AgentJoined { agent: lisa(false) }),
    );
    assert!(
        said(&fx)
            .iter()
            .any(|s| s.ends_with("<Read the policy Outlined Disabled>")),
        "{:?}",
        said(&fx)
    );
}

#[test]
fn past_the_bound_the_oldest_notifications_buttons_expire() {
    let mut c = conversation();
    for i in 0..MAX_NOTIFICATIONS {
        notify(&mut c, &format!("notice {i}"));
    }
    let fx = notify(&mut c, "one too many");
    assert_eq!(c.notifications.len(), MAX_NOTIFICATIONS);
    assert_eq!(
        said(&fx),
        vec![
            "notice 0 | <Read the policy Outlined Expired>",
            "one too many | <Read the policy Outlined Active>"
        ]
    );
}

#[test]
fn notifications_stay_out_of_the_history_an_agent_is_given() {
    let mut c = conversation();
    notify(&mut c, "Quarterly survey");
    assert!(c.history.iter().all(|(_, l)| !l.text.contains("survey")));
}

#[test]
fn after_a_restart_a_held_notification_is_pressable_again_and_offers_expire() {
    let mut c = connected();
    let mut log: Vec<(Audience, ConversationEvent)> = Vec::new();
    let mut keep = |fx: Vec<Effect>| {
        log.extend(fx.into_iter().filter_map(|e| match e {
            Effect::Emit(audience, event) => Some((audience, event)),
            _ => None,
        }));
    };
    keep(notify(&mut c, "Password expiry on Friday"));
    let id = c.notifications[0].id.clone();
    let settings = settings(HandoffStyle::Brokered, false);
    let (mut back, fx) = Conversation::restore(
        "c-1".into(),
        UserInfo::default(),
        settings,
        &log,
        NOW,
        false,
    );
    assert!(
        said(&fx)
            .iter()
            .any(|s| s == "Password expiry on Friday | <Read the policy Outlined Active>"),
        "{:?}",
        said(&fx)
    );
    let open = ButtonAction::Open("https://intranet.example.com/policy".into());
    let fx = back
        .handle(
            Input::Press {
                message: id,
                action: open,
            },
            NOW,
        )
        .expect("pressable after the restart");
    assert!(said(&fx)[0].ends_with("<Read the policy Outlined Pressed>"));
}

#[test]
fn a_live_chat_kept_across_a_restart_keeps_its_notifications_waiting() {
    let mut c = connected();
    let mut log = vec![(
        Audience::Both,
        ConversationEvent::State {
            state: c.state.clone(),
        },
    )];
    log.extend(
        notify(&mut c, "Password expiry on Friday")
            .into_iter()
            .filter_map(|e| match e {
                Effect::Emit(audience, event) => Some((audience, event)),
                _ => None,
            }),
    );
    let id = c.notifications[0].id.clone();
    let settings = settings(HandoffStyle::Brokered, false);
    let (mut back, fx) =
        Conversation::restore("c-1".into(), UserInfo::default(), settings, &log, NOW, true);
    assert!(back.is_connected());
    assert!(said(&fx).is_empty(), "nothing changed: {:?}", said(&fx));
    let open = ButtonAction::Open("https://intranet.example.com/policy".into());
    let press = Input::Press {
        message: id,
        action: open,
    };
    assert!(back.handle(press.clone(), NOW).is_err(), "still waiting");
    let ended = ChatEvent::Ended {
        reason: EndReason::Agent {
            agent: "Lisa".into(),
        },
    };
    let fx = run(&mut back, Input::Chat(ended));
    assert!(
        said(&fx)
            .iter()
            .any(|s| s.ends_with("<Read the policy Outlined Active>")),
        "{:?}",
        said(&fx)
    );
    let fx = back
        .handle(press, NOW)
        .expect("pressable once the chat ended");
    assert!(said(&fx)[0].ends_with("<Read the policy Outlined Pressed>"));
}
