//! The help overlay's own key table (it takes every key while open); the overlay's title
//! names its scroll keys when it does not fit.

use crate::console::keymap::{Row, ch, key, row, up_down_row};
use crossterm::event::KeyCode;

/// What a key does while the help is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpKey {
    /// Close the help.
    Close,
    /// One line up.
    Up,
    /// One line down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// The top.
    Top,
    /// The bottom.
    Bottom,
}

/// The help overlay's bindings.
pub const HELP: &[Row<HelpKey>] = &[
    row(
        "Esc, F1, ?, q",
        "close the help",
        &[
            (key(KeyCode::Esc), HelpKey::Close),
            (key(KeyCode::F(1)), HelpKey::Close),
            (ch('?'), HelpKey::Close),
            (ch('q'), HelpKey::Close),
        ],
    ),
    up_down_row!("scroll a line", HelpKey::Up, HelpKey::Down),
    row(
        "PgUp / PgDn",
        "scroll a page",
        &[
            (key(KeyCode::PageUp), HelpKey::PageUp),
            (key(KeyCode::PageDown), HelpKey::PageDown),
        ],
    ),
    row(
        "Home / End",
        "top / bottom",
        &[
            (key(KeyCode::Home), HelpKey::Top),
            (key(KeyCode::End), HelpKey::Bottom),
        ],
    ),
];
