//! The command line.

use crate::config::SystemName;
use crate::protocol::{HandoffStyle, Presence};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// A terminal console for live-agent handoff and message brokering.
///
/// With no command, opens the console on an embedded broker with the mock desk.
#[derive(Debug, Parser)]
#[command(name = "handoff", version, about)]
pub struct Cli {
    /// What to run; the console when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the console (the default command).
    #[command(flatten)]
    pub console: ConsoleArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the broker headless for other clients; prints its ws:// URL as the first line.
    Serve(ServeArgs),
    /// List the conversations of a transcript store, or print one.
    Transcript(TranscriptArgs),
    /// Run one system's emulator on its own; prints its base URL as the first line.
    Emulate(EmulateArgs),
    /// Print performance figures: console frame times and broker latencies (run with --release).
    Bench,
}

/// Options of `handoff emulate`.
#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// The system: servicenow, amazon-connect, 8x8 or glia.
    #[arg(value_parser = parse_system)]
    pub system: SystemName,
    /// Where to listen (loopback only); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Simulated agents accept after this many milliseconds and greet; without it, agents wait
    /// for a person (the console's inbox or the `/__emu` control endpoints).
    #[arg(long, value_name = "MS")]
    pub autopilot: Option<u64>,
    /// The only credential accepted, read from this environment variable; any well-formed
    /// credential is accepted when omitted.
    #[arg(long, value_name = "ENV_VAR")]
    pub credentials_env: Option<String>,
    /// Log file; defaults to handoff.log in the platform's state or cache directory.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

/// Options of `handoff transcript`.
#[derive(Debug, Args)]
pub struct TranscriptArgs {
    /// The SQLite file written by `--store`.
    #[arg(long, value_name = "FILE")]
    pub store: PathBuf,
    /// The conversation to print; every conversation is listed when omitted.
    pub conversation: Option<String>,
    /// How to print it.
    #[arg(long, value_enum, default_value_t = TranscriptFormat::Text)]
    pub format: TranscriptFormat,
    /// Print texts as stored, escape sequences and control characters included (by default
    /// they are removed, so a message cannot retitle the terminal or write the clipboard).
    #[arg(long)]
    pub raw: bool,
}

/// `--format` of `handoff transcript`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranscriptFormat {
    /// Plain text with times (UTC).
    Text,
    /// Purple Chat JSON, the format of the seed conversations.
    Purple,
    /// A link that opens the conversation in Purple Chat.
    Link,
}

