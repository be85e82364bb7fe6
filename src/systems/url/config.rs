//! The `[url]` section of `handoff.toml`: any chat page reached by a link (`InContact`,
//! Compucom, Intrasee, a company's own page), as one `template` string or a `base_url` with
//! ordered `params`.

use crate::connectors::url_template::{Param, TemplateError, UrlTemplate};
use crate::systems::Section;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[url]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlFile {
    /// The system's name in status lines (default "Live chat page").
    pub name: Option<String>,
    /// The whole address with placeholders, e.g.
    /// `https://livechat.acme.com/start-chat?queue_id={queue_id}`.
    pub template: Option<String>,
    /// Or the page without its query ...
    pub base_url: Option<String>,
    /// ... and its parameters, in order.
    #[serde(default)]
    pub params: Vec<ParamFile>,
    /// The most bytes of a parameter's value, by parameter name.
    #[serde(default)]
    pub max_bytes: BTreeMap<String, usize>,
    /// Whether agents are there; unset, the console offers the page without knowing.
    pub available: Option<bool>,
}

/// One of `[url] params`: `{ name, value }` or `{ name, json }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamFile {
    /// The parameter's name.
    pub name: String,
    /// Text with placeholders.
    pub value: Option<String>,
    /// A table sent as URL-encoded JSON, its strings with placeholders.
    pub json: Option<toml::Value>,
}

impl UrlFile {
    /// The page the section names, `None` when it names none (the emulator's is used); the
    /// key at fault and why when it is wrong.
    pub fn template(&self) -> Result<Option<UrlTemplate>, (&'static str, String)> {
        let fault = |key| move |e: TemplateError| (key, e.to_string());
        let template = match (&self.template, &self.base_url) {
            (Some(_), Some(_)) => {
                return Err(("template", "set template or base_url, not both".into()));
            }
            (Some(text), None) if self.params.is_empty() => {
                UrlTemplate::parse(text).map_err(fault("template"))?
            }
            (Some(_), None) => return Err(("params", "go with base_url, not template".into())),
            (None, Some(base)) => {
                let params = self.params.iter().map(ParamFile::param);
                let params = params.collect::<Result<_, _>>()?;
                UrlTemplate::new(base, params).map_err(fault("base_url"))?
            }
            (None, None) if self.params.is_empty() => return Ok(None),
            (None, None) => return Err(("params", "go with base_url".into())),
        };
        let mut template = template;
        for (name, max) in &self.max_bytes {
            template = template.limit(name, *max).map_err(fault("max_bytes"))?;
        }
        Ok(Some(template))
    }
}

impl ParamFile {
    fn param(&self) -> Result<Param, (&'static str, String)> {
        let fault = |e: TemplateError| ("params", e.to_string());
        match (&self.value, &self.json) {
            (Some(value), None) => Param::text(&self.name, value).map_err(fault),
            (None, Some(json)) => {
                let json = serde_json::to_value(json).map_err(|e| ("params", e.to_string()))?;
                Param::json(&self.name, &json).map_err(fault)
            }
            _ => Err(("params", format!("{:?}: set value or json", self.name))),
        }
    }
}

impl Section for UrlFile {
    const NAME: &'static str = "url";

    fn urls(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![("base_url", &self.base_url)]
    }

    fn check(&self) -> Result<(), (&'static str, String)> {
        self.template().map(drop)
    }
}
