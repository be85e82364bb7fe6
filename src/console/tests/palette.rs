//! The command palette: Ctrl+P opens it, typing filters, Enter runs, Esc closes.

use super::*;

#[test]
fn ctrl_p_lists_every_action_with_its_keys() {
    let mut app = offered();
    update(&mut app, ctrl('p'));
    let (text, _) = screen(&app, 120, 40);
    assert!(text.contains("Command palette"), "{text}");
    let palette = app.palette.as_ref().expect("open");
    for entry in crate::console::palette::ENTRIES {
        let label = palette.label(entry);
        assert!(text.contains(label.as_ref()), "{label} missing:\n{text}");
    }
    assert!(text.contains("Ctrl+N"), "{text}");
}

#[test]
fn typing_filters_and_enter_starts_a_new_conversation() {
    let mut app = offered();
    update(&mut app, ctrl('p'));
    typed(&mut app, "new conv");
    let (text, _) = screen(&app, 120, 40);
    assert!(text.contains("New conversation as another user"), "{text}");
    assert!(!text.contains("Quit"), "{text}");
    let commands = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(commands.as_slice(), [Command::NewConversation]),
        "{commands:?}"
    );
    assert!(app.palette.is_none(), "Enter closes the palette");
}

#[test]
fn the_help_entry_opens_help_and_esc_closes_without_running_anything() {
    let mut app = offered();
    update(&mut app, ctrl('p'));
    typed(&mut app, "help");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(app.help);
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ctrl('p'));
    typed(&mut app, "quit");
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert!(app.palette.is_none() && !app.quit);
}

#[test]
fn no_match_runs_nothing() {
    let mut app = offered();
    update(&mut app, ctrl('p'));
    typed(&mut app, "日本 zzz");
    let (text, _) = screen(&app, 80, 24);
    assert!(text.contains("No action has that name"), "{text}");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(!app.quit);
}
