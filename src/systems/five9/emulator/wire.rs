//! What the emulated console reads, with its own types: the query's names and the `fields`
//! JSON, strict where the page's script would fail.

use crate::emulators::landing::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The parameters the console page knows (`PROTOCOL.md`), and how it reads each.
pub const PARAMS: &[(&str, Kind)] = &[
    ("tenant", Kind::Text),
    ("title", Kind::Text),
    ("profiles", Kind::Text),
    ("showProfiles", Kind::Flag),
    ("autostart", Kind::Flag),
    ("profileLabel", Kind::Text),
    ("theme", Kind::Text),
    ("logo", Kind::Text),
    ("surveyOptions", Kind::Text),
    ("fields", Kind::Text),
    ("playSoundOnMessage", Kind::Flag),
    ("showEmailButton", Kind::Flag),
    ("hideDuringAfterHours", Kind::Flag),
    ("useBusinessHours", Kind::Flag),
    ("enableCallback", Kind::Flag),
    ("allowRequestLiveAgent", Kind::Flag),
    ("namespace", Kind::Text),
];

/// One pre-chat field: `{value, show, label, required}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Its value.
    pub value: String,
    /// Whether the visitor sees it.
    pub show: Option<bool>,
    /// Its label on the form.
    pub label: Option<String>,
    /// Whether the form requires it.
    pub required: Option<bool>,
}

/// `fields`, by field name.
pub type Fields = BTreeMap<String, Field>;
