//! The user chat's key tables: the composer's and the buttons'. They dispatch the keys (in
//! [`super::input`]) and are what the help overlay and the status bar show.

use crate::console::keymap::{Row, alt, ch, ctrl, key, row};
use crossterm::event::KeyCode;

/// What a composer key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposerKey {
    /// Send the message.
    Send,
    /// Start a new line.
    NewLine,
    /// Ask for a file to send.
    Attach,
    /// Recall an older sent message (empty composer).
    Older,
    /// Recall a newer sent message.
    Newer,
}

/// The composer's bindings.
pub const COMPOSER: &[Row<ComposerKey>] = &[
    row("Enter", "send", &[(key(KeyCode::Enter), ComposerKey::Send)]),
    row(
        "Alt+Enter",
        "new line",
        &[(alt(KeyCode::Enter), ComposerKey::NewLine)],
    ),
    row(
        "Ctrl+O",
        "send a file (live chat)",
        &[(ctrl('o'), ComposerKey::Attach)],
    ),
    row(
        "Up / Down",
        "recall sent messages (empty composer)",
        &[
            (key(KeyCode::Up), ComposerKey::Older),
            (key(KeyCode::Down), ComposerKey::Newer),
        ],
    ),
    // Tab is the global focus key: from the composer it reaches the buttons first.
    row("Tab", "go to the buttons", &[]),
    row("\"Stop chat\"", "typed and sent, ends a live chat", &[]),
];

/// What a key on the buttons does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonKey {
    /// The button before.
    Previous,
    /// The button after.
    Next,
    /// Press the focused button.
    Press,
    /// Back to the composer.
    Back,
}

/// The buttons' bindings.
pub const BUTTONS: &[Row<ButtonKey>] = &[
    row(
        "Left / Right, Up / Down (or h / l, k / j)",
        "choose a button",
        &[
            (key(KeyCode::Left), ButtonKey::Previous),
            (key(KeyCode::Up), ButtonKey::Previous),
            (ch('h'), ButtonKey::Previous),
            (ch('k'), ButtonKey::Previous),
            (key(KeyCode::Right), ButtonKey::Next),
            (key(KeyCode::Down), ButtonKey::Next),
            (ch('l'), ButtonKey::Next),
            (ch('j'), ButtonKey::Next),
        ],
    ),
    row(
        "Enter, Space",
        "press it",
        &[
            (key(KeyCode::Enter), ButtonKey::Press),
            (ch(' '), ButtonKey::Press),
        ],
    ),
    row(
        "Esc",
        "back to the composer",
        &[(key(KeyCode::Esc), ButtonKey::Back)],
    ),
];
