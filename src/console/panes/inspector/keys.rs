//! The inspector's key tables: one while the filter is edited, one otherwise. They dispatch
//! the keys (in [`super::key`]) and are what the help overlay and the status bar show.

use crate::console::keymap::{Row, ch, key, row, up_down_row};
use crossterm::event::KeyCode;

/// What a key on the inspector does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectorKey {
    /// Edit the filter.
    Filter,
    /// Clear the filter.
    Clear,
    /// One frame further back.
    Older,
    /// One frame nearer the latest.
    Newer,
    /// The oldest frame.
    Oldest,
    /// The latest frame.
    Latest,
}

/// The inspector's bindings.
pub const INSPECTOR: &[Row<InspectorKey>] = &[
    row(
        "/",
        "filter frames (Enter or Esc ends editing)",
        &[(ch('/'), InspectorKey::Filter)],
    ),
    up_down_row!("scroll one frame", InspectorKey::Older, InspectorKey::Newer),
    row(
        "Home / End",
        "oldest / latest frame",
        &[
            (key(KeyCode::Home), InspectorKey::Oldest),
            (key(KeyCode::End), InspectorKey::Latest),
        ],
    ),
    row(
        "c, Esc",
        "clear the filter",
        &[
            (ch('c'), InspectorKey::Clear),
            (key(KeyCode::Esc), InspectorKey::Clear),
        ],
    ),
];

/// What a key does while the filter is edited (other characters are typed into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// Stop editing.
    Done,
    /// Remove the last character.
    Shorten,
}

/// The filter's bindings while it is edited.
pub const FILTER: &[Row<FilterKey>] = &[
    row(
        "Enter, Esc",
        "stop editing the filter",
        &[
            (key(KeyCode::Enter), FilterKey::Done),
            (key(KeyCode::Esc), FilterKey::Done),
        ],
    ),
    row(
        "Backspace",
        "shorten the filter",
        &[(key(KeyCode::Backspace), FilterKey::Shorten)],
    ),
];
