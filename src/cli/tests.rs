use super::*;
use clap::CommandFactory as _;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("handoff").chain(args.iter().copied()))
}

fn agents(text: &str) -> Result<Vec<(String, Presence)>, String> {
    text.parse::<AgentList>().map(|a| a.0)
}

#[test]
fn the_command_line_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn agents_parse_with_optional_presence() {
    assert_eq!(
        agents("Lisa, Sam:away").unwrap(),
        vec![
            ("Lisa".into(), Presence::Available),
            ("Sam".into(), Presence::Away)
        ]
    );
    assert_eq!(
        agents("Lisa:busy").unwrap_err(),
        "agent \"Lisa\": unknown presence \"busy\" (use available, away or offline)"
    );
    assert!(agents(" , ").is_err());
}

#[test]
fn agents_are_named_once_each_with_a_plain_name() {
    assert_eq!(
        agents("Lisa,Sam,Lisa:away").unwrap_err(),
        "agent \"Lisa\" is named twice"
    );
    assert_eq!(
        agents(":away").unwrap_err(),
        "an agent has no name before its ':presence'"
    );
    assert!(
        agents("Li\u{1b}[2Jsa")
            .unwrap_err()
            .contains("control characters")
    );
    assert!(
        agents(&"x".repeat(65))
            .unwrap_err()
            .contains("at most 64 characters")
    );
    assert_eq!(agents(&"é".repeat(64)).unwrap()[0].0.chars().count(), 64);
}

#[test]
fn an_agent_list_holds_at_most_a_hundred_agents() {
    let names = |n: usize| {
        (0..n)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(agents(&names(100)).unwrap().len(), 100);
    assert_eq!(agents(&names(101)).unwrap_err(), "at most 100 agents");
}

#[test]
fn agents_reach_the_console_and_serve_as_a_list() {
    let cli = parse(&["--agents", "Lisa,Sam:away"]).unwrap();
    assert_eq!(cli.console.engine.agents.unwrap().0.len(), 2);
    let Some(Command::Serve(serve)) = parse(&["serve", "--agents", "Ann:offline"])
        .unwrap()
        .command
    else {
        panic!("serve expected");
    };
    assert_eq!(
        serve.engine.agents.unwrap().0,
        vec![("Ann".into(), Presence::Offline)]
    );
}

/// The long options (and positionals) of `name`'s command, without help and version.
fn options_of(name: Option<&str>) -> Vec<String> {
    let root = Cli::command();
    let cmd = match name {
        Some(name) => root.find_subcommand(name).unwrap().clone(),
        None => root,
    };
    let mut ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_long().unwrap_or(a.get_id().as_str()).to_owned())
        .filter(|id| id != "help" && id != "version")
        .collect();
    ids.sort();
    ids
}

const ENGINE: &[&str] = &[
    "agents",
    "allow-origin",
    "autopilot",
    "config",
    "evict-after",
    "greeting",
    "hours",
    "latency",
    "max-attachment-bytes",
    "max-message-bytes",
    "no-avatar",
    "queue-timeout",
    "routing",
    "store",
    "transcript-ttl",
    "transcripts",
    "style",
    "system",
    "time-scale",
    "translate",
];

fn sorted(extra: &[&str], base: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = extra.iter().chain(base).map(|s| (*s).to_owned()).collect();
    all.sort();
    all
}

#[test]
fn each_command_takes_only_the_options_it_uses() {
    assert_eq!(
        options_of(None),
        sorted(
            &[
                "broker",
                "theme",
                "log-file",
                "token-file",
                "platform",
                "record",
                "replay",
                "autoplay"
            ],
            ENGINE
        )
    );
    assert_eq!(
        options_of(Some("serve")),
        sorted(
            &["listen", "max-connections", "log-file", "token-file"],
            ENGINE
        )
    );
    assert_eq!(
        options_of(Some("transcript")),
        sorted(&["store", "format", "conversation", "raw"], &[])
    );
    assert_eq!(
        options_of(Some("emulate")),
        sorted(
            &[
                "system",
                "listen",
                "autopilot",
                "credentials-env",
                "log-file"
            ],
            &[]
        )
    );
    assert_eq!(
        options_of(Some("bench")),
        [
            "bare-relay",
            "chats",
            "duration-ms",
            "frames",
            "fuzz",
            "idle",
            "messages",
            "protocol",
            "quick",
            "repeats",
            "table-only"
        ]
    );
}

#[test]
fn console_options_are_refused_after_a_subcommand_and_before_one() {
    for args in [
        &["transcript", "--store", "t.sqlite", "--system", "8x8"][..],
        &["emulate", "glia", "--style", "url"],
        &["bench", "--agents", "Lisa"],
        &["serve", "--theme", "dark"],
        &["serve", "--broker", "ws://127.0.0.1:1"],
        &["--theme", "dark", "serve"],
    ] {
        let err = parse(args).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}: {err}");
    }
}

#[test]
fn an_external_broker_excludes_the_embedded_brokers_options() {
    assert!(parse(&["--broker", "ws://127.0.0.1:8765", "--theme", "light"]).is_ok());
    let err = parse(&["--broker", "ws://127.0.0.1:8765", "--agents", "Lisa"]).unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    for bad in ["http://127.0.0.1:8765", "127.0.0.1:8765", "ws://", ""] {
        let err = parse(&["--broker", bad]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation, "{bad}");
    }
}

