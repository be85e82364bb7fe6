//! Bot-scoped sessions (issue 15, rule 8): a live chat belongs to a user on one chat platform.
//! The same user may talk to an agent on Slack, to the assistant on Teams and to another agent
//! on Web at once; Web embedded on several sites is one bot, so its chat continues from site to
//! site. [`UserChats`] finds a user's conversation on a platform; the attachment matrix is
//! [`Platform::capabilities`], enforced when a user attaches a file and when an agent's file
//! reaches the user.

use crate::protocol::{ConversationId, Platform};
use std::collections::{BTreeMap, HashMap};

/// Where a conversation belongs: a platform and, on Web, the site of its first hello.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The platform.
    pub platform: Platform,
    /// The site of the first hello, when it named one (later sites continue the same chat).
    pub site: Option<String>,
}

impl Scope {
    /// A scope.
    pub fn new(platform: Platform, site: Option<String>) -> Self {
        Self { platform, site }
    }

    /// Adds the platform (and site) to a request's routing context, so agents see where the
    /// user is and systems may route on it.
    pub fn add_to(&self, context: &mut BTreeMap<String, String>) {
        context.insert("platform".into(), self.platform.name().into());
        if let Some(site) = &self.site {
            context.insert("site".into(), site.clone());
        }
    }
}

/// Each user's conversation per platform, by the user's id.
///
/// Bound: at most one conversation per (user, platform), so a user holds at most
/// `Platform::ALL.len()` (3) entries; an entry goes when its conversation leaves memory
/// ([`UserChats::forget`]), so the map never holds more entries than the hub holds
/// conversations.
#[derive(Debug, Default)]
pub struct UserChats {
    chats: HashMap<(String, Platform), ConversationId>,
}

impl UserChats {
    /// The user's conversation on `platform`, if they have one.
    pub fn find(&self, user: &str, platform: Platform) -> Option<&ConversationId> {
        self.chats.get(&(user.to_owned(), platform))
    }

    /// Records `conv` as the user's conversation on `platform`, replacing any before it.
    pub fn insert(&mut self, user: &str, platform: Platform, conv: ConversationId) {
        self.chats.insert((user.to_owned(), platform), conv);
    }

    /// Forgets `conv` wherever it is recorded (it left memory).
    pub fn forget(&mut self, conv: &ConversationId) {
        self.chats.retain(|_, c| c != conv);
    }

    /// How many conversations a user holds across platforms.
    pub fn count_for(&self, user: &str) -> usize {
        self.chats.keys().filter(|(u, _)| u == user).count()
    }

    /// How many entries the map holds.
    pub fn len(&self) -> usize {
        self.chats.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.chats.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_holds_one_conversation_per_platform_and_at_most_three() {
        let mut chats = UserChats::default();
        for (n, platform) in Platform::ALL.into_iter().enumerate() {
            chats.insert("u-1", platform, format!("c-{n}").into());
        }
        // A second conversation on a platform replaces the first: the bound holds.
        chats.insert("u-1", Platform::Slack, "c-9".into());
        assert_eq!(chats.count_for("u-1"), Platform::ALL.len());
        assert_eq!(chats.find("u-1", Platform::Slack), Some(&"c-9".into()));
        assert_eq!(chats.find("u-1", Platform::Web), Some(&"c-0".into()));
        assert_eq!(chats.find("u-2", Platform::Web), None);
        chats.forget(&"c-0".into());
        assert_eq!(chats.find("u-1", Platform::Web), None);
        assert_eq!(chats.len(), 2);
    }

    #[test]
    fn the_scope_reaches_the_routing_context() {
        let mut context = BTreeMap::new();
        Scope::new(Platform::Web, Some("intranet".into())).add_to(&mut context);
        assert_eq!(context["platform"], "web");
        assert_eq!(context["site"], "intranet");
        let mut context = BTreeMap::new();
        Scope::new(Platform::Slack, None).add_to(&mut context);
        assert_eq!(context.get("site"), None);
        assert_eq!(context["platform"], "slack");
    }
}
