//! Five9's chat console as a URL template: the tenant and profiles, `autostart`, and the
//! visitor's name, email, locale and utterance as hidden `fields`. The shared
//! [`RedirectConnector`] sends the user there.
//!
//! [`RedirectConnector`]: crate::connectors::redirect::RedirectConnector

pub mod wire;

use super::config::Five9File;
use super::inferred::{MAX_FIELD_BYTES, QUESTION_FIELD};
use crate::connectors::url_template::{Param, TemplateError, UrlTemplate};
use serde_json::json;

/// The tenant of the emulated console (a section without a tenant is emulated).
const EMULATED_TENANT: &str = "emulated";

/// The chat profile of the emulated console.
const EMULATED_PROFILE: &str = "Chat";

/// The console at `base` (Five9's, or an emulator's page) for `section`.
pub fn template(section: &Five9File, base: &str) -> Result<UrlTemplate, TemplateError> {
    let hidden = |value: &str| json!({ "value": value, "show": false });
    let mut fields = serde_json::Map::new();
    fields.insert(wire::field::NAME.into(), hidden("{user_name}"));
    fields.insert(wire::field::EMAIL.into(), hidden("{user_email}"));
    fields.insert(wire::field::LOCALE.into(), hidden("{language}"));
    let question = section.question_field.as_deref().unwrap_or(QUESTION_FIELD);
    fields.insert(question.into(), hidden("{utterance}"));
    let tenant = section.tenant.as_deref().unwrap_or(EMULATED_TENANT);
    let profiles = match section.profiles.as_slice() {
        [] => EMULATED_PROFILE.to_owned(),
        profiles => profiles.join(","),
    };
    let mut params = vec![
        Param::literal(wire::TENANT, tenant),
        Param::literal(wire::PROFILES, &profiles),
        Param::literal(wire::SHOW_PROFILES, "false"),
        Param::literal(wire::AUTOSTART, "true"),
    ];
    if let Some(title) = &section.title {
        params.push(Param::literal(wire::TITLE, title));
    }
    let max = section.max_utterance_bytes.unwrap_or(MAX_FIELD_BYTES);
    params.push(Param::json(wire::FIELDS, &fields.into())?.max_bytes(max));
    UrlTemplate::new(base, params)
}

/// The emulated console at `base` (the emulator's base URL), for a section without a tenant.
pub fn emulated(section: &Five9File, base: &str) -> Result<UrlTemplate, TemplateError> {
    template(section, &format!("{base}{}", wire::CONSOLE_PATH))
}
