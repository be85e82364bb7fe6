//! `handoff import LINK|FILE`: a Purple Chat conversation (a link, its JSON, or a seed file with
//! a `purple_chat_link:` line) as a scenario: the user's turns become `say` and `press` steps,
//! the assistant's turns `see` (and `buttons`) expectations, and an agent who speaks in it
//! ("<strong>Lisa Said:</strong>") accepts once offered the request, then is seen.

use super::{Action, Options, Scenario, Step, USER};
use crate::cli::ImportArgs;
use crate::text::to_plain;
use anyhow::Context as _;
use serde_json::Value;
use std::io::Write as _;

/// The largest file read: far above any conversation.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Prints the scenario of `args.source` on stdout.
pub fn run(args: &ImportArgs) -> anyhow::Result<()> {
    let conversation = read(&args.source)?;
    let style = args
        .style
        .map(|s| crate::protocol::HandoffStyle::from(s).to_string());
    let scenario = from_purple(&conversation, style)
        .with_context(|| format!("cannot import {}", args.source))?;
    let text = toml::to_string(&scenario).context("cannot write the scenario")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# Imported from a Purple Chat conversation by `handoff import`."
    )?;
    write!(out, "{text}")?;
    Ok(())
}

/// The conversation JSON a link, a JSON file or a seed file holds.
pub fn read(source: &str) -> anyhow::Result<Value> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return from_link(source);
    }
    let path = std::path::Path::new(source);
    let size = std::fs::metadata(path)
        .with_context(|| format!("no link or file {source}"))?
        .len();
    anyhow::ensure!(
        size <= MAX_FILE_BYTES,
        "{source}: {size} bytes is over the limit of {MAX_FILE_BYTES}"
    );
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {source}"))?;
    if let Ok(json) = serde_json::from_str::<Value>(&text) {
        return Ok(json);
    }
    let link = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("purple_chat_link:"))
        .with_context(|| {
            format!("{source}: neither JSON nor a file with a purple_chat_link: line")
        })?;
    from_link(link.trim())
}

fn from_link(link: &str) -> anyhow::Result<Value> {
    let url = url::Url::parse(link).with_context(|| format!("not a link: {link}"))?;
    let json = url
        .query_pairs()
        .find_map(|(k, v)| (k == "conversation").then(|| v.into_owned()))
        .context("the link has no `conversation` parameter")?;
    serde_json::from_str(&json).context("the link's conversation is not JSON")
}

fn step(actor: &str, action: Action) -> Step {
    Step {
        actor: actor.to_owned(),
        action,
        line: 0,
    }
}

/// `<p><em>Presses "Start agent chat" button</em></p>` and the like: the label pressed.
pub(super) fn pressed(text: &str) -> Option<String> {
    let verbs = ["Presses \"", "Clicks \"", "Pressed \"", "Clicked \""];
    let rest = verbs.iter().find_map(|v| text.trim().strip_prefix(v))?;
    rest.split_once('"').map(|(label, _)| label.to_owned())
}

/// `<p><strong>Lisa Said:</strong></p><p>Hello</p>`: the agent, and what they said.
pub(super) fn agent_said(html: &str) -> Option<(String, String)> {
    let plain = to_plain(html);
    let (head, said) = plain.split_once('\n').unwrap_or((plain.as_str(), ""));
    let name = head
        .trim()
        .strip_suffix(" Said:")
        .or_else(|| head.trim().strip_suffix(" said:"))?;
    Some((name.trim().to_owned(), said.trim().to_owned()))
}

/// The scenario of a Purple Chat conversation, to run on the mock desk in `style`.
pub fn from_purple(conversation: &Value, style: Option<String>) -> anyhow::Result<Scenario> {
    let messages = conversation["messages"]
        .as_array()
        .context("no `messages` list")?;
    let mut steps = Vec::new();
    let mut accepted: Vec<String> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let parts = m["parts"]
            .as_array()
            .with_context(|| format!("message {}: no `parts` list", i + 1))?;
        match m["role"].as_str() {
            Some("user") => steps.extend(user_turn(parts)),
            Some("assistant") => assistant_turn(parts, &mut accepted, &mut steps),
            other => anyhow::bail!(
                "message {}: role {other:?} is neither user nor assistant",
                i + 1
            ),
        }
    }
    Ok(Scenario {
        format: super::FORMAT,
        name: "imported from Purple Chat".into(),
        options: Options {
            style,
            ..Options::default()
        },
        steps,
        file: std::path::PathBuf::new(),
    })
}

fn user_turn(parts: &[Value]) -> Vec<Step> {
    parts
        .iter()
        .filter_map(|p| p["richText"].as_str())
        .map(to_plain)
        .map(|text| match pressed(&text) {
            Some(label) => step(
                USER,
                Action::Press {
                    label: Some(label),
                    action: None,
                    fails: None,
                },
            ),
            None => step(USER, Action::Say { text, fails: None }),
        })
        .collect()
}

fn assistant_turn(parts: &[Value], accepted: &mut Vec<String>, steps: &mut Vec<Step>) {
    let mut lines = Vec::new();
    let mut labels = Vec::new();
    let mut agents = Vec::new();
    for p in parts {
        if let Some(html) = p["richText"].as_str() {
            match agent_said(html) {
                Some(said) => agents.push(said),
                None => lines.push(to_plain(html)),
            }
        }
        for s in p["reasoningSteps"].as_array().into_iter().flatten() {
            lines.push(to_plain(s["richText"].as_str().unwrap_or_default()));
        }
        for b in p["buttons"].as_array().into_iter().flatten() {
            labels.push(b["buttonText"].as_str().unwrap_or_default().to_owned());
        }
    }
    for (agent, _) in &agents {
        if !accepted.contains(agent) {
            accepted.push(agent.clone());
            steps.push(step(
                agent,
                Action::Wait {
                    ms: None,
                    until: Some("offered".into()),
                },
            ));
            steps.push(step(agent, Action::Accept { fails: None }));
        }
    }
    if !lines.is_empty() {
        let text = lines
            .iter()
            .map(|l| super::expect::squeeze(l))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        steps.push(step(
            USER,
            Action::See {
                equals: Some(text),
                contains: None,
                matches: None,
            },
        ));
    }
    if !labels.is_empty() {
        steps.push(step(
            USER,
            Action::Buttons {
                labels,
                enabled: None,
            },
        ));
    }
    for (_, said) in agents {
        steps.push(step(
            USER,
            Action::See {
                equals: Some(said),
                contains: None,
                matches: None,
            },
        ));
    }
}
