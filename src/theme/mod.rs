//! Themes: a small palette of user colours (`themes/*.toml`, or the user's own files) resolved
//! once into the semantic [`Theme`] styles that every widget uses. Widgets never name colours.
//!
//! Lookup of `--theme NAME`: `<config dir>/handoff/themes/NAME.toml` first, then the built-in
//! themes embedded in the binary. `--theme PATH` (anything with a `/` or ending in `.toml`) reads
//! that file. A bad file yields a [`ThemeError`] naming the file and the key, and the default
//! theme. With `NO_COLOR` set, styles use only bold, reverse, underline and dim.

mod file;

pub use file::{PALETTE_KEYS, Palette, ThemeError};

use ratatui::style::{Color, Modifier, Style};
use std::path::{Path, PathBuf};

/// The built-in themes: name and TOML text, the first being the default.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// The resolved styles of the console, derived once from a [`Palette`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// The theme's name, shown in the help overlay.
    pub name: String,
    /// Pane background and ordinary text.
    pub base: Style,
    /// Timestamps, hints, placeholders.
    pub muted: Style,
    /// Borders of unfocused panes.
    pub border: Style,
    /// Border of the focused pane.
    pub border_focused: Style,
    /// Pane titles.
    pub title: Style,
    /// "You" attribution.
    pub user: Style,
    /// "Assistant" attribution.
    pub assistant: Style,
    /// Agent attribution ("Lisa said:").
    pub agent: Style,
    /// System messages and notices.
    pub system: Style,
    /// Links in rich text.
    pub link: Style,
    /// A reasoning step still running.
    pub step_pending: Style,
    /// A finished reasoning step.
    pub step_success: Style,
    /// A failed reasoning step.
    pub step_failure: Style,
    /// Start agent chat and other primary buttons.
    pub button_filled: Style,
    /// Secondary buttons.
    pub button_outlined: Style,
    /// Added on top of a button's style when it has keyboard focus.
    pub button_focus: Style,
    /// A pressed button.
    pub button_pressed: Style,
    /// A button a later message made stale.
    pub button_expired: Style,
    /// A button that cannot be pressed.
    pub button_disabled: Style,
    /// The selected item of a list.
    pub selected: Style,
    /// The status bar.
    pub status: Style,
    /// A key in hints ("Tab").
    pub key: Style,
    /// Good news: connected, success.
    pub ok: Style,
    /// Waiting, reconnecting.
    pub warn: Style,
    /// Errors.
    pub error: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self::from_palette("dark", &Palette::default(), true)
    }
}

fn dark_palette() -> Palette {
    // The embedded dark theme is known-good; a failure here would be a build defect caught by
    // the theme tests, so fall back to an empty palette rather than panic.
    file::parse(Path::new("dark.toml"), BUILTIN[0].1).map_or_else(|_| Palette::default(), |p| p.1)
}

fn pick(own: Option<Color>, default: Option<Color>, fallback: Color) -> Color {
    own.or(default).unwrap_or(fallback)
}

impl Theme {
    /// Resolves a palette into styles; keys missing from `palette` take the dark theme's colour.
    /// Without `color`, only modifiers are used (for `NO_COLOR`).
    pub fn from_palette(name: &str, palette: &Palette, color: bool) -> Self {
        if !color {
            return Self::monochrome(name);
        }
        let d = dark_palette();
        let bg = pick(palette.background, d.background, Color::Reset);
        let fg = pick(palette.foreground, d.foreground, Color::Reset);
        let muted = pick(palette.muted, d.muted, Color::DarkGray);
        let border = pick(palette.border, d.border, Color::DarkGray);
        let focus = pick(palette.focus, d.focus, Color::Cyan);
        let accent = pick(palette.accent, d.accent, Color::Blue);
        let on_accent = pick(palette.on_accent, d.on_accent, Color::White);
        let user = pick(palette.user, d.user, Color::Green);
        let assistant = pick(palette.assistant, d.assistant, Color::Cyan);
        let agent = pick(palette.agent, d.agent, Color::Magenta);
        let success = pick(palette.success, d.success, Color::Green);
        let warning = pick(palette.warning, d.warning, Color::Yellow);
        let error = pick(palette.error, d.error, Color::Red);
        let selection = pick(palette.selection, d.selection, Color::DarkGray);
        let base = Style::new().fg(fg).bg(bg);
        let bold = Modifier::BOLD;
        Self {
            name: name.to_owned(),
            base,
            muted: Style::new().fg(muted),
            border: Style::new().fg(border),
            border_focused: Style::new().fg(focus).add_modifier(bold),
            title: Style::new().fg(fg).add_modifier(bold),
            user: Style::new().fg(user).add_modifier(bold),
            assistant: Style::new().fg(assistant).add_modifier(bold),
            agent: Style::new().fg(agent).add_modifier(bold),
            system: Style::new().fg(muted).add_modifier(Modifier::ITALIC),
            link: Style::new().fg(accent).add_modifier(Modifier::UNDERLINED),
            step_pending: Style::new().fg(warning),
            step_success: Style::new().fg(success),
            step_failure: Style::new().fg(error),
            button_filled: Style::new().fg(on_accent).bg(accent).add_modifier(bold),
            button_outlined: Style::new().fg(accent),
            button_focus: Style::new()
                .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
                .underline_color(focus),
            button_pressed: Style::new().fg(muted).add_modifier(Modifier::ITALIC),
            button_expired: Style::new().fg(muted).add_modifier(Modifier::CROSSED_OUT),
            button_disabled: Style::new().fg(muted).add_modifier(Modifier::DIM),
            selected: Style::new().bg(selection).add_modifier(bold),
            status: Style::new().fg(fg).bg(selection),
            key: Style::new().fg(accent).add_modifier(bold),
            ok: Style::new().fg(success),
            warn: Style::new().fg(warning),
            error: Style::new().fg(error).add_modifier(bold),
        }
    }

