//! The URL-handoff systems (`url`, `five9`, `servicenow-web`) against their emulated pages,
//! over real loopback HTTP: the connector fills its template, the page reads it back exactly,
//! checks it as the real page would, records the visit and queues the visitor for the inbox.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

use handoff::connectors::{Availability, HandoffRequest, Started};
use handoff::protocol::{HandoffStyle, UserInfo};
use handoff::systems::{Built, SystemName, SystemsConfig, build};
use serde_json::Value;
use std::collections::BTreeMap;

const SYSTEMS: [&str; 3] = ["url", "five9", "servicenow-web"];

fn request(utterance: &str) -> HandoffRequest {
    HandoffRequest {
        conversation: "conv-7".into(),
        title: utterance.to_owned(),
        topic: "VPN".into(),
        user: UserInfo {
            id: "u-1".into(),
            name: "Zoë O'Brien & co".into(),
            email: Some("zoe+it@example.com".into()),
        },
        context: BTreeMap::from([
            (
                "queue_id".to_owned(),
                "71f1cbd2-83ae-4e54-a03a-2ee8d31a7dee".to_owned(),
            ),
            ("language".to_owned(), "en".to_owned()),
        ]),
        history: Vec::new(),
    }
}

async fn built(system: &str, toml: &str) -> Built {
    let config = SystemsConfig::from_toml("test.toml", toml).unwrap();
    build(system.parse::<SystemName>().unwrap(), &config)
        .await
        .unwrap()
}

async fn redirect(built: &Built, request: HandoffRequest) -> String {
    match built.connector.start(request).await.unwrap() {
        Started::Redirect {
            url,
            via: None,
            chat: None,
        } => url,
        other => panic!("not a plain redirect: {other:?}"),
    }
}

