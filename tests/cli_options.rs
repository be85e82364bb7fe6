//! Every option of every command through the real binary: each with a valid value (a normal
//! start) and invalid ones (a clear error: exit code 2 for a usage error, or 1 with a message
//! naming the file or value at fault), and never a panic. The table is checked against what
//! clap knows, so an option added without a row fails `every_option_has_a_row`.
//!
//! A normal start: `serve` and `emulate` print their URL as the first line of stdout;
//! `transcript` prints from a store made here; the console (which needs a terminal) runs in
//! tmux until both its connections are up; `bench --fuzz` fuzzes a few hundred inputs.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
mod common;

use clap::CommandFactory as _;
use cli_support::{Server, console_starts, handoff, run_to_exit, start_server};
use handoff::cli::Cli;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The commands, as clap names them (`None`: the console).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cmd {
    Console,
    Serve,
    Transcript,
    Emulate,
    Bench,
    Run,
    Connect,
    Import,
    Demo,
}

impl Cmd {
    fn name(self) -> Option<&'static str> {
        match self {
            Self::Console => None,
            Self::Serve => Some("serve"),
            Self::Transcript => Some("transcript"),
            Self::Emulate => Some("emulate"),
            Self::Bench => Some("bench"),
            Self::Run => Some("run"),
            Self::Connect => Some("connect"),
            Self::Import => Some("import"),
            Self::Demo => Some("demo"),
        }
    }
}

/// What an invalid value must produce.
#[derive(Debug)]
enum Refused {
    /// Exit code 2 and clap's message naming the option or value (this text).
    Usage(String),
    /// Exit code 1 and a message containing this text (the file, value or reason).
    Fails(String),
}

/// One option of one command: the arguments of a valid use and of invalid ones.
struct Row {
    cmd: Cmd,
    /// The long option, or the id of a positional argument.
    option: &'static str,
    valid: Vec<String>,
    invalid: Vec<(Vec<String>, Refused)>,
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

fn usage(text: &str) -> Refused {
    Refused::Usage(text.to_owned())
}

fn fails(text: impl std::fmt::Display) -> Refused {
    Refused::Fails(text.to_string())
}

/// An option with one valid value and invalid values refused by clap.
fn row(cmd: Cmd, option: &'static str, valid: &str, bad: &[&str]) -> Row {
    let flag = format!("--{option}");
    Row {
        cmd,
        option,
        valid: vec![flag.clone(), valid.to_owned()],
        invalid: bad
            .iter()
            // `--flag=VALUE`, so that values such as `-1` are not read as options.
            .map(|b| (vec![format!("{flag}={b}")], usage(&flag)))
            .collect(),
    }
}

/// Files and values the rows use, in a folder of the test's own.
struct Fixture {
    home: tempfile::TempDir,
    /// A path whose folder is a regular file.
    under_a_file: PathBuf,
    missing: PathBuf,
    broken_toml: PathBuf,
    /// A config file whose `[hours]` names a time zone that does not exist.
    bad_hours: PathBuf,
    /// A config file whose `[attachments] max_bytes` is over the most.
    bad_attachments: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join("a-file");
        std::fs::write(&file, "not a folder").unwrap();
        let broken_toml = home.path().join("broken.toml");
        std::fs::write(&broken_toml, "[8x8]\napi_key = 1\n[[rule]\n").unwrap();
        let bad_hours = home.path().join("bad-hours.toml");
        let hours = "[hours]\nschedule = \"Mon-Fri 08:00-17:00 Mars/Olympus\"\n";
        std::fs::write(&bad_hours, hours).unwrap();
        let bad_attachments = home.path().join("bad-attachments.toml");
        std::fs::write(&bad_attachments, "[attachments]\nmax_bytes = 268435457\n").unwrap();
        Self {
            under_a_file: file.join("inside"),
            missing: home.path().join("missing.toml"),
            broken_toml,
            bad_hours,
            bad_attachments,
            home,
        }
    }

    fn path(&self, name: &str) -> String {
        self.home.path().join(name).display().to_string()
    }

    fn home(&self) -> &Path {
        self.home.path()
    }
}

