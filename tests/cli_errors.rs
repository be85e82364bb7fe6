//! How the real binary reports what it cannot do (issue 16): one line on stderr, `error: `
//! and the problem naming the path at fault, exit code 1, never a backtrace nor a panic, even
//! with `RUST_BACKTRACE=1` in the environment. `handoff run` checks every path before it runs
//! anything; a file that is there but is not a valid scenario fails as a scenario, and the
//! others still run.

// Test helpers fail loudly: unwrapping is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{Exit, handoff, run_to_exit};
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// `handoff ARGS` with backtraces asked for, as many Rust users have it set.
fn handoff_with_backtraces(home: &Path, args: &[String]) -> Exit {
    let what = format!("handoff {}", args.join(" "));
    let mut cmd = handoff(home);
    cmd.args(args)
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1");
    let exit = run_to_exit(&mut cmd, &what);
    exit.assert_no_panic(&what);
    exit
}

/// Fails unless the run exited 1 with exactly one line on stderr, `error: ` and `says`.
fn assert_one_error_line(exit: &Exit, says: &str, what: &str) {
    assert_eq!(exit.code, Some(1), "{what}: {exit:#?}");
    let lines: Vec<&str> = exit.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: one line: {exit:#?}");
    assert!(lines[0].starts_with("error: "), "{what}: {exit:#?}");
    assert!(
        lines[0].contains(says),
        "{what}: should say {says:?}: {exit:#?}"
    );
    assert!(!exit.stderr.contains("backtrace"), "{what}: {exit:#?}");
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

#[test]
fn every_command_refuses_a_bad_path_in_one_line_without_a_backtrace() {
    let home = tempfile::tempdir().unwrap();
    let missing = shown(&home.path().join("missing.toml"));
    let folder = home.path().join("empty");
    std::fs::create_dir_all(&folder).unwrap();
    let folder = shown(&folder);
    let nowhere = home.path().join("no-folder").join("recorded.toml");
    let log = shown(&home.path().join("console.log"));
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            s(&["run", &missing]),
            format!("no scenario file or folder at {missing}"),
        ),
        (
            s(&["run", &folder]),
            format!("no scenario (.toml file) in the folder {folder}"),
        ),
        (
            s(&["import", &missing]),
            format!("no link or file {missing}"),
        ),
        (s(&["import", &folder]), format!("cannot read {folder}")),
        (
            s(&["transcript", "--store", &missing]),
            format!("no transcript store at {missing}"),
        ),
        (
            s(&["transcript", "--store", &folder]),
            format!("{folder} is a folder, not a transcript store"),
        ),
        (
            s(&["--log-file", &log, "--replay", &missing]),
            format!("{missing}: cannot read it"),
        ),
        (s(&["demo", &folder]), format!("{folder}: cannot read it")),
        (
            s(&["--log-file", &log, "--record", &shown(&nowhere)]),
            format!("no folder {}", shown(nowhere.parent().unwrap())),
        ),
    ];
    for (args, says) in cases {
        let exit = handoff_with_backtraces(home.path(), &args);
        assert_one_error_line(&exit, &says, &args.join(" "));
    }
}

#[test]
fn a_missing_path_among_good_ones_stops_the_run_before_any_scenario_runs() {
    let home = tempfile::tempdir().unwrap();
    let missing = shown(&home.path().join("missing"));
    let good = shown(&repo("tests/scenarios/seed_001_api.toml"));
    let exit = handoff_with_backtraces(home.path(), &s(&["run", &good, &missing]));
    assert_one_error_line(&exit, &missing, "run GOOD MISSING");
    assert!(exit.stdout.is_empty(), "nothing ran: {exit:#?}");
}

#[test]
fn a_file_that_is_not_a_scenario_fails_as_one_and_the_others_still_run() {
    let home = tempfile::tempdir().unwrap();
    let latin1 = home.path().join("latin1.toml");
    std::fs::write(&latin1, b"format = 1\nname = \"caf\xe9\"\n").unwrap();
    let good = shown(&repo("tests/scenarios/seed_001_api.toml"));
    let exit = handoff_with_backtraces(home.path(), &s(&["run", &good, &shown(&latin1)]));
    assert_eq!(exit.code, Some(1), "{exit:#?}");
    let says = format!("{}:2: not UTF-8 text", shown(&latin1));
    assert!(exit.stdout.contains(&says), "{exit:#?}");
    assert!(exit.stdout.contains("1 passed, 1 failed"), "{exit:#?}");
    assert!(!exit.stderr.contains("backtrace"), "{exit:#?}");
}

#[test]
fn a_folder_is_searched_to_the_bottom_for_its_scenarios() {
    let home = tempfile::tempdir().unwrap();
    let deep = home.path().join("a").join("b");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::copy(
        repo("tests/scenarios/rule_stop_chat.toml"),
        deep.join("s.toml"),
    )
    .unwrap();
    let exit = handoff_with_backtraces(home.path(), &s(&["run", &shown(&home.path().join("a"))]));
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert!(exit.stdout.contains("1 passed, 0 failed"), "{exit:#?}");
}
