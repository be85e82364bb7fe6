//! The command palette (Ctrl+P): the console's actions by name, for whoever does not know their
//! keys. Typing filters the list; Enter runs the highlighted action.

pub mod ask;
pub(crate) mod input;
pub mod keys;
pub mod view;

use std::borrow::Cow;

/// What an entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new conversation as the same user.
    NewConversation,
    /// A new conversation as a user named at a prompt.
    NewConversationAs,
    /// The links of the latest message with links.
    Links,
    /// Show or hide the inspector.
    Inspector,
    /// The list of keys.
    Help,
    /// Quit the console.
    Quit,
    /// Send the chat pane's user a notification, as QA would (issue 15, rule 5).
    Notify,
    /// Move the user pane to the next chat platform (issue 15, rule 8).
    SwitchPlatform,
    /// Invite another agent into the inbox's selected live chat (issue 15, rule 9).
    Invite,
    /// Stop the console's own broker and start it again on its store (a fault, as QA would).
    RestartBroker,
    /// Fault: drop the user's WebSocket (it reconnects with `since`).
    DropUserSocket,
    /// Fault: drop the inbox agent's WebSocket.
    DropAgentSocket,
    /// Fault: the system fails its next N calls (asks N and how).
    FailCalls,
    /// Fault: the system answers late (asks how late).
    DelaySystem,
    /// Fault: the system's queue gives up on the request now.
    ExpireQueue,
}

/// One entry: the action, its name and the keys that do the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// What it does.
    pub action: Action,
    /// Its name, which the filter matches.
    pub label: &'static str,
    /// The keys that do the same outside the palette.
    pub keys: &'static str,
}

const fn entry(action: Action, label: &'static str, keys: &'static str) -> Entry {
    Entry {
        action,
        label,
        keys,
    }
}

/// Every entry, in the order listed.
pub const ENTRIES: &[Entry] = &[
    entry(Action::NewConversation, "New conversation", ""),
    entry(
        Action::NewConversationAs,
        "New conversation as another user…",
        "Ctrl+N",
    ),
    entry(
        Action::Links,
        "Open or copy a link of the latest message",
        "Ctrl+L",
    ),
    entry(Action::Inspector, "Show / hide the inspector", "F2"),
    entry(Action::Help, "Help: every key", "F1"),
    entry(Action::Notify, "Send the user a notification (QA)…", ""),
    entry(
        Action::Invite,
        "Invite agent… into the selected live chat",
        "i",
    ),
    entry(Action::Quit, "Quit", "Ctrl+C"),
    entry(
        Action::SwitchPlatform,
        "Switch the user's chat platform (Web, Teams, Slack)",
        "",
    ),
    entry(Action::RestartBroker, "Restart the broker", ""),
    // Faults by hand (issue 16): each says why when it cannot be injected.
    entry(Action::DropUserSocket, "Fault: drop the user's socket", ""),
    entry(Action::DropAgentSocket, "Fault: drop {agent}'s socket", ""),
    entry(
        Action::FailCalls,
        "Fault: fail the system's next N calls…",
        "",
    ),
    entry(Action::DelaySystem, "Fault: delay the system by N ms…", ""),
    entry(Action::ExpireQueue, "Fault: expire the queue now", ""),
];

/// Where a label names the agent the inbox acts as.
const AGENT: &str = "{agent}";

/// The longest filter kept, in characters (more typing is ignored).
pub const FILTER_CHARS: usize = 64;

/// The palette's state while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    /// What was typed.
    pub filter: String,
    /// The highlighted entry among those that match.
    pub selected: usize,
    /// The agent the inbox acts as when the palette opened, named by the labels that say
    /// `{agent}`.
    pub agent: Option<String>,
    /// An entry's question, when one is being answered (the palette shows it instead).
    pub ask: Option<ask::Asking>,
}

impl Palette {
    /// The entries whose name contains every word of the filter, ignoring case.
    pub fn matches(&self) -> Vec<&'static Entry> {
        let filter = self.filter.to_lowercase();
        ENTRIES
            .iter()
            .filter(|e| {
                let label = self.label(e).to_lowercase();
                filter.split_whitespace().all(|w| label.contains(w))
            })
            .collect()
    }

    /// An entry's name as shown: `{agent}` is the agent the inbox acts as.
    pub fn label(&self, entry: &Entry) -> Cow<'static, str> {
        if !entry.label.contains(AGENT) {
            return Cow::Borrowed(entry.label);
        }
        let name = self.agent.as_deref().map_or_else(
            || "the agent".to_owned(),
            |a| crate::text::clean(a).into_owned(),
        );
        Cow::Owned(entry.label.replace(AGENT, &name))
    }

    /// The highlighted entry, if any matches.
    pub fn chosen(&self) -> Option<&'static Entry> {
        self.matches().get(self.selected).copied()
    }

    /// Adds a typed character (up to [`FILTER_CHARS`]) and highlights the first match.
    pub fn push(&mut self, c: char) {
        if !c.is_control() && self.filter.chars().count() < FILTER_CHARS {
            self.filter.push(c);
            self.selected = 0;
        }
    }

    /// Removes the last typed character.
    pub fn pop(&mut self) {
        self.filter.pop();
        self.selected = 0;
    }

    /// Moves the highlight by `by` entries, within the matches.
    pub fn step(&mut self, by: isize) {
        let last = self.matches().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(by).min(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_filters_by_words_in_any_case() {
        let mut p = Palette::default();
        assert_eq!(p.matches().len(), ENTRIES.len());
        for c in "NEW user".chars() {
            p.push(c);
        }
        let labels: Vec<_> = p.matches().iter().map(|e| e.action).collect();
        assert_eq!(labels, [Action::NewConversationAs]);
        p.filter = "zzz".into();
        assert!(p.chosen().is_none());
    }

    #[test]
    fn the_highlight_stays_within_the_matches_and_the_filter_is_bounded() {
        let mut p = Palette::default();
        p.step(-3);
        assert_eq!(p.selected, 0);
        p.step(100);
        assert_eq!(p.selected, ENTRIES.len() - 1);
        for _ in 0..200 {
            p.push('é');
        }
        assert_eq!(p.filter.chars().count(), FILTER_CHARS);
        p.push('\u{1b}');
        assert!(!p.filter.contains('\u{1b}'));
    }
}
