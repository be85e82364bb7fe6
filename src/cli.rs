//! The command line. The console (no subcommand) and `serve` take the broker engine's options;
//! `transcript`, `emulate` and `bench` take only their own, so each `--help` lists only what the
//! command uses.

use crate::protocol::{HandoffStyle, Presence};
use crate::systems::SystemName;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// A terminal console for live-agent handoff and message brokering.
///
/// With no command, opens the console on an embedded broker with the mock desk.
#[derive(Debug, Parser)]
// The console's options are the top level's: given with a subcommand they would be ignored, so
// clap refuses them there instead.
#[command(
    name = "handoff",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
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
    Serve(Box<ServeArgs>),
    /// List the conversations of a transcript store, or print one.
    Transcript(TranscriptArgs),
    /// Run one system's emulator on its own; prints its base URL as the first line.
    Emulate(EmulateArgs),
    /// Print performance figures: the broker next to a bare relay and to one that answers as it
    /// does, console frame times, broker latencies (run with --release).
    Bench(BenchArgs),
    /// Run scenario files (or folders of them) headless; exit code 0 only when all pass.
    Run(RunArgs),
    /// A line-oriented client of a broker: one JSON frame per line on stdin and stdout.
    Connect(ConnectArgs),
    /// Turn a Purple Chat link or JSON file into a scenario, printed on stdout.
    Import(ImportArgs),
    /// Play a scenario in the console at a human pace, for a live demo (seed 000 by default).
    Demo(DemoArgs),
}

/// Options of `handoff demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The scenario to play; seed 000 (a brokered chat with Lisa) when omitted.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Play N times faster than a human pace (1 to 100).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub speed: u32,
}

/// Options of `handoff run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files, or folders whose `.toml` files are scenarios. A path that does not exist
    /// or a folder without a `.toml` file stops the run before anything runs; an invalid file
    /// fails as a scenario and the others run.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also write the results to FILE in the `JUnit` XML format CI systems read.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print one JSON object per scenario, then one with the totals, instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the sequence diagram (mermaid) of each failed scenario to DIR/NAME.mmd, NAME its
    /// file's stem; the report names the file.
    #[arg(long, value_name = "DIR")]
    pub mermaid: Option<PathBuf>,
    /// Run every scenario on this system (against its emulator) instead of its own.
    #[arg(long, value_parser = parse_system, conflicts_with = "connect")]
    pub system: Option<SystemName>,
    /// The configuration file of the system, instead of each scenario's.
    #[arg(long, value_name = "FILE", conflicts_with = "connect")]
    pub config: Option<PathBuf>,
    /// Run on an already running broker (`handoff serve`) instead of one per scenario.
    #[arg(long, value_name = "URL", value_parser = parse_ws_url)]
    pub connect: Option<String>,
    /// With --connect: the broker's token, the first line of FILE (`HANDOFF_TOKEN` wins).
    #[arg(long, value_name = "FILE", requires = "connect")]
    pub token_file: Option<PathBuf>,
    /// Run only the K-th of N stable slices of the scenarios (by a hash of each path).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
}

/// Options of `handoff connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The role to say hello as.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// The broker's URL.
    #[arg(long, value_name = "URL", default_value = "ws://127.0.0.1:8765", value_parser = parse_ws_url)]
    pub url: String,
    /// The broker's token, the first line of FILE (`HANDOFF_TOKEN` wins); agents and observers
    /// need it.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The desk agent to act as (agent role).
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
}

/// `--role` of `handoff connect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// A simulated end user.
    User,
    /// An agent of the desk.
    Agent,
    /// Sees every event.
    Observer,
}

/// Options of `handoff import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A Purple Chat link, or a file: Purple Chat JSON, or a seed file with a `purple_chat_link`.
    #[arg(value_name = "LINK|FILE")]
    pub source: String,
    /// The mock desk's style the scenario runs in (`api` asks routing follow-ups).
    #[arg(long, value_enum)]
    pub style: Option<StyleArg>,
}

/// The most shards `--shard` splits into.
pub const MAX_SHARDS: u32 = 1000;

/// Parses `--shard K/N`: 1 <= K <= N <= [`MAX_SHARDS`].
fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("expected K/N with 1 <= K <= N <= {MAX_SHARDS}, e.g. 2/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n || n > MAX_SHARDS {
        return Err(bad());
    }
    Ok((k, n))
}

/// The first line of clap's message, without its `error: ` prefix.
pub fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

