//! Autoplay's keys while it plays: + / - change the speed, Space pauses and resumes, all
//! shown in the replay panel and the help; once forked, the keys are the panes' again.

use super::*;
use crate::console::replay;

fn seed_000() -> crate::scenario::Scenario {
    let text = include_str!("../../../tests/scenarios/seed_000_brokered.toml");
    crate::scenario::parse(text, "seed_000_brokered.toml").expect("seed 000 parses")
}

fn autoplaying(speed: u32) -> App {
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    app.size = ratatui::layout::Rect::new(0, 0, 170, 45);
    welcome(&mut app);
    replay::load(&mut app, seed_000(), Some(speed));
    app
}

fn speed(app: &App) -> Option<u32> {
    app.scenario.replay.as_ref().and_then(|r| r.autoplay)
}

#[test]
fn plus_and_minus_double_and_halve_the_speed_within_bounds() {
    let mut app = autoplaying(2);
    update(&mut app, key(KeyCode::Char('+')));
    assert_eq!(speed(&app), Some(4));
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Char('+')));
    }
    assert_eq!(speed(&app), Some(replay::autoplay::MAX_SPEED));
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Char('-')));
    }
    assert_eq!(speed(&app), Some(1), "never slower than a human pace");
    assert!(app.chat.composer.is_empty(), "the keys are not typed");
}

#[test]
fn space_pauses_and_resumes_and_the_panel_says_so_with_its_keys() {
    let mut app = autoplaying(4);
    let (text, _) = screen(&app, 170, 45);
    assert!(text.contains("Autoplay playing ×4"), "{text}");
    assert!(
        text.contains("+ / - faster / slower · Space pause / resume"),
        "{text}"
    );
    update(&mut app, key(KeyCode::Char(' ')));
    let r = app.scenario.replay.as_ref().expect("a replay");
    assert!(r.paused() && !r.running(), "paused");
    assert!(
        replay::tick(&app).is_none(),
        "a paused autoplay needs no ticks"
    );
    let (text, _) = screen(&app, 170, 45);
    assert!(
        text.contains("paused ×4") && text.contains("⏸ 0/"),
        "{text}"
    );
    update(&mut app, key(KeyCode::Char(' ')));
    let r = app.scenario.replay.as_ref().expect("a replay");
    assert!(!r.paused() && r.running(), "resumed");
}

#[test]
fn the_help_lists_the_autoplay_keys_while_it_plays() {
    let mut app = autoplaying(1);
    update(&mut app, key(KeyCode::F(1)));
    let (text, _) = screen(&app, 170, 45);
    assert!(text.contains("Autoplay (while it plays)"), "{text}");
    assert!(text.contains("pause / resume"), "{text}");
}

#[test]
fn once_forked_space_and_plus_are_typed_again() {
    let mut app = autoplaying(1);
    update(&mut app, key(KeyCode::F(9)));
    app.focus = Focus::Chat;
    typed(&mut app, "a +1");
    assert_eq!(app.chat.composer.lines().join(""), "a +1");
    assert_eq!(speed(&app), Some(1));
}

#[test]
fn a_speed_change_mid_step_keeps_what_was_typed() {
    let mut app = autoplaying(1);
    // Well into typing the first message at a human pace.
    let start = app.now;
    update(&mut app, Msg::Tick(start));
    update(&mut app, Msg::Tick(start + 900 + 45 * 10));
    let before = app.chat.composer.lines().join("").chars().count();
    assert!(before >= 5, "typing began: {before}");
    update(&mut app, key(KeyCode::Char('+')));
    update(&mut app, Msg::Tick(start + 900 + 45 * 10));
    let after = app.chat.composer.lines().join("").chars().count();
    assert!(after >= before, "{before} then {after}");
    assert!(after <= before + 1, "no jump ahead: {before} then {after}");
}