fn repo_file(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// The broker engine's options, taken by the console and by `serve`.
fn engine_rows(cmd: Cmd, fx: &Fixture) -> Vec<Row> {
    let system = if cmd == Cmd::Console {
        "servicenow"
    } else {
        "8x8"
    };
    let mut rows = vec![
        row(cmd, "system", system, &["sap", ""]),
        row(cmd, "style", "channel", &["fax"]),
        row(cmd, "autopilot", "250", &["soon", "3600001", "-1"]),
        row(
            cmd,
            "agents",
            "Lisa,Sam:away,Ana:offline",
            &["Lisa:busy", "Lisa,Lisa", ":away", " , "],
        ),
        row(cmd, "greeting", "¡Hola! été 日本 👩🏽‍💻", &[]),
        row(cmd, "latency", "5", &["60001", "-1", "fast"]),
        row(cmd, "queue-timeout", "30", &["0", "86401"]),
        row(cmd, "time-scale", "60", &["0", "3601", "fast"]),
        row(
            cmd,
            "hours",
            "Mon-Fri 08:00-17:00 America/Los_Angeles except 2026-12-25",
            &[
                "Mon-Fri 08:00-17:00 Mars/Olympus",
                "sometimes",
                "Mon-Fri 17:00-08:00 UTC",
            ],
        ),
        row(cmd, "max-message-bytes", "4096", &["100", "1e6"]),
        row(cmd, "max-attachment-bytes", "0", &["268435457", "-1"]),
        // An optional value, given with `=` only: `--translate` alone detects the language.
        Row {
            cmd,
            option: "translate",
            valid: vec!["--translate=es".into()],
            invalid: vec![(vec!["--translate=Spanish".into()], usage("--translate"))],
        },
        row(cmd, "evict-after", "60", &["soon", "-1"]),
        row(cmd, "transcript-ttl", "90s", &["1w", "0s", "soon"]),
        Row {
            cmd,
            option: "transcripts",
            valid: s(&["--transcripts"]),
            invalid: vec![(s(&["--transcripts=yes"]), usage("--transcripts"))],
        },
        Row {
            cmd,
            option: "no-avatar",
            valid: s(&["--no-avatar"]),
            invalid: vec![(s(&["--no-avatar=yes"]), usage("--no-avatar"))],
        },
        row(
            cmd,
            "allow-origin",
            "https://desk.example.test",
            &[
                "desk.example.test",
                "https://desk.example.test/app",
                "ftp://x.test",
            ],
        ),
    ];
    rows.extend(engine_file_rows(cmd, fx));
    // The mock desk's own options: a real system refuses them rather than ignore them.
    for (i, option, value) in [
        (1, "--style", "url"),
        (3, "--agents", "Lisa"),
        (4, "--greeting", "Hi"),
        (5, "--latency", "5"),
    ] {
        assert_eq!(format!("--{}", rows[i].option), option);
        rows[i].invalid.push((
            s(&["--system", system, option, value]),
            fails(format!("{option} is for the mock desk")),
        ));
    }
    rows
}

/// The engine's options that name a file.
fn engine_file_rows(cmd: Cmd, fx: &Fixture) -> Vec<Row> {
    let mut rows = Vec::new();
    let file_row = |option: &'static str, valid: String, bad: Vec<(PathBuf, String)>| Row {
        cmd,
        option,
        valid: vec![format!("--{option}"), valid],
        invalid: bad
            .into_iter()
            .map(|(p, says)| (vec![format!("--{option}"), shown(&p)], fails(says)))
            .collect(),
    };
    rows.push(file_row(
        "config",
        repo_file("src/config/handoff.example.toml"),
        vec![
            (fx.missing.clone(), shown(&fx.missing)),
            (fx.broken_toml.clone(), shown(&fx.broken_toml)),
            (
                fx.bad_hours.clone(),
                format!(
                    "{}: hours.schedule: \"Mars/Olympus\" in \"Mon-Fri 08:00-17:00 Mars/Olympus\": \
                     is not a known IANA time zone",
                    shown(&fx.bad_hours)
                ),
            ),
            (
                fx.bad_attachments.clone(),
                format!(
                    "{}: attachments.max_bytes: 268435457 is over the most, 268435456 (256 MiB)",
                    shown(&fx.bad_attachments)
                ),
            ),
        ],
    ));
    rows.push(file_row(
        "routing",
        repo_file("src/broker/routing.toml"),
        vec![
            (fx.missing.clone(), shown(&fx.missing)),
            (fx.broken_toml.clone(), shown(&fx.broken_toml)),
        ],
    ));
    rows.push(file_row(
        "store",
        fx.path(&format!("{cmd:?}.sqlite")),
        vec![(fx.under_a_file.clone(), "is not a folder".into())],
    ));
    rows
}

fn log_file_row(cmd: Cmd, fx: &Fixture) -> Row {
    Row {
        cmd,
        option: "log-file",
        valid: vec!["--log-file".into(), fx.path(&format!("{cmd:?}-own.log"))],
        invalid: vec![(
            vec!["--log-file".into(), shown(&fx.under_a_file)],
            fails(format!("{}: ", shown(&fx.under_a_file))),
        )],
    }
}

