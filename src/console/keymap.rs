//! Key bindings as data. Each pane has one table of [`Row`]s: a row is what the help overlay
//! and the status bar show (its keys and what they do) and the chords that run its actions,
//! so dispatching a key and describing it come from the same place and cannot disagree.
//! Rows without chords describe what is not a key (a mouse click, a typed command).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key with the modifiers it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    /// The key.
    pub code: KeyCode,
    /// Modifiers that must be held (others may be too).
    pub mods: KeyModifiers,
}

/// A key, whatever the modifiers.
pub const fn key(code: KeyCode) -> Chord {
    Chord {
        code,
        mods: KeyModifiers::NONE,
    }
}

/// A character key.
pub const fn ch(c: char) -> Chord {
    key(KeyCode::Char(c))
}

/// Ctrl and a letter (either case, as terminals report it both ways).
pub const fn ctrl(c: char) -> Chord {
    Chord {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

/// Alt and a key.
pub const fn alt(code: KeyCode) -> Chord {
    Chord {
        code,
        mods: KeyModifiers::ALT,
    }
}

impl Chord {
    /// Whether `event` is this chord.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let code = match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) if self.mods.contains(KeyModifiers::CONTROL) => {
                a.eq_ignore_ascii_case(&b)
            }
            (a, b) => a == b,
        };
        code && event.modifiers.contains(self.mods)
    }

    /// How a row names the chord: its [`name`](Self::name), with a digit as the first of the
    /// range "1..9" or "1-9" that rows use.
    fn shown(&self) -> String {
        match self.code {
            KeyCode::Char('1'..='9') => Self {
                code: KeyCode::Char('1'),
                ..*self
            }
            .name(),
            _ => self.name(),
        }
    }

    /// The chord as the help shows it: `Ctrl+O`, `Alt+Enter`, `k`, `PgUp`.
    pub fn name(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::BackTab => "Shift+Tab".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            other => format!("{other:?}"),
        };
        let mut name = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            name.push_str("Ctrl+");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            name.push_str("Alt+");
        }
        name + &key
    }
}

/// One line of a pane's help: its keys as shown, what they do, and the action of each chord.
#[derive(Debug, Clone, Copy)]
pub struct Row<A: 'static> {
    /// The keys, as shown ("Up / Down (or k / j)").
    pub keys: &'static str,
    /// What they do.
    pub does: &'static str,
    /// Each chord of the row and the action it runs; empty for what is not a key.
    pub chords: &'static [(Chord, A)],
}

/// A row of the help table: `keys` shown, `does` described, `chords` dispatched.
pub const fn row<A>(
    keys: &'static str,
    does: &'static str,
    chords: &'static [(Chord, A)],
) -> Row<A> {
    Row { keys, does, chords }
}

/// The console's list convention as a row: Up and k run `$up`, Down and j run `$down`.
macro_rules! up_down_row {
    ($does:expr, $up:expr, $down:expr $(,)?) => {
        $crate::console::keymap::row(
            "Up / Down (or k / j)",
            $does,
            &[
                ($crate::console::keymap::key(KeyCode::Up), $up),
                ($crate::console::keymap::ch('k'), $up),
                ($crate::console::keymap::key(KeyCode::Down), $down),
                ($crate::console::keymap::ch('j'), $down),
            ],
        )
    };
}

pub(crate) use up_down_row;

/// The action `event` runs in `table`: the matching chord that needs the most modifiers
/// (so Alt+Enter is not taken for Enter), the first in table order among equals.
pub fn dispatch<A: Copy>(table: &[Row<A>], event: &KeyEvent) -> Option<A> {
    dispatch_if(table, event, |_| true)
}

/// Like [`dispatch`], among the chords `allowed` accepts.
pub fn dispatch_if<A: Copy>(
    table: &[Row<A>],
    event: &KeyEvent,
    allowed: impl Fn(&Chord) -> bool,
) -> Option<A> {
    let mut best: Option<(u32, A)> = None;
    for (chord, action) in table.iter().flat_map(|r| r.chords.iter()) {
        let weight = chord.mods.bits().count_ones();
        if allowed(chord) && chord.matches(event) && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, *action));
        }
    }
    best.map(|(_, action)| action)
}

/// A table's help lines: (keys, what they do).
pub fn help<A>(table: &[Row<A>]) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    table.iter().map(|r| (r.keys, r.does))
}

/// Chords whose name the row's shown keys do not mention (a table that would lie). Empty
/// for a truthful table; the tests of every pane check theirs.
pub fn unshown<A>(table: &[Row<A>]) -> Vec<String> {
    table
        .iter()
        .flat_map(|r| r.chords.iter().map(move |(c, _)| (r.keys, c.shown())))
        .filter(|(keys, name)| !keys.contains(name.as_str()))
        .map(|(keys, name)| format!("{name} in {keys:?}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Act {
        Send,
        NewLine,
        Attach,
    }

    const TABLE: &[Row<Act>] = &[
        row("Enter", "send", &[(key(KeyCode::Enter), Act::Send)]),
        row(
            "Alt+Enter",
            "new line",
            &[(alt(KeyCode::Enter), Act::NewLine)],
        ),
        row("Ctrl+O", "attach", &[(ctrl('o'), Act::Attach)]),
        row("\"Stop chat\"", "typed, ends the chat", &[]),
    ];

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_chord_with_the_most_modifiers_wins_so_alt_enter_is_not_enter() {
        let enter = |m| dispatch(TABLE, &press(KeyCode::Enter, m));
        assert_eq!(enter(KeyModifiers::ALT), Some(Act::NewLine));
        assert_eq!(enter(KeyModifiers::NONE), Some(Act::Send));
        assert_eq!(enter(KeyModifiers::SHIFT), Some(Act::Send));
    }

    #[test]
    fn ctrl_letters_match_either_case_and_need_ctrl() {
        let ctrl_o = |c| dispatch(TABLE, &press(KeyCode::Char(c), KeyModifiers::CONTROL));
        assert_eq!(ctrl_o('o'), Some(Act::Attach));
        assert_eq!(ctrl_o('O'), Some(Act::Attach));
        assert_eq!(
            dispatch(TABLE, &press(KeyCode::Char('o'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn the_help_shows_every_row_and_a_lying_row_is_caught() {
        const LIAR: &[Row<Act>] = &[row("Enter", "send", &[(ctrl('s'), Act::Send)])];
        let lines: Vec<_> = help(TABLE).collect();
        assert_eq!(lines.len(), 4);
        assert!(unshown(TABLE).is_empty());
        assert_eq!(unshown(LIAR), ["Ctrl+S in \"Enter\""]);
    }
}
