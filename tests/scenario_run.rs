//! `handoff run` through the real binary: the project's scenarios pass and write a `JUnit` file
//! with the elements CI systems require; a wrong scenario fails with the step, its line, what
//! was expected and what was seen; an invalid one is refused with its file, line and key;
//! `--json`, `--shard`, `--system`, `--config` and `--connect` do what they say.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{Exit, handoff, run_to_exit, start_server};
use quick_xml::events::Event;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn run(home: &Path, args: &[&str]) -> Exit {
    let what = format!("handoff run {}", args.join(" "));
    let exit = run_to_exit(handoff(home).arg("run").args(args), &what);
    exit.assert_no_panic(&what);
    exit
}

fn scenario_files() -> BTreeSet<String> {
    std::fs::read_dir(repo("tests/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.display().to_string())
        .collect()
}

/// Each element's name with its attributes, in document order.
fn xml_elements(xml: &str) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = a.key.0.to_owned();
                        (
                            key,
                            a.normalized_value(quick_xml::XmlVersion::default())
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                out.push((e.name().0.to_owned(), attrs));
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

#[test]
fn the_projects_scenarios_pass_and_write_a_junit_file() {
    let home = tempfile::tempdir().unwrap();
    let junit = home.path().join("junit.xml");
    let dir = repo("tests/scenarios");
    let exit = run(
        home.path(),
        &[dir.to_str().unwrap(), "--junit", junit.to_str().unwrap()],
    );
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    let files = scenario_files();
    assert!(
        exit.stdout
            .contains(&format!("{} passed, 0 failed", files.len())),
        "{}",
        exit.stdout
    );
    let elements = xml_elements(&std::fs::read_to_string(&junit).unwrap());
    let of = |name: &str| {
        elements
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, a)| a)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("testsuites").len(), 1);
    let suites = of("testsuite");
    assert_eq!(suites.len(), 1);
    for required in ["name", "tests", "failures", "skipped"] {
        assert!(
            suites[0].contains_key(required),
            "testsuite lacks {required}"
        );
    }
    assert_eq!(suites[0]["tests"], files.len().to_string());
    assert_eq!(suites[0]["failures"], "0");
    let cases = of("testcase");
    assert_eq!(cases.len(), files.len());
    for case in &cases {
        for required in ["name", "classname", "time"] {
            assert!(
                case.contains_key(required),
                "testcase lacks {required}: {case:?}"
            );
        }
        assert!(case["time"].parse::<f64>().is_ok(), "{case:?}");
    }
    assert!(of("failure").is_empty());
}

#[test]
fn a_wrong_expectation_fails_with_the_step_its_line_and_a_diff() {
    let home = tempfile::tempdir().unwrap();
    let junit = home.path().join("junit.xml");
    let file = repo("tests/fixtures/scenarios/wrong_expectation.toml");
    let exit = run(
        home.path(),
        &[file.to_str().unwrap(), "--junit", junit.to_str().unwrap()],
    );
    assert_eq!(exit.code, Some(1), "{exit:#?}");
    let out = &exit.stdout;
    assert!(
        out.contains(&format!("step 2 at {}:10: user does see", file.display())),
        "{out}"
    );
    assert!(
        out.contains("expected: a message equal to \"Hello! How can I help?\""),
        "{out}"
    );
    assert!(
        out.contains("seen:     \"Could you please provide more details"),
        "{out}"
    );
    assert!(out.contains("last events of user:"), "{out}");
    assert!(out.contains("0 passed, 1 failed"), "{out}");
    let elements = xml_elements(&std::fs::read_to_string(&junit).unwrap());
    let failure = elements
        .iter()
        .find(|(n, _)| n == "failure")
        .expect("a failure element");
    assert!(
        failure.1["message"].contains("Hello! How can I help?"),
        "{failure:?}"
    );
}

#[test]
fn an_invalid_scenario_is_refused_with_its_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let file = repo("tests/fixtures/scenarios/invalid_key.toml");
    let exit = run(home.path(), &[file.to_str().unwrap()]);
    assert_eq!(exit.code, Some(1), "{exit:#?}");
    let says = format!("{}:11: `txet`: not a key of do = \"say\"", file.display());
    assert!(
        exit.stdout.contains(&says),
        "expected {says:?} in:\n{}",
        exit.stdout
    );
}

