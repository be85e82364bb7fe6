//! The scripted assistant: deterministic, configurable, no network. It recognises requests for
//! a live agent, tells whether a message carries details of an issue, and words every reply.
//! The handoff state machine decides *when* it speaks; this module decides *what* it says.

use super::routing::{RoutingRules, contains_phrase, words};
use crate::text::escape;

/// Phrases that ask for a person.
const AGENT_PHRASES: &[&str] = &[
    "agent",
    "agents",
    "live agent",
    "human",
    "a person",
    "real person",
    "live person",
    "representative",
    "rep",
    "operator",
    "someone",
    "somebody",
    "technician",
    "support staff",
    "customer service",
    "help desk",
    "helpdesk",
    "service desk",
    "live chat",
    "talk to a person",
];

/// Words that carry no detail about an issue (requests, politeness, pronouns).
const FILLER: &[&str] = &[
    "i",
    "i'd",
    "id",
    "i'm",
    "im",
    "i've",
    "me",
    "my",
    "we",
    "us",
    "you",
    "can",
    "could",
    "would",
    "will",
    "please",
    "like",
    "want",
    "wanna",
    "need",
    "get",
    "have",
    "to",
    "a",
    "an",
    "the",
    "with",
    "speak",
    "talk",
    "chat",
    "connect",
    "connected",
    "put",
    "through",
    "now",
    "right",
    "away",
    "asap",
    "hi",
    "hello",
    "hey",
    "help",
    "some",
    "let",
    "live",
    "real",
    "person",
    "and",
    "or",
    "is",
    "it",
    "be",
    "do",
    "there",
    "any",
    "thanks",
    "thank",
    "ok",
    "okay",
    "for",
    "of",
    "on",
    "in",
    "just",
    "immediately",
    "talking",
    "speaking",
    "support",
];

/// The keyword that ends a live chat from the user side, compared case-insensitively after
/// trimming (deterministic on purpose, so it is hard to trigger by accident).
pub const STOP_CHAT: &str = "stop chat";

/// The assistant's configuration.
#[derive(Debug, Clone)]
pub struct AssistantConfig {
    /// Keywords -> topic, queue and context.
    pub routing: RoutingRules,
    /// Whether routing follow-up questions are asked (expert routing, e.g. Vayusphere).
    pub follow_ups: bool,
    /// Routing context added to every request (e.g. `language`, `region`).
    pub context: std::collections::BTreeMap<String, String>,
    /// Self-service links offered by "Other help options".
    pub self_service: SelfService,
    /// When "Start agent chat" is shown (`[hours]`, `--hours`).
    pub start_button: super::hours::ButtonMode,
    /// Whether the user sees the agent's avatar (issue 15, rule 4): off for anonymity
    /// (`--no-avatar`, `[brokering] agent_avatar = false`), when no agent message carries one.
    pub agent_avatar: bool,
}

/// Where "Other help options" points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfService {
    /// Knowledge search.
    pub knowledge_url: String,
    /// Filing a ticket.
    pub ticket_url: String,
    /// The live-chat portal.
    pub portal_url: String,
}

impl Default for SelfService {
    fn default() -> Self {
        Self {
            knowledge_url: "https://help.example.com/kb".into(),
            ticket_url: "https://help.example.com/tickets/new".into(),
            portal_url: "https://livechat.example.com".into(),
        }
    }
}

impl Default for AssistantConfig {
    fn default() -> Self {
        Self {
            routing: RoutingRules::builtin(),
            follow_ups: false,
            context: [("language", "en"), ("region", "NA")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            self_service: SelfService::default(),
            start_button: super::hours::ButtonMode::System,
            agent_avatar: true,
        }
    }
}

/// Whether the user asks for a live agent.
pub fn is_agent_request(text: &str) -> bool {
    let w = words(text);
    AGENT_PHRASES.iter().any(|p| contains_phrase(&w, p))
}

/// Whether the user typed the stop keyword.
pub fn is_stop_chat(text: &str) -> bool {
    text.trim()
        .trim_end_matches(['.', '!'])
        .eq_ignore_ascii_case(STOP_CHAT)
}

/// Whether `text` says something about the issue, beyond asking for a person.
pub fn has_details(text: &str, routing: &RoutingRules) -> bool {
    if routing.matching(text).is_some() {
        return true;
    }
    let content = words(text)
        .into_iter()
        .filter(|w| !FILLER.contains(&w.as_str()) && !AGENT_PHRASES.contains(&w.as_str()))
        .count();
    content >= 3
}

/// "a" or "an" before a word.
fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// The texts the assistant says, in one place.
pub mod say {
    use super::{article, escape};

