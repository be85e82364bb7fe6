//! Theme files: the valid fixtures resolve, each invalid one fails with its exact message
//! (naming the file and the key) and leaves the default theme in place.

use handoff::theme::{self, Theme};
use ratatui::style::Color;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/themes")
        .join(name)
}

fn error_of(name: &str) -> String {
    let path = fixture(name);
    let path = path.to_string_lossy();
    let (theme, err) = theme::load(Some(&path), None, true);
    assert_eq!(theme, Theme::default(), "{name}: the default theme is used");
    err.unwrap_or_else(|| panic!("{name} should fail"))
        .to_string()
}

#[test]
fn a_partial_theme_keeps_the_default_for_missing_keys() {
    let theme = theme::load_file(&fixture("valid-partial.toml"), true).unwrap();
    assert_eq!(theme.name, "sunset");
    assert_eq!(theme.button_filled.bg, Some(Color::Rgb(0xff, 0x88, 0x00)));
    assert_eq!(theme.button_filled.fg, Some(Color::Black));
    assert_eq!(theme.user.fg, Some(Color::LightGreen));
    assert_eq!(
        theme.base,
        Theme::default().base,
        "background and foreground from dark"
    );
}

#[test]
fn a_theme_without_a_name_is_named_after_its_file() {
    let theme = theme::load_file(&fixture("valid-no-name.toml"), true).unwrap();
    assert_eq!(theme.name, "valid-no-name");
    assert_eq!(theme.base.bg, Some(Color::Reset));
    assert_eq!(theme.base.fg, Some(Color::Indexed(15)));
}

#[test]
fn user_themes_are_found_by_name_before_builtins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("valid-partial.toml"), dir.path().join("light.toml")).unwrap();
    let (theme, err) = theme::load(Some("light"), Some(dir.path()), true);
    assert!(err.is_none());
    assert_eq!(
        theme.name, "sunset",
        "the user's light.toml shadows the built-in one"
    );
    let (theme, err) = theme::load(Some("high-contrast"), Some(dir.path()), true);
    assert!(err.is_none());
    assert_eq!(theme.name, "high-contrast");
}

#[test]
fn an_unknown_palette_key_is_named() {
    let file = fixture("unknown-key.toml");
    assert_eq!(
        error_of("unknown-key.toml"),
        format!(
            "theme file {}: unknown key `palette.acent` (known keys: background, foreground, muted, \
             border, focus, accent, on_accent, user, assistant, agent, success, warning, error, \
             selection)",
            file.display()
        )
    );
}

#[test]
fn a_bad_colour_is_named_with_its_key() {
    assert_eq!(
        error_of("bad-colour.toml"),
        format!(
            "theme file {}: key `palette.accent` has invalid colour \"#ff88\" (expected \"#rrggbb\", \
             a colour name such as \"light-blue\", or an index 0-255)",
            fixture("bad-colour.toml").display()
        )
    );
}

#[test]
fn a_colour_that_is_not_a_string_is_named() {
    assert_eq!(
        error_of("not-a-string.toml"),
        format!(
            "theme file {}: key `palette.error` must be a string, got integer",
            fixture("not-a-string.toml").display()
        )
    );
}

#[test]
fn an_unknown_top_level_key_is_named_with_its_line() {
    assert_eq!(
        error_of("unknown-top-level.toml"),
        format!(
            "theme file {}, line 2: unknown field `colours`, expected `name` or `palette`",
            fixture("unknown-top-level.toml").display()
        )
    );
}

#[test]
fn invalid_toml_names_the_line() {
    let message = error_of("not-toml.toml");
    let prefix = format!(
        "theme file {}, line 1: ",
        fixture("not-toml.toml").display()
    );
    assert!(message.starts_with(&prefix), "{message}");
    assert_eq!(
        message,
        format!("{prefix}invalid basic string, expected `\"`")
    );
}

#[test]
fn a_missing_file_and_an_unknown_name_are_explained() {
    let missing = fixture("nope.toml");
    let message = error_of("nope.toml");
    assert!(
        message.starts_with(&format!(
            "theme file {}: cannot read it: ",
            missing.display()
        )),
        "{message}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, err) = theme::load(Some("neon"), Some(dir.path()), true);
    assert_eq!(
        err.unwrap().to_string(),
        format!(
            "no theme named \"neon\": built-in themes are dark, light, high-contrast; user themes go in {}",
            dir.path().display()
        )
    );
}
