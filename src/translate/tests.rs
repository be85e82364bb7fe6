use super::dnt::{self, Split};
use super::emulator;
use super::flow::{Outcome, Translation};
use super::libre::{
    DetectCandidate, DetectRequest, ErrorResponse, LibreTranslate, TranslateRequest,
    TranslateResponse,
};
use super::offline::PhraseTable;
use super::{TranslateError, Translator, is_language_code};
use crate::connectors::http::RetryPolicy;
use crate::connectors::redact::Secret;
use proptest::prelude::*;
use std::sync::Arc;

fn table(text: &str, from: &str, to: &str) -> String {
    PhraseTable.translate_now(text, from, to).unwrap()
}

#[test]
fn the_phrase_table_translates_known_phrases_and_keeps_every_other_word() {
    assert_eq!(
        table("Hola, necesito ayuda con la impresora", "es", "en"),
        "Hello, I need help with the printer"
    );
    assert_eq!(table("Merci beaucoup", "fr", "en"), "Thank you beaucoup");
    assert_eq!(table("Danke!", "de", "en"), "Thank you!");
    assert_eq!(table("Hello!", "en", "es"), "¡Hola!");
    assert_eq!(
        table("How can I help you?", "en", "es"),
        "¿En qué puedo ayudarle?"
    );
    assert_eq!(
        table("¿En qué puedo ayudarle?", "es", "en"),
        "How can I help you?"
    );
    assert_eq!(
        table("restart your computer please", "en", "de"),
        "starten Sie Ihren Computer neu bitte"
    );
    assert_eq!(
        table("The SQL server", "en", "fr"),
        "The SQL server",
        "no phrase: as written"
    );
}

#[test]
fn the_mock_desks_greeting_reads_in_each_language() {
    let greeting = "Hello - can you share more details about the error message you're seeing?";
    assert_eq!(
        table(greeting, "en", "es"),
        "Hola - ¿puede compartir más detalles sobre el mensaje de error que está viendo?"
    );
    assert!(table(greeting, "en", "fr").starts_with("Bonjour - pouvez-vous"));
    assert!(table(greeting, "en", "de").starts_with("Hallo - können Sie"));
}

#[test]
fn the_phrase_table_refuses_languages_it_does_not_have_and_leaves_same_language_alone() {
    let err = PhraseTable.translate_now("hello", "en", "ja").unwrap_err();
    assert!(matches!(err, TranslateError::Unsupported { ref target, .. } if target == "ja"));
    assert!(err.to_string().contains("\"ja\""), "{err}");
    assert_eq!(table("  hola  ", "es", "es"), "  hola  ");
}

#[test]
fn detection_finds_the_language_most_words_belong_to_and_prefers_english_on_a_tie() {
    let lang = |t: &str| PhraseTable.detect_now(t).map(|d| d.language);
    assert_eq!(
        lang("Hola, necesito ayuda con mi contraseña").as_deref(),
        Some("es")
    );
    assert_eq!(
        lang("Bonjour, j'ai un problème avec l'imprimante").as_deref(),
        Some("fr")
    );
    assert_eq!(
        lang("Hallo, mein Passwort funktioniert nicht").as_deref(),
        Some("de")
    );
    assert_eq!(
        lang("Hello, my password does not work").as_deref(),
        Some("en")
    );
    assert_eq!(lang("SQL 42 !!"), None, "nothing tells");
    let sure = PhraseTable.detect_now("gracias").unwrap();
    assert!((sure.confidence - 100.0).abs() < f64::EPSILON);
}

#[test]
fn dnt_cuts_at_the_first_whole_word_keyword_and_keeps_the_rest_verbatim() {
    let cut = dnt::split("Please open DNT //path//folder//file", "DNT");
    assert_eq!(
        cut,
        Split {
            translate: "Please open",
            verbatim: Some("//path//folder//file")
        }
    );
    assert_eq!(
        dnt::split("DNT //path//folder//file", "DNT").verbatim,
        Some("//path//folder//file")
    );
    assert_eq!(
        dnt::split("DNTX and xDNT and dnt", "DNT").verbatim,
        None,
        "whole word, case-sensitive"
    );
    assert_eq!(dnt::split("a DNT b DNT c", "DNT").verbatim, Some("b DNT c"));
    assert_eq!(dnt::split("anything", "").verbatim, None);
    assert_eq!(dnt::join("Hola", Some("//x")), "Hola //x");
    assert_eq!(dnt::join("", Some("//x")), "//x");
    assert_eq!(dnt::join("Hola", Some("")), "Hola");
}

