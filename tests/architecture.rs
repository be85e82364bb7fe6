//! The shape of the code, checked: the rules `ARCHITECTURE.md` states hold on every commit.
//!
//! These read the sources as text (no build metadata), so a rule broken anywhere in `src/`
//! fails here with the file that broke it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest a source file may be.
const MAX_FILE_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("src/ is readable").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("sources are UTF-8");
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file of `src/` belongs to (`lib`, `main` for the crate roots).
fn top_module(path: &Path) -> String {
    let relative = path.strip_prefix(src()).expect("a file of src/");
    let first = relative.components().next().expect("a file of src/");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

/// The top-level modules `text` names through `crate::`.
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

/// Which top-level module uses which, from every file of `src/`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in sources(&src()) {
        let from = top_module(&path);
        if from == "lib" || from == "main" {
            continue;
        }
        let uses = graph.entry(from.clone()).or_default();
        for to in crate_references(&text) {
            if to != from {
                uses.insert(to);
            }
        }
    }
    graph
}

/// A cycle in `graph`, when there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_depend_on_each_other_without_cycles() {
    let graph = module_graph();
    let printed: Vec<String> = graph
        .iter()
        .map(|(from, to)| {
            format!(
                "{from} -> {}",
                to.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert_eq!(
        find_cycle(&graph),
        None,
        "import cycle; the graph:\n{}",
        printed.join("\n")
    );
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    graph.remove("c");
    assert_eq!(find_cycle(&graph), None);
}

#[test]
fn the_broker_and_the_systems_know_nothing_of_the_terminal() {
    let graph = module_graph();
    for module in [
        "broker",
        "connectors",
        "emulators",
        "systems",
        "store",
        "protocol",
        "text",
    ] {
        let uses = graph.get(module).cloned().unwrap_or_default();
        for ui in ["console", "ui", "theme"] {
            assert!(!uses.contains(ui), "{module} uses {ui}");
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = sources(&src())
        .into_iter()
        .filter(|(_, text)| text.lines().count() > MAX_FILE_LINES)
        .map(|(path, text)| format!("{}: {} lines", path.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

/// The system folders of `src/systems/`.
fn system_folders() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(src().join("systems"))
        .expect("src/systems/ exists")
        .map(|e| e.expect("src/systems/ is readable").path())
        .filter(|p| p.is_dir())
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn every_system_folder_is_in_the_registry() {
    let registry = std::fs::read_to_string(src().join("systems/mod.rs")).unwrap();
    for name in system_folders() {
        assert!(
            registry.contains(&format!("&{name}::SYSTEM")),
            "src/systems/{name}/ is not listed in SYSTEMS (src/systems/mod.rs)"
        );
    }
}

#[test]
fn connectors_never_import_emulators() {
    for name in system_folders() {
        let dir = src().join("systems").join(&name).join("connector");
        if !dir.is_dir() {
            continue;
        }
        for (path, text) in sources(&dir) {
            for needle in [
                "emulator::",
                "crate::emulators",
                &format!("systems::{name}::emulator"),
            ] {
                assert!(
                    !text.contains(needle),
                    "{} names {needle}: a connector must not depend on its emulator",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn emulators_parse_with_their_own_types() {
    for name in system_folders() {
        let dir = src().join("systems").join(&name).join("emulator");
        if !dir.is_dir() {
            continue;
        }
        for (path, text) in sources(&dir) {
            assert!(
                !text.contains("connector::wire"),
                "{} uses the connector's wire types: an emulator parses with its own, so a \
                 connector bug cannot hide behind a shared type",
                path.display()
            );
        }
    }
}
