//! The links overlay's key table: it dispatches the keys (in [`super::key`]) and is the hint
//! line the overlay draws.

use crate::console::keymap::{Row, ch, key, row};
use crossterm::event::KeyCode;

/// What a key does while the overlay is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinksKey {
    /// Open the chosen link.
    Open,
    /// Copy it.
    Copy,
    /// Choose the link above.
    Up,
    /// Choose the link below.
    Down,
    /// Choose the n-th link (the digit pressed).
    Nth,
    /// Close the overlay.
    Close,
}

/// The overlay's bindings.
pub const LINKS: &[Row<LinksKey>] = &[
    row(
        "Enter, o",
        "open",
        &[
            (key(KeyCode::Enter), LinksKey::Open),
            (ch('o'), LinksKey::Open),
        ],
    ),
    row(
        "c, y",
        "copy (OSC 52)",
        &[(ch('c'), LinksKey::Copy), (ch('y'), LinksKey::Copy)],
    ),
    row(
        "1-9, Up / Down (or k / j)",
        "choose",
        &[
            (key(KeyCode::Up), LinksKey::Up),
            (key(KeyCode::Down), LinksKey::Down),
            (ch('k'), LinksKey::Up),
            (ch('j'), LinksKey::Down),
            (ch('1'), LinksKey::Nth),
            (ch('2'), LinksKey::Nth),
            (ch('3'), LinksKey::Nth),
            (ch('4'), LinksKey::Nth),
            (ch('5'), LinksKey::Nth),
            (ch('6'), LinksKey::Nth),
            (ch('7'), LinksKey::Nth),
            (ch('8'), LinksKey::Nth),
            (ch('9'), LinksKey::Nth),
        ],
    ),
    row(
        "Esc, q",
        "close",
        &[
            (key(KeyCode::Esc), LinksKey::Close),
            (ch('q'), LinksKey::Close),
        ],
    ),
];
