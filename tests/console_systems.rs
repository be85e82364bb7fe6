//! `handoff --system <each>`: the console runs a whole brokered chat on each real connector,
//! against the system's loopback emulator, with the person at the console as the system's agent
//! in the inbox: request, accept (by mouse), messages both ways, a file each way (the emulator
//! stores the user's bytes; the user's link to the agent's file serves its bytes), Lisa
//! transfers the chat to Marco from the inbox, Marco answers and ends the chat.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose

mod connector_support;
mod console_support;

use console_support::Harness;
use crossterm::event::KeyCode;
use handoff::broker::BrokerConfig;
use handoff::console::Focus;
use handoff::emulators::desk::{AgentScript, SimDesk};
use handoff::engine::start_on_system;
use handoff::protocol::Part;
use handoff::systems::{Built, SystemName, SystemsConfig};

/// What the user says when asked for details: it routes to the database experts.
const SQL_ISSUE: &str = "I'm running into a strange issue with a SQL database that I'm using.";
use handoff::theme::Theme;

/// The console on `system` against its embedded emulator (its `[section]` left empty), once
/// it shows `label`; the system stays up while the returned `Built` lives.
async fn console_on(system: SystemName, section: &str, label: &str) -> (Harness, Option<Built>) {
    let systems = SystemsConfig::from_toml("test.toml", &format!("[{section}]\n")).unwrap();
    let config = BrokerConfig::default();
    let engine = start_on_system(system, &systems, AgentScript::manual(), config)
        .await
        .unwrap();
    let url = engine.url();
    let mut h = Harness::connect(engine.broker, &url, Theme::default(), 160, 48).await;
    h.see(label).await;
    (h, engine.system)
}

/// The user asks for a live agent and gives `details` when asked.
async fn ask_for_an_agent(h: &mut Harness, details: &str) {
    h.say("I'd like to speak to a live agent").await;
    h.see("provide more details").await;
    h.say(details).await;
}

async fn full_chat(system: SystemName, section: &str, label: &str) {
    let (mut h, built) = console_on(system, section, label).await;
    let sim = built.as_ref().unwrap().emulator.as_ref().unwrap().sim();
    request_and_accept(&mut h).await;
    talk_both_ways(&mut h).await;
    user_sends_a_file(&mut h, &sim).await;
    agent_sends_a_file(&mut h).await;
    transfer_to_marco_who_ends(&mut h).await;
    h.stop().await;
    drop(built);
}

/// The user asks for an agent; Lisa accepts by mouse.
async fn request_and_accept(h: &mut Harness) {
    ask_for_an_agent(h, SQL_ISSUE).await;
    h.see("Other help options").await;
    h.alt('1').await;

    // The request reaches the system's desk; accept it by mouse as Lisa.
    h.see("[ Accept (a) ]").await;
    h.click("[ Accept (a) ]").await;
    h.until("the live chat", |s| s.contains("(live agent)"))
        .await;
    h.see("Your live agent chat has started!").await;
}

/// Lisa writes from the inbox, the user answers from the chat.
async fn talk_both_ways(h: &mut Harness) {
    // Lisa writes from the inbox; the user reads it in the chat.
    while h.console.app.focus != Focus::Inbox {
        h.key(KeyCode::Tab).await;
    }
    h.key(KeyCode::Enter).await;
    assert_eq!(h.console.app.focus, Focus::Reply);
    h.say("Which error code do you see?").await;
    h.until("Lisa's message in both panes", |s| {
        s.matches("Which error code do you see?").count() >= 2
    })
    .await;

    // The user answers; the inbox shows it.
    h.key(KeyCode::Esc).await;
    while h.console.app.focus != Focus::Chat {
        h.key(KeyCode::Tab).await;
    }
    h.say("It says 0x80004005").await;
    h.until("the user's answer in both panes", |s| {
        s.matches("It says 0x80004005").count() >= 2
    })
    .await;
}

