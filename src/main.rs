//! `handoff`: wiring only. Parse the command line, set up logging to a file, run.

use anyhow::Context as _;
use clap::Parser as _;
use handoff::cli::{
    Cli, Command, ConsoleArgs, EmulateArgs, ServeArgs, TranscriptArgs, TranscriptFormat,
};
use handoff::{engine, logging};
use std::io::Write as _;

/// Runs the command; an error is printed as `error: ` and its chain of causes on one line, and
/// the exit code is 1, whatever the environment (no backtrace, even with `RUST_BACKTRACE`).
fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {}", one_line(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined by `: ` as `{:#}` does, leaving out a cause whose text is
/// already there (many errors show their source in their own message).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1).map(ToString::to_string) {
        if !line.contains(&cause) {
            line = format!("{line}: {cause}");
        }
    }
    line
}

/// A `--record` file whose folder does not exist (or that is a folder) stops the start, before
/// the terminal is taken over: the recording would otherwise only fail when saved.
fn check_record(file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let Some(file) = file else {
        return Ok(());
    };
    anyhow::ensure!(
        !file.is_dir(),
        "--record {}: it is a folder; give a file",
        file.display()
    );
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    anyhow::ensure!(
        dir.is_dir(),
        "--record {}: no folder {}",
        file.display(),
        dir.display()
    );
    Ok(())
}

/// The subcommand (the console without one).
fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(*args)),
        Some(Command::Transcript(args)) => transcript(&args),
        Some(Command::Emulate(args)) => runtime.block_on(emulate(args)),
        Some(Command::Bench(args)) => {
            let mut stdout = std::io::stdout().lock();
            if let Some(inputs) = args.fuzz {
                let plan = handoff::fuzz::FuzzPlan {
                    inputs,
                    ..handoff::fuzz::FuzzPlan::default()
                };
                return handoff::fuzz::run(plan, &mut stdout);
            }
            if args.bare_relay {
                let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                return runtime.block_on(handoff::bench::bare_relay::serve(loopback));
            }
            handoff::bench::run(&args.options(), &runtime, &mut stdout)
        }
        Some(Command::Run(args)) => {
            if !runtime.block_on(handoff::scenario::suite::run(&args))? {
                std::process::exit(1);
            }
            Ok(())
        }
        Some(Command::Connect(args)) => runtime.block_on(handoff::scenario::connect::run(&args)),
        Some(Command::Import(args)) => handoff::scenario::import::run(&args),
        Some(Command::Demo(args)) => runtime.block_on(demo(&args)),
        None => runtime.block_on(console(cli.console)),
    }
}

/// The console on the embedded broker (or on `--broker`).
/// Logs to `given` (else the default log file), after checking its folder; returns the file.
fn start_logging(given: Option<std::path::PathBuf>) -> anyhow::Result<std::path::PathBuf> {
    let log_file = given.unwrap_or_else(logging::default_log_file);
    engine::check_folder(&log_file, "--log-file")?;
    logging::init(&log_file)
        .with_context(|| format!("cannot open the log file {}", log_file.display()))?;
    Ok(log_file)
}

/// Prints the URL a server listens on as stdout's first line (for scripts), and the details
/// for people to stderr.
fn announce(url: &str, details: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{url}")?;
    stdout.flush()?;
    drop(stdout);
    let _ = writeln!(std::io::stderr(), "{details}");
    Ok(())
}

/// Seed 000, the scenario `handoff demo` plays without a file: built in, so the binary alone
/// can demo.
const SEED_000: &str = include_str!("../tests/scenarios/seed_000_brokered.toml");

/// `handoff demo [FILE]`: the console replaying FILE (seed 000) at a human pace.
async fn demo(args: &handoff::cli::DemoArgs) -> anyhow::Result<()> {
    let scenario = match &args.file {
        Some(file) => handoff::scenario::load(file)?,
        None => handoff::scenario::parse(SEED_000, "seed_000_brokered.toml")?,
    };
    let cli = Cli::try_parse_from(["handoff"])?;
    console_with(cli.console, Some(scenario), Some(args.speed)).await
}

async fn console(args: ConsoleArgs) -> anyhow::Result<()> {
    let scenario = match &args.replay {
        Some(file) => Some(handoff::scenario::load(file)?),
        None => None,
    };
    // --time-scale speeds the pace through the clock the console reads.
    let speed = args.autoplay.then_some(1);
    console_with(args, scenario, speed).await
}

