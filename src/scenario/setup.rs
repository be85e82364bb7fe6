//! Before a scenario runs: whether it can run on the target at all, and the command line of
//! its broker.

use super::restart::TempStore;
use super::runner::{Miss, Target};
use super::{Action, Scenario, Step};
use crate::protocol::Presence;
use std::path::{Path, PathBuf};

/// Why `scenario` cannot run on `target`, if it cannot.
pub fn skip_reason(scenario: &Scenario, target: &Target) -> Option<String> {
    let o = &scenario.options;
    let mut emulated = scenario.steps.iter().filter(|s| s.action.needs_emulator());
    let step_says = |s: &Step| format!("step at line {} (do = {:?})", s.line, s.action.name());
    match target {
        Target::Connect { .. } => {
            let set: Vec<&str> = [
                ("system", o.system.is_some()),
                ("routing", o.routing.is_some()),
                ("queue_timeout", o.queue_timeout.is_some()),
                ("config", o.config.is_some()),
            ]
            .into_iter()
            .filter_map(|(k, set)| set.then_some(k))
            .chain(mock_only(scenario))
            .collect();
            if !set.is_empty() {
                return Some(format!(
                    "sets options.{}, which a running broker (--connect) does not take",
                    set.join(", options.")
                ));
            }
            if let Some(s) = scenario.steps.iter().find(|s| s.action == Action::Restart) {
                return Some(format!(
                    "{} restarts the broker, which --connect does not own",
                    step_says(s)
                ));
            }
            emulated.next().map(|s| {
                format!(
                    "{} needs the system's emulator, which --connect cannot reach",
                    step_says(s)
                )
            })
        }
        Target::Embedded { system, .. } => {
            let name = system.map_or_else(
                || o.system.clone().unwrap_or_else(|| "mock".into()),
                |s| s.to_string(),
            );
            let system = name.parse::<crate::systems::SystemName>().ok()?.system()?;
            let on_mock = system.name == crate::systems::mock::NAME;
            let mut mock_only = mock_only(scenario);
            // No greeting is what every emulated system does: its agents follow no script.
            mock_only.retain(|k| *k != "greeting" || !no_greeting(scenario));
            // Agents who all start available are what an emulator's desk takes.
            mock_only.retain(|k| *k != "agents" || emulator_desk(scenario).is_none());
            if !on_mock && !mock_only.is_empty() {
                return Some(format!(
                    "sets options.{}, which only the mock desk has; {name} has its own agents",
                    mock_only.join(", options.")
                ));
            }
            if let Some((s, need)) = super::needs::first_unmet(scenario, system.capabilities) {
                return Some(format!(
                    "{} needs {}, which {name} lacks",
                    step_says(s),
                    need.name()
                ));
            }
            if let Some(reason) = (!on_mock).then(|| crowd(scenario, &name)).flatten() {
                return Some(reason);
            }
            // The mock desk expires its queue itself; it makes no calls to fail or slow.
            let mut emulated = emulated.filter(|s| !(on_mock && s.action == Action::ExpireQueue));
            emulated
                .next()
                .filter(|_| system.emulate.is_none())
                .map(|s| {
                    format!(
                        "{} needs a system's emulator; {name} has none",
                        step_says(s)
                    )
                })
        }
    }
}

/// The desk of the scenario's embedded emulator: `options.agents` when every one starts
/// available (a presence is the mock desk's: `None`), else the emulator's own agents; then
/// every agent actor of the steps not among them. So a scenario's agents (Sam) act on any
/// system, where its capabilities allow what they do.
fn emulator_desk(scenario: &Scenario) -> Option<Vec<String>> {
    let mut desk: Vec<String> = match &scenario.options.agents {
        Some(text) => {
            let list: crate::cli::AgentList = text.parse().ok()?;
            let available = list.0.iter().all(|(_, p)| *p == Presence::Available);
            available.then(|| list.0.into_iter().map(|(name, _)| name).collect())?
        }
        None => crate::emulators::EmulatorOptions::default().agents,
    };
    for agent in super::parse::agents(scenario) {
        if !desk.contains(&agent) {
            desk.push(agent);
        }
    }
    Some(desk)
}

/// Why not, when the scenario names more agents than a desk takes
/// ([`crate::cli::AgentList::MAX_AGENTS`], the bound of `--agents`).
fn crowd(scenario: &Scenario, system: &str) -> Option<String> {
    let agents = emulator_desk(scenario)?.len();
    let most = crate::cli::AgentList::MAX_AGENTS;
    (agents > most).then(|| {
        format!("names {agents} agents; {system}'s emulator takes at most {most} on its desk")
    })
}

/// Whether the scenario turns the mock desk's greeting off (`greeting = ""`).
fn no_greeting(scenario: &Scenario) -> bool {
    scenario.options.greeting.as_deref() == Some("")
}

/// Whether the scenario's broker runs on the mock desk (`system`, when given, replacing the
/// scenario's own).
fn on_mock(scenario: &Scenario, system: Option<crate::systems::SystemName>) -> bool {
    let name = system.map_or_else(
        || scenario.options.system.clone().unwrap_or_default(),
        |s| s.to_string(),
    );
    name.is_empty()
        || name
            .parse::<crate::systems::SystemName>()
            .ok()
            .and_then(crate::systems::SystemName::system)
            .is_some_and(|s| s.name == crate::systems::mock::NAME)
}

