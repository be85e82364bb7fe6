//! A composer turned into a one-line prompt (a file's path, a reason, an agent) and back:
//! what was being written is set aside and comes back, cursor at its end, when the prompt
//! closes.

use super::{Handled, composer_key};
use crate::console::keymap::{Row, key, row};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea};

/// What a key does while a composer asks something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKey {
    /// Take the answer.
    Answer,
    /// Give the question up.
    Cancel,
}

/// The bindings of a composer that asks something (both panes' prompts).
pub const KEYS: &[Row<PromptKey>] = &[
    row(
        "Enter",
        "answer",
        &[(key(KeyCode::Enter), PromptKey::Answer)],
    ),
    row(
        "Esc",
        "cancel; what was being written comes back",
        &[(key(KeyCode::Esc), PromptKey::Cancel)],
    ),
];

/// A key the prompt's table does not bind: typed into the answer, unless the console keeps it.
pub(crate) fn typed(composer: &mut TextArea<'static>, key: KeyEvent) -> Handled {
    if composer_key(composer, key) {
        Handled::Yes(Vec::new())
    } else {
        Handled::No
    }
}

/// Swaps `composer` for an empty prompt; returns the text set aside.
pub(crate) fn open(composer: &mut TextArea<'static>, placeholder: &str) -> Vec<String> {
    let draft = composer.lines().to_vec();
    *composer = empty(placeholder);
    draft
}

/// Puts the text set aside back in `composer`, cursor at its end.
pub(crate) fn close(composer: &mut TextArea<'static>, draft: Vec<String>, placeholder: &str) {
    let mut restored = with_text(draft, placeholder);
    restored.move_cursor(CursorMove::Bottom);
    restored.move_cursor(CursorMove::End);
    *composer = restored;
}

/// Like [`open`], with `text` already typed in the prompt (a suggestion Enter accepts).
pub(crate) fn open_with(
    composer: &mut TextArea<'static>,
    placeholder: &str,
    text: &str,
) -> Vec<String> {
    let draft = open(composer, placeholder);
    composer.insert_str(text);
    draft
}

/// A composer showing `placeholder` while empty.
pub(crate) fn empty(placeholder: &str) -> TextArea<'static> {
    with_text(Vec::new(), placeholder)
}

/// A composer holding `lines`, showing `placeholder` once emptied.
pub(crate) fn with_text(lines: Vec<String>, placeholder: &str) -> TextArea<'static> {
    let mut composer = TextArea::from(lines);
    composer.set_placeholder_text(placeholder);
    composer.set_cursor_line_style(ratatui::style::Style::new());
    composer
}