    /// Asking for details before enqueuing.
    pub const ASK_DETAILS: &str = "<p>Could you please provide more details about the issue you're experiencing so I can connect you with a live agent effectively?</p>";
    /// The reasoning step while routing.
    pub const STEP_ROUTING: &str = "<p>Determining appropriate live agent queue</p>";
    /// The reasoning step while a live chat is being set up.
    pub const STEP_CONNECTING: &str = "<p>Connecting you with a Live Agent</p>";
    /// The reasoning step while a link is being prepared (URL and API styles).
    pub const STEP_LINKING: &str = "<p>Preparing your live agent chat</p>";
    /// Said when the agent joins.
    pub const CHAT_STARTED: &str = "<p>Your live agent chat has started!</p>";
    /// Asked while routing is still running.
    pub const STILL_ROUTING: &str = "<p>One moment, I'm still finding the right queue for you.</p>";
    /// Reply to "Edit / Add details".
    pub const EDIT_DETAILS: &str = "<p>Sure. Tell me more about the issue, or correct the details, and I'll update your request.</p>";
    /// Reply to "Stop chat" outside a live chat.
    pub const NO_CHAT_TO_STOP: &str = "<p>You're not in a live agent chat right now.</p>";
    /// Reply to small talk.
    pub const FALLBACK: &str = "<p>I'm the demo assistant of <em>handoff</em>. Describe your issue, or ask for a live agent (for example: \"I'd like to speak to a live agent\").</p>";

    /// The routing step while finding experts for an answer to a follow-up.
    pub fn step_experts(expert: &str) -> String {
        format!("<p>Finding {} experts...</p>", escape(expert))
    }

    /// The summary with the topic in bold.
    pub fn summary(topic: &str) -> String {
        format!(
            "<p>I understand you're having an issue with your <strong>{}</strong> and would like to speak with a live agent. Please review the provided available option to proceed.&nbsp;</p>",
            escape(topic)
        )
    }

    /// The summary that asks a routing follow-up question.
    pub fn summary_with_question(topic: &str, question: &str) -> String {
        format!(
            "<p>I understand you're having an issue with your <b>{}</b> and would like to speak with a live agent. To help me route you to the right expert, {}</p>",
            escape(topic),
            escape(question)
        )
    }

    /// The summary after a follow-up answer.
    pub fn summary_expert(expert: &str) -> String {
        format!(
            "<p>Okay, I'm connecting you with {} {} expert. Please review the options below to proceed.</p>",
            article(expert),
            escape(expert)
        )
    }

    /// The summary of a topic mentioned without asking for a person (self-service first).
    pub fn summary_self_service(topic: &str) -> String {
        format!(
            "<p>It sounds like you need help with <strong>{}</strong>. I can connect you with a live agent, or you can try other help options.</p>",
            escape(topic)
        )
    }

    /// Said when no agent is available.
    pub const NO_AGENTS: &str = "<p>No live agents are available right now, so I can't start an agent chat. Please try again later, or see other help options.</p>";

    /// Said when the business hours rule out an agent chat: `why` names the hours.
    pub fn closed(why: &str) -> String {
        format!(
            "<p>{} I can't start an agent chat now, but you can add details to your request or see other help options.</p>",
            escape(why)
        )
    }

    /// The step text of a redirect through another bot (API style).
    pub fn step_redirect_bot(bot: &str) -> String {
        format!("<p>Redirecting to <i>{}.....</i></p>", escape(bot))
    }

    /// The step text of a redirect to a URL.
    pub fn step_redirect_url(url: &str) -> String {
        format!("<p><em>Taking you to {}</em></p>", escape(url))
    }

    /// The step text of a channel post.
    pub fn step_posted(channel: &str) -> String {
        format!("<p>Posting your request to {}</p>", escape(channel))
    }

    /// Said after a channel post.
    pub fn posted(channel: &str) -> String {
        format!(
            "<p>I've posted your request in <strong>{}</strong>. An agent will reach out to you shortly.</p>",
            escape(channel)
        )
    }

    /// Said when the system could not be reached.
    pub fn system_failed(error: &str) -> String {
        format!(
            "<p>Sorry, I couldn't reach the live agent system ({}). Please try again in a moment.</p>",
            escape(error)
        )
    }