/// Options of `handoff bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Instead of timing, throw this many hostile strings at every path where foreign text
    /// enters: rich text, frames, transcripts, the whole console (1000000 is the usual run).
    #[arg(long, value_name = "INPUTS")]
    pub fuzz: Option<u64>,
    /// A shorter run: one repeat, short windows, 2000 idle connections (under a minute).
    #[arg(long)]
    pub quick: bool,
    /// Interleaved repeats of each relay trial [default: 3, or 1 with --quick].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=50))]
    pub repeats: Option<u16>,
    /// The protocol version the broker's clients speak in the relay trials: 2 (the default)
    /// answers each message with one frame; 1 with the echo and an ack, as relaybench measures.
    #[arg(long, value_name = "VERSION", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub protocol: Option<u8>,
    /// Idle connections for the memory figure [default: 10000, or 2000 with --quick].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=15_000))]
    pub idle: Option<u32>,
    /// Live chats in the relay trials (for quick checks of the bench itself).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub chats: Option<u16>,
    /// Each measured window, in milliseconds (the warm-up is a third of it).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(50..=600_000))]
    pub duration_ms: Option<u32>,
    /// Messages in the console's long transcript.
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(100..=1_000_000))]
    pub messages: Option<u32>,
    /// Console frames drawn per transcript.
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub frames: Option<u32>,
    /// Only the table of ratios, not the broker's other figures.
    #[arg(long, hide = true)]
    pub table_only: bool,
    /// Run the bench's bare relay on a free loopback port (the bench starts it itself; users
    /// joining `user ROOM answers=1|2` are answered as the broker answers a `say`).
    #[arg(long, hide = true)]
    pub bare_relay: bool,
}

/// Options of `handoff emulate`.
#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// The system: servicenow, amazon-connect, 8x8 or glia.
    #[arg(value_parser = parse_emulated_system)]
    pub system: SystemName,
    /// Where to listen (loopback only); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Simulated agents accept after this many milliseconds (at most an hour) and greet;
    /// without it, agents wait for a person (the console's inbox or the `/__emu` endpoints).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(..=MAX_AUTOPILOT_MS))]
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
    /// The SQLite file written by `--store`; the one `--transcripts` writes when omitted.
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
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
    /// A mermaid `sequenceDiagram`: the user, the assistant, the broker, the system, each agent.
    Mermaid,
    /// The same sequence drawn as text for the terminal.
    Diagram,
    /// A format-1 scenario (named after the conversation) that `handoff run` replays on the
    /// mock desk: the user's side as they saw it, the agents' actions from the desk events.
    Scenario,
}

/// Options of the console.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Use an external broker (ws:// or wss:// URL) instead of the embedded one; the embedded
    /// broker's options are refused with it.
    #[arg(long, value_name = "URL", value_parser = parse_ws_url, conflicts_with = "EngineArgs")]
    pub broker: Option<String>,
    /// Theme: a built-in name (dark, light, high-contrast) or a path to a theme file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Log file; defaults to handoff.log in the platform's state or cache directory.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// The broker's token: the first line of FILE (`HANDOFF_TOKEN` wins when set); a random
    /// one per run when neither is given. With `--broker`, the token sent to that broker.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The chat platform the user pane opens as: web, teams or slack (the palette
    /// switches; each platform keeps its own conversation, and its attachment rules).
    #[arg(long, value_name = "PLATFORM", default_value = "web", value_parser = parse_platform)]
    pub platform: crate::protocol::Platform,
    /// Record what happens in the console as a scenario FILE (F5 stops and saves).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Replay the scenario FILE in the console: F6 steps, F7 runs to the end, F9 forks.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// With --replay: play it at a human pace (typing shown; --time-scale N plays N times
    /// faster).
    #[arg(long, requires = "replay")]
    pub autoplay: bool,
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
    /// Open connections at most (1 to 65536).
    #[arg(long, default_value_t = 256, value_parser = parse_in::<usize>(1, 65_536))]
    pub max_connections: usize,
    /// Log file; defaults to handoff.log in the platform's state or cache directory.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// The broker's token: the first line of FILE (`HANDOFF_TOKEN` wins when set); a random
    /// one per run when neither is given.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Options of the engine.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// The longest `--autopilot` delay: an hour.
pub const MAX_AUTOPILOT_MS: u64 = 3_600_000;
/// The longest `--latency`: a minute per event.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// The longest `--queue-timeout`: a day.
pub const MAX_QUEUE_TIMEOUT_SECS: u64 = 86_400;
/// `--max-message-bytes` bounds: a `hello` must fit; 64 MiB at most.
pub const MESSAGE_BYTES: (usize, usize) = (1024, 64 << 20);
/// The largest `--max-attachment-bytes`: 256 MiB (files are held in memory).
pub const MAX_ATTACHMENT_BYTES: usize = 256 << 20;

