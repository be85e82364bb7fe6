//! URL templates: a base URL plus ordered query parameters whose values are filled from a
//! [`HandoffRequest`], for systems that take the user over by sending them to a page (Five9's
//! chat console, `ServiceNow`'s Virtual Agent web client, any company's chat page).
//!
//! A value is text with `{placeholder}`s ([`PLACEHOLDERS`], plus `{context.KEY}` for any
//! routing-context key; `{{` and `}}` are literal braces), or a JSON document whose strings are
//! such text (Five9's `fields`), serialized then encoded as one value. Every filled value is
//! percent-encoded exactly once, so the page reads back exactly what the user said; a
//! parameter's byte limit cuts each filled value at a character boundary, never inside one.
//! An unknown placeholder is refused when the template is made, never when it is filled.

use super::HandoffRequest;
use std::fmt::Write as _;

/// The placeholders a template may use, besides `{context.KEY}`.
pub const PLACEHOLDERS: &[&str] = &[
    "utterance",
    "topic",
    "queue_id",
    "queue",
    "domain",
    "language",
    "region",
    "user_name",
    "user_email",
    "user_id",
    "conversation",
];

/// Where a placeholder is placed, for errors: `base` or the parameter's name.
const BASE: &str = "base";

/// What a template was refused for. Each names the part of the template at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A placeholder that is not one of [`PLACEHOLDERS`] nor `context.KEY`.
    #[error(
        "{part}: unknown placeholder {{{placeholder}}}; expected one of {}, or context.KEY",
        PLACEHOLDERS.join(", ")
    )]
    UnknownPlaceholder {
        /// `base` or the parameter.
        part: String,
        /// The placeholder's name as written.
        placeholder: String,
    },
    /// A `{` without its `}`, or a lone `}`.
    #[error("{part}: unbalanced brace at byte {at} (write {{{{ or }}}} for a literal brace)")]
    Brace {
        /// `base` or the parameter.
        part: String,
        /// Where, in the part's text.
        at: usize,
    },
    /// The base is not an http(s) URL, or has a placeholder before its path.
    #[error("base: {0}")]
    Base(String),
    /// A byte limit names no parameter of the template.
    #[error("limit for {0:?}: the template has no such parameter")]
    UnknownParameter(String),
}

/// One thing a placeholder stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Named(&'static str),
    Context(String),
}

impl Field {
    fn parse(part: &str, name: &str) -> Result<Self, TemplateError> {
        if let Some(key) = name.strip_prefix("context.").filter(|k| !k.is_empty()) {
            return Ok(Self::Context(key.to_owned()));
        }
        PLACEHOLDERS
            .iter()
            .find(|p| **p == name)
            .map(|p| Self::Named(p))
            .ok_or_else(|| TemplateError::UnknownPlaceholder {
                part: part.to_owned(),
                placeholder: name.to_owned(),
            })
    }

    /// The request's value; empty when the request does not have it.
    fn value<'r>(&self, request: &'r HandoffRequest) -> &'r str {
        let context = |key: &str| request.context.get(key).map_or("", String::as_str);
        match self {
            Self::Named("utterance") => &request.title,
            Self::Named("topic") => &request.topic,
            Self::Named("user_name") => &request.user.name,
            Self::Named("user_email") => request.user.email.as_deref().unwrap_or(""),
            Self::Named("user_id") => &request.user.id,
            Self::Named("conversation") => request.conversation.as_str(),
            Self::Named(key) => context(key),
            Self::Context(key) => context(key),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Field(Field),
}

/// Text with placeholders, e.g. `Question: {utterance}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(Vec<Piece>);

