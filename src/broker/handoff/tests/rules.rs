//! The brokering rules the lifecycle owns: when "Start agent chat" is shown (system, business
//! hours, always), the options again after a timeout or a reject, and the full assistant while
//! queued.

use super::*;
use crate::broker::hours::ButtonMode;

const PACIFIC: &str = "Mon-Fri 08:00-17:00 America/Los_Angeles except 2026-12-25";

/// The instant of a Pacific wall-clock time, in [`Millis`].
fn pacific(local: &str) -> Millis {
    let civil: jiff::civil::DateTime = local.parse().unwrap();
    let zone = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let ms = civil.to_zoned(zone).unwrap().timestamp().as_millisecond();
    Millis::try_from(ms).unwrap()
}

/// A brokered conversation whose start button follows `mode`.
fn with_mode(mode: &str) -> Conversation {
    let mut settings = settings(HandoffStyle::Brokered, false);
    settings.assistant = Arc::new(AssistantConfig {
        start_button: mode.parse::<ButtonMode>().unwrap(),
        ..AssistantConfig::default()
    });
    Conversation::new("c-1".into(), UserInfo::default(), settings)
}

/// Asks for an agent about a SQL database at `at`.
fn ask_at(c: &mut Conversation, at: Millis) -> Vec<Effect> {
    let ask = "I'd like an agent: my SQL database rejects every query";
    c.handle(Input::UserText(ask.into()), at).unwrap()
}

fn has_start_button(c: &Conversation) -> bool {
    let offer = c.offer.as_ref().expect("an offer");
    offer.parts.iter().any(|p| match p {
        Part::Buttons { buttons } => buttons
            .iter()
            .any(|b| b.action == ButtonAction::StartAgentChat),
        _ => false,
    })
}

// Rule 1: button modes.

#[test]
fn outside_business_hours_the_button_is_hidden_and_the_assistant_says_when_agents_are_in() {
    let mut c = with_mode(PACIFIC);
    // Saturday noon in Los Angeles.
    let fx = ask_at(&mut c, pacific("2026-12-05T12:00"));
    assert!(
        !fx.contains(&Effect::CheckAvailability),
        "the schedule decides, not the system"
    );
    let offer = said(&fx).pop().unwrap();
    assert!(
        offer.contains(
            "Live agents are available Monday\u{2013}Friday, 8:00\u{2013}17:00 America/Los_Angeles."
        ),
        "{offer}"
    );
    assert!(
        offer.ends_with(
            "| <Edit / Add details Outlined Active> <Other help options Outlined Active>"
        ),
        "{offer}"
    );
    assert!(!has_start_button(&c));
    assert!(matches!(
        c.state(),
        HandoffState::Offered {
            available: false,
            ..
        }
    ));
    // The other options work.
    assert!(press(&mut c, ButtonAction::OtherHelp).is_ok());
    assert!(press(&mut c, ButtonAction::StartAgentChat).is_err());
}

#[test]
fn on_a_holiday_the_assistant_says_it_is_one() {
    let mut c = with_mode(PACIFIC);
    let fx = ask_at(&mut c, pacific("2026-12-25T10:00"));
    let offer = said(&fx).pop().unwrap();
    assert!(
        offer.contains("Today (2026-12-25) is a holiday."),
        "{offer}"
    );
    assert!(!has_start_button(&c));
}

#[test]
fn inside_business_hours_the_button_is_shown_without_asking_the_system() {
    let mut c = with_mode(PACIFIC);
    let fx = ask_at(&mut c, pacific("2026-12-03T09:15"));
    assert!(!fx.contains(&Effect::CheckAvailability));
    assert!(has_start_button(&c));
    assert!(press(&mut c, ButtonAction::StartAgentChat).is_ok());
    assert_eq!(c.state(), &HandoffState::Connecting);
}