    /// Styles for `NO_COLOR`: no colour at all, only modifiers.
    fn monochrome(name: &str) -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        Self {
            name: format!("{name} (no colour)"),
            base: plain,
            muted: dim,
            border: dim,
            border_focused: bold,
            title: bold,
            user: bold,
            assistant: bold,
            agent: bold,
            system: Style::new().add_modifier(Modifier::ITALIC),
            link: Style::new().add_modifier(Modifier::UNDERLINED),
            step_pending: plain,
            step_success: plain,
            step_failure: bold,
            button_filled: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            button_outlined: plain,
            button_focus: Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            button_pressed: Style::new().add_modifier(Modifier::ITALIC | Modifier::DIM),
            button_expired: Style::new().add_modifier(Modifier::CROSSED_OUT | Modifier::DIM),
            button_disabled: dim,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            status: Style::new().add_modifier(Modifier::REVERSED),
            key: bold,
            ok: plain,
            warn: bold,
            error: bold,
        }
    }
}

/// The folder users put their own theme files in: `<config dir>/handoff/themes`.
pub fn user_theme_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("handoff").join("themes"))
}

/// Loads the theme `choice` (a name or a path; `None` for the default). `user_dir` is searched
/// for `NAME.toml` before the built-ins. On any error, returns the default theme and the error.
pub fn load(
    choice: Option<&str>,
    user_dir: Option<&Path>,
    color: bool,
) -> (Theme, Option<ThemeError>) {
    match resolve(choice.unwrap_or(BUILTIN[0].0), user_dir, color) {
        Ok(theme) => (theme, None),
        Err(e) => (
            Theme::from_palette("dark", &Palette::default(), color),
            Some(e),
        ),
    }
}

fn resolve(choice: &str, user_dir: Option<&Path>, color: bool) -> Result<Theme, ThemeError> {
    let is_path = choice.contains('/')
        || choice.contains(std::path::MAIN_SEPARATOR)
        || Path::new(choice)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_path {
        return load_file(Path::new(choice), color);
    }
    if let Some(dir) = user_dir {
        let candidate = dir.join(format!("{choice}.toml"));
        if candidate.is_file() {
            return load_file(&candidate, color);
        }
    }
    if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| *n == choice) {
        let (_, palette) = file::parse(Path::new(&format!("{name}.toml")), text)?;
        return Ok(Theme::from_palette(name, &palette, color));
    }
    Err(ThemeError::NotFound {
        name: choice.to_owned(),
        builtin: BUILTIN
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
        dir: user_dir.map_or_else(
            || "(no config folder)".to_owned(),
            |d| d.display().to_string(),
        ),
    })
}

/// Reads and resolves one theme file.
pub fn load_file(path: &Path, color: bool) -> Result<Theme, ThemeError> {
    let text = std::fs::read_to_string(path).map_err(|e| ThemeError::Read {
        file: path.to_owned(),
        reason: e.to_string(),
    })?;
    let (name, palette) = file::parse(path, &text)?;
    let name = name.unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(|| "custom".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    Ok(Theme::from_palette(&name, &palette, color))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_with_every_key() {
        for (name, text) in BUILTIN {
            let (file_name, palette) = file::parse(Path::new(name), text).unwrap();
            assert_eq!(file_name.as_deref(), Some(*name));
            assert!(
                palette.background.is_some() && palette.selection.is_some(),
                "{name}"
            );
            for key in PALETTE_KEYS {
                assert!(text.contains(&format!("\n{key} = ")), "{name} lacks {key}");
            }
        }
    }

    #[test]
    fn unknown_name_falls_back_with_an_error() {
        let (theme, err) = load(Some("neon"), None, true);
        assert_eq!(theme, Theme::default());
        assert!(matches!(err, Some(ThemeError::NotFound { .. })));
    }

    #[test]
    fn no_color_uses_no_colours() {
        let (theme, _) = load(Some("light"), None, false);
        assert_eq!(theme.button_filled.bg, None);
        assert!(
            theme
                .button_filled
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
