//! The serde layer of theme files: `ThemeFile` as written in TOML, checked key by key into a
//! [`Palette`], with errors that name the file and the key.

use ratatui::style::Color;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A theme file as written: a name and a table of colours. Unknown top-level keys are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    /// The theme's display name; defaults to the file's stem.
    name: Option<String>,
    /// Colour keys (see [`PALETTE_KEYS`]); checked one by one so errors can name the key.
    #[serde(default)]
    palette: BTreeMap<String, toml::Value>,
}

/// Every key of the `[palette]` table, in the order the docs list them.
pub const PALETTE_KEYS: &[&str] = &[
    "background",
    "foreground",
    "muted",
    "border",
    "focus",
    "accent",
    "on_accent",
    "user",
    "assistant",
    "agent",
    "success",
    "warning",
    "error",
    "selection",
];

/// The user's colours. Every key is optional; a missing key takes the default dark theme's
/// colour, so a theme file can change only what it cares about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    /// Background of every pane.
    pub background: Option<Color>,
    /// Ordinary text.
    pub foreground: Option<Color>,
    /// Secondary text: timestamps, hints, pressed and expired buttons.
    pub muted: Option<Color>,
    /// Pane borders.
    pub border: Option<Color>,
    /// The border and title of the focused pane, and the focused widget.
    pub focus: Option<Color>,
    /// Filled buttons, links, key hints.
    pub accent: Option<Color>,
    /// Text on an `accent` background.
    pub on_accent: Option<Color>,
    /// The user's name and messages' attribution.
    pub user: Option<Color>,
    /// The assistant's attribution.
    pub assistant: Option<Color>,
    /// Agents' attribution.
    pub agent: Option<Color>,
    /// Finished reasoning steps, a live connection.
    pub success: Option<Color>,
    /// Pending steps, waiting states, reconnecting.
    pub warning: Option<Color>,
    /// Failed steps and errors.
    pub error: Option<Color>,
    /// The background of selected list items and of the status bar.
    pub selection: Option<Color>,
}

impl Palette {
    fn slot(&mut self, key: &str) -> Option<&mut Option<Color>> {
        Some(match key {
            "background" => &mut self.background,
            "foreground" => &mut self.foreground,
            "muted" => &mut self.muted,
            "border" => &mut self.border,
            "focus" => &mut self.focus,
            "accent" => &mut self.accent,
            "on_accent" => &mut self.on_accent,
            "user" => &mut self.user,
            "assistant" => &mut self.assistant,
            "agent" => &mut self.agent,
            "success" => &mut self.success,
            "warning" => &mut self.warning,
            "error" => &mut self.error,
            "selection" => &mut self.selection,
            _ => return None,
        })
    }
}

/// A theme file that could not be used. Every message names the file, and the key when one is
/// at fault; the console shows it and falls back to the default theme.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    /// The file could not be read.
    #[error("theme file {file}: cannot read it: {reason}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// The file is not valid TOML, or has a key outside `name` and `[palette]`.
    #[error("theme file {file}, line {line}: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// The 1-based line of the problem.
        line: usize,
        /// The TOML parser's message.
        message: String,
    },
    /// A `[palette]` key that is not one of [`PALETTE_KEYS`].
    #[error("theme file {file}: unknown key `palette.{key}` (known keys: {known})", known = PALETTE_KEYS.join(", "))]
    UnknownKey {
        /// The file.
        file: PathBuf,
        /// The key.
        key: String,
    },
    /// A colour that is not a string.
    #[error("theme file {file}: key `palette.{key}` must be a string, got {got}")]
    NotAString {
        /// The file.
        file: PathBuf,
        /// The key.
        key: String,
        /// The TOML type found.
        got: String,
    },
    /// A string that is not a colour.
    #[error(
        "theme file {file}: key `palette.{key}` has invalid colour {value:?} \
         (expected \"#rrggbb\", a colour name such as \"light-blue\", or an index 0-255)"
    )]
    BadColour {
        /// The file.
        file: PathBuf,
        /// The key.
        key: String,
        /// The value found.
        value: String,
    },
    /// `--theme NAME` named no built-in theme and no file in the user's theme folder.
    #[error("no theme named {name:?}: built-in themes are {builtin}; user themes go in {dir}")]
    NotFound {
        /// The name asked for.
        name: String,
        /// The built-in names.
        builtin: String,
        /// The user's theme folder.
        dir: String,
    },
}

/// Parses the text of a theme file into its name and palette.
pub fn parse(file: &Path, text: &str) -> Result<(Option<String>, Palette), ThemeError> {
    let raw: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Syntax {
        file: file.to_owned(),
        line: e.span().map_or(1, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        }),
        message: e.message().trim().to_owned(),
    })?;
    let mut palette = Palette::default();
    for (key, value) in raw.palette {
        let Some(slot) = palette.slot(&key) else {
            return Err(ThemeError::UnknownKey {
                file: file.to_owned(),
                key,
            });
        };
        let toml::Value::String(s) = value else {
            return Err(ThemeError::NotAString {
                file: file.to_owned(),
                key,
                got: value.type_str().to_owned(),
            });
        };
        *slot = Some(Color::from_str(&s).map_err(|_| ThemeError::BadColour {
            file: file.to_owned(),
            key,
            value: s.clone(),
        })?);
    }
    Ok((raw.name, palette))
}