/// The user sends a screenshot; the system stores exactly those bytes.
async fn user_sends_a_file(h: &mut Harness, sim: &SimDesk) {
    // The user sends a screenshot; the system stores exactly those bytes.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("error-dialog.png");
    let bytes: Vec<u8> = b"\x89PNG\r\n\x1a\n"
        .iter()
        .copied()
        .chain((0..4000u32).map(|i| (i * 7 % 251) as u8))
        .collect();
    std::fs::write(&png, &bytes).unwrap();
    h.ctrl('o').await;
    h.type_text(&png.display().to_string()).await;
    h.key(KeyCode::Enter).await;
    h.until("the file in both panes", |s| {
        s.matches("error-dialog.png  image/png · 3.9 KB").count() >= 2
    })
    .await;
    let stored = connector_support::wait_for(|| {
        let files: Vec<_> = sim
            .conversations()
            .into_iter()
            .flat_map(|c| c.files)
            .collect();
        (!files.is_empty()).then_some(files)
    })
    .await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].name, "error-dialog.png");
    assert_eq!(stored[0].content_type, "image/png");
    assert_eq!(stored[0].crc32, crc32fast::hash(&bytes));
}

/// Lisa sends the user a file from the reply box; the user gets a link to the same bytes.
async fn agent_sends_a_file(h: &mut Harness) {
    let dir = tempfile::tempdir().unwrap();
    // Lisa sends the user a file from the reply box; the user gets a link to the same bytes.
    let guide = dir.path().join("reset-guide.pdf");
    std::fs::write(&guide, "%PDF-1.7 reset steps").unwrap();
    while h.console.app.focus != Focus::Reply {
        h.key(KeyCode::Tab).await;
    }
    h.ctrl('o').await;
    h.type_text(&guide.display().to_string()).await;
    h.key(KeyCode::Enter).await;
    h.until("Lisa's file in both panes", |s| {
        s.matches("reset-guide.pdf  application/pdf").count() >= 2
    })
    .await;
    let url = h
        .console
        .app
        .chat
        .transcript
        .messages()
        .iter()
        .flat_map(|m| &m.parts)
        .find_map(|p| match p {
            Part::Attachment { attachment } if attachment.name == "reset-guide.pdf" => {
                attachment.url.clone()
            }
            _ => None,
        })
        .expect("the system links to Lisa's file");
    assert!(h.text().contains(&format!("↓ {url}")), "{}", h.text());
    let body = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], b"%PDF-1.7 reset steps");
}

/// Lisa hands the chat to Marco, whose chat it then is: he answers and ends it.
async fn transfer_to_marco_who_ends(h: &mut Harness) {
    // Lisa hands the chat to Marco: `t` in the list asks to whom, suggesting Marco.
    while h.console.app.focus != Focus::Inbox {
        h.key(KeyCode::Tab).await;
    }
    h.key(KeyCode::Char('t')).await;
    assert_eq!(h.console.app.focus, Focus::Reply);
    h.see("Transfer to (Esc cancels)").await;
    h.key(KeyCode::Enter).await;
    h.see("Transferring you to").await;
    h.until("Marco in the chat's title", |s| {
        s.contains("You ⇄ Marco (live agent)")
    })
    .await;
    h.see("Taken by Marco").await;
    assert!(!h.text().contains("[ End chat (e) ]"), "{}", h.text());

    // Lisa's keys no longer reach the chat: `e` says why and sends nothing.
    h.key(KeyCode::Esc).await;
    assert_eq!(h.console.app.focus, Focus::Inbox);
    h.key(KeyCode::Char('e')).await;
    h.see("Only Marco, who has this chat, can end it").await;

    // Acting as Marco, the inbox answers the user and ends the chat.
    h.key(KeyCode::Char('s')).await;
    h.see("Acting as Marco").await;
    h.see("[ End chat (e) ]").await;
    h.key(KeyCode::Enter).await;
    h.say("Marco here, I have your notes.").await;
    h.until("Marco's message in both panes", |s| {
        s.matches("Marco here, I have your notes.").count() >= 2
    })
    .await;
    h.click("[ End chat (e) ]").await;
    h.see("Marco ended the chat.").await;
}

