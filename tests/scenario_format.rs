//! The scenario format: every example of `src/scenario/README.md` is a valid scenario (so the
//! document cannot drift from the parser); a wrong file is refused with its line and key;
//! any Unicode in any text of a scenario survives writing and reading back, and no text at
//! all panics the parser.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod doc_support;

use handoff::scenario::{Action, Scenario, Step, parse};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn examples() -> Vec<String> {
    doc_support::code_blocks("src/scenario/README.md", "toml")
}

#[test]
fn every_example_of_the_format_document_is_a_valid_scenario() {
    let blocks = examples();
    assert!(
        blocks.len() >= 3,
        "expected examples, found {}",
        blocks.len()
    );
    let mut actions = std::collections::BTreeSet::new();
    for block in &blocks {
        let scenario = parse(block, "README.md").unwrap_or_else(|e| panic!("{e}\n{block}"));
        actions.extend(scenario.steps.iter().map(|s| s.action.name()));
    }
    for action in [
        "say",
        "press",
        "accept",
        "reject",
        "reply",
        "see",
        "buttons",
        "state",
        "request",
        "event",
        "quiet",
        "drop",
        "fail",
        "delay",
        "expire_queue",
        "wait",
        "transfer",
        "end",
        "attach",
    ] {
        assert!(
            actions.contains(action),
            "the document shows no `do = {action:?}`"
        );
    }
}

/// The error for `text`, as `handoff run` prints it.
fn refused(text: &str) -> String {
    parse(text, "s.toml").expect_err("refused").to_string()
}

#[test]
fn a_wrong_scenario_is_refused_with_its_line_and_key() {
    let cases: &[(&str, &str)] = &[
        (
            "format = 2\n",
            "s.toml:1: `format`: format 2 is not one this handoff reads",
        ),
        (
            "name = \"x\"\n",
            "s.toml:1: `format`: missing field `format`",
        ),
        (
            "format = 1\nsteps = []\n",
            "s.toml:2: `steps`: unknown field `steps`",
        ),
        (
            "format = 1\n[options]\nagents = \"Lisa:busy\"\n",
            "s.toml:3: `agents`: invalid value 'Lisa:busy' for '--agents <AGENTS>'",
        ),
        (
            "format = 1\n[options]\nqueue_timeout = 0\n",
            "s.toml:3: `queue_timeout`: invalid value '0'",
        ),
        (
            "format = 1\n[options]\nagnets = \"Lisa\"\n",
            "s.toml:3: `agnets`: unknown field `agnets`",
        ),
        (
            "format = 1\n\n[[step]]\ntext = \"hi\"\n",
            "s.toml:3: `do`: a step needs `do`",
        ),
        (
            "format = 1\n[[step]]\ndo = \"shout\"\n",
            "s.toml:3: `do`: unknown action \"shout\"; one of say, press",
        ),
        (
            "format = 1\n[[step]]\ndo = \"say\"\ntext = 3\n",
            "s.toml:4: `text`: expected text (a quoted string)",
        ),
        (
            "format = 1\n[[step]]\ndo = \"say\"\n",
            "s.toml:2: `text`: do = \"say\" needs `text`",
        ),
        (
            "format = 1\n[[step]]\nactor = \"Lisa\"\ndo = \"say\"\ntext = \"hi\"\n",
            "s.toml:3: `actor`: \"Lisa\" cannot say (only the user)",
        ),
        (
            "format = 1\n[[step]]\ndo = \"see\"\nmatches = \"(\"\n",
            "s.toml:4: `matches`: regex parse error",
        ),
        (
            "format = 1\n[[step]]\ndo = \"see\"\nequals = \"a\"\ncontains = \"b\"\n",
            "s.toml:4: `equals`: give exactly one of",
        ),
        (
            "format = 1\n[[step]]\ndo = \"quiet\"\nms = -1\n",
            "s.toml:4: `ms`: -1 is not in 0..=60000",
        ),
        (
            "format = 1\n[[step]]\nactor = \"Lisa\"\ndo = \"accept\"\nfails = \"nope\"\n",
            "s.toml:5: `fails`: \"nope\" is not an error code",
        ),
        (
            "format = 1\n[[step]]\ndo = \"fail\"\nmode = \"explode\"\n",
            "s.toml:4: `mode`: \"explode\": one of reject",
        ),
        ("format = 1\n[[step]\n", "s.toml:2: "),
    ];
    for (text, says) in cases {
        let error = refused(text);
        assert!(
            error.starts_with(says),
            "for {text:?}\nexpected {says:?}\ngot      {error:?}"
        );
    }
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = |actor: &str, action: Action| Step {
        actor: actor.to_owned(),
        action,
        line: 0,
    };
    (text(), text(), text(), text(), text(), text(), text()).prop_map(
        move |(a, b, c, d, e, f, g)| {
            vec![
                step(
                    "user",
                    Action::Say {
                        text: a.clone(),
                        fails: None,
                    },
                ),
                step(
                    "user",
                    Action::Press {
                        label: Some(b.clone()),
                        action: None,
                        fails: None,
                    },
                ),
                step(
                    "Lisa",
                    Action::Reject {
                        reason: c.clone(),
                        fails: None,
                    },
                ),
                step(
                    "Lisa",
                    Action::Reply {
                        text: d.clone(),
                        fails: None,
                    },
                ),
                step(
                    "user",
                    Action::See {
                        equals: None,
                        contains: Some(e.clone()),
                        matches: None,
                    },
                ),
                step(
                    "Lisa",
                    Action::Request {
                        title: Some(f.clone()),
                        context: BTreeMap::from([(g.clone(), a.clone())]),
                        history_contains: Some(b.clone()),
                        history_max_bytes: None,
                    },
                ),
                step(
                    "user",
                    Action::State {
                        is: c.clone(),
                        fields: BTreeMap::from([(d.clone(), e.clone())]),
                    },
                ),
                step(
                    "user",
                    Action::Attach {
                        name: f.clone(),
                        content_type: g.clone(),
                        text: a,
                        fails: None,
                    },
                ),
                step(
                    "Lisa",
                    Action::Event {
                        kind: b,
                        fields: BTreeMap::from([(c, d)]),
                    },
                ),
            ]
        },
    )
}

proptest! {
    #[test]
    fn any_unicode_in_any_text_survives_writing_and_reading(name in text(), greeting in text(), steps in steps()) {
        let scenario = Scenario {
            format: 1,
            name,
            options: handoff::scenario::Options { greeting: Some(greeting), ..Default::default() },
            steps,
            file: std::path::PathBuf::default(),
        };
        let written = toml::to_string(&scenario).unwrap();
        let mut back = parse(&written, "p.toml").map_err(|e| TestCaseError::fail(format!("{e}\n{written}")))?;
        for s in &mut back.steps {
            s.line = 0;
        }
        prop_assert_eq!(back, scenario);
    }

    #[test]
    fn no_text_panics_the_parser(text in any::<String>(), prefix in prop::sample::select(vec!["", "format = 1\n[[step]]\n", "format = 1\n[options]\n", "format = 1\n[[step]]\ndo = \"see\"\nmatches = "])) {
        let _ = parse(&format!("{prefix}{text}"), "p.toml");
    }
}