/// Options of the console.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Use an external broker (ws://...) instead of the embedded one.
    #[arg(long, value_name = "URL", global = true)]
    pub broker: Option<String>,
    /// Theme: a built-in name (dark, light, high-contrast) or a path to a theme file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Options of the embedded broker.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Options of `handoff serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen; loopback by default, port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub listen: SocketAddr,
    /// Open connections at most.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    /// Options of the engine.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Options of the broker engine, embedded or served.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// The contact-center system: mock (the built-in desk), servicenow, amazon-connect, 8x8 or
    /// glia. A system without credentials in the config runs against its embedded emulator.
    #[arg(long, value_parser = parse_system, default_value = "mock", global = true)]
    pub system: SystemName,
    /// The configuration file (systems, webhooks, HTTP); defaults to handoff.toml in the
    /// platform's config directory, when it exists.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// The handoff style the mock desk acts as.
    #[arg(long, value_enum, default_value_t = StyleArg::Brokered, global = true)]
    pub style: StyleArg,
    /// Routing rules file (TOML, the format of the built-in rules) instead of the built-in ones.
    #[arg(long, value_name = "FILE", global = true)]
    pub routing: Option<PathBuf>,
    /// Mock desk agents accept after this many milliseconds, greet and answer by script.
    #[arg(long, value_name = "MS", global = true)]
    pub autopilot: Option<u64>,
    /// Mock desk agents, in order of preference: `NAME[:available|away|offline],...`.
    #[arg(long, value_name = "AGENTS", value_parser = parse_agents, global = true)]
    pub agents: Option<Vec<(String, Presence)>>,
    /// The greeting the mock desk sends on behalf of the accepting agent ("" for none).
    #[arg(long, value_name = "TEXT", global = true)]
    pub greeting: Option<String>,
    /// Mock desk latency before each event, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0, global = true)]
    pub latency: u64,
    /// The broker's fallback queue timeout, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120, global = true)]
    pub queue_timeout: u64,
    /// Largest accepted text frame, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::protocol::DEFAULT_MAX_MESSAGE_BYTES, global = true)]
    pub max_message_bytes: usize,
    /// Largest file a user may send to an agent, in bytes (0: no files).
    #[arg(long, value_name = "BYTES", default_value_t = crate::protocol::DEFAULT_MAX_ATTACHMENT_BYTES, global = true)]
    pub max_attachment_bytes: usize,
    /// Keep conversations in this SQLite file: they survive a restart and can be read back with
    /// `handoff transcript`.
    #[arg(long, value_name = "FILE", global = true)]
    pub store: Option<PathBuf>,
    /// Log file; defaults to handoff.log in the platform's state or cache directory.
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,
    /// A web origin (`scheme://host[:port]`) whose pages may connect; repeat for more. A
    /// handshake with any other `Origin` header is refused.
    #[arg(long = "allow-origin", value_name = "ORIGIN", global = true)]
    pub allow_origin: Vec<String>,
    /// The broker's token: the first line of FILE (`HANDOFF_TOKEN` wins when set); a random
    /// one per run when neither is given. With `--broker`, the token sent to that broker.
    #[arg(long, value_name = "FILE", global = true)]
    pub token_file: Option<PathBuf>,
    /// Every role needs the token, users too: set for the console's own broker.
    #[arg(skip)]
    pub token_for_every_role: bool,
}

/// `--style` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StyleArg {
    /// Message brokering (8x8 style): the user stays in the chat.
    Brokered,
    /// Redirect to a chat page built from a URL template (BeyondTrust style).
    Url,
    /// Enqueue through an API, then redirect to another bot (Vayusphere style).
    Api,
    /// Post the request in a channel (Slack style).
    Channel,
}

impl From<StyleArg> for HandoffStyle {
    fn from(s: StyleArg) -> Self {
        match s {
            StyleArg::Brokered => Self::Brokered,
            StyleArg::Url => Self::Url,
            StyleArg::Api => Self::Api,
            StyleArg::Channel => Self::Channel,
        }
    }
}

/// Parses `--system`.
fn parse_system(text: &str) -> Result<SystemName, String> {
    text.parse()
        .map_err(|e: crate::config::ConfigError| e.to_string())
}

/// Parses `--agents`: `Lisa,Sam:away`.
fn parse_agents(text: &str) -> Result<Vec<(String, Presence)>, String> {
    let agents = text
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|entry| {
            let (name, presence) = entry.split_once(':').unwrap_or((entry, "available"));
            let presence = match presence.trim() {
                "available" => Presence::Available,
                "away" => Presence::Away,
                "offline" => Presence::Offline,
                other => {
                    return Err(format!(
                        "agent {name:?}: unknown presence {other:?} (use available, away or offline)"
                    ));
                }
            };
            Ok((name.trim().to_owned(), presence))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if agents.is_empty() {
        return Err("name at least one agent, e.g. Lisa,Sam:away".into());
    }
    Ok(agents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_parse_with_optional_presence() {
        assert_eq!(
            parse_agents("Lisa, Sam:away").unwrap(),
            vec![
                ("Lisa".into(), Presence::Available),
                ("Sam".into(), Presence::Away)
            ]
        );
        assert_eq!(
            parse_agents("Lisa:busy").unwrap_err(),
            "agent \"Lisa\": unknown presence \"busy\" (use available, away or offline)"
        );
        assert!(parse_agents(" , ").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