/// The mock desk's own options the scenario sets, by key (`style`, `agents`, `greeting`): the
/// engine's list, so the two cannot drift.
fn mock_only(scenario: &Scenario) -> Vec<&'static str> {
    engine_args(scenario, None, None)
        .map(|args| {
            crate::engine::mock_only_options(&args)
                .into_iter()
                .map(|flag| flag.trim_start_matches("--"))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts the scenario's broker on loopback, with `system` and `config` instead of its own
/// when given; on a store of its own when a step restarts it.
pub(super) async fn start_engine(
    scenario: &Scenario,
    system: Option<crate::systems::SystemName>,
    config: Option<&Path>,
) -> Result<(crate::engine::Engine, Option<TempStore>), Miss> {
    let mut args = engine_args(scenario, system, config)
        .map_err(|e| Miss::new("the scenario's options to start a broker", e))?;
    let restarts = scenario.steps.iter().any(|s| s.action == Action::Restart);
    let store = restarts
        .then(TempStore::new)
        .transpose()
        .map_err(|e| Miss::new("a store for the broker to restart on", e))?;
    args.store = store.as_ref().map(|s| s.path().to_owned());
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    match crate::engine::start(&args, loopback, 64).await {
        Ok(engine) => Ok((engine, store)),
        Err(e) => Err(Miss::new("a broker to start", format!("{e:#}"))),
    }
}

/// The command line that starts the scenario's broker, its paths taken from its folder.
pub fn engine_args(
    scenario: &Scenario,
    system: Option<crate::systems::SystemName>,
    config: Option<&Path>,
) -> Result<crate::cli::EngineArgs, String> {
    let o = &scenario.options;
    let folder = scenario.file.parent().unwrap_or(Path::new("."));
    let path = |p: &PathBuf| folder.join(p).display().to_string();
    let mut args: Vec<String> = vec!["handoff".into()];
    let mut add = |flag: &str, value: Option<String>| {
        if let Some(v) = value {
            // `--flag=VALUE`, so that a value starting with `-` is not read as an option.
            args.push(format!("{flag}={v}"));
        }
    };
    add(
        "--system",
        system.map(|s| s.to_string()).or_else(|| o.system.clone()),
    );
    add("--style", o.style.clone());
    // On an emulator, the scenario's agents are its desk's (`emulator_desk`).
    let desk = (!on_mock(scenario, system))
        .then(|| emulator_desk(scenario))
        .flatten();
    add("--agents", o.agents.clone().filter(|_| desk.is_none()));
    // Another system takes no `--greeting`; "none" is what it does anyway (see skip_reason).
    let greeting = o.greeting.clone();
    add(
        "--greeting",
        greeting.filter(|_| !no_greeting(scenario) || on_mock(scenario, system)),
    );
    add("--routing", o.routing.as_ref().map(path));
    add("--queue-timeout", o.queue_timeout.map(|q| q.to_string()));
    // The run's `--config` is the base; the scenario's own file is read over it, key by key.
    let own = o.config.as_ref().map(|p| folder.join(p));
    let (base, over) = match config {
        Some(run) => (Some(run.to_owned()), own),
        None => (own, None),
    };
    add("--config", base.map(|c| c.display().to_string()));
    <crate::cli::Cli as clap::Parser>::try_parse_from(&args)
        .map(|cli| crate::cli::EngineArgs {
            config_over: over,
            emulator_agents: desk,
            ..cli.console.engine
        })
        .map_err(|e| crate::cli::first_line(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(options: &str, actors: &[&str]) -> Scenario {
        use std::fmt::Write as _;
        let mut text = format!("format = 1\n[options]\n{options}\n");
        for actor in actors {
            let _ = write!(
                text,
                "[[step]]\nactor = \"{actor}\"\ndo = \"reply\"\ntext = \"hi\"\n"
            );
        }
        super::super::parse::parse(&text, "t.toml").unwrap()
    }

    #[test]
    fn an_emulators_desk_takes_the_scenarios_agents_but_not_their_presence() {
        let desk = |options, actors| emulator_desk(&scenario(options, actors));
        assert_eq!(
            desk("", &["Sam", "Lisa"]).unwrap(),
            ["Lisa", "Marco", "Sam"]
        );
        assert_eq!(
            desk("agents = \"Lisa\"", &["Sam"]).unwrap(),
            ["Lisa", "Sam"]
        );
        assert_eq!(desk("agents = \"Lisa,Sam:away\"", &[]), None);
        let on = Some("servicenow".parse().unwrap());
        let args = engine_args(&scenario("agents = \"Lisa\"", &["Sam"]), on, None).unwrap();
        assert_eq!(args.emulator_agents.unwrap(), ["Lisa", "Sam"]);
        assert!(args.agents.is_none());
        let mock = engine_args(&scenario("agents = \"Lisa\"", &["Sam"]), None, None).unwrap();
        assert!(mock.agents.is_some() && mock.emulator_agents.is_none());
    }

    #[test]
    fn a_desk_of_more_agents_than_the_bound_is_a_reason_to_skip() {
        let most = crate::cli::AgentList::MAX_AGENTS;
        let names: Vec<String> = (0..=most).map(|i| format!("Agent{i}")).collect();
        let actors: Vec<&str> = names.iter().map(String::as_str).collect();
        let reason = crowd(&scenario("", &actors), "8x8").unwrap();
        assert!(
            reason.contains(&format!("takes at most {most}")),
            "{reason}"
        );
        assert_eq!(crowd(&scenario("", &["Sam"]), "8x8"), None);
    }
}