/// Options of the broker engine, embedded or served.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// The contact-center system: mock (the built-in desk), servicenow, amazon-connect, 8x8 or
    /// glia. A system without credentials in the config runs against its embedded emulator.
    #[arg(long, value_parser = parse_system, default_value = "mock")]
    pub system: SystemName,
    /// The configuration file (systems, webhooks, HTTP); defaults to handoff.toml in the
    /// platform's config directory, when it exists. Checked on every system, mock included.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The handoff style the mock desk acts as.
    #[arg(long, value_enum, default_value_t = StyleArg::Brokered)]
    pub style: StyleArg,
    /// Routing rules file (TOML, the format of the built-in rules) instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub routing: Option<PathBuf>,
    /// Agents accept after this many milliseconds (at most an hour), greet and answer by script.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(..=MAX_AUTOPILOT_MS))]
    pub autopilot: Option<u64>,
    /// Mock desk agents, in order of preference: `NAME[:available|away|offline],...`.
    #[arg(long, value_name = "AGENTS")]
    pub agents: Option<AgentList>,
    /// The greeting the mock desk sends on behalf of the accepting agent ("" for none).
    #[arg(long, value_name = "TEXT")]
    pub greeting: Option<String>,
    /// Mock desk latency before each event, in milliseconds (at most a minute; default 0).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(..=MAX_LATENCY_MS))]
    pub latency: Option<u64>,
    /// The broker's fallback queue timeout, in seconds (1 to a day).
    #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=MAX_QUEUE_TIMEOUT_SECS))]
    pub queue_timeout: u64,
    /// When "Start agent chat" is shown: `system` (agents available), `always`, or business
    /// hours `DAYS OPEN-CLOSE ZONE [except DATE,...]`, e.g. "Mon-Fri 08:00-17:00
    /// `America/Los_Angeles`". Overrides `[hours]` of the config file.
    #[arg(long, value_name = "MODE")]
    pub hours: Option<crate::broker::hours::ButtonMode>,
    /// Demo time: N demo seconds pass per real second (1 to 3600), for every timer of the
    /// broker (queue timeout, business hours) and the times the console shows.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::clock::MAX_TIME_SCALE)))]
    pub time_scale: u32,
    /// Largest accepted text frame, in bytes (1 KiB to 64 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = crate::protocol::DEFAULT_MAX_MESSAGE_BYTES, value_parser = parse_in::<usize>(MESSAGE_BYTES.0, MESSAGE_BYTES.1))]
    pub max_message_bytes: usize,
    /// Largest file a user may send to an agent, in bytes (0: no files; at most 256 MiB);
    /// `[attachments] max_bytes` of the config, else 10 MiB.
    #[arg(long, visible_alias = "max-attachment", value_name = "BYTES", value_parser = parse_in::<usize>(0, MAX_ATTACHMENT_BYTES))]
    pub max_attachment_bytes: Option<usize>,
    /// Translate live chats (`[translation]` of the config, else the offline phrase table):
    /// users' messages to English for agents, agents' back. `--translate=es` fixes the users'
    /// language; `--translate` alone detects it from each message.
    #[arg(long, value_name = "LANG", num_args = 0..=1, require_equals = true, default_missing_value = "auto", value_parser = parse_language)]
    pub translate: Option<String>,
    /// Anonymity: the user sees no agent avatar (`[brokering] agent_avatar = false` too).
    #[arg(long)]
    pub no_avatar: bool,
    /// Keep conversations in this SQLite file (turns transcripts on): they survive a restart and
    /// can be read back with `handoff transcript`; personal data in them is masked.
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Keep transcripts (off by default; `[transcripts] enabled` in the config too), PII masked,
    /// in `--store` or transcripts.sqlite in the platform's data directory.
    #[arg(long)]
    pub transcripts: bool,
    /// How long a transcript is kept after its last event: 90s, 30m, 12h, 1d (the default, or
    /// `[transcripts] ttl`); expired ones are deleted at start and periodically.
    #[arg(long, value_name = "TTL", value_parser = crate::store::ttl::parse_ttl)]
    pub transcript_ttl: Option<std::time::Duration>,
    /// Seconds an ended or abandoned conversation (no user connected, no live chat, no event)
    /// stays in memory; it stays in the store.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub evict_after: u64,
    /// A web origin (`scheme://host[:port]`) whose pages may connect; repeat for more. A
    /// handshake with any other `Origin` header is refused with 403.
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origin: Vec<String>,
    /// The token file of `serve` or of the console (set from their `--token-file`).
    #[arg(skip)]
    pub token_file: Option<PathBuf>,
    /// Every role needs the token, users too: set for the console's own broker.
    #[arg(skip)]
    pub token_for_every_role: bool,
    /// A scenario's own `handoff.toml`, read over `config` (`SystemsConfig::layered`).
    #[arg(skip)]
    pub config_over: Option<PathBuf>,
    /// The agents of an embedded emulator's desk instead of its own (a scenario's), all
    /// available; at most [`AgentList::MAX_AGENTS`]. The mock desk's are `agents`.
    #[arg(skip)]
    pub emulator_agents: Option<Vec<String>>,
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

