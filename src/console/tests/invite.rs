//! Invitations in the inbox (issue 15, rule 9): `i` asks whom to invite and sends `invite`;
//! the invitee sees the invitation and accepts or declines it; the inviter hears a decline.

use super::*;

/// The request of `offered()` on the desk as a live chat of `agents`, this console acting as
/// `me`, the desk's agents listed.
fn live_chat(me: &str, agents: &[&str]) -> App {
    let mut app = offered();
    app.inbox.agent = Some(me.into());
    app.inbox.desk = vec![
        desk_agent("Lisa", Presence::Available, 1),
        desk_agent("Sam", Presence::Away, 0),
        desk_agent("Marco", Presence::Offline, 0),
    ];
    event(&mut app, Side::Agent, 7, request());
    event(
        &mut app,
        Side::Agent,
        8,
        ConversationEvent::Assigned {
            agent: agents[agents.len() - 1].into(),
            agents: agents.iter().map(|a| (*a).to_owned()).collect(),
        },
    );
    app.focus = Focus::Inbox;
    app
}

fn last_notice(app: &App) -> &str {
    app.notices.back().map_or("", |n| n.text.as_str())
}

fn invited(app: &mut App, seq: u64, agent: &str) {
    let invitation = ConversationEvent::Invited {
        agent: agent.into(),
        by: "Lisa".into(),
    };
    event(app, Side::Agent, seq, invitation);
}

#[test]
fn i_on_your_live_chat_asks_whom_to_invite_suggesting_an_agent_at_the_desk() {
    let mut app = live_chat("Lisa", &["Lisa"]);
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("[ Invite agent (i) ]"), "{text}");
    assert!(update(&mut app, key(KeyCode::Char('i'))).is_empty());
    assert_eq!(app.focus, Focus::Reply);
    // Sam is away but at the desk; Marco is offline and is not suggested.
    assert_eq!(app.inbox.composer.lines(), ["Sam"]);
    let (text, _) = screen(&app, 160, 48);
    assert!(
        text.contains("Invite into this chat (Esc cancels)"),
        "{text}"
    );
    let cmds = update(&mut app, key(KeyCode::Enter));
    let [
        Command::Send {
            side: Side::Agent,
            msg:
                ClientMsg::Invite {
                    id,
                    conversation,
                    agent,
                },
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!((conversation.as_str(), agent.as_str()), ("c-1", "Sam"));
    ack(&mut app, Side::Agent, id);
    assert_eq!(last_notice(&app), "Invited Sam: waiting for their answer");
    invited(&mut app, 9, "Sam");
    let (text, _) = screen(&app, 160, 48);
    assert!(
        text.contains("Lisa invited Sam · waiting for an answer"),
        "{text}"
    );
}

#[test]
fn the_invitee_sees_the_invitation_and_accepts_it_with_a() {
    let mut app = live_chat("Sam", &["Lisa"]);
    invited(&mut app, 9, "Sam");
    assert_eq!(
        last_notice(&app),
        "Lisa invites you to a live chat: a accepts, r declines"
    );
    let (text, _) = screen(&app, 160, 48);
    assert!(text.contains("Lisa invites you to join"), "{text}");
    assert!(text.contains("✉ invited"), "{text}");
    assert!(text.contains("[ Accept (a) ] [ Reject (r) ]"), "{text}");
    let cmds = update(&mut app, key(KeyCode::Char('a')));
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Send {
                msg: ClientMsg::Accept { .. },
                ..
            }]
        ),
        "{cmds:?}"
    );
    // Sam joined: the invitation is used up and the chat is Sam's too.
    event(
        &mut app,
        Side::Agent,
        10,
        ConversationEvent::Assigned {
            agent: "Sam".into(),
            agents: vec!["Lisa".into(), "Sam".into()],
        },
    );
    let chat = &app.inbox.chats[0];
    assert!(chat.invited.is_empty());
    assert!(chat.is_in("Sam"));
}

#[test]
fn the_invitee_declines_with_r_and_the_inviter_is_told_why() {
    let mut sam = live_chat("Sam", &["Lisa"]);
    invited(&mut sam, 9, "Sam");
    update(&mut sam, key(KeyCode::Char('r')));
    assert!(sam.inbox.composer.is_empty());
    typed(&mut sam, "on a call");
    let cmds = update(&mut sam, key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::Send { msg: ClientMsg::Reject { reason, .. }, .. }] if reason == "on a call"),
        "{cmds:?}"
    );

    let mut lisa = live_chat("Lisa", &["Lisa"]);
    invited(&mut lisa, 9, "Sam");
    let declined = ConversationEvent::InviteDeclined {
        agent: "Sam".into(),
        by: "Lisa".into(),
        reason: "on a call".into(),
    };
    event(&mut lisa, Side::Agent, 10, declined);
    assert_eq!(
        last_notice(&lisa),
        "Sam declined your invitation: on a call"
    );
    let (text, _) = screen(&lisa, 160, 48);
    assert!(
        text.contains("Sam declined Lisa's invitation: on a call"),
        "{text}"
    );
    assert!(lisa.inbox.chats[0].invited.is_empty());
}

#[test]
fn an_agent_not_in_the_chat_cannot_invite_and_is_told_who_can() {
    let mut app = live_chat("Sam", &["Lisa"]);
    assert!(update(&mut app, key(KeyCode::Char('i'))).is_empty());
    assert_eq!(app.focus, Focus::Inbox);
    assert_eq!(
        last_notice(&app),
        "Only Lisa, who has this chat, can invite anyone to it"
    );
}

#[test]
fn the_palette_invites_into_the_selected_live_chat() {
    let mut app = live_chat("Lisa", &["Lisa"]);
    update(&mut app, ctrl('p'));
    typed(&mut app, "invite");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.focus, Focus::Reply);
    assert_eq!(app.inbox.composer.lines(), ["Sam"]);
}

proptest::proptest! {
    #[test]
    fn invitations_naming_any_unicode_agent_draw_without_control_characters(
        agent in "(\\PC|\\pC| ){0,24}",
        reason in "(\\PC|\\pC| ){0,40}",
    ) {
        let mut app = live_chat("Lisa", &["Lisa"]);
        let invitation = ConversationEvent::Invited { agent: agent.clone(), by: "Lisa".into() };
        event(&mut app, Side::Agent, 9, invitation);
        let declined = ConversationEvent::InviteDeclined {
            agent,
            by: "Lisa".into(),
            reason,
        };
        event(&mut app, Side::Agent, 10, declined);
        let (_, buffer) = screen(&app, 120, 40);
        proptest::prop_assert!(
            !buffer
                .content()
                .iter()
                .any(|c| c.symbol().chars().any(char::is_control))
        );
    }
}