    /// Said when a queued request ends without an agent.
    pub fn not_taken(reason: &str) -> String {
        format!(
            "<p>Sorry, no agent could take your chat {}. You can try again, or see other help options.</p>",
            escape(reason)
        )
    }

    /// Said when the user leaves the queue.
    pub const LEFT_QUEUE: &str = "<p>Okay, I've cancelled your request for a live agent.</p>";

    /// Said when a live chat ends.
    pub fn chat_ended(by: &str) -> String {
        format!("<p>{}</p>", escape(by))
    }

    /// Said when the user asks for an agent while already waiting.
    pub fn already_waiting(waited: &str) -> String {
        format!(
            "<p>You're already in the queue for a live agent (waiting {}). I'll let you know as soon as an agent joins; type \"Stop chat\" to leave the queue.</p>",
            escape(waited)
        )
    }

    /// The answer to a question while queued that names no topic.
    pub const QUEUED_FALLBACK: &str = "<p>I'm the demo assistant of <em>handoff</em>: I can't look that up, but I can add it to your request for the agent (\"Edit / Add details\"), or point you to other help options.</p>";

    /// The answer to a question about `topic` while queued.
    pub fn queued_topic(topic: &str) -> String {
        format!(
            "<p>For <strong>{}</strong>, the knowledge base may already have the answer: see \"Other help options\". To tell the agent about it, use \"Edit / Add details\".</p>",
            escape(topic)
        )
    }

    /// The reminder after an answer while queued.
    pub fn still_queued(waited: &str) -> String {
        format!(
            "<p>You're still in the queue (waiting {}); type \"Stop chat\" to leave it.</p>",
            escape(waited)
        )
    }

    /// Reply to "Edit / Add details" while queued.
    pub const EDIT_WHILE_QUEUED: &str = "<p>Sure. Tell me what to add, and I'll update the request the agent sees. You keep your place in the queue.</p>";

    /// Said when details were added to the waiting request.
    pub fn details_added(waited: &str) -> String {
        format!(
            "<p>Thanks, I've added that to your request; the agent will see it. You're still in the queue (waiting {}).</p>",
            escape(waited)
        )
    }

    /// Said when added details would make the request too long.
    pub fn request_too_long(max: usize) -> String {
        format!(
            "<p>That would make your request longer than {max} characters, so I left it as it was. Please keep the details shorter.</p>"
        )
    }

    /// Said above the options offered again after a wait that ended without an agent.
    pub const OPTIONS_AGAIN: &str = "<p>What would you like to do next?</p>";

    /// The lead-in of "Other help options".
    pub const OTHER_HELP: &str = "<p>Here are other ways to get help:</p>";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_requests_for_a_person_in_many_phrasings() {
        for text in [
            "I'd like to speak to a live agent",
            "agent please",
            "can I talk to a human?",
            "get me a representative",
            "I want a real person",
            "connect me to someone",
            "Live person!",
            "is there an operator",
            "I need the help desk",
        ] {
            assert!(is_agent_request(text), "{text}");
        }
        for text in ["my printer is broken", "what's the agenda", "reagent stock"] {
            assert!(!is_agent_request(text), "{text}");
        }
    }

    #[test]
    fn a_bare_request_has_no_details_but_a_described_one_does() {
        let routing = RoutingRules::builtin();
        assert!(!has_details("I'd like to speak to a live agent", &routing));
        assert!(!has_details("can I talk to a human please", &routing));
        assert!(has_details("I need a human to fix my VPN", &routing));
        assert!(has_details(
            "agent: the badge reader at the front door rejects visitors",
            &routing
        ));
    }

    #[test]
    fn stop_chat_is_exact_and_case_insensitive() {
        assert!(is_stop_chat("Stop chat"));
        assert!(is_stop_chat("  STOP CHAT. "));
        assert!(!is_stop_chat("please don't stop chat"));
    }

    #[test]
    fn summaries_name_the_topic_in_bold() {
        assert!(say::summary("SQL Database").contains("<strong>SQL Database</strong>"));
        assert!(
            say::summary_with_question("SQL Database", "which one?")
                .contains("<b>SQL Database</b>")
        );
        assert!(
            say::summary_expert("Azure SQL Database").contains("with an Azure SQL Database expert")
        );
        assert!(say::summary_expert("MySQL").contains("with a MySQL expert"));
    }
}