#[test]
fn language_codes_are_two_or_three_letters_with_an_optional_region() {
    for good in ["es", "fr", "haw", "pt-BR", "zh-Hans"] {
        assert!(is_language_code(good), "{good}");
    }
    for bad in [
        "",
        "e",
        "ES",
        "español",
        "es_ES",
        "es-",
        "es-\u{1F600}",
        "../x",
    ] {
        assert!(!is_language_code(bad), "{bad}");
    }
}

proptest! {
    #[test]
    fn the_table_never_panics_and_leaves_text_without_phrases_word_for_word(text in "\\PC{0,80}") {
        for (from, to) in [("es", "en"), ("en", "fr"), ("de", "es")] {
            let out = PhraseTable.translate_now(&text, from, to).unwrap();
            if PhraseTable.detect_now(&text).is_none() {
                let words: Vec<&str> = text.split_whitespace().collect();
                prop_assert_eq!(out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>(), words);
            }
        }
    }

    #[test]
    fn what_follows_the_keyword_always_arrives_verbatim(
        front in "\\PC{0,40}", tail in "\\PC{0,40}", keyword in "[A-Z]{2,5}",
    ) {
        let mut front = front;
        while front.contains(keyword.as_str()) {
            front = front.replace(keyword.as_str(), "");
        }
        let tail = tail.trim_start().to_owned();
        let text = format!("{front} {keyword} {tail}");
        let cut = dnt::split(&text, &keyword);
        prop_assert_eq!(cut.verbatim, Some(tail.as_str()));
        let translated = PhraseTable.translate_now(cut.translate, "en", "es").unwrap();
        prop_assert!(dnt::join(&translated, cut.verbatim).ends_with(tail.as_str()));
    }

    #[test]
    fn detection_never_panics_and_names_a_table_language(text in "\\PC{0,120}") {
        if let Some(d) = PhraseTable.detect_now(&text) {
            prop_assert!(super::offline::LANGUAGES.contains(&d.language.as_str()));
            prop_assert!((0.0..=100.0).contains(&d.confidence));
        }
    }
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/translate/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap()
}

#[test]
fn the_api_guides_examples_read_as_the_clients_types() {
    let request: TranslateRequest =
        serde_json::from_str(&fixture("translate_request.json")).unwrap();
    assert_eq!(
        (request.q.as_str(), request.format.as_str()),
        ("Hello!", "text")
    );
    let auto: TranslateRequest =
        serde_json::from_str(&fixture("translate_auto_request.json")).unwrap();
    assert_eq!(auto.source, "auto");
    let answer: TranslateResponse =
        serde_json::from_str(&fixture("translate_response.json")).unwrap();
    assert_eq!(answer.translated_text, "¡Hola!");
    let auto: TranslateResponse =
        serde_json::from_str(&fixture("translate_auto_response.json")).unwrap();
    assert_eq!(
        auto.translated_text, "Hello!",
        "detectedLanguage is read past"
    );
    let detect: DetectRequest = serde_json::from_str(&fixture("detect_request.json")).unwrap();
    assert_eq!(detect.q, "Bonjour!");
    let found: Vec<DetectCandidate> =
        serde_json::from_str(&fixture("detect_response.json")).unwrap();
    assert_eq!(found[0].language, "fr");
    let error: ErrorResponse = serde_json::from_str(&fixture("error_response.json")).unwrap();
    assert_eq!(error.error, "Invalid API key");
}

async fn post(url: &str, body: &str) -> (u16, serde_json::Value) {
    let reply = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (reply.status().as_u16(), reply.json().await.unwrap())
}

