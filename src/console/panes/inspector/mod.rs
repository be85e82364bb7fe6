//! The inspector pane: the raw protocol frames in both directions, filterable. Its state,
//! how a frame is recorded, its keys ([`keys`]) and its render ([`view`]).

pub mod keys;
pub mod view;

use crate::console::app::App;
use crate::console::input::Handled;
use crate::console::keymap::dispatch;
use crate::console::msg::{Direction, Link, Side};
use crate::protocol::Millis;
use crossterm::event::{KeyCode, KeyEvent};
use keys::{FilterKey, InspectorKey};
use std::collections::VecDeque;

/// How many frames the inspector keeps.
pub const INSPECTOR_CAPACITY: usize = 2_000;

/// One frame in the inspector.
#[derive(Debug, Clone)]
pub struct FrameRecord {
    /// Running number over all frames.
    pub number: u64,
    /// When it was sent or received.
    pub at: Millis,
    /// Which connection.
    pub side: Side,
    /// Sent or received.
    pub direction: Direction,
    /// The event's sequence number, for events.
    pub seq: Option<u64>,
    /// The `type` (and `kind` for events), e.g. "event/message".
    pub summary: String,
    /// Pretty-printed JSON, sanitised.
    pub pretty: String,
    /// The frame on one line, sanitised (for short inspectors).
    pub compact: String,
}

/// The raw-frame inspector.
#[derive(Debug, Clone, Default)]
pub struct Inspector {
    /// Shown or hidden.
    pub open: bool,
    /// The latest frames, oldest first.
    pub frames: VecDeque<FrameRecord>,
    /// Only frames whose text contains this (case-insensitive) are shown.
    pub filter: String,
    /// Typing into the filter.
    pub editing_filter: bool,
    /// Frames scrolled back from the latest.
    pub back: usize,
    /// Frames seen so far (numbers the next one).
    pub count: u64,
}

/// Whether a frame passes the filter (case-insensitive substring of its text or summary).
pub fn matches(frame: &FrameRecord, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let needle = filter.to_lowercase();
    frame.summary.to_lowercase().contains(&needle) || frame.pretty.to_lowercase().contains(&needle)
}

/// How many frames pass the filter.
pub fn matching(app: &App) -> usize {
    let filter = &app.inspector.filter;
    app.inspector
        .frames
        .iter()
        .filter(|f| matches(f, filter))
        .count()
}

/// The furthest the view can scroll back: to the oldest matching frame.
pub fn max_back(app: &App) -> usize {
    matching(app).saturating_sub(1)
}

/// Records a frame in either direction (its raw text), numbered, for the inspector.
pub(crate) fn record(app: &mut App, side: Side, direction: Direction, at: u64, text: &str) {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    let kind = value.get("type").and_then(|v| v.as_str()).unwrap_or("?");
    // Both connections ask for the connector's calls: the agent one shows them, the user one
    // only when there is no agent connection (a real system has no desk to connect to).
    if kind == "trace" && side == Side::User && app.agent_link == Link::Connected {
        return;
    }
    let summary = summary(&value, kind);
    let pretty = if value.is_null() {
        text.to_owned()
    } else {
        serde_json::to_string_pretty(&value).unwrap_or_else(|_| text.to_owned())
    };
    app.inspector.count += 1;
    let record = FrameRecord {
        number: app.inspector.count,
        at,
        side,
        direction,
        seq: value.get("seq").and_then(serde_json::Value::as_u64),
        summary,
        pretty: crate::text::clean_text(&pretty, true).into_owned(),
        compact: crate::text::clean(text).into_owned(),
    };
    // A view scrolled back stays on the frames it shows when a matching one arrives.
    if app.inspector.back > 0 && matches(&record, &app.inspector.filter) {
        app.inspector.back += 1;
    }
    app.inspector.frames.push_back(record);
    while app.inspector.frames.len() > INSPECTOR_CAPACITY {
        app.inspector.frames.pop_front();
    }
    if app.inspector.open {
        app.dirty = true;
    }
}

/// A frame's one-line summary: its type, the event's kind, or a connector's call
/// ("trace/8x8 POST create conversation 201").
fn summary(value: &serde_json::Value, kind: &str) -> String {
    let text_at = |pointer: &str| value.pointer(pointer).and_then(serde_json::Value::as_str);
    if let Some(event) = text_at("/event/kind") {
        // A translated message says so, so QA can filter for them ("⇄").
        match (
            text_at("/event/message/translation/error"),
            text_at("/event/message/translation/to"),
        ) {
            (Some(_), _) => format!("{kind}/{event} ⚠ untranslated"),
            (None, Some(to)) => {
                let from = text_at("/event/message/translation/from").unwrap_or("?");
                format!("{kind}/{event} ⇄ {from}→{to}")
            }
            (None, None) => format!("{kind}/{event}"),
        }
    } else if let Some(system) = text_at("/call/system") {
        // A connector's call to its system: "trace/8x8 POST create conversation 201".
        let method = text_at("/call/method")
            .or_else(|| text_at("/call/kind"))
            .unwrap_or("");
        let name = text_at("/call/name").unwrap_or("");
        let status = value
            .pointer("/call/status")
            .and_then(serde_json::Value::as_u64)
            .map_or(String::new(), |s| format!(" {s}"));
        // Names like "PUT /engagements/{id}" already say the method: it is not said twice.
        let said = name
            .split_whitespace()
            .next()
            .is_some_and(|first| first.eq_ignore_ascii_case(method));
        if said || method.is_empty() {
            format!("{kind}/{system} {name}{status}")
        } else {
            format!("{kind}/{system} {method} {name}{status}")
        }
    } else {
        kind.to_owned()
    }
}

/// A key on the inspector, from its tables (one while editing the filter, one otherwise).
pub(crate) fn key(app: &mut App, key: KeyEvent) -> Handled {
    if app.inspector.editing_filter {
        let ins = &mut app.inspector;
        match (dispatch(keys::FILTER, &key), key.code) {
            (Some(FilterKey::Done), _) => ins.editing_filter = false,
            (Some(FilterKey::Shorten), _) => _ = ins.filter.pop(),
            (None, KeyCode::Char(c)) => ins.filter.push(c),
            (None, _) => return Handled::No,
        }
        ins.back = 0;
        return Handled::Yes(Vec::new());
    }
    // Scrolling counts matching frames only: with a filter, the oldest match is the top.
    let max = max_back(app);
    let ins = &mut app.inspector;
    match dispatch(keys::INSPECTOR, &key) {
        Some(InspectorKey::Filter) => ins.editing_filter = true,
        Some(InspectorKey::Clear) => {
            ins.filter.clear();
            ins.back = 0;
        }
        Some(InspectorKey::Older) => ins.back = (ins.back + 1).min(max),
        Some(InspectorKey::Newer) => ins.back = ins.back.saturating_sub(1).min(max),
        Some(InspectorKey::Oldest) => ins.back = max,
        Some(InspectorKey::Latest) => ins.back = 0,
        None => return Handled::No,
    }
    Handled::Yes(Vec::new())
}
