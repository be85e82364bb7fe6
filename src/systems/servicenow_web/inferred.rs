//! Facts about the Virtual Agent web client that `ServiceNow`'s documentation does not give,
//! shared by the connector and the emulator. Correct them here, once.

/// The most bytes of the utterance put in `sysparm_search_text`: no limit is documented, and
/// browsers and the instance's proxies refuse long addresses, so it is kept well under them.
/// [INFER]
pub const MAX_SEARCH_BYTES: usize = 1024;

/// The shapes of `sysparm_requester_session_language`: a language code, two or three
/// letters, with an optional region (`en`, `pb`, `en-US`). [INFER from the documented codes]
pub fn is_language(code: &str) -> bool {
    let (language, region) = code.split_once(['-', '_']).unwrap_or((code, ""));
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && (region.is_empty()
            || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic())))
}