#[test]
fn always_shows_the_button_and_system_asks_the_system() {
    let mut c = with_mode("always");
    let fx = ask_at(&mut c, NOW);
    assert!(!fx.contains(&Effect::CheckAvailability));
    assert!(has_start_button(&c));

    let mut c = with_mode("system");
    let fx = ask_at(&mut c, NOW);
    assert!(fx.contains(&Effect::CheckAvailability));
    run(&mut c, Input::Availability(Availability::Unavailable));
    assert!(!has_start_button(&c), "hidden, not disabled");
}

// Rule 2: the options again after a timeout or a reject.

/// Queued with `mode`, asked at `at`.
fn queued_at(mode: &str, at: Millis) -> Conversation {
    let mut c = with_mode(mode);
    ask_at(&mut c, at);
    let message = offer_id(&c);
    let action = ButtonAction::StartAgentChat;
    c.handle(Input::Press { message, action }, at).unwrap();
    c.handle(Input::Started(Ok(StartOutcome::Chat)), at)
        .unwrap();
    c
}

#[test]
fn after_the_fallback_timeout_the_user_is_told_and_gets_the_buttons_again() {
    let mut c = waiting();
    let fx = run(&mut c, Input::Timeout { generation: 1 });
    assert!(said(&fx).iter().any(|t| t.contains("within 2:00")));
    // The system decides the button again, as for a new request.
    assert!(fx.contains(&Effect::CheckAvailability));
    let fx = run(&mut c, Input::Availability(Availability::Available(1)));
    assert_eq!(
        said(&fx),
        vec![
            "What would you like to do next? | <Start agent chat Filled Active> \
             <Edit / Add details Outlined Active> <Other help options Outlined Active>"
        ]
    );
    assert_eq!(states(&fx), vec!["offered"]);
    // Pressing it places the same request again.
    let fx = press(&mut c, ButtonAction::StartAgentChat).unwrap();
    let request = fx.iter().find_map(|e| match e {
        Effect::StartHandoff(request) => Some(request.title.clone()),
        _ => None,
    });
    assert_eq!(
        request.as_deref(),
        Some("I'm running into a strange issue with a SQL database that I'm using.")
    );
}

#[test]
fn a_reject_is_told_with_the_agents_reason_and_the_buttons_come_back() {
    let mut c = queued_at("always", NOW);
    let reason = "every available agent declined; Lisa said \"on a call\"".to_owned();
    let fx = run(
        &mut c,
        Input::Chat(ChatEvent::Ended {
            reason: EndReason::NoAgent {
                reason: Some(reason),
            },
        }),
    );
    let texts = said(&fx);
    assert!(
        texts.iter().any(|t| t.contains(
            "no agent could take your chat right now: every available agent declined; \
             Lisa said \"on a call\""
        )),
        "{texts:#?}"
    );
    assert!(
        texts
            .last()
            .unwrap()
            .contains("<Start agent chat Filled Active>")
    );
    assert_eq!(states(&fx), vec!["ended", "offered"]);
}

#[test]
fn after_a_timeout_outside_business_hours_the_options_come_back_without_the_button() {
    // Queued at 16:59; the system's timeout arrives after closing.
    let mut c = queued_at(PACIFIC, pacific("2026-12-03T16:59"));
    let fx = c
        .handle(
            Input::Chat(ChatEvent::Ended {
                reason: EndReason::Timeout,
            }),
            pacific("2026-12-03T17:01"),
        )
        .unwrap();
    let offer = said(&fx).pop().unwrap();
    assert!(offer.contains("Live agents are available"), "{offer}");
    assert!(!has_start_button(&c));
}

// Rule 3: queued, not blocked.

