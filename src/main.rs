//! `handoff`: wiring only. Parse the command line, set up logging to a file, run.

use anyhow::Context as _;
use clap::Parser as _;
use handoff::cli::{Cli, Command, ServeArgs};
use handoff::{broker, engine, logging};
use std::io::Write as _;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
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