fn listen_row(cmd: Cmd) -> Row {
    // A port already taken: the start fails naming the address.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    std::mem::forget(taken); // held for the whole test process
    let mut listen = row(
        cmd,
        "listen",
        "127.0.0.1:0",
        &["localhost:80", "127.0.0.1:99999"],
    );
    listen
        .invalid
        .push((vec!["--listen".into(), addr.clone()], fails(addr)));
    listen
}

/// The console's rows; `broker` is the URL of a running `serve`.
fn console_rows(fx: &Fixture, broker: &str) -> Vec<Row> {
    let mut rows = engine_rows(Cmd::Console, fx);
    rows.push(token_file_row(Cmd::Console, fx));
    rows.push(log_file_row(Cmd::Console, fx));
    rows.push(Row {
        cmd: Cmd::Console,
        option: "theme",
        valid: s(&["--theme", &repo_file("themes/light.toml")]),
        invalid: vec![
            (
                s(&["--theme", &shown(&fx.missing)]),
                fails(shown(&fx.missing)),
            ),
            (
                s(&["--theme", &shown(&fx.broken_toml)]),
                fails(shown(&fx.broken_toml)),
            ),
            (s(&["--theme", "neon"]), fails("no theme named \"neon\"")),
        ],
    });
    rows.push(row(
        Cmd::Console,
        "platform",
        "slack",
        &["discord", "", "Slack"],
    ));
    let mut external = row(
        Cmd::Console,
        "broker",
        broker,
        &["http://127.0.0.1:1", "ws://", "8765"],
    );
    external.invalid.push((
        s(&["--broker", broker, "--agents", "Lisa"]),
        usage("cannot be used with"),
    ));
    rows.push(external);
    rows.extend(scenario_console_rows(fx));
    rows
}

/// `--record`, `--replay`, `--autoplay`: a recording, a replay (a missing file names itself),
/// autoplay only with a replay.
fn scenario_console_rows(fx: &Fixture) -> Vec<Row> {
    let seed = repo_file(SEED_000);
    let mut record = row(Cmd::Console, "record", &fx.path("recorded.toml"), &[]);
    let nowhere = fx.home().join("no-such-folder").join("recorded.toml");
    record.invalid = vec![
        (
            s(&["--record", &shown(&nowhere)]),
            fails(format!("no folder {}", shown(nowhere.parent().unwrap()))),
        ),
        (
            s(&["--record", &shown(fx.home())]),
            fails("it is a folder; give a file"),
        ),
    ];
    let mut replay = row(Cmd::Console, "replay", &seed, &[]);
    replay.invalid = vec![(
        s(&["--replay", &shown(&fx.missing)]),
        fails(shown(&fx.missing)),
    )];
    let autoplay = Row {
        cmd: Cmd::Console,
        option: "autoplay",
        valid: s(&["--autoplay", "--replay", &seed]),
        invalid: vec![(s(&["--autoplay"]), usage("--replay"))],
    };
    vec![record, replay, autoplay]
}

/// The scenario `demo` plays by default, and `--replay` in the rows.
const SEED_000: &str = "tests/scenarios/seed_000_brokered.toml";

/// `demo`: seed 000 built in, or a file; its speed.
fn demo_rows(fx: &Fixture) -> Vec<Row> {
    let mut file = row(Cmd::Demo, "file", "", &[]);
    file.valid = s(&[&repo_file(SEED_000)]);
    file.invalid = vec![(s(&[&shown(&fx.missing)]), fails(shown(&fx.missing)))];
    vec![file, row(Cmd::Demo, "speed", "5", &["0", "101", "fast"])]
}

#[test]
fn demo_starts_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    let tmux = cli_support::tmux_available();
    check_rows(&fx, &demo_rows(&fx), |fx, row, args| {
        if tmux {
            console_starts(fx.home(), args, &format!("demo --{}", row.option));
        }
    });
}

/// `--token-file`: a file whose first line is the token (16 characters at least).
fn token_file_row(cmd: Cmd, fx: &Fixture) -> Row {
    let good = fx.home().join("token");
    std::fs::write(&good, "0123456789abcdef0123456789abcdef\n").unwrap();
    let short = fx.home().join("short-token");
    std::fs::write(&short, "abc\n").unwrap();
    let mut token = row(cmd, "token-file", &shown(&good), &[]);
    token.invalid = vec![
        (
            s(&["--token-file", &shown(&fx.missing)]),
            fails(shown(&fx.missing)),
        ),
        (s(&["--token-file", &shown(&short)]), fails(shown(&short))),
    ];
    token
}

