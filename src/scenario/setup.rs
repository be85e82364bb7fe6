//! Before a scenario runs: whether it can run on the target at all, and the command line of
//! its broker.

use super::restart::TempStore;
use super::runner::{Miss, Target};
use super::{Action, Scenario, Step};
use std::path::{Path, PathBuf};

/// Why `scenario` cannot run on `target`, if it cannot.
pub fn skip_reason(scenario: &Scenario, target: &Target) -> Option<String> {
    let o = &scenario.options;
    let emulated = scenario.steps.iter().find(|s| s.action.needs_emulator());
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
            emulated.map(|s| {
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
            if let Some(reason) = (!on_mock).then(|| stranger(scenario, &name)).flatten() {
                return Some(reason);
            }
            emulated.filter(|_| system.emulate.is_none()).map(|s| {
                format!(
                    "{} needs a system's emulator; {name} has none",
                    step_says(s)
                )
            })
        }
    }
}

/// Why not, when an agent of the scenario is not on the desk of `system`'s emulator (whose
/// agents are its own, not the scenario's).
fn stranger(scenario: &Scenario, system: &str) -> Option<String> {
    let desk = crate::emulators::EmulatorOptions::default().agents;
    let agent = super::parse::agents(scenario)
        .into_iter()
        .find(|a| !desk.contains(a))?;
    Some(format!(
        "actor {agent} is not an agent of {system}'s emulator (it has {})",
        desk.join(", ")
    ))
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
    add("--agents", o.agents.clone());
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
            ..cli.console.engine
        })
        .map_err(|e| crate::cli::first_line(&e.to_string()))
}
