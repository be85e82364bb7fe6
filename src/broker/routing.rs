//! Routing rules of the scripted assistant: which topic, domain, queue and routing context a
//! user's details map to, and the optional follow-up question that narrows it down.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The rules built into the binary.
const BUILTIN: &str = include_str!("routing.toml");

/// One rule: keywords that select it and what it routes to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// The topic named in the summary, e.g. "SQL Database".
    pub topic: String,
    /// Words or phrases (lower case) that select this rule.
    pub keywords: Vec<String>,
    /// The routing domain, e.g. "IT", "HR", "Finance".
    pub domain: String,
    /// The queue name in the system.
    pub queue: String,
    /// The queue's id in the system, used by URL templates.
    #[serde(default)]
    pub queue_id: Option<String>,
    /// Custom routing keys passed to the system.
    #[serde(default)]
    pub context: BTreeMap<String, String>,
    /// A question that narrows the request down before routing.
    #[serde(default)]
    pub follow_up: Option<FollowUp>,
}

/// A routing follow-up question.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The question, e.g. "can you tell me which database you're using?".
    pub question: String,
    /// Answers recognised in the user's reply; the reply itself is used when none matches.
    #[serde(default)]
    pub choices: Vec<String>,
}

/// The whole rule set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRules {
    /// The rules, in order of preference.
    #[serde(rename = "rule", default)]
    pub rules: Vec<RoutingRule>,
    /// What an unmatched request routes to.
    pub fallback: RoutingRule,
}

/// A routing file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    /// The file could not be read.
    #[error("cannot read routing rules {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("invalid routing rules {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The TOML error, with line and key.
        message: String,
    },
}

impl RoutingRules {
    /// The built-in rules (IT, HR and Finance topics).
    pub fn builtin() -> Self {
        // The embedded file is checked by a unit test; failing here would be a build defect.
        Self::parse(BUILTIN, "built-in routing.toml").unwrap_or_else(|_| Self {
            rules: Vec::new(),
            fallback: RoutingRule {
                topic: "General Support".into(),
                keywords: Vec::new(),
                domain: "General".into(),
                queue: "general".into(),
                queue_id: None,
                context: BTreeMap::new(),
                follow_up: None,
            },
        })
    }

    /// Reads rules from a TOML file of the built-in format.
    pub fn load(path: &Path) -> Result<Self, RoutingError> {
        let text = std::fs::read_to_string(path).map_err(|source| RoutingError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    fn parse(text: &str, path: &str) -> Result<Self, RoutingError> {
        toml::from_str(text).map_err(|e| RoutingError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
    }

    /// The rule with the most keyword matches in `text`, if any matches.
    pub fn matching(&self, text: &str) -> Option<&RoutingRule> {
        let words = words(text);
        let mut best: Option<(&RoutingRule, usize)> = None;
        for rule in &self.rules {
            let score = rule
                .keywords
                .iter()
                .filter(|k| contains_phrase(&words, k))
                .count();
            if score > 0 && best.is_none_or(|(_, s)| score > s) {
                best = Some((rule, score));
            }
        }
        best.map(|(rule, _)| rule)
    }

    /// The rule for `text`, or the fallback.
    pub fn route(&self, text: &str) -> &RoutingRule {
        self.matching(text).unwrap_or(&self.fallback)
    }
}

impl Default for RoutingRules {
    fn default() -> Self {
        Self::builtin()
    }
}

impl FollowUp {
    /// The choice named in `answer` (the longest one, so "Azure SQL Database" beats "SQL"),
    /// or the answer itself, cleaned of a leading "it's" and trailing punctuation.
    pub fn interpret(&self, answer: &str) -> String {
        let lower = answer.to_lowercase();
        let answer_words = words(&lower);
        let chosen = self
            .choices
            .iter()
            .filter(|c| contains_phrase(&answer_words, &c.to_lowercase()))
            .max_by_key(|c| c.len());
        if let Some(choice) = chosen {
            return choice.clone();
        }
        let mut text = answer.trim().trim_end_matches(['.', '!', '?']).trim();
        for prefix in [
            "it's an ",
            "it's a ",
            "it is an ",
            "it is a ",
            "it's ",
            "it is ",
            "we use ",
        ] {
            // Compare bytes in place: lower-casing first could shift char boundaries.
            if let Some(rest) = text.get(prefix.len()..)
                && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            {
                text = rest;
                break;
            }
        }
        text.to_owned()
    }
}

/// Lower-case words of `text`: letters, digits and the inner `'`, `-` and `(`/`)` of tokens
/// such as "401(k)" and "e-mail".
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '\'' | '-' | '(' | ')' | '’')))
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '\'' | '-' | '’'))
                .replace('’', "'")
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether the word sequence `phrase` occurs in `words`.
pub fn contains_phrase(words: &[String], phrase: &str) -> bool {
    let phrase: Vec<String> = self::words(phrase);
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse() {
        let rules: RoutingRules = toml::from_str(BUILTIN).unwrap();
        assert!(rules.rules.len() >= 10);
        assert_eq!(RoutingRules::builtin(), rules);
    }

    #[test]
    fn the_seed_request_routes_to_the_database_queue() {
        let rules = RoutingRules::builtin();
        let rule =
            rules.route("I'm running into a strange issue with a SQL database that I'm using.");
        assert_eq!(rule.topic, "SQL Database");
        assert_eq!(
            rule.queue_id.as_deref(),
            Some("71f1cbd2-83ae-4e54-a03a-2ee8d31a7dee")
        );
    }

    #[test]
    fn common_topics_route_by_keyword() {
        let rules = RoutingRules::builtin();
        for (text, topic) in [
            ("my VPN keeps dropping", "VPN"),
            ("the printer on floor 3 has a paper jam", "Printer"),
            ("I'm locked out of my account", "Password / Account"),
            ("my paycheck is wrong", "Payroll"),
            ("question about dental insurance", "Benefits"),
            ("how do I submit an expense receipt", "Expenses"),
            ("outlook won't open", "Email"),
        ] {
            assert_eq!(rules.route(text).topic, topic, "{text}");
        }
        assert_eq!(rules.route("hello there").topic, "General Support");
    }

    #[test]
    fn keywords_match_whole_words_only() {
        let rules = RoutingRules::builtin();
        // "db" must not match inside "feedback", "pay" not inside "display".
        assert_eq!(
            rules.route("some feedback on the display").topic,
            "General Support"
        );
    }

    #[test]
    fn follow_up_answers_pick_the_longest_choice() {
        let rules = RoutingRules::builtin();
        let follow_up = rules.route("sql").follow_up.clone().unwrap();
        assert_eq!(
            follow_up.interpret("It's an Azure SQL Database."),
            "Azure SQL Database"
        );
        assert_eq!(follow_up.interpret("it's a DB2 box."), "DB2 box");
        // Text whose lower case is longer than itself must not break the prefix check.
        assert_eq!(follow_up.interpret("İİİİİİİİ"), "İİİİİİİİ");
    }

    #[test]
    fn a_bad_rules_file_names_the_problem() {
        let err = RoutingRules::parse("[fallback]\ntopic = 1\n", "rules.toml").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("invalid routing rules rules.toml:"),
            "{text}"
        );
        assert!(text.contains("topic"), "{text}");
    }
}