fn serve_rows(fx: &Fixture) -> Vec<Row> {
    let mut rows = engine_rows(Cmd::Serve, fx);
    rows.push(token_file_row(Cmd::Serve, fx));
    rows.push(log_file_row(Cmd::Serve, fx));
    rows.push(listen_row(Cmd::Serve));
    rows.push(row(
        Cmd::Serve,
        "max-connections",
        "8",
        &["0", "65537", "many"],
    ));
    rows
}

fn emulate_rows(fx: &Fixture) -> Vec<Row> {
    let mut system = row(Cmd::Emulate, "system", "", &[]);
    system.valid = s(&["8x8"]);
    system.invalid = vec![
        (s(&["sap"]), usage("sap")),
        (s(&["mock"]), usage("the mock desk has no emulator")),
    ];
    let mut credentials = row(Cmd::Emulate, "credentials-env", "HANDOFF_TEST_SECRET", &[]);
    credentials.invalid.push((
        s(&["--credentials-env", "HANDOFF_TEST_UNSET"]),
        fails("HANDOFF_TEST_UNSET is not set"),
    ));
    // Emulators stay on loopback.
    let mut listen = listen_row(Cmd::Emulate);
    listen.invalid.push((
        s(&["--listen", "0.0.0.0:0"]),
        fails("0.0.0.0:0 is not a loopback address"),
    ));
    vec![
        system,
        listen,
        row(Cmd::Emulate, "autopilot", "250", &["soon", "3600001"]),
        credentials,
        log_file_row(Cmd::Emulate, fx),
    ]
}

fn transcript_rows(fx: &Fixture, conversation: &str) -> Vec<Row> {
    let not_a_store = repo_file("src/config/handoff.example.toml");
    let mut store = row(Cmd::Transcript, "store", &fx.path("store.sqlite"), &[]);
    store.invalid = vec![
        (
            s(&["--store", &shown(&fx.missing)]),
            fails(shown(&fx.missing)),
        ),
        (s(&["--store", &not_a_store]), fails(&not_a_store)),
    ];
    let mut id = row(Cmd::Transcript, "conversation", "", &[]);
    id.valid = s(&[conversation]);
    id.invalid = vec![(s(&["c-nope"]), fails("no conversation c-nope"))];
    let mut format = row(Cmd::Transcript, "format", "purple", &["xml"]);
    format.valid.push(conversation.to_owned());
    let mut raw = row(Cmd::Transcript, "raw", "", &[]);
    raw.valid = s(&["--raw", conversation]);
    raw.invalid = vec![(s(&["--raw=yes"]), usage("--raw"))];
    vec![store, id, format, raw]
}

/// The arguments of a run: the command, then options every run of it gets (a free port, a
/// log file of the test's own, the store made here) unless the row is about that option,
/// then the row's own.
fn args(fx: &Fixture, cmd: Cmd, option: &str, own: &[String]) -> Vec<String> {
    let log = fx.path(&format!("{cmd:?}.log"));
    let store = fx.path("store.sqlite");
    let base: Vec<(&str, Vec<String>)> = match cmd {
        Cmd::Console => vec![("log-file", s(&["--log-file", &log]))],
        Cmd::Serve => vec![
            ("listen", s(&["--listen", "127.0.0.1:0"])),
            ("log-file", s(&["--log-file", &log])),
        ],
        Cmd::Emulate => vec![
            ("system", s(&["glia"])),
            ("listen", s(&["--listen", "127.0.0.1:0"])),
            ("log-file", s(&["--log-file", &log])),
        ],
        Cmd::Transcript => vec![("store", s(&["--store", &store]))],
        Cmd::Bench | Cmd::Demo => vec![],
        Cmd::Run => vec![(
            "paths",
            s(&[&repo_file("tests/scenarios/seed_002_url.toml")]),
        )],
        Cmd::Connect => vec![("role", s(&["--role", "user"]))],
        Cmd::Import => vec![("source", s(&[&repo_file(SEED_001)]))],
    };
    let mut all: Vec<String> = cmd.name().map(str::to_owned).into_iter().collect();
    for (id, values) in base {
        // An external broker refuses the embedded broker's options; the log file is its own.
        if id != option {
            all.extend(values);
        }
    }
    all.extend_from_slice(own);
    all
}

fn command(fx: &Fixture, args: &[String]) -> std::process::Command {
    let mut cmd = handoff(fx.home());
    cmd.env("HANDOFF_TEST_SECRET", "s3cret").args(args);
    cmd
}

