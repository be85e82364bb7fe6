//! A question asked in the palette's box before something runs: how many of the system's
//! calls fail and how, how late it answers, the name a fork is saved as. Enter answers, Esc
//! gives up; an answer that cannot be used is said under it and the question stays.

use super::Palette;
use super::keys::{ASK, AskKey};
use crate::console::app::App;
use crate::console::faults;
use crate::console::keymap::dispatch;
use crate::console::msg::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The longest answer kept, in characters (more typing is ignored).
pub const ANSWER_CHARS: usize = 255;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// How many of the system's next calls fail, and how.
    FailCalls,
    /// How late the system answers, and for how many calls.
    Delay,
    /// The file a fork is saved to.
    ForkName,
}

impl Question {
    /// The box's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::FailCalls => " Fail the system's next N calls ",
            Self::Delay => " Delay the system ",
            Self::ForkName => " Save the fork as ",
        }
    }

    /// What the answer looks like.
    pub fn hint(self) -> String {
        match self {
            Self::FailCalls => format!(
                "N KIND: N calls (1 to {}), KIND one of {}",
                faults::MAX_CALLS,
                faults::FAIL_KINDS
            ),
            Self::Delay => format!(
                "MS [CALLS]: milliseconds (up to {}), for the next call or CALLS calls",
                faults::MAX_DELAY_MS
            ),
            Self::ForkName => "a scenario file that does not exist yet (never replaced)".into(),
        }
    }
}

/// A question being answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asking {
    /// What is asked.
    pub question: Question,
    /// What was typed (a suggestion at first).
    pub answer: String,
    /// Why the last answer was not taken.
    pub problem: Option<String>,
}

/// Opens the palette on `question`, with `suggestion` typed (Enter accepts it).
pub(crate) fn open(app: &mut App, question: Question, suggestion: &str) {
    let mut answer = String::new();
    answer.extend(suggestion.chars().take(ANSWER_CHARS));
    app.palette = Some(Palette {
        agent: app.inbox.agent.clone(),
        ask: Some(Asking {
            question,
            answer,
            problem: None,
        }),
        ..Palette::default()
    });
    app.dirty = true;
}

/// A key while a question is open.
pub(crate) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(asking) = app.palette.as_mut().and_then(|p| p.ask.as_mut()) else {
        return Vec::new();
    };
    match dispatch(ASK, &key) {
        Some(AskKey::Answer) => return answer(app),
        Some(AskKey::Cancel) => {
            let question = asking.question;
            app.palette = None;
            give_up(app, question);
        }
        Some(AskKey::Shorten) => _ = asking.answer.pop(),
        None => {
            if let KeyCode::Char(c) = key.code
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && !c.is_control()
                && asking.answer.chars().count() < ANSWER_CHARS
            {
                asking.answer.push(c);
            }
        }
    }
    Vec::new()
}

/// Enter: the answer runs, or the question stays with what is wrong with it.
fn answer(app: &mut App) -> Vec<Command> {
    let Some(asking) = app.palette.as_ref().and_then(|p| p.ask.clone()) else {
        return Vec::new();
    };
    let text = asking.answer.trim();
    let taken = match asking.question {
        Question::FailCalls => {
            faults::parse_fail(text).map(|(count, kind)| Some(faults::fail_action(count, kind)))
        }
        Question::Delay => faults::parse_delay(text)
            .map(|(ms, count)| Some(crate::scenario::Action::Delay { ms, count })),
        Question::ForkName => crate::console::replay::save_fork_as(app, text).map(|()| None),
    };
    match taken {
        Ok(fault) => {
            app.palette = None;
            fault.map_or_else(Vec::new, |action| faults::system(app, action))
        }
        Err(problem) => {
            if let Some(asking) = app.palette.as_mut().and_then(|p| p.ask.as_mut()) {
                asking.problem = Some(problem);
            }
            Vec::new()
        }
    }
}

/// Esc: nothing happens, and the status bar says so.
fn give_up(app: &mut App, question: Question) {
    let said = match question {
        Question::FailCalls | Question::Delay => "No fault injected",
        Question::ForkName => "Not saved: the fork is still recorded (F5 asks again)",
    };
    app.notify(false, said);
}