#[test]
fn numbers_are_refused_outside_their_documented_bounds() {
    for (option, ok, bad) in [
        ("--latency", "60000", "60001"),
        ("--queue-timeout", "86400", "0"),
        ("--autopilot", "3600000", "3600001"),
        ("--max-message-bytes", "1024", "1023"),
        ("--max-attachment-bytes", "0", "268435457"),
    ] {
        assert!(parse(&[option, ok]).is_ok(), "{option} {ok}");
        let err = parse(&[option, bad]).unwrap_err();
        assert_eq!(
            err.kind(),
            clap::error::ErrorKind::ValueValidation,
            "{option} {bad}"
        );
    }
    assert!(parse(&["serve", "--max-connections", "0"]).is_err());
}

#[test]
fn every_console_option_reaches_its_field() {
    let cli = parse(&[
        "--theme",
        "light",
        "--log-file",
        "h.log",
        "--system",
        "glia",
        "--config",
        "h.toml",
        "--style",
        "api",
        "--routing",
        "r.toml",
        "--autopilot",
        "250",
        "--agents",
        "Ann",
        "--greeting",
        "",
        "--latency",
        "5",
        "--queue-timeout",
        "30",
        "--max-message-bytes",
        "4096",
        "--max-attachment-bytes",
        "0",
        "--store",
        "s.sqlite",
    ])
    .unwrap();
    assert!(cli.command.is_none());
    let (console, engine) = (&cli.console, &cli.console.engine);
    assert_eq!(console.theme.as_deref(), Some("light"));
    assert_eq!(console.log_file, Some("h.log".into()));
    assert_eq!(engine.system, crate::systems::glia::NAME);
    assert_eq!(engine.config, Some("h.toml".into()));
    assert_eq!(engine.style, StyleArg::Api);
    assert_eq!(engine.routing, Some("r.toml".into()));
    assert_eq!(engine.autopilot, Some(250));
    assert_eq!(engine.agents.as_ref().map(|a| a.0.len()), Some(1));
    assert_eq!(engine.greeting.as_deref(), Some(""));
    assert_eq!(engine.latency, Some(5));
    assert_eq!(engine.queue_timeout, 30);
    assert_eq!(engine.max_message_bytes, 4096);
    assert_eq!(engine.max_attachment_bytes, Some(0));
    assert_eq!(engine.store, Some("s.sqlite".into()));
    let external = parse(&["--broker", "wss://desk.example:443/ws"]).unwrap();
    assert_eq!(
        external.console.broker.as_deref(),
        Some("wss://desk.example:443/ws")
    );
    assert!(matches!(
        parse(&["bench"]).unwrap().command,
        Some(Command::Bench(_))
    ));
}

#[test]
fn only_real_systems_have_an_emulator() {
    assert!(parse(&["emulate", "8x8"]).is_ok());
    let err = parse(&["emulate", "mock"]).unwrap_err();
    assert!(
        err.to_string().contains("the mock desk has no emulator"),
        "{err}"
    );
}

/// Arbitrary Unicode with the separators and presences `--agents` reads made likely.
fn agent_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just(":away".to_owned()),
        Just("\u{200d}".to_owned()),
        Just("👩🏽‍💻".to_owned()),
        Just("e\u{301}".to_owned()),
        Just("\r\n".to_owned()),
        Just("日本".to_owned()),
        Just("\u{202e}".to_owned()),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Any text is either a list that keeps the documented bounds or a refusal with a reason;
    /// never a panic, and through clap never anything but a usage error.
    #[test]
    fn any_agents_text_parses_to_a_bounded_list_or_a_reason(text in agent_text()) {
        match text.parse::<AgentList>() {
            Ok(AgentList(agents)) => {
                proptest::prop_assert!(!agents.is_empty() && agents.len() <= AgentList::MAX_AGENTS);
                for (i, (name, _)) in agents.iter().enumerate() {
                    proptest::prop_assert!(!name.is_empty() && name.trim() == name);
                    proptest::prop_assert!(name.chars().count() <= AgentList::MAX_NAME);
                    proptest::prop_assert!(!name.chars().any(|c| char::is_control(c) || c == ','));
                    proptest::prop_assert!(agents[..i].iter().all(|(n, _)| n != name));
                }
            }
            Err(reason) => proptest::prop_assert!(!reason.is_empty()),
        }
        let flag = format!("--agents={text}");
        if let Err(e) = parse(&[flag.as_str()]) {
            proptest::prop_assert_eq!(e.exit_code(), 2);
        }
    }

    /// A list written back as `name:presence,...` reads as the same list.
    #[test]
    fn a_parsed_list_reads_back_the_same(text in agent_text()) {
        if let Ok(list) = text.parse::<AgentList>() {
            let written: Vec<String> = list.0.iter().map(|(n, p)| format!("{n}:{p}")).collect();
            proptest::prop_assert_eq!(written.join(",").parse::<AgentList>(), Ok(list));
        }
    }
}