/// The console; with a scenario to replay, its broker runs under the scenario's options (the
/// console's --time-scale kept).
async fn console_with(
    args: ConsoleArgs,
    replay: Option<handoff::scenario::Scenario>,
    autoplay: Option<u32>,
) -> anyhow::Result<()> {
    check_theme(args.theme.as_deref())?;
    check_record(args.record.as_deref())?;
    let log_file = start_logging(args.log_file.clone())?;
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let mut engine_args = match &replay {
        Some(s) => {
            let mut e =
                handoff::scenario::engine_args(s, None, None).map_err(anyhow::Error::msg)?;
            e.time_scale = args.engine.time_scale;
            e
        }
        None => args.engine.clone(),
    };
    engine_args.token_file.clone_from(&args.token_file);
    // Only the console talks to its own broker: every role proves itself with the token.
    engine_args.token_for_every_role = true;
    let embedded = match &args.broker {
        Some(_) => None,
        None => Some(engine::start(&engine_args, loopback, 16).await?),
    };
    let (url, token) = match (&args.broker, &embedded) {
        (Some(url), _) => (url.clone(), engine::given_token(&engine_args)?),
        (None, Some(b)) => (b.url(), Some(b.broker.token().clone())),
        (None, None) => anyhow::bail!("no broker to connect to"),
    };
    let controls = controls_of(embedded.as_ref(), &engine_args.system.to_string());
    let clock = embedded.as_ref().map(|e| e.broker.clock());
    // Held where "Restart the broker" can replace it.
    let embedded = embedded.map(|e| std::sync::Arc::new(tokio::sync::Mutex::new(Some(e))));
    let options = handoff::console::ConsoleOptions {
        url,
        theme: args.theme,
        log_file: None,
        agent: None,
        crash_log: Some(log_file.with_file_name("handoff-crash.log")),
        token,
        clock,
        platform: args.platform,
        record: args.record.clone(),
        scenario_options: replay.as_ref().map_or_else(
            || handoff::scenario::record::options_of(&engine_args),
            |s| s.options.clone(),
        ),
        replay,
        autoplay,
        engine: embedded.clone(),
        controls,
    };
    let result = handoff::console::run(options).await;
    if let Some(slot) = embedded
        && let Some(engine) = slot.lock().await.take()
    {
        engine.shutdown().await;
    }
    result
}

/// Where the console's fault entries send the system's faults: its embedded emulator, or why
/// there is none.
fn controls_of(
    engine: Option<&engine::Engine>,
    system: &str,
) -> handoff::console::faults::Controls {
    use handoff::console::faults::Controls;
    if let Some(url) = engine.and_then(engine::Engine::emulator_url) {
        return Controls::Emulator(url);
    }
    if let Some(desk) = engine.and_then(engine::Engine::mock_desk) {
        return Controls::MockDesk(handoff::scenario::faults::FaultTarget::MockDesk(desk));
    }
    Controls::Unavailable(match engine {
        None => "on an external broker (--broker) the console does not know the system's \
                 emulator"
            .to_owned(),
        Some(e) if e.system.is_none() => "the mock desk has no emulator: start with --system \
                                          NAME (one with an emulator, e.g. servicenow)"
            .to_owned(),
        Some(_) => format!("{system} runs against the real service, not an emulator"),
    })
}

/// A `--theme` that cannot be used stops the start, before the terminal is taken over: the
/// console would otherwise only fall back to the default theme.
fn check_theme(choice: Option<&str>) -> anyhow::Result<()> {
    let Some(choice) = choice else {
        return Ok(());
    };
    let user_dir = handoff::theme::user_theme_dir();
    match handoff::theme::load(Some(choice), user_dir.as_deref(), true).1 {
        Some(e) => Err(anyhow::anyhow!("--theme {choice}: {e}")),
        None => Ok(()),
    }
}

