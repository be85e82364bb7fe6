//! `handoff`: wiring only. Parse the command line, set up logging to a file, run.

use anyhow::Context as _;
use clap::Parser as _;
use handoff::cli::{Cli, Command, ServeArgs, TranscriptArgs, TranscriptFormat};
use handoff::{broker, engine, logging};
use std::io::Write as _;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
        Some(Command::Transcript(args)) => transcript(&args),
        None => runtime.block_on(serve(ServeArgs {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            max_connections: 256,
            engine: cli.console.engine,
        })),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let log_file = args
        .engine
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_file);
    logging::init(&log_file)
        .with_context(|| format!("cannot open the log file {}", log_file.display()))?;
    let mut config = engine::broker_config(&args.engine)?;
    config.listen = args.listen;
    config.max_connections = args.max_connections;
    let broker = broker::start(config).await?;
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
    let token = broker.shutdown_token();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = token.cancelled() => {}
    }
    broker.shutdown().await;
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
