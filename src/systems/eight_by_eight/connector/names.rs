//! Agents' display names in one chat.
//!
//! Chat Gateway gives an agent's name in one place only: `AGENT_JOINED {agentId, agentName}`,
//! as the chat workflow shows it. `MEMBERS_CHANGED`, `MESSAGE` and `ACTIVITY` carry the id
//! alone, and the documented participants list (`ConversationParticipant`) has no name field.
//! So names are learnt from `AGENT_JOINED` and looked up by id; an agent whose name never came
//! shows as its id. Since 8x8 tells a join both ways, each join is announced once.

use std::collections::{HashMap, HashSet};

/// The most agents whose names one chat remembers; later ones show as their ids. A chat sees a
/// handful of agents (transfers, barge-ins), so this only stops a hostile stream of ids.
pub const MAX_NAMES: usize = 64;

/// The names learnt so far and the agents announced as present.
#[derive(Debug, Default)]
pub struct Names {
    known: HashMap<String, String>,
    present: HashSet<String>,
}

impl Names {
    /// Remembers `name` for `id` (while fewer than [`MAX_NAMES`] are known).
    pub fn learn(&mut self, id: &str, name: &str) {
        if self.known.len() < MAX_NAMES || self.known.contains_key(id) {
            self.known.insert(id.to_owned(), name.to_owned());
        }
    }

    /// `id`'s display name, or the id when 8x8 never named it.
    pub fn name(&self, id: &str) -> String {
        self.known.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// Marks `id` present; true when it was not, i.e. when its joining is news.
    pub fn join(&mut self, id: &str) -> bool {
        if self.present.len() >= MAX_NAMES && !self.present.contains(id) {
            // Past the bound every join is news: announcing twice beats never.
            return true;
        }
        self.present.insert(id.to_owned())
    }

    /// Marks `id` gone, so that a later join is announced again.
    pub fn leave(&mut self, id: &str) {
        self.present.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_learnt_from_agent_joined_names_the_agent_everywhere() {
        let mut names = Names::default();
        assert_eq!(names.name("agent-7781"), "agent-7781");
        names.learn("agent-7781", "Lisa");
        assert_eq!(names.name("agent-7781"), "Lisa");
    }

    #[test]
    fn a_join_told_twice_is_news_once_until_the_agent_leaves() {
        let mut names = Names::default();
        assert!(names.join("a-1"));
        assert!(!names.join("a-1"));
        names.leave("a-1");
        assert!(names.join("a-1"));
    }

    #[test]
    fn past_the_bound_new_agents_show_as_ids_and_are_still_announced() {
        let mut names = Names::default();
        for i in 0..MAX_NAMES {
            names.learn(&format!("a-{i}"), &format!("Agent {i}"));
            assert!(names.join(&format!("a-{i}")));
        }
        names.learn("late", "Late Agent");
        assert_eq!(names.name("late"), "late");
        assert!(names.join("late"));
        names.learn("a-0", "Renamed");
        assert_eq!(names.name("a-0"), "Renamed", "known agents still update");
    }
}