async fn serve(mut args: ServeArgs) -> anyhow::Result<()> {
    args.engine.token_file.clone_from(&args.token_file);
    let log_file = start_logging(args.log_file.clone())?;
    let engine = engine::start(&args.engine, args.listen, args.max_connections).await?;
    let broker = &engine.broker;
    announce(
        &capability_url(&broker.url(), broker.token()),
        &format!(
            "handoff broker: {} ({} style); logs: {}; Ctrl+C stops",
            broker.system(),
            broker.style(),
            log_file.display()
        ),
    )?;
    if let Some(url) = engine.emulator_url() {
        let _ = writeln!(
            std::io::stderr(),
            "emulator: {url} (no credentials configured)"
        );
    }
    let token_file = tell_token(&args, &engine, &log_file)?;
    let stop = broker.shutdown_token();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = stop.cancelled() => {}
    }
    engine.shutdown().await;
    if let Some(path) = token_file {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// The URL `serve` prints first: with the run's token (`?token=`) when stdout is a terminal or
/// a pipe, which only this user can read (as Jupyter prints its URL), so a tool that starts
/// `serve` and reads the line can connect in any role; without it when stdout is a file, which
/// others may be able to read (the token file then tells the token).
fn capability_url(url: &str, token: &handoff::connectors::redact::Secret) -> String {
    match url::Url::parse(url) {
        Ok(mut with) if !stdout_is_a_file() => {
            with.query_pairs_mut().append_pair("token", token.expose());
            with.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Whether stdout is a regular file (unknown platforms: assume it is, and leave the token out).
fn stdout_is_a_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .map_or(true, |m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Tells on stderr how clients prove themselves; a token made for this run is written to an
/// owner-only file beside the log (its path printed, never the token), removed on exit.
fn tell_token(
    args: &ServeArgs,
    engine: &engine::Engine,
    log_file: &std::path::Path,
) -> anyhow::Result<Option<std::path::PathBuf>> {
    let mut stderr = std::io::stderr();
    if !args.listen.ip().is_loopback() {
        let _ = writeln!(
            stderr,
            "warning: listening on {} beyond this machine: clients need the token, and nothing is \
             encrypted; put a TLS reverse proxy in front (README: Security)",
            args.listen
        );
    }
    let how = "send it as hello.token or `Authorization: Bearer TOKEN` (browsers: ?token=)";
    if engine::given_token(&args.engine)?.is_some() {
        let _ = writeln!(stderr, "token: the one you gave; {how}");
        return Ok(None);
    }
    let dir = log_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let path = dir.join(format!("token-{}", engine.broker.addr().port()));
    handoff::private_files::create_dir_all(dir)
        .and_then(|()| handoff::private_files::write(&path, engine.broker.token().expose()))
        .with_context(|| format!("cannot write the token file {}", path.display()))?;
    let _ = writeln!(stderr, "token: in {} (owner-only); {how}", path.display());
    Ok(Some(path))
}

fn transcript(args: &TranscriptArgs) -> anyhow::Result<()> {
    use handoff::store::{Store, export};
    let path = args
        .store
        .clone()
        .or_else(handoff::engine::default_transcript_store)
        .context("no data directory: give --store FILE")?;
    anyhow::ensure!(path.exists(), "no transcript store at {}", path.display());
    anyhow::ensure!(
        !path.is_dir(),
        "{} is a folder, not a transcript store",
        path.display()
    );
    let store = Store::open(&path)?;
    let mut stdout = std::io::stdout().lock();
    let Some(id) = &args.conversation else {
        for c in store.conversations()? {
            let state = c
                .events
                .iter()
                .rev()
                .find_map(|e| match &e.event {
                    handoff::protocol::ConversationEvent::State { state } => Some(state.name()),
                    _ => None,
                })
                .unwrap_or("-");
            writeln!(
                stdout,
                "{}  {:<20} {:>4} events  {}",
                export::for_terminal(c.id.as_str(), args.raw),
                export::for_terminal(&c.user.name, args.raw).replace('\n', " "),
                c.events.len(),
                state
            )?;
        }
        return Ok(());
    };
    let conversation = store
        .conversation(&id.as_str().into())?
        .with_context(|| format!("no conversation {id} in {}", path.display()))?;
    // Texts from users and agents are made safe for the terminal unless --raw.
    let raw = args.raw;
    match args.format {
        TranscriptFormat::Text => {
            let text = export::text(&conversation);
            write!(stdout, "{}", export::for_terminal(&text, raw))?;
        }
        TranscriptFormat::Purple => {
            let json = export::json_for_terminal(export::purple(&conversation), raw);
            writeln!(stdout, "{json:#}")?;
        }
        TranscriptFormat::Link => {
            let link = export::purple_link_for_terminal(&conversation, raw);
            writeln!(stdout, "{link}")?;
        }
        TranscriptFormat::Mermaid | TranscriptFormat::Diagram => {
            use handoff::pictures::{Sequence, diagram, mermaid};
            let seq = Sequence::of(&conversation);
            let text = match args.format {
                TranscriptFormat::Mermaid => mermaid(&seq),
                _ => diagram(
                    &seq,
                    crossterm::terminal::size().map_or(100, |(w, _)| w.into()),
                ),
            };
            write!(stdout, "{}", export::for_terminal(&text, raw))?;
        }
        TranscriptFormat::Scenario => {
            let name = conversation.id.as_str();
            let text = handoff::scenario::stored::scenario_text(name, &conversation.events)
                .map_err(|e| anyhow::anyhow!("conversation {name}: {e}"))?;
            write!(stdout, "{}", export::for_terminal(&text, raw))?;
        }
    }
    Ok(())
}

async fn emulate(args: EmulateArgs) -> anyhow::Result<()> {
    use handoff::emulators::{EmulatorOptions, desk::AgentScript};
    let log_file = start_logging(args.log_file.clone())?;
    let credentials = match &args.credentials_env {
        Some(var) => Some(std::env::var(var).with_context(|| format!("{var} is not set"))?),
        None => None,
    };
    let script = match args.autopilot {
        Some(ms) => AgentScript::greeting(std::time::Duration::from_millis(ms)),
        None => AgentScript::manual(),
    };
    let options = EmulatorOptions {
        script,
        credentials,
        ..EmulatorOptions::default()
    };
    let emulator = handoff::systems::emulate(args.system, args.listen, options).await?;
    announce(
        &emulator.base_url(),
        &format!(
            "{} emulator; logs: {}; Ctrl+C stops",
            args.system,
            log_file.display()
        ),
    )?;
    tokio::signal::ctrl_c().await?;
    Ok(())
}