impl Text {
    /// Parses `text`; `part` names where it stands in errors (a parameter, `base`).
    pub fn parse(part: &str, text: &str) -> Result<Self, TemplateError> {
        let brace = |at| TemplateError::Brace {
            part: part.to_owned(),
            at,
        };
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match c {
                '{' if rest.next_if(|(_, c)| *c == '{').is_some() => literal.push('{'),
                '}' if rest.next_if(|(_, c)| *c == '}').is_some() => literal.push('}'),
                '}' => return Err(brace(at)),
                '{' => {
                    let close = text[at..].find('}').ok_or_else(|| brace(at))? + at;
                    let name = &text[at + 1..close];
                    if name.contains('{') {
                        return Err(brace(at));
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Field(Field::parse(part, name)?));
                    while rest.next_if(|(i, _)| *i <= close).is_some() {}
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Self(pieces))
    }

    /// Text without placeholders.
    pub fn literal(text: &str) -> Self {
        Self(vec![Piece::Literal(text.to_owned())])
    }

    /// The text with each placeholder replaced by the request's value, each value cut to
    /// `max_bytes` first (at a character boundary) when given, then the whole cut again.
    fn fill(&self, request: &HandoffRequest, max_bytes: Option<usize>) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Field(field) => out.push_str(field.value(request)),
            }
        }
        match max_bytes {
            Some(max) => cut(&out, max).to_owned(),
            None => out,
        }
    }

    fn has_fields(&self) -> bool {
        self.0.iter().any(|p| matches!(p, Piece::Field(_)))
    }

    /// The literal text before the first placeholder.
    fn prefix(&self) -> &str {
        match self.0.first() {
            Some(Piece::Literal(text)) => text,
            _ => "",
        }
    }
}

/// `text` cut to at most `max` bytes at a character boundary.
pub fn cut(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A JSON document whose strings are [`Text`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// A string with placeholders.
    Text(Text),
    /// A number, boolean or null, as is.
    Plain(serde_json::Value),
    /// An array.
    Array(Vec<Json>),
    /// An object, its keys in order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses every string of `value` as a [`Text`]; `part` names the parameter in errors.
    pub fn parse(part: &str, value: &serde_json::Value) -> Result<Self, TemplateError> {
        Ok(match value {
            serde_json::Value::String(text) => Self::Text(Text::parse(part, text)?),
            serde_json::Value::Array(items) => Self::Array(
                items
                    .iter()
                    .map(|v| Self::parse(part, v))
                    .collect::<Result<_, _>>()?,
            ),
            serde_json::Value::Object(map) => Self::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), Self::parse(part, v)?)))
                    .collect::<Result<_, TemplateError>>()?,
            ),
            plain => Self::Plain(plain.clone()),
        })
    }

    fn fill(&self, request: &HandoffRequest, max_bytes: Option<usize>) -> serde_json::Value {
        match self {
            Self::Text(text) => serde_json::Value::String(text.fill(request, max_bytes)),
            Self::Plain(value) => value.clone(),
            Self::Array(items) => items.iter().map(|j| j.fill(request, max_bytes)).collect(),
            Self::Object(fields) => fields
                .iter()
                .map(|(k, j)| (k.clone(), j.fill(request, max_bytes)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text with placeholders.
    Text(Text),
    /// A JSON document, sent serialized (Five9's `fields`).
    Json(Json),
}

/// One query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name, as the page expects it (not encoded).
    pub name: String,
    /// Its value.
    pub value: Value,
    /// The most bytes of each filled value (each string of a JSON value), cut at a character
    /// boundary before encoding; `None` for no limit.
    pub max_bytes: Option<usize>,
}

impl Param {
    /// A text parameter, parsed.
    pub fn text(name: &str, value: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            name: name.to_owned(),
            value: Value::Text(Text::parse(name, value)?),
            max_bytes: None,
        })
    }

    /// A parameter whose value is `value` itself, braces and all.
    pub fn literal(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: Value::Text(Text::literal(value)),
            max_bytes: None,
        }
    }

    /// A JSON parameter, each of its strings parsed.
    pub fn json(name: &str, value: &serde_json::Value) -> Result<Self, TemplateError> {
        Ok(Self {
            name: name.to_owned(),
            value: Value::Json(Json::parse(name, value)?),
            max_bytes: None,
        })
    }

    /// The same, with a byte limit.
    #[must_use]
    pub fn max_bytes(mut self, max: usize) -> Self {
        self.max_bytes = Some(max);
        self
    }

    fn fill(&self, request: &HandoffRequest) -> String {
        match &self.value {
            Value::Text(text) => text.fill(request, self.max_bytes),
            Value::Json(json) => json.fill(request, self.max_bytes).to_string(),
        }
    }
}

