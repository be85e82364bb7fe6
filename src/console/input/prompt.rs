//! A composer turned into a one-line prompt (a file's path, a reason, an agent) and back:
//! what was being written is set aside and comes back, cursor at its end, when the prompt
//! closes.

use ratatui_textarea::{CursorMove, TextArea};

/// Swaps `composer` for an empty prompt; returns the text set aside.
pub(super) fn open(composer: &mut TextArea<'static>, placeholder: &str) -> Vec<String> {
    let draft = composer.lines().to_vec();
    *composer = empty(placeholder);
    draft
}

/// Puts the text set aside back in `composer`, cursor at its end.
pub(super) fn close(composer: &mut TextArea<'static>, draft: Vec<String>, placeholder: &str) {
    let mut restored = TextArea::from(draft);
    restored.set_placeholder_text(placeholder);
    restored.set_cursor_line_style(ratatui::style::Style::new());
    restored.move_cursor(CursorMove::Bottom);
    restored.move_cursor(CursorMove::End);
    *composer = restored;
}

/// Like [`open`], with `text` already typed in the prompt (a suggestion Enter accepts).
pub(super) fn open_with(
    composer: &mut TextArea<'static>,
    placeholder: &str,
    text: &str,
) -> Vec<String> {
    let draft = open(composer, placeholder);
    composer.insert_str(text);
    draft
}

fn empty(placeholder: &str) -> TextArea<'static> {
    let mut composer = TextArea::default();
    composer.set_placeholder_text(placeholder);
    composer.set_cursor_line_style(ratatui::style::Style::new());
    composer
}