/// The `name`s of the scenarios a `--json` run reports, checking every line is an object.
fn json_names(stdout: &str) -> BTreeSet<String> {
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.last().unwrap()["type"], "summary", "{stdout}");
    lines
        .iter()
        .filter(|l| l["type"] == "scenario")
        .map(|l| l["file"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn json_prints_one_object_per_scenario_and_shards_split_the_suite() {
    let home = tempfile::tempdir().unwrap();
    let dir = repo("tests/scenarios");
    let dir = dir.to_str().unwrap();
    let mut union = BTreeSet::new();
    for shard in ["1/2", "2/2"] {
        let exit = run(home.path(), &[dir, "--json", "--shard", shard]);
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        let names = json_names(&exit.stdout);
        assert!(union.is_disjoint(&names), "shards overlap: {names:?}");
        union.extend(names);
    }
    assert_eq!(union, scenario_files());
}

#[test]
fn another_system_skips_what_it_cannot_run_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    let file = repo("tests/scenarios/seed_002_url.toml");
    let config = repo("src/config/handoff.example.toml");
    let exit = run(
        home.path(),
        &[
            file.to_str().unwrap(),
            "--system",
            "servicenow",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(exit.stdout.contains("skipped seed 002"), "{}", exit.stdout);
    assert!(
        exit.stdout
            .contains("sets options.style, which only the mock desk has"),
        "{}",
        exit.stdout
    );
    assert!(
        exit.stdout.contains("0 passed, 0 failed, 1 skipped"),
        "{}",
        exit.stdout
    );
}

#[test]
fn connect_runs_scenarios_on_a_running_broker() {
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    std::fs::write(&token, "0123456789abcdef0123456789abcdef\n").unwrap();
    let log = home.path().join("serve.log");
    let mut serve = handoff(home.path());
    serve.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--log-file",
        log.to_str().unwrap(),
        "--token-file",
        token.to_str().unwrap(),
    ]);
    let server = start_server(&mut serve, "ws://127.0.0.1:", "handoff serve");
    // Seed 000 names the mock desk's agents, which a running broker does not take: a
    // scenario with no options plays on it, one with a style is skipped.
    let seed = repo("tests/scenarios/rule_barge_in.toml");
    let styled = repo("tests/scenarios/seed_001_api.toml");
    let restart = repo("tests/fixtures/scenarios/restart_plain.toml");
    let exit = run(
        home.path(),
        &[
            seed.to_str().unwrap(),
            styled.to_str().unwrap(),
            restart.to_str().unwrap(),
            "--connect",
            &server.url,
            "--token-file",
            token.to_str().unwrap(),
        ],
    );
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(
        exit.stdout.contains("1 passed, 0 failed, 2 skipped"),
        "{}",
        exit.stdout
    );
    assert!(
        exit.stdout.contains(
            "step at line 10 (do = \"restart\") restarts the broker, which --connect does not own"
        ),
        "{}",
        exit.stdout
    );
    assert!(
        exit.stdout
            .contains("sets options.style, which a running broker (--connect) does not take"),
        "{}",
        exit.stdout
    );
}

#[test]
fn a_scenario_needing_what_a_system_lacks_is_skipped_with_the_capability() {
    let home = tempfile::tempdir().unwrap();
    let file = repo("tests/scenarios/rule_barge_in.toml");
    let exit = run(home.path(), &[file.to_str().unwrap(), "--system", "glia"]);
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(
        exit.stdout
            .contains("(do = \"accept\") needs barge-in, which glia lacks"),
        "{}",
        exit.stdout
    );
    assert!(
        exit.stdout.contains("0 passed, 0 failed, 1 skipped"),
        "{}",
        exit.stdout
    );
}

#[test]
fn a_transcript_that_differs_from_purple_chat_names_the_first_differing_turn() {
    let home = tempfile::tempdir().unwrap();
    let file = repo("tests/fixtures/scenarios/wrong_transcript.toml");
    let exit = run(home.path(), &[file.to_str().unwrap()]);
    assert_eq!(exit.code, Some(1), "{exit:#?}");
    let out = &exit.stdout;
    assert!(
        out.contains("expected: the 7 turns of ../seeds/000_712368c2d222133f.txt"),
        "{out}"
    );
    assert!(
        out.contains(
            "seen:     turn 2: expected assistant: \"Could you please provide more details about \
             the issue you're experience so I can connect you with a live agent effectively?\", \
             seen assistant: \"Could you please provide more details about the issue you're \
             experiencing so"
        ),
        "{out}"
    );
}

#[test]
fn mermaid_writes_each_failures_sequence_diagram_with_the_systems_calls_as_notes() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("pictures");
    let wrong = repo("tests/fixtures/scenarios/wrong_expectation.toml");
    let servicenow = repo("tests/fixtures/scenarios/wrong_servicenow.toml");
    let args = [
        wrong.to_str().unwrap(),
        servicenow.to_str().unwrap(),
        "--mermaid",
        dir.to_str().unwrap(),
    ];
    let exit = run(home.path(), &args);
    assert_eq!(exit.code, Some(1), "{exit:#?}");
    let differs = "  differs:  See [-KB0099999-]{+KB0012345, then INC0010001+}";
    assert!(exit.stdout.contains(differs), "{}", exit.stdout);
    let picture = dir.join("wrong_servicenow.mmd");
    let says = format!("  sequence diagram: {}", picture.display());
    assert!(exit.stdout.contains(&says), "{}", exit.stdout);
    let text = std::fs::read_to_string(&picture).unwrap();
    assert!(text.starts_with("sequenceDiagram\n"), "{text}");
    assert!(
        text.contains("    Note over P3: POST /api/sn_va_as_service/bot/integration 200 · "),
        "the calls to ServiceNow as notes over the system:\n{text}"
    );
    assert!(text.contains("    P4->>P0: See KB0012345"), "{text}");
    let mock = std::fs::read_to_string(dir.join("wrong_expectation.mmd")).unwrap();
    assert!(!mock.contains("Note over P3: POST"), "{mock}");
    // --json carries the same diagram.
    let exit = run(home.path(), &[wrong.to_str().unwrap(), "--json"]);
    let first: serde_json::Value =
        serde_json::from_str(exit.stdout.lines().next().unwrap()).unwrap();
    assert!(
        first["mermaid"]
            .as_str()
            .unwrap()
            .starts_with("sequenceDiagram\n"),
        "{first}"
    );
}