/// `--agents`: the mock desk's agents in order of preference, each with a starting presence.
/// Names are unique, non-empty, free of control characters, and at most [`AgentList::MAX_NAME`]
/// characters; the list holds at most [`AgentList::MAX_AGENTS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentList(pub Vec<(String, Presence)>);

impl AgentList {
    /// The most agents a list may name.
    pub const MAX_AGENTS: usize = 100;
    /// The longest agent name, in characters.
    pub const MAX_NAME: usize = 64;
}

impl FromStr for AgentList {
    type Err = String;

    /// Parses `Lisa, Sam:away`: comma-separated names, each with an optional `:presence`.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut agents: Vec<(String, Presence)> = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let (name, presence) = entry.split_once(':').unwrap_or((entry, "available"));
            let name = name.trim();
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
            check_agent_name(name)?;
            if agents.iter().any(|(n, _)| n == name) {
                return Err(format!("agent {name:?} is named twice"));
            }
            if agents.len() == Self::MAX_AGENTS {
                return Err(format!("at most {} agents", Self::MAX_AGENTS));
            }
            agents.push((name.to_owned(), presence));
        }
        if agents.is_empty() {
            return Err("name at least one agent, e.g. Lisa,Sam:away".into());
        }
        Ok(Self(agents))
    }
}

fn check_agent_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an agent has no name before its ':presence'".into());
    }
    if name.chars().any(char::is_control) {
        return Err(format!("agent {name:?}: a name has no control characters"));
    }
    if name.chars().count() > AgentList::MAX_NAME {
        return Err(format!(
            "agent {name:?}: a name has at most {} characters",
            AgentList::MAX_NAME
        ));
    }
    Ok(())
}

/// Parses `--system`.
fn parse_system(text: &str) -> Result<SystemName, String> {
    text.parse()
        .map_err(|e: crate::systems::UnknownSystem| e.to_string())
}

/// Parses `--platform`.
fn parse_platform(text: &str) -> Result<crate::protocol::Platform, String> {
    text.parse()
}

/// Parses `emulate`'s system: a real one (the mock desk lives in the broker, not an emulator).
fn parse_emulated_system(text: &str) -> Result<SystemName, String> {
    match parse_system(text)? {
        crate::systems::mock::NAME => {
            Err("the mock desk has no emulator; use servicenow, amazon-connect, 8x8 or glia".into())
        }
        system => Ok(system),
    }
}

/// Parses `--translate`'s language: `auto`, or a code such as `es`.
fn parse_language(text: &str) -> Result<String, String> {
    if text == "auto" || crate::translate::is_language_code(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not auto or a language code such as es"
        ))
    }
}

/// Parses `--broker`: a `ws://` or `wss://` URL with a host.
fn parse_ws_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "ws" | "wss") || !url.has_host() {
        return Err("expected a ws:// or wss:// URL, e.g. ws://127.0.0.1:8765".into());
    }
    Ok(text.to_owned())
}

/// Parses `--allow-origin`: a web origin as browsers send it in `Origin` (scheme, host and a
/// port other than the scheme's own; no path, query or user).
fn parse_origin(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not an origin: {e}"))?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https")
        || !url.has_host()
        || !bare
        || !url.username().is_empty()
    {
        return Err("expected an origin such as https://desk.example.com or http://localhost:3000 (no path)".into());
    }
    Ok(url.origin().ascii_serialization())
}

/// A parser of whole numbers from `min` to `max`, for types clap's ranges do not cover.
fn parse_in<T>(min: T, max: T) -> impl Fn(&str) -> Result<T, String> + Clone
where
    T: FromStr + PartialOrd + Copy + std::fmt::Display + Send + Sync + 'static,
    T::Err: std::fmt::Display,
{
    move |text| {
        let n: T = text.trim().parse().map_err(|e| format!("{e}"))?;
        if n < min || n > max {
            return Err(format!("{n} is not in {min}..={max}"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