#[test]
fn while_queued_the_other_options_stay_on_offer_as_buttons() {
    let mut c = offered();
    let fx = press(&mut c, ButtonAction::StartAgentChat).unwrap();
    assert!(said(&fx)[0].ends_with(
        "<Start agent chat Filled Pressed> <Edit / Add details Outlined Active> \
         <Other help options Outlined Active>"
    ));
    assert!(
        press(&mut c, ButtonAction::EditDetails).is_err(),
        "not before the request is queued"
    );
    run(&mut c, Input::Started(Ok(StartOutcome::Chat)));
    assert!(press(&mut c, ButtonAction::OtherHelp).is_ok());
    assert!(matches!(c.state(), HandoffState::Queued { .. }));
}

#[test]
fn questions_while_queued_are_answered_and_the_place_is_kept() {
    let mut c = waiting();
    run(
        &mut c,
        Input::Chat(ChatEvent::Queued {
            position: Some(2),
            eta_secs: None,
        }),
    );
    let fx = c
        .handle(
            Input::UserText("how do I reset my email password?".into()),
            NOW + 42_000,
        )
        .unwrap();
    let answer = said(&fx).pop().unwrap();
    assert!(
        answer.contains("For Password / Account, the knowledge base may already have the answer"),
        "{answer}"
    );
    assert!(
        answer.contains("still in the queue (waiting 0:42)"),
        "{answer}"
    );
    assert!(!answer.contains("can't answer"), "{answer}");
    assert!(matches!(
        c.state(),
        HandoffState::Queued {
            position: Some(2),
            ..
        }
    ));
}

#[test]
fn details_edited_while_queued_reach_the_request_the_desk_sees() {
    let mut c = waiting();
    let fx = press(&mut c, ButtonAction::EditDetails).unwrap();
    assert!(said(&fx).iter().any(|t| t.contains("You keep your place")));
    let fx = text(&mut c, "It's error 18456 on the prod server.");
    let update = fx.iter().find_map(|e| match e {
        Effect::Emit(
            Audience::Agent,
            ConversationEvent::Request {
                title,
                topic,
                queued_at,
                ..
            },
        ) => Some((title.clone(), topic.clone(), *queued_at)),
        _ => None,
    });
    assert_eq!(
        update,
        Some((
            "I'm running into a strange issue with a SQL database that I'm using. \
             It's error 18456 on the prod server."
                .to_owned(),
            "SQL Database".to_owned(),
            NOW
        ))
    );
    // The system hears the added details as a message on the waiting chat.
    let to_system: Vec<&ChatCommand> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Chat(command) => Some(command),
            _ => None,
        })
        .collect();
    assert!(
        matches!(to_system.as_slice(), [ChatCommand::Text { text, .. }]
            if text == "Details added while waiting: It's error 18456 on the prod server."),
        "{to_system:?}"
    );
    assert!(
        said(&fx)
            .iter()
            .any(|t| t.contains("added that to your request"))
    );
    assert!(
        said(&fx)
            .last()
            .unwrap()
            .contains("<Edit / Add details Outlined Active>"),
        "details can be added again"
    );
    assert!(matches!(c.state(), HandoffState::Queued { .. }));
    // The next text is a question again, not another edit.
    let fx = text(&mut c, "thanks");
    assert!(!fx.iter().any(|e| matches!(
        e,
        Effect::Emit(Audience::Agent, ConversationEvent::Request { .. })
    )));
}

#[test]
fn details_that_would_pass_the_title_bound_are_refused_and_the_request_stays() {
    let mut c = waiting();
    press(&mut c, ButtonAction::EditDetails).unwrap();
    let long = "x".repeat(super::super::queued::MAX_TITLE_CHARS);
    let fx = text(&mut c, &long);
    assert!(
        said(&fx)
            .iter()
            .any(|t| t.contains("longer than 4000 characters"))
    );
    assert!(!fx.iter().any(|e| matches!(
        e,
        Effect::Emit(Audience::Agent, ConversationEvent::Request { .. })
    )));
    assert_eq!(
        c.private.route.as_ref().unwrap().title,
        "I'm running into a strange issue with a SQL database that I'm using."
    );
}