#[tokio::test]
async fn a_full_chat_on_8x8() {
    Box::pin(full_chat(
        handoff::systems::eight_by_eight::NAME,
        "8x8",
        "8x8",
    ))
    .await;
}

#[tokio::test]
async fn a_full_chat_on_servicenow() {
    Box::pin(full_chat(
        handoff::systems::servicenow::NAME,
        "servicenow",
        "ServiceNow",
    ))
    .await;
}

#[tokio::test]
async fn a_full_chat_on_amazon_connect() {
    Box::pin(full_chat(
        handoff::systems::amazon_connect::NAME,
        "amazon_connect",
        "Amazon Connect",
    ))
    .await;
}

#[tokio::test]
async fn a_full_chat_on_glia() {
    Box::pin(full_chat(handoff::systems::glia::NAME, "glia", "Glia")).await;
}

/// `handoff --system beyondtrust`: the user is taken to the session key's page, and the
/// request waits in the inbox (the chat itself happens in BeyondTrust's client).
#[tokio::test]
async fn beyondtrust_takes_the_user_to_the_site() {
    let system = handoff::systems::beyondtrust::NAME;
    let (mut h, built) = console_on(system, "beyondtrust", "BeyondTrust").await;
    ask_for_an_agent(&mut h, "My printer in room 4 says it is offline").await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.see("Taking you to").await;
    h.see("/api/start_session?short_key=").await;
    h.see("[ Accept (a) ]").await;
    // Lisa takes the session on BeyondTrust's desk: the chat goes on there, not here.
    h.click("[ Accept (a) ]").await;
    h.see("Taken by Lisa · goes on in BeyondTrust").await;
    h.until("no actions left", |s| !s.contains("[ Accept (a) ]"))
        .await;
    h.stop().await;
    drop(built);
}

/// A channel system: the request is posted, the person at the console accepts it from the
/// inbox as Lisa, and the user hears who picked it up and where they will be reached.
async fn channel_handoff(system: SystemName, section: &str, service: &str) {
    let (mut h, built) = console_on(system, section, service).await;
    ask_for_an_agent(&mut h, SQL_ISSUE).await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.see("posted your request").await;
    h.see("[ Accept (a) ]").await;
    h.click("[ Accept (a) ]").await;
    h.see("Lisa picked up your request").await;
    h.stop().await;
    drop(built);
}

#[tokio::test]
async fn a_channel_handoff_on_each_channel_system() {
    use handoff::systems::{google_chat, slack, teams, webex};
    let channels = [
        (slack::NAME, "slack", "Slack"),
        (teams::NAME, "teams", "Teams"),
        (webex::NAME, "webex", "Webex"),
        (google_chat::NAME, "google_chat", "Google Chat"),
    ];
    for (system, section, service) in channels {
        Box::pin(channel_handoff(system, section, service)).await;
    }
}

/// `--system vayusphere` (API handoff): the routing follow-up, then the redirect to the bot;
/// the request reaches the inbox through the emulator's desk, and no chat is relayed.
#[tokio::test]
async fn a_redirect_on_vayusphere() {
    let system = handoff::systems::vayusphere::NAME;
    let (mut h, built) = console_on(system, "vayusphere", "Vayusphere").await;
    ask_for_an_agent(&mut h, SQL_ISSUE).await;
    h.see("which database you're using?").await;
    h.say("It's an Azure SQL Database.").await;
    h.see("Other help options").await;
    h.alt('1').await;
    h.see("Redirecting to Vayusphere Bot.....").await;
    h.see("via api").await;
    h.see("redirected to").await;
    h.stop().await;
    drop(built);
}