fn query(url: &str) -> BTreeMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// `GET url`: the status and the page.
async fn visit(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn visits(built: &Built) -> Vec<Value> {
    let base = built.emulator.as_ref().unwrap().base_url();
    reqwest::get(format!("{base}/__emu/visits"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_system_sends_the_user_to_its_emulated_page_which_queues_the_visitor() {
    let utterance = "VPN drops <b>&</b> #42 + 100% {x} ✓";
    for system in SYSTEMS {
        let built = built(system, "").await;
        assert_eq!(built.connector.style(), HandoffStyle::Url, "{system}");
        assert_eq!(
            built.connector.availability().await.unwrap(),
            Availability::Unknown
        );
        let url = redirect(&built, request(utterance)).await;
        let emulator = built.emulator.as_ref().unwrap();
        assert!(url.starts_with(&emulator.base_url()), "{system}: {url}");

        let (status, page) = visit(&url).await;
        assert_eq!(status, 200, "{system}: {page}");
        assert!(
            page.contains("&lt;b&gt;&amp;&lt;/b&gt;"),
            "{system}: {page}"
        );
        let queued = emulator.sim().conversations();
        assert_eq!(queued.len(), 1, "{system}");
        assert_eq!(
            queued[0].external_ref.as_deref(),
            Some("conv-7"),
            "{system}"
        );
        assert_eq!(visits(&built).await[0]["accepted"], true, "{system}");
    }
}

#[tokio::test]
async fn the_visitor_reaches_the_desk_with_what_the_page_received() {
    let built = built("five9", "").await;
    let mut events = built.emulator.as_ref().unwrap().desk_events();
    let url = redirect(&built, request("My VPN drops")).await;
    assert_eq!(visit(&url).await.0, 200);
    let event = events.recv().await.unwrap();
    let text = format!("{event:?}");
    assert!(text.contains("My VPN drops"), "{text}");
    assert!(text.contains("Zoë O'Brien & co"), "{text}");
}

#[tokio::test]
async fn five_kilobyte_utterances_are_cut_at_a_character_boundary_per_system() {
    let utterance = "é🎉&#+% ".repeat(500);
    assert!(utterance.len() > 5000);
    let five9 = built("five9", "").await;
    let fields = query(&redirect(&five9, request(&utterance)).await)["fields"].clone();
    let fields: Value = serde_json::from_str(&fields).unwrap();
    let question = fields["Question"]["value"].as_str().unwrap();
    assert!(question.len() <= 1024 && question.len() > 1020);
    assert!(utterance.starts_with(question));
    assert_eq!(fields["Question"]["show"], false);

    let servicenow = built("servicenow-web", "").await;
    let url = redirect(&servicenow, request(&utterance)).await;
    let search = query(&url)["sysparm_search_text"].clone();
    assert!(search.len() <= 1024 && utterance.starts_with(&search));
    assert_eq!(visit(&url).await.0, 200);

    let page = built("url", "[url]\nbase_url = \"https://chat.example/start\"\nmax_bytes = { q = 100 }\nparams = [{ name = \"q\", value = \"{utterance}\" }]\n").await;
    let q = query(&redirect(&page, request(&utterance)).await)["q"].clone();
    assert!(q.len() <= 100 && utterance.starts_with(&q));
}

#[tokio::test]
async fn the_pages_refuse_what_the_real_pages_would_and_say_why() {
    let cases = [
        (
            "url",
            "/start-chat?utterance=hi",
            "the query has no queue_id",
        ),
        (
            "five9",
            "/consoles/ChatConsole/index.html?tenant=t&profiles=p&fields=%7Bnot%20json",
            "fields: ",
        ),
        (
            "five9",
            "/consoles/ChatConsole/index.html?tenant=t&profiles=p&fields=%7B%22Q%22%3A%7B%22value%22%3A1%7D%7D",
            "fields: invalid type",
        ),
        (
            "five9",
            "/consoles/ChatConsole/index.html?tenant=t&profiles=p&autostart=yes",
            "autostart must be true or false",
        ),
        (
            "five9",
            "/consoles/ChatConsole/index.html?profiles=p",
            "the query has no tenant",
        ),
        (
            "five9",
            "/consoles/ChatConsole/index.html?tenant=t&profiles=p&tennant=x",
            "unknown parameter \"tennant\"",
        ),
        (
            "servicenow-web",
            "/$sn-va-web-client-app.do?sysparm_live_agent_only=yes",
            "sysparm_live_agent_only must be true or false",
        ),
        (
            "servicenow-web",
            "/$sn-va-web-client-app.do?sysparm_serch_text=x",
            "unknown parameter \"sysparm_serch_text\"",
        ),
        (
            "servicenow-web",
            "/$sn-va-web-client-app.do?sysparm_requester_session_language=english",
            "is not a language code",
        ),
    ];
    for (system, path, why) in cases {
        let built = built(system, "").await;
        let base = built.emulator.as_ref().unwrap().base_url();
        let (status, page) = visit(&format!("{base}{path}")).await;
        assert_eq!(status, 400, "{system} {path}: {page}");
        assert!(
            page.contains(&why.replace('"', "&quot;")),
            "{system} {path}: {page}"
        );
        let recorded = visits(&built).await;
        assert_eq!(recorded[0]["accepted"], false);
        assert!(
            built
                .emulator
                .as_ref()
                .unwrap()
                .sim()
                .conversations()
                .is_empty()
        );
    }
}

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("src/systems/{path}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `url` with its scheme and host replaced by the emulator's.
fn on_emulator(url: &str, built: &Built) -> String {
    let parsed = url::Url::parse(url).unwrap();
    let base = built.emulator.as_ref().unwrap().base_url();
    format!(
        "{base}{}?{}",
        parsed.path(),
        parsed.query().unwrap_or_default()
    )
}

/// The query with `fields` read as JSON, so that key order does not matter.
fn normalized(url: &str) -> BTreeMap<String, Value> {
    query(url)
        .into_iter()
        .map(|(k, v)| {
            let value = match k.as_str() {
                "fields" => serde_json::from_str(&v).unwrap(),
                _ => Value::String(v),
            };
            (k, value)
        })
        .collect()
}

#[tokio::test]
async fn the_documented_examples_are_accepted_and_produced() {
    let seed = fixture("url/fixtures/seed_002.json");
    let config = format!(
        "[url]\ntemplate = {:?}\n",
        seed["template"].as_str().unwrap()
    );
    let page = built("url", &config).await;
    assert!(page.emulator.is_none(), "a configured page is the real one");
    assert_eq!(
        redirect(&page, request("x")).await,
        seed["url"].as_str().unwrap()
    );

    let five9 = fixture("five9/fixtures/console.json");
    let url = five9["url"].as_str().unwrap();
    let emulated = built("five9", "").await;
    assert_eq!(visit(&on_emulator(url, &emulated)).await.0, 200);
    let configured = built(
        "five9",
        "[five9]\ntenant = \"Acme Corp\"\nprofiles = [\"IT Help\"]\ntitle = \"IT Chat\"\n",
    )
    .await;
    let mut r = request("My VPN drops");
    r.user.name = "Jane Roe".into();
    r.user.email = Some("jane@acme.com".into());
    let produced = redirect(&configured, r.clone()).await;
    assert!(produced.starts_with("https://app.five9.com/consoles/ChatConsole/index.html?"));
    let mut expected = normalized(url);
    // The example's email field is shown and required on the form; ours is hidden.
    expected.get_mut("fields").unwrap()["email"] =
        serde_json::json!({"value": "jane@acme.com", "show": false});
    assert_eq!(normalized(&produced), expected);

    let servicenow = fixture("servicenow_web/fixtures/web_client.json");
    let url = servicenow["url"].as_str().unwrap();
    let emulated = built("servicenow-web", "").await;
    assert_eq!(visit(&on_emulator(url, &emulated)).await.0, 200);
    let configured = built(
        "servicenow-web",
        "[servicenow-web]\ninstance_url = \"https://acme.service-now.com\"\n",
    )
    .await;
    assert_eq!(redirect(&configured, r).await, url);
}

#[tokio::test]
async fn availability_is_what_the_section_says() {
    let built = built("five9", "[five9]\navailable = false\n").await;
    assert_eq!(
        built.connector.availability().await.unwrap(),
        Availability::Unavailable
    );
}

#[test]
fn config_mistakes_name_the_file_section_key_and_placeholder() {
    let cases = [
        (
            "[url]\ntemplate = \"https://chat.example/?q={utterence}\"\n",
            "test.toml: url.template: q: unknown placeholder {utterence}; expected one of utterance,",
        ),
        (
            "[url]\nbase_url = \"https://chat.example/\"\nparams = [{ name = \"q\", json = { Q = \"{nme}\" } }]\n",
            "test.toml: url.params: q: unknown placeholder {nme}",
        ),
        (
            "[url]\ntemplate = \"https://chat.example/?q={utterance}\"\nmax_bytes = { p = 9 }\n",
            "test.toml: url.max_bytes: limit for \"p\": the template has no such parameter",
        ),
        (
            "[five9]\ntenant = \"t\"\n",
            "test.toml: five9.profiles: required with a tenant",
        ),
        (
            "[servicenow-web]\nlanguage = \"english\"\n",
            "test.toml: servicenow-web.language: \"english\" is not a language code",
        ),
    ];
    for (toml, expected) in cases {
        let error = SystemsConfig::from_toml("test.toml", toml)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(expected), "{error}");
    }
}

#[tokio::test]
async fn the_pages_take_the_emulators_fault_controls() {
    let built = built("servicenow-web", "").await;
    let base = built.emulator.as_ref().unwrap().base_url();
    let fault = serde_json::json!({"path": "sn-va-web-client", "status": 503, "count": 1});
    let client = reqwest::Client::new();
    let status = client
        .post(format!("{base}/__emu/fault"))
        .json(&fault)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success());
    let url = redirect(&built, request("hi")).await;
    assert_eq!(visit(&url).await.0, 503);
    assert_eq!(visit(&url).await.0, 200);
}
