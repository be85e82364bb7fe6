//! The checks of `wire.rs`: what the service refuses.

use super::*;

fn parsed<T: serde::de::DeserializeOwned + Checked>(body: &str) -> Result<(), String> {
    serde_json::from_str::<T>(body)
        .map_err(|e| e.to_string())?
        .check()
}

#[test]
fn send_message_takes_only_the_documented_types_and_lengths() {
    let ok = r#"{"ContentType":"text/plain","Content":"hi","ClientToken":"t"}"#;
    assert_eq!(parsed::<SendMessageRequest>(ok), Ok(()));
    let bad_type = r#"{"ContentType":"text/html","Content":"hi"}"#;
    assert!(
        parsed::<SendMessageRequest>(bad_type)
            .unwrap_err()
            .contains("enum value set")
    );
    let empty = r#"{"ContentType":"text/plain","Content":""}"#;
    assert!(
        parsed::<SendMessageRequest>(empty)
            .unwrap_err()
            .contains("'content'")
    );
    let long = format!(
        r#"{{"ContentType":"text/plain","Content":"{}"}}"#,
        "é".repeat(16_385)
    );
    assert!(parsed::<SendMessageRequest>(&long).is_err());
}

#[test]
fn required_members_are_required() {
    assert!(parsed::<SendMessageRequest>(r#"{"Content":"hi"}"#).is_err());
    assert!(parsed::<StartUploadRequest>(r#"{"ContentType":"text/plain"}"#).is_err());
    assert!(parsed::<CompleteUploadRequest>(r#"{"AttachmentIds":[],"ClientToken":"t"}"#).is_err());
    assert!(parsed::<ConnectionRequest>(r#"{"Type":["SMOKE_SIGNAL"]}"#).is_err());
}

#[test]
fn transcript_ranges_and_enums_are_checked() {
    assert_eq!(parsed::<TranscriptRequest>("{}"), Ok(()));
    assert!(parsed::<TranscriptRequest>(r#"{"MaxResults":101}"#).is_err());
    assert!(parsed::<TranscriptRequest>(r#"{"ScanDirection":"SIDEWAYS"}"#).is_err());
    assert!(parsed::<TranscriptRequest>(r#"{"StartPosition":{"MostRecent":101}}"#).is_err());
}