/// Runs one invalid use and checks it is refused as the row says.
fn check_refused(fx: &Fixture, row: &Row, own: &[String], refused: &Refused) {
    let args = args(fx, row.cmd, row.option, own);
    let what = format!("handoff {}", args.join(" "));
    let exit = run_to_exit(&mut command(fx, &args), &what);
    exit.assert_no_panic(&what);
    let (code, says) = match refused {
        Refused::Usage(says) => (2, says),
        Refused::Fails(says) => (1, says),
    };
    assert_eq!(exit.code, Some(code), "{what}: {exit:#?}");
    assert!(
        exit.stderr.contains(says.as_str()),
        "{what}: the error should say {says:?}: {exit:#?}"
    );
}

/// Runs every row of `rows`: the valid use with `starts`, each invalid use, and the option
/// without its value.
fn check_rows(fx: &Fixture, rows: &[Row], starts: impl Fn(&Fixture, &Row, &[String])) {
    for row in rows {
        let args = args(fx, row.cmd, row.option, &row.valid);
        starts(fx, row, &args);
        for (own, refused) in &row.invalid {
            check_refused(fx, row, own, refused);
        }
        if row.valid.first().is_some_and(|a| a.starts_with("--")) && takes_value(row) {
            let flag = format!("--{}", row.option);
            check_refused(fx, row, std::slice::from_ref(&flag), &usage(&flag));
        }
    }
}

fn serves(prefix: &'static str) -> impl Fn(&Fixture, &Row, &[String]) {
    move |fx, _row, args| {
        let what = format!("handoff {}", args.join(" "));
        let _server: Server = start_server(&mut command(fx, args), prefix, &what);
    }
}

#[test]
fn serve_starts_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    check_rows(&fx, &serve_rows(&fx), serves("ws://127.0.0.1:"));
}

#[test]
fn emulate_starts_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    check_rows(&fx, &emulate_rows(&fx), serves("http://127.0.0.1:"));
}

/// A store holding seed 000, made by an embedded broker; returns the conversation's id.
fn make_store(path: &Path) -> String {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = handoff::broker::BrokerConfig {
            store: Some(path.to_owned()),
            ..handoff::broker::BrokerConfig::default()
        };
        let broker = handoff::broker::start(config).await.unwrap();
        common::seeds::seed_000(&common::url(&broker)).await;
        broker.shutdown().await;
    });
    let store = handoff::store::Store::open(path).unwrap();
    store.conversations().unwrap()[0].id.to_string()
}

#[test]
fn transcript_prints_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    let id = make_store(&fx.home().join("store.sqlite"));
    check_rows(&fx, &transcript_rows(&fx, &id), |fx, _row, args| {
        let what = format!("handoff {}", args.join(" "));
        let exit = run_to_exit(&mut command(fx, args), &what);
        assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
        assert!(!exit.stdout.trim().is_empty(), "{what} printed nothing");
    });
}

#[test]
fn the_console_starts_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    // The external broker is `serve` with a token of the test's own, which the console is given.
    let token = fx.path("broker-token");
    std::fs::write(&token, "fedcba9876543210fedcba9876543210\n").unwrap();
    let serve_args = args(&fx, Cmd::Serve, "", &s(&["--token-file", &token]));
    let broker = start_server(
        &mut command(&fx, &serve_args),
        "ws://",
        "the broker for --broker",
    );
    let mut rows = console_rows(&fx, &broker.url);
    for row in rows.iter_mut().filter(|r| r.option == "broker") {
        row.valid.extend(s(&["--token-file", &token]));
    }
    let tmux = cli_support::tmux_available();
    check_rows(&fx, &rows, |fx, row, args| {
        if tmux {
            console_starts(fx.home(), args, &format!("console --{}", row.option));
        }
    });
}

/// Whether the row's option takes a value (flags such as `--raw` do not).
fn takes_value(row: &Row) -> bool {
    let root = Cli::command();
    let cmd = match row.cmd.name() {
        Some(name) => root.find_subcommand(name).cloned().unwrap(),
        None => root,
    };
    cmd.get_arguments()
        .find(|a| a.get_long() == Some(row.option))
        // An option whose value is optional (`--translate[=LANG]`) is valid alone.
        .is_some_and(|a| {
            a.get_action().takes_values() && a.get_num_args().is_none_or(|n| n.min_values() > 0)
        })
}