/// A page's address: the base URL (placeholders allowed in its path) and ordered parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlTemplate {
    base: Text,
    params: Vec<Param>,
    fragment: Option<String>,
}

impl UrlTemplate {
    /// `base` (which may carry a query of its own, kept first, and a `#fragment`, kept last)
    /// followed by `params`. Literal text in `params` is taken as is, not encoded.
    pub fn new(base: &str, params: Vec<Param>) -> Result<Self, TemplateError> {
        let mut template = Self::parse(base)?;
        template.params.extend(params);
        Ok(template)
    }

    /// One string, e.g. `https://livechat.acme.com/start-chat?queue_id={queue_id}`. The query's
    /// names and literal text are percent-decoded once here, as a browser would, and encoded
    /// again when filled.
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let (rest, fragment) = match template.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment.to_owned())),
            None => (template, None),
        };
        let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
        let base = Text::parse(BASE, base)?;
        check_base(&base)?;
        let params = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let name = decode(name);
                Param::text(&name, &decode(value))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            base,
            params,
            fragment,
        })
    }

    /// Limits the parameter `name` to `max` bytes per filled value.
    pub fn limit(mut self, name: &str, max: usize) -> Result<Self, TemplateError> {
        let param = self
            .params
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| TemplateError::UnknownParameter(name.to_owned()))?;
        param.max_bytes = Some(max);
        Ok(self)
    }

    /// The same, with `param` last.
    #[must_use]
    pub fn with(mut self, param: Param) -> Self {
        self.params.push(param);
        self
    }

    /// The parameters, in order.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// The page's address for `request`: every value percent-encoded once. A path segment a
    /// value makes `.` or `..` is left empty: it would move the address up the path.
    pub fn fill(&self, request: &HandoffRequest) -> String {
        let mut path = String::new();
        for piece in &self.base.0 {
            match piece {
                Piece::Literal(text) => path.push_str(text),
                Piece::Field(field) => encode_into(&mut path, field.value(request)),
            }
        }
        let mut url = without_dot_segments(&path);
        let mut separator = '?';
        for param in &self.params {
            url.push(separator);
            separator = '&';
            encode_into(&mut url, &param.name);
            url.push('=');
            encode_into(&mut url, &param.fill(request));
        }
        if let Some(fragment) = &self.fragment {
            url.push('#');
            url.push_str(fragment);
        }
        url
    }
}

/// The base must be an http(s) URL whose placeholders are all inside its path, so that any
/// value, encoded, leaves it a URL of the same host.
fn check_base(base: &Text) -> Result<(), TemplateError> {
    let prefix = base.prefix();
    let url = url::Url::parse(prefix)
        .map_err(|e| TemplateError::Base(format!("{prefix:?} does not start with a URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(TemplateError::Base(format!("{prefix:?} must be http(s)")));
    }
    let after_scheme = prefix.split_once("://").map_or("", |(_, rest)| rest);
    if base.has_fields() && !after_scheme.contains('/') {
        return Err(TemplateError::Base(
            "placeholders may only stand in the path, after the host and a '/'".into(),
        ));
    }
    Ok(())
}

/// `url` (no query) with each path segment that a URL parser reads as `.` or `..` emptied.
fn without_dot_segments(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let Some(path_start) = url[after_scheme..].find('/').map(|i| i + after_scheme) else {
        return url.to_owned();
    };
    let is_dot = |segment: &str| {
        let plain = segment.to_ascii_lowercase().replace("%2e", ".");
        plain == "." || plain == ".."
    };
    let segments: Vec<&str> = url[path_start..]
        .split('/')
        .map(|segment| if is_dot(segment) { "" } else { segment })
        .collect();
    format!("{}{}", &url[..path_start], segments.join("/"))
}

/// Percent-encodes every byte of `value` but the unreserved ones (RFC 3986), so that the
/// value reads back exactly from a path or a query.
fn encode_into(out: &mut String, value: &str) {
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// A query's text as a browser reads it (`+` is a space), for templates written as one string.
fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "url_template_tests.rs"]
mod tests;
