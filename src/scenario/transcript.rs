//! `do = "transcript"`: the user's conversation so far equals a Purple Chat conversation (a
//! file: its JSON, a link, or a seed file with a `purple_chat_link:` line) or turns written
//! inline (`"who: text"`), turn by turn. Consecutive messages of one speaker make one turn, as
//! Purple Chat groups them; a press is the user's turn `Pressed "LABEL"`, as the broker shows it
//! (Purple Chat writes `Presses "LABEL" button`).

use super::expect::{plain, squeeze};
use super::import::{agent_said, pressed};
use crate::protocol::{ConversationEvent, Role, ServerMsg};
use crate::text::to_plain;
use serde_json::Value;
use std::path::Path;

/// One turn: who spoke (`user`, `assistant`, an agent's name, `system`) and what, a line a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The speaker.
    pub who: String,
    /// What they said, white space squeezed.
    pub text: String,
}

/// `turns` pushed one line (of `who`) further: onto the last turn when `who` spoke it.
fn push(turns: &mut Vec<Turn>, who: &str, line: &str) {
    let line = squeeze(line);
    if line.is_empty() {
        return;
    }
    match turns.last_mut() {
        Some(last) if last.who == who => last.text = format!("{} {line}", last.text),
        _ => turns.push(Turn {
            who: who.to_owned(),
            text: line,
        }),
    }
}

/// The turns of the user's log: each message once, where it first appeared, as last seen.
pub fn of_log(log: &[ServerMsg]) -> Vec<Turn> {
    let mut order: Vec<&crate::protocol::ChatMessage> = Vec::new();
    for msg in log {
        let ServerMsg::Event {
            event: ConversationEvent::Message { message },
            ..
        } = msg
        else {
            continue;
        };
        match order.iter_mut().find(|m| m.id == message.id) {
            Some(seen) => *seen = message,
            None => order.push(message),
        }
    }
    let mut turns = Vec::new();
    for m in order {
        let who = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Agent => m.agent.as_ref().map_or("agent", |a| a.name.as_str()),
            Role::System => "system",
        };
        push(&mut turns, who, &plain(m));
    }
    turns
}

/// The turns of a Purple Chat conversation (`{"messages": [{role, parts}]}`).
pub fn of_purple(conversation: &Value) -> Result<Vec<Turn>, String> {
    let messages = conversation["messages"]
        .as_array()
        .ok_or("no `messages` list")?;
    let mut turns = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let parts = m["parts"]
            .as_array()
            .ok_or_else(|| format!("message {}: no `parts` list", i + 1))?;
        let user = match m["role"].as_str() {
            Some("user") => true,
            Some("assistant") => false,
            other => return Err(format!("message {}: role {other:?}", i + 1)),
        };
        for p in parts {
            for s in p["reasoningSteps"].as_array().into_iter().flatten() {
                push(
                    &mut turns,
                    "assistant",
                    &to_plain(s["richText"].as_str().unwrap_or("")),
                );
            }
            let Some(html) = p["richText"].as_str() else {
                continue;
            };
            let text = to_plain(html);
            match (user, agent_said(html)) {
                (true, _) => match pressed(&text) {
                    Some(label) => push(&mut turns, "user", &format!("Pressed {label:?}")),
                    None => push(&mut turns, "user", &text),
                },
                (false, Some((agent, said))) => push(&mut turns, &agent, &said),
                (false, None) => push(&mut turns, "assistant", &text),
            }
        }
    }
    Ok(turns)
}

/// The turns written inline: `"who: text"` each.
pub fn of_lines(lines: &[String]) -> Result<Vec<Turn>, String> {
    let mut turns = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let (who, text) = line
            .split_once(':')
            .ok_or_else(|| format!("turn {}: {line:?} is not \"who: text\"", i + 1))?;
        push(&mut turns, who.trim(), text);
    }
    Ok(turns)
}

/// The turns a step wants: from its Purple Chat file (relative to `folder`) or its lines.
pub fn wanted(folder: &Path, file: Option<&Path>, lines: &[String]) -> Result<Vec<Turn>, String> {
    let Some(file) = file else {
        return of_lines(lines);
    };
    let path = folder.join(file);
    let json = super::import::read(&path.display().to_string()).map_err(|e| format!("{e:#}"))?;
    of_purple(&json).map_err(|e| format!("{}: {e}", path.display()))
}

/// `Ok` when `seen` equals `want` turn by turn; else the first turn that differs. Purple Chat
/// has no system messages: with `purple`, the system's turns are left out of `seen`; so they
/// are when `want` writes none (a system's notices are in its own wording, so a conversation
/// that names none reads the same on every system).
pub fn compare(want: &[Turn], seen: &[Turn], purple: bool) -> Result<(), String> {
    let leave_out = purple || !want.iter().any(|t| t.who == "system");
    let seen: Vec<&Turn> = seen
        .iter()
        .filter(|t| !(leave_out && t.who == "system"))
        .collect();
    let say = |t: Option<&Turn>| {
        t.map_or_else(|| "no turn".into(), |t| format!("{}: {:?}", t.who, t.text))
    };
    for i in 0..want.len().max(seen.len()) {
        let (w, s) = (want.get(i), seen.get(i).copied());
        if w != s {
            return Err(format!(
                "turn {}: expected {}, seen {}",
                i + 1,
                say(w),
                say(s)
            ));
        }
    }
    Ok(())
}

/// Waits until the user's conversation equals what the step wants, or says the first
/// differing turn when `deadline` passes.
pub(super) async fn expect(
    user: &mut super::actor::Actor,
    folder: &Path,
    file: Option<&Path>,
    lines: &[String],
    deadline: tokio::time::Instant,
) -> Result<(), super::runner::Miss> {
    use super::runner::Miss;
    let want =
        wanted(folder, file, lines).map_err(|e| Miss::new("a conversation to compare", e))?;
    let what = file.map_or_else(
        || format!("the {} turns written", want.len()),
        |f| format!("the {} turns of {}", want.len(), f.display()),
    );
    super::steps::poll(user, deadline, |log| {
        compare(&want, &of_log(log), file.is_some())
    })
    .await
    .map_err(|seen| Miss::new(what, seen))
}

#[cfg(test)]
mod tests;