/// Every (command, option) clap knows, help and version aside.
fn clap_options() -> BTreeSet<(Option<String>, String)> {
    let root = Cli::command();
    let of = |cmd: &clap::Command, name: Option<String>| {
        cmd.get_arguments()
            .map(|a| a.get_long().unwrap_or(a.get_id().as_str()).to_owned())
            .filter(|id| id != "help" && id != "version")
            .map(|id| (name.clone(), id))
            .collect::<Vec<_>>()
    };
    let mut all: BTreeSet<_> = of(&root, None).into_iter().collect();
    for sub in root.get_subcommands() {
        all.extend(of(sub, Some(sub.get_name().to_owned())));
    }
    all
}

fn all_rows(fx: &Fixture) -> Vec<Row> {
    let mut rows = console_rows(fx, "ws://127.0.0.1:1");
    rows.extend(run_rows(fx));
    rows.extend(connect_rows(fx, "ws://127.0.0.1:1", "token"));
    rows.extend(import_rows(fx));
    rows.extend(demo_rows(fx));
    rows.extend(serve_rows(fx));
    rows.extend(emulate_rows(fx));
    rows.extend(transcript_rows(fx, "c-1"));
    rows.extend(bench_rows());
    rows.extend(bench_table_rows());
    rows.extend(bench_server_rows());
    rows
}

/// `bench --fuzz N`: a few hundred hostile strings are a normal run (the timing benches are
/// left to `handoff bench` itself: they take minutes).
fn bench_rows() -> Vec<Row> {
    vec![row(Cmd::Bench, "fuzz", "300", &["-1", "many", ""])]
}

/// The figures' options, each in a tiny run (2 chats, 200 ms windows, 10 idle connections, a
/// 500-message transcript) that prints only the table of ratios.
fn bench_table_rows() -> Vec<Row> {
    let tiny = |own: &[&str]| {
        let mut valid = s(own);
        for (flag, value) in [
            ("--chats", "2"),
            ("--duration-ms", "200"),
            ("--idle", "10"),
            ("--messages", "500"),
            ("--frames", "10"),
            ("--repeats", "1"),
        ] {
            if !own.contains(&flag) {
                valid.extend(s(&[flag, value]));
            }
        }
        if !own.contains(&"--table-only") {
            valid.push("--table-only".into());
        }
        valid
    };
    let with = |option: &'static str, own: &[&str], bad: &[&str]| Row {
        valid: tiny(own),
        ..row(Cmd::Bench, option, "", bad)
    };
    vec![
        with("quick", &["--quick"], &[]),
        with("repeats", &["--repeats", "2"], &["0", "51", "x"]),
        with("idle", &["--idle", "12"], &["0", "15001", "x"]),
        with("chats", &["--chats", "3"], &["0", "1001"]),
        with("duration-ms", &["--duration-ms", "150"], &["49", "x"]),
        with("messages", &["--messages", "300"], &["99", "x"]),
        with("frames", &["--frames", "5"], &["0", "x"]),
        with("table-only", &["--table-only"], &[]),
        with("protocol", &["--protocol", "1"], &["0", "3", "x"]),
    ]
}

/// `bench --bare-relay`: the bench's own baseline server, started by the bench.
fn bench_server_rows() -> Vec<Row> {
    vec![Row {
        valid: s(&["--bare-relay"]),
        ..row(Cmd::Bench, "bare-relay", "", &[])
    }]
}

#[test]
fn bench_fuzzes_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    check_rows(&fx, &bench_rows(), |fx, _row, args| {
        let what = format!("handoff {}", args.join(" "));
        let exit = run_to_exit(&mut command(fx, args), &what);
        assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
        assert!(exit.stdout.contains("300 inputs"), "{what}: {exit:#?}");
        assert!(exit.stdout.contains("0 failures"), "{what}: {exit:#?}");
    });
}

/// Every row of the table of ratios prints (the figures themselves are not judged: no timings
/// in tests).
#[test]
fn bench_prints_the_table_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    check_rows(&fx, &bench_table_rows(), |fx, _row, args| {
        let what = format!("handoff {}", args.join(" "));
        let exit = run_to_exit(&mut command(fx, args), &what);
        assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
        for measure in [
            "relay throughput, msg/s",
            "server CPU per message",
            "user->agent p99",
            "RSS per idle connection",
            "console: one more message",
            "console: frame p99",
        ] {
            let line = exit.stdout.lines().find(|l| l.contains(measure));
            assert!(
                line.is_some(),
                "{what}: no {measure} row in {}",
                exit.stdout
            );
        }
        assert!(
            !exit.stdout.contains("note:"),
            "{what}: a trial had faults: {}",
            exit.stdout
        );
    });
}

#[test]
fn bench_runs_its_bare_relay_as_a_server() {
    let fx = Fixture::new();
    check_rows(&fx, &bench_server_rows(), serves("ws://127.0.0.1:"));
}

