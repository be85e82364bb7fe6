//! The replay panel keeps in view what the user is looking at: the step being played, or the
//! mark while Alt+Up / Alt+Down move it, however long the scenario.

use super::*;
use crate::console::replay::{self, ScenarioKey};

/// A scenario of 60 steps: longer than the panel is high at 170x45.
fn replaying() -> App {
    let step = "[[step]]\ndo = \"say\"\ntext = \"a message\"\n";
    let text = format!("format = 1\n{}", step.repeat(60));
    let scenario = crate::scenario::parse(&text, "long.toml").expect("the scenario parses");
    let mut app = App::new(Theme::default(), "ws://127.0.0.1:1");
    app.size = ratatui::layout::Rect::new(0, 0, 170, 45);
    welcome(&mut app);
    replay::load(&mut app, scenario, None);
    app
}

/// The step numbers the panel shows, and the one the mark points at.
fn panel(app: &App) -> (Vec<usize>, Option<usize>) {
    let (text, _) = screen(app, 170, 45);
    let (mut shown, mut marked) = (Vec::new(), None);
    for line in text.lines() {
        let Some(panel) = line.split('│').nth(3) else {
            continue;
        };
        let mut words = panel.split_whitespace();
        let Some(first) = words.next() else { continue };
        let (pointer, number) = match first.strip_prefix('▸') {
            Some(_) => (true, words.next()),
            None if ["·", "✓", "✗", "…"].contains(&first) => (false, words.next()),
            None => continue,
        };
        if let Some(n) = number.and_then(|n| n.parse::<usize>().ok()) {
            shown.push(n);
            if pointer {
                marked = Some(n);
            }
        }
    }
    (shown, marked)
}

#[test]
fn the_mark_starts_on_the_last_step_and_the_panel_shows_the_first_steps_to_play() {
    let app = replaying();
    let steps = app.scenario.replay.as_ref().unwrap().scenario.steps.len();
    let (shown, marked) = panel(&app);
    assert!(shown.contains(&1), "{shown:?}");
    assert!(!shown.contains(&steps), "longer than the panel: {shown:?}");
    assert_eq!(marked, None);
}

#[test]
fn moving_the_mark_brings_it_into_view_wherever_it_is() {
    let mut app = replaying();
    let steps = app.scenario.replay.as_ref().unwrap().scenario.steps.len();
    replay::key(&mut app, ScenarioKey::MarkDown);
    let (shown, marked) = panel(&app);
    assert_eq!(marked, Some(steps), "{shown:?}");
    for _ in 0..steps {
        replay::key(&mut app, ScenarioKey::MarkUp);
    }
    let (shown, marked) = panel(&app);
    assert_eq!(marked, Some(1), "{shown:?}");
}
