//! `handoff`: wiring only. Parse the command line, set up logging to a file, run.

use anyhow::Context as _;
use clap::Parser as _;
use handoff::cli::{
    Cli, Command, ConsoleArgs, EmulateArgs, ServeArgs, TranscriptArgs, TranscriptFormat,
};
use handoff::{engine, logging};
use std::io::Write as _;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
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
            handoff::console::bench::bench(&mut stdout)?;
            writeln!(stdout)?;
            runtime.block_on(handoff::broker::bench::bench(&mut stdout))
        }
        None => runtime.block_on(console(cli.console)),
    }
}

/// The console on the embedded broker (or on `--broker`).
async fn console(args: ConsoleArgs) -> anyhow::Result<()> {
    check_theme(args.theme.as_deref())?;
    let log_file = args
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_file);
    engine::check_folder(&log_file, "--log-file")?;
    logging::init(&log_file)
        .with_context(|| format!("cannot open the log file {}", log_file.display()))?;
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let embedded = match &args.broker {
        Some(_) => None,
        None => Some(engine::start(&args.engine, loopback, 16).await?),
    };
    let url = match (&args.broker, &embedded) {
        (Some(url), _) => url.clone(),
        (None, Some(b)) => b.url(),
        (None, None) => anyhow::bail!("no broker to connect to"),
    };
    let options = handoff::console::ConsoleOptions {
        url,
        theme: args.theme,
        log_file: None,
        agent: None,
        crash_log: Some(log_file.with_file_name("handoff-crash.log")),
    };
    let result = handoff::console::run(options).await;
    if let Some(engine) = embedded {
        engine.shutdown().await;
    }
    result
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

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let log_file = args
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_file);
    engine::check_folder(&log_file, "--log-file")?;
    logging::init(&log_file)
        .with_context(|| format!("cannot open the log file {}", log_file.display()))?;
    let engine = engine::start(&args.engine, args.listen, args.max_connections).await?;
    let broker = &engine.broker;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", broker.url())?;
    stdout.flush()?;
    drop(stdout);
    // Details go to stderr: stdout's first line is the URL, for scripts.
    let _ = writeln!(
        std::io::stderr(),
        "handoff broker: {} ({} style); logs: {}; Ctrl+C stops",
        broker.system(),
        broker.style(),
        log_file.display()
    );
    if let Some(url) = engine.emulator_url() {
        let _ = writeln!(
            std::io::stderr(),
            "emulator: {url} (no credentials configured)"
        );
    }
    let token = broker.shutdown_token();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = token.cancelled() => {}
    }
    engine.shutdown().await;
    Ok(())
}

fn transcript(args: &TranscriptArgs) -> anyhow::Result<()> {
    use handoff::store::{Store, export};
    anyhow::ensure!(
        args.store.exists(),
        "no transcript store at {}",
        args.store.display()
    );
    let store = Store::open(&args.store)?;
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
                c.id,
                c.user.name,
                c.events.len(),
                state
            )?;
        }
        return Ok(());
    };
    let conversation = store
        .conversation(&id.as_str().into())?
        .with_context(|| format!("no conversation {id} in {}", args.store.display()))?;
    match args.format {
        TranscriptFormat::Text => write!(stdout, "{}", export::text(&conversation))?,
        TranscriptFormat::Purple => writeln!(stdout, "{:#}", export::purple(&conversation))?,
        TranscriptFormat::Link => writeln!(stdout, "{}", export::purple_link(&conversation))?,
    }
    Ok(())
}

async fn emulate(args: EmulateArgs) -> anyhow::Result<()> {
    use handoff::emulators::{EmulatorOptions, desk::AgentScript};
    let log_file = args
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_file);
    engine::check_folder(&log_file, "--log-file")?;
    logging::init(&log_file)
        .with_context(|| format!("cannot open the log file {}", log_file.display()))?;
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
    let emulator = handoff::connectors::emulate(args.system, args.listen, options).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", emulator.base_url())?;
    stdout.flush()?;
    drop(stdout);
    let _ = writeln!(
        std::io::stderr(),
        "{} emulator; logs: {}; Ctrl+C stops",
        args.system,
        log_file.display()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