#[test]
fn every_option_has_a_row() {
    let fx = Fixture::new();
    let rows = all_rows(&fx);
    let table: BTreeSet<_> = rows
        .iter()
        .map(|r| (r.cmd.name().map(str::to_owned), r.option.to_owned()))
        .collect();
    assert_eq!(table.len(), rows.len(), "an option has two rows");
    assert_eq!(
        clap_options(),
        table,
        "options (left) and rows of this table (right) differ"
    );
    for row in &rows {
        assert!(
            !row.valid.is_empty() || row.invalid.is_empty(),
            "{:?} --{}: a row needs a valid use",
            row.cmd,
            row.option
        );
    }
}

/// Whether clap hides this option from `--help` (the bench's settings for its own tests).
fn hidden(cmd: Cmd, option: &str) -> bool {
    let root = Cli::command();
    let command = match cmd.name() {
        Some(name) => root.find_subcommand(name).cloned(),
        None => Some(root.clone()),
    };
    command.is_some_and(|c| {
        c.get_arguments()
            .any(|a| a.get_long() == Some(option) && a.is_hide_set())
    })
}

/// The `--options` a `--help` text lists.
fn listed(help: &str) -> BTreeSet<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--") || l.starts_with("-h, --") || l.starts_with("-V, --"))
        .filter_map(|l| l.split("--").nth(1))
        .map(|l| {
            l.split([' ', ',', '=', '['])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn each_help_lists_only_its_commands_options() {
    let fx = Fixture::new();
    let rows = all_rows(&fx);
    for cmd in [
        Cmd::Console,
        Cmd::Serve,
        Cmd::Transcript,
        Cmd::Emulate,
        Cmd::Bench,
        Cmd::Run,
        Cmd::Connect,
        Cmd::Import,
        Cmd::Demo,
    ] {
        let mut args: Vec<String> = cmd.name().map(str::to_owned).into_iter().collect();
        args.push("--help".into());
        let what = format!("handoff {}", args.join(" "));
        let exit = run_to_exit(&mut command(&fx, &args), &what);
        assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
        let mut expected: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.cmd == cmd && r.valid.first().is_some_and(|a| a.starts_with("--")))
            .filter(|r| !hidden(r.cmd, r.option))
            .map(|r| r.option.to_owned())
            .collect();
        expected.insert("help".into());
        if cmd == Cmd::Console {
            expected.insert("version".into());
        }
        assert_eq!(listed(&exit.stdout), expected, "{what}:\n{}", exit.stdout);
    }
}

/// The seed file `import` reads by default.
const SEED_001: &str = "tests/fixtures/seeds/001_69677ef063214ac6.txt";

/// `run`: the seed 002 scenario passes on the mock desk and is skipped (with its reason) on
/// another system and on `--connect` (it sets the mock desk's style).
fn run_rows(fx: &Fixture) -> Vec<Row> {
    let example = repo_file("src/config/handoff.example.toml");
    let mut paths = row(Cmd::Run, "paths", "", &[]);
    paths.valid = s(&[&repo_file("tests/scenarios/seed_001_api.toml")]);
    let empty = fx.home().join("no-scenarios");
    std::fs::create_dir_all(&empty).unwrap();
    paths.invalid = vec![
        (s(&[&shown(&fx.missing)]), fails(shown(&fx.missing))),
        (
            s(&[&shown(&empty)]),
            fails(format!(
                "no scenario (.toml file) in the folder {}",
                shown(&empty)
            )),
        ),
    ];
    let mut junit = row(Cmd::Run, "junit", &fx.path("junit.xml"), &[]);
    junit.invalid = vec![(
        s(&["--junit", &shown(&fx.under_a_file)]),
        fails("cannot write the JUnit file"),
    )];
    let mut mermaid = row(Cmd::Run, "mermaid", &fx.path("diagrams"), &[]);
    mermaid.invalid = vec![(
        s(&["--mermaid", &shown(&fx.under_a_file)]),
        fails("cannot create the folder"),
    )];
    let mut json = row(Cmd::Run, "json", "", &[]);
    json.valid = s(&["--json"]);
    json.invalid = vec![(s(&["--json=yes"]), usage("--json"))];
    // The example file, open around the clock: its business hours would make the run's
    // outcome depend on when the test runs.
    let text = std::fs::read_to_string(&example).unwrap();
    assert!(
        text.contains("mode = \"schedule\""),
        "the example's [hours]"
    );
    let open = fx.home().join("handoff.example.always-open.toml");
    let always = text
        .replacen("mode = \"schedule\"", "mode = \"always\"", 1)
        .replacen("\nschedule = ", "\n# schedule = ", 1)
        .replacen("\nholidays = ", "\n# holidays = ", 1);
    std::fs::write(&open, always).unwrap();
    let mut config = row(Cmd::Run, "config", &shown(&open), &[]);
    config.invalid = vec![
        (
            s(&["--config", &shown(&fx.missing)]),
            fails(shown(&fx.missing)),
        ),
        (
            s(&["--config", &shown(&fx.broken_toml)]),
            fails(shown(&fx.broken_toml)),
        ),
    ];
    let mut token = row(Cmd::Run, "token-file", &fx.path("token"), &[]);
    token
        .valid
        .splice(0..0, s(&["--connect", "ws://127.0.0.1:1"]));
    token.invalid = vec![(
        s(&[
            "--connect",
            "ws://127.0.0.1:1",
            "--token-file",
            &shown(&fx.missing),
        ]),
        fails(shown(&fx.missing)),
    )];
    vec![
        paths,
        junit,
        mermaid,
        json,
        row(Cmd::Run, "system", "servicenow", &["sap"]),
        config,
        row(
            Cmd::Run,
            "connect",
            "ws://127.0.0.1:1",
            &["http://x.test", "nope"],
        ),
        token,
        row(Cmd::Run, "shard", "1/2", &["0/2", "3/2", "x"]),
    ]
}

#[test]
fn run_runs_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    std::fs::write(
        fx.home().join("token"),
        "fedcba9876543210fedcba9876543210\n",
    )
    .unwrap();
    check_rows(&fx, &run_rows(&fx), |fx, _row, args| {
        let what = format!("handoff {}", args.join(" "));
        let exit = run_to_exit(&mut command(fx, args), &what);
        // Seed 002 sets the mock desk's style: skipped on another system and on --connect.
        assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
        assert!(exit.stdout.contains("failed"), "{what}: {exit:#?}");
    });
}

