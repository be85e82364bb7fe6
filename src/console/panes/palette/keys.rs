//! The command palette's key table: it dispatches the keys (in [`super::input`]) and is the
//! hint line the palette draws. Other characters are typed into the filter.

use crate::console::keymap::{Row, key, row};
use crossterm::event::KeyCode;

/// What a key does while the palette is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaletteKey {
    /// Run the highlighted entry.
    Run,
    /// Highlight the entry above.
    Up,
    /// Highlight the entry below.
    Down,
    /// Close the palette.
    Close,
    /// Shorten the filter.
    Shorten,
}

/// The palette's bindings.
pub const PALETTE: &[Row<PaletteKey>] = &[
    row("Enter", "run", &[(key(KeyCode::Enter), PaletteKey::Run)]),
    row(
        "Up / Down",
        "choose",
        &[
            (key(KeyCode::Up), PaletteKey::Up),
            (key(KeyCode::Down), PaletteKey::Down),
        ],
    ),
    row("Esc", "close", &[(key(KeyCode::Esc), PaletteKey::Close)]),
    row(
        "Tab, Backspace",
        "next, shorten the filter",
        &[
            (key(KeyCode::Tab), PaletteKey::Down),
            (key(KeyCode::Backspace), PaletteKey::Shorten),
        ],
    ),
];

/// What a key does while the palette asks a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskKey {
    /// Take the answer.
    Answer,
    /// Give the question up.
    Cancel,
    /// Shorten the answer.
    Shorten,
}

/// The bindings while the palette asks a question ([`super::ask`]); other characters are
/// typed into the answer.
pub const ASK: &[Row<AskKey>] = &[
    row("Enter", "answer", &[(key(KeyCode::Enter), AskKey::Answer)]),
    row("Esc", "cancel", &[(key(KeyCode::Esc), AskKey::Cancel)]),
    row(
        "Backspace",
        "shorten",
        &[(key(KeyCode::Backspace), AskKey::Shorten)],
    ),
];