#[tokio::test]
async fn the_emulator_answers_the_api_guides_requests_as_the_guide_does() {
    let emu = emulator::spawn(([127, 0, 0, 1], 0).into(), Some("xxxxxx".into()))
        .await
        .unwrap();
    let base = emu.base_url();
    let expect = |name: &str| serde_json::from_str::<serde_json::Value>(&fixture(name)).unwrap();
    let (status, body) = post(
        &format!("{base}/translate"),
        &fixture("translate_request.json"),
    )
    .await;
    assert_eq!((status, body), (200, expect("translate_response.json")));
    let (status, body) = post(
        &format!("{base}/translate"),
        &fixture("translate_auto_request.json"),
    )
    .await;
    assert_eq!(
        (status, body["translatedText"].clone()),
        (200, "Hello!".into())
    );
    let (status, body) = post(&format!("{base}/detect"), &fixture("detect_request.json")).await;
    assert_eq!((status, body[0]["language"].clone()), (200, "fr".into()));
    let wrong = fixture("detect_request.json").replace("xxxxxx", "wrong");
    let (status, body) = post(&format!("{base}/detect"), &wrong).await;
    assert_eq!((status, body), (403, expect("error_response.json")));
    let (status, body) = post(
        &format!("{base}/translate"),
        r#"{"source":"en","target":"es","api_key":"xxxxxx"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains('q'), "{body}");
    let (status, body) = post(
        &format!("{base}/translate"),
        r#"{"q":"hi","source":"en","target":"ja","api_key":"xxxxxx"}"#,
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, "ja is not supported".into())
    );
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn the_client_translates_and_detects_through_the_emulator_and_names_the_service_on_errors() {
    let emu = emulator::spawn(([127, 0, 0, 1], 0).into(), Some("k-123".into()))
        .await
        .unwrap();
    let client = LibreTranslate::new(&emu.base_url(), Some(Secret::new("k-123")), quick());
    assert_eq!(
        client.translate("Gracias!", "es", "en").await.unwrap(),
        "Thank you!"
    );
    assert_eq!(
        client
            .detect("Hallo, danke")
            .await
            .unwrap()
            .unwrap()
            .language,
        "de"
    );
    assert_eq!(client.detect("42").await.unwrap(), None);
    let wrong = LibreTranslate::new(&emu.base_url(), Some(Secret::new("nope-999")), quick());
    let err = wrong
        .translate("hola", "es", "en")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("LibreTranslate") && err.contains("403"),
        "{err}"
    );
    assert!(!err.contains("nope-999"), "the key is redacted: {err}");
}

fn service(dnt: &str, language: Option<&str>) -> Translation {
    Translation::new(Arc::new(PhraseTable), dnt, language.map(str::to_owned))
}

#[tokio::test]
async fn users_text_reaches_the_agent_in_english_and_english_is_left_alone() {
    let t = service("DNT", None);
    let out = t.to_agent("Hola, necesito ayuda", None).await.unwrap();
    assert_eq!(
        out,
        Outcome {
            text: "Hello, I need help".into(),
            from: Some("es".into()),
            to: "en".into(),
            error: None
        }
    );
    assert_eq!(t.to_agent("Hello, I need help", None).await, None);
    let known = t.to_agent("SQL 42", Some("fr")).await.unwrap();
    assert_eq!(
        (known.text.as_str(), known.from.as_deref()),
        ("SQL 42", Some("fr")),
        "the known language is kept"
    );
}

#[tokio::test]
async fn agents_text_reaches_the_user_in_their_language_up_to_the_dnt_keyword() {
    let t = service("DNT", None);
    let out = t
        .to_user("Thank you DNT //path//folder//file", Some("es"), None)
        .await
        .unwrap();
    assert_eq!(out.text, "Gracias //path//folder//file");
    assert_eq!((out.from.as_deref(), out.to.as_str()), (Some("en"), "es"));
    let out = t
        .to_user("DNT //path//folder//file", Some("es"), None)
        .await
        .unwrap();
    assert_eq!(out.text, "//path//folder//file");
    let hinted = t
        .to_user("Hello", None, Some("Bonjour, merci"))
        .await
        .unwrap();
    assert_eq!(hinted.text, "Bonjour");
    assert_eq!(t.to_user("Hello", Some("en"), None).await, None);
    assert_eq!(t.to_user("Hello", None, None).await, None);
    let custom = service("NOTR", Some("de"));
    assert_eq!(
        custom
            .to_user("Thank you NOTR C:\\Temp", None, None)
            .await
            .unwrap()
            .text,
        "Danke C:\\Temp"
    );
}

#[tokio::test]
async fn a_failed_translation_delivers_the_text_as_written_and_says_why() {
    let t = service("DNT", Some("ja"));
    let out = t.to_user("Thank you", None, None).await.unwrap();
    assert_eq!(out.text, "Thank you");
    let why = out.error.unwrap();
    assert!(
        why.starts_with("offline phrase table cannot translate") && why.contains("\"ja\""),
        "{why}"
    );
    let gone = Translation::new(
        Arc::new(LibreTranslate::new("http://127.0.0.1:9", None, quick())),
        "DNT",
        None,
    );
    let out = gone.to_agent("Hola", None).await.unwrap();
    assert_eq!(out.text, "Hola");
    assert!(out.error.unwrap().contains("could not reach"));
}

#[test]
fn the_in_flight_bound_refuses_one_more_translation_and_frees_places_when_done() {
    let t = service("DNT", None);
    let held: Vec<_> = (0..super::flow::MAX_IN_FLIGHT)
        .map(|_| t.permit().unwrap())
        .collect();
    let refused = t.permit().unwrap_err();
    assert!(refused.contains("64 translations"), "{refused}");
    drop(held);
    assert!(t.permit().is_ok());
}