/// `connect` against a running broker, whose token is in `token`.
fn connect_rows(fx: &Fixture, url: &str, token: &str) -> Vec<Row> {
    let token = fx.path(token);
    let mut role = row(Cmd::Connect, "role", "observer", &["boss"]);
    role.valid
        .extend(s(&["--url", url, "--token-file", &token]));
    let mut agent = row(Cmd::Connect, "agent", "Lisa", &[]);
    agent
        .valid
        .extend(s(&["--url", url, "--token-file", &token]));
    let url_row = row(Cmd::Connect, "url", url, &["http://x.test", "nope"]);
    let mut token_row = row(Cmd::Connect, "token-file", &token, &[]);
    token_row.valid.extend(s(&["--url", url]));
    token_row.invalid = vec![(
        s(&["--url", url, "--token-file", &shown(&fx.missing)]),
        fails(shown(&fx.missing)),
    )];
    vec![role, url_row, token_row, agent]
}

#[test]
fn connect_says_hello_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    let token = fx.path("token");
    std::fs::write(&token, "fedcba9876543210fedcba9876543210\n").unwrap();
    let serve_args = args(&fx, Cmd::Serve, "", &s(&["--token-file", &token]));
    let broker = start_server(
        &mut command(&fx, &serve_args),
        "ws://",
        "the broker for connect",
    );
    check_rows(
        &fx,
        &connect_rows(&fx, &broker.url, "token"),
        |fx, _row, args| {
            let what = format!("handoff {}", args.join(" "));
            let exit = run_to_exit(&mut command(fx, args), &what);
            assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
            let first: serde_json::Value =
                serde_json::from_str(exit.stdout.lines().next().unwrap_or_default()).unwrap();
            assert_eq!(first["type"], "welcome", "{what}: {exit:#?}");
        },
    );
}

/// `import`: a seed file as a scenario; a missing file names itself.
fn import_rows(fx: &Fixture) -> Vec<Row> {
    let mut source = row(Cmd::Import, "source", "", &[]);
    source.valid = s(&[&repo_file(SEED_001)]);
    source.invalid = vec![(s(&[&shown(&fx.missing)]), fails(shown(&fx.missing)))];
    vec![source, row(Cmd::Import, "style", "api", &["fax"])]
}

#[test]
fn import_prints_a_scenario_with_each_valid_option_and_refuses_invalid_ones() {
    let fx = Fixture::new();
    check_rows(&fx, &import_rows(&fx), |fx, _row, args| {
        let what = format!("handoff {}", args.join(" "));
        let exit = run_to_exit(&mut command(fx, args), &what);
        assert_eq!(exit.code, Some(0), "{what}: {exit:#?}");
        handoff::scenario::parse(&exit.stdout, "stdout")
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", exit.stdout));
    });
}
