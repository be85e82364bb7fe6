//! `handoff run PATH...`: finds the scenario files, takes this shard's slice, runs them in
//! parallel (as many at once as the machine has cores), prints a line per scenario as each
//! ends, then each failure in detail and the totals; `--junit` and `--json` as well.

use super::report::{self, Outcome, Totals};
use super::runner::{self, Miss, Target, Verdict};
use crate::cli::RunArgs;
use anyhow::Context as _;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::time::Instant;

/// The most scenario files one run takes (folders are searched this far, too).
pub const MAX_FILES: usize = 10_000;

/// Runs the scenarios `args` names; `Ok(true)` when none failed. Every path is checked before
/// anything runs: one that does not exist, cannot be listed, or is a folder without a `.toml`
/// file is an error (nothing runs). A file that cannot be read or is not a valid scenario
/// (unreadable, not UTF-8, bad TOML) is a failed scenario, and the others run.
pub async fn run(args: &RunArgs) -> anyhow::Result<bool> {
    let mut files = Vec::new();
    for path in &args.paths {
        let before = files.len();
        collect(path, &mut files)?;
        // A mistyped path must not pass a CI job with "0 passed, 0 failed".
        anyhow::ensure!(
            files.len() > before,
            "no scenario (.toml file) in the folder {}",
            path.display()
        );
    }
    files.sort();
    files.dedup();
    if let Some((k, n)) = args.shard {
        files.retain(|f| shard_of(f, n) == k - 1);
    }
    let target = target(args)?;
    let outcomes = run_all(files, target, args).await?;
    let totals = Totals::of(&outcomes);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", report::json_totals(totals))?;
    } else {
        for o in &outcomes {
            if let Verdict::Failed(f) = &o.verdict {
                writeln!(out, "\n{}", report::failure(o, f).trim_end())?;
            }
        }
        writeln!(out, "\n{totals}")?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(&outcomes))
            .with_context(|| format!("cannot write the JUnit file {}", path.display()))?;
    }
    Ok(totals.failed == 0)
}

fn target(args: &RunArgs) -> anyhow::Result<Target> {
    Ok(match &args.connect {
        Some(url) => {
            let env = std::env::var(crate::broker::trust::TOKEN_ENV).ok();
            let token = crate::broker::trust::given_token(env, args.token_file.as_deref())?;
            Target::Connect {
                url: url.clone(),
                token: token.map(|t| t.expose().to_owned()),
            }
        }
        None => {
            if let Some(config) = &args.config {
                crate::systems::SystemsConfig::load_or_defaults(Some(config))?;
            }
            Target::Embedded {
                system: args.system,
                config: args.config.clone(),
            }
        }
    })
}

/// A file as given, or the `.toml` files under a folder (sorted, at most [`MAX_FILES`]).
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("no scenario file or folder at {}", path.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read the folder {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                collect(&entry, files)?;
            } else if entry.extension().is_some_and(|e| e == "toml") {
                files.push(entry);
            }
        }
    } else {
        files.push(path.to_owned());
    }
    anyhow::ensure!(
        files.len() <= MAX_FILES,
        "more than {MAX_FILES} scenario files under {}",
        path.display()
    );
    Ok(())
}

/// The shard (from 0) a file belongs to among `n`: FNV-1a of its path as given, so the same
/// command on every machine of a CI matrix splits the same way.
pub fn shard_of(file: &Path, n: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in file.to_string_lossy().as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % u64::from(n.max(1))) as u32
}

/// Runs every file, at most as many at once as there are cores, printing each as it ends
/// (after writing its failure's picture, with `--mermaid`).
async fn run_all(
    files: Vec<PathBuf>,
    target: Target,
    args: &RunArgs,
) -> anyhow::Result<Vec<Outcome>> {
    let json = args.json;
    let mut pictures = Pictures::new(args.mermaid.as_deref())?;
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let permits = Arc::new(tokio::sync::Semaphore::new(cores));
    let target = Arc::new(target);
    let total = files.len();
    let mut tasks = tokio::task::JoinSet::new();
    for file in files {
        let (permits, target) = (permits.clone(), target.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            one(file, &target).await
        });
    }
    let mut outcomes = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        let mut outcome = done.context("a scenario's task failed")?;
        outcome.mermaid_file = pictures.write(&outcome)?;
        let mut out = std::io::stdout().lock();
        if json {
            writeln!(out, "{}", report::json(&outcome))?;
        } else {
            writeln!(out, "{}", report::line(outcomes.len() + 1, total, &outcome))?;
        }
        out.flush()?;
        outcomes.push(outcome);
    }
    outcomes.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(outcomes)
}

/// Reads and runs one file; an invalid file fails with the parser's message.
async fn one(file: PathBuf, target: &Target) -> Outcome {
    let start = Instant::now();
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (name, verdict) = match super::load(&file) {
        Ok(scenario) => (
            scenario.name.clone(),
            runner::run(&scenario, target, None).await,
        ),
        Err(e) => (
            stem,
            Verdict::Failed(Box::new(runner::Failure {
                step: None,
                miss: Miss {
                    expected: "a valid scenario".into(),
                    seen: e.to_string(),
                },
                last_events: Vec::new(),
                picture: None,
            })),
        ),
    };
    Outcome {
        name,
        file,
        verdict,
        duration: start.elapsed(),
        mermaid_file: None,
    }
}

/// Where `--mermaid` writes failures' pictures, and the names taken so far in this run.
struct Pictures<'a> {
    dir: Option<&'a Path>,
    taken: BTreeSet<String>,
}

impl<'a> Pictures<'a> {
    /// The folder, created if missing.
    fn new(dir: Option<&'a Path>) -> anyhow::Result<Self> {
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
        Ok(Self {
            dir,
            taken: BTreeSet::new(),
        })
    }

    /// Writes the picture of a failed outcome as `DIR/<stem>.mmd` (`<stem>-2.mmd`, ... when a
    /// scenario of another folder took the name); its path.
    fn write(&mut self, o: &Outcome) -> anyhow::Result<Option<PathBuf>> {
        let (Some(dir), Verdict::Failed(f)) = (self.dir, &o.verdict) else {
            return Ok(None);
        };
        let Some(picture) = &f.picture else {
            return Ok(None);
        };
        let stem: String = o
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
                _ => '_',
            })
            .collect();
        // At most MAX_FILES scenarios run, so one of these names is free.
        let name = (1..=MAX_FILES + 1)
            .map(|n| match n {
                1 => format!("{stem}.mmd"),
                n => format!("{stem}-{n}.mmd"),
            })
            .find(|name| !self.taken.contains(name))
            .unwrap_or_default();
        self.taken.insert(name.clone());
        let path = dir.join(name);
        std::fs::write(&path, crate::pictures::mermaid(picture))
            .with_context(|| format!("cannot write the diagram {}", path.display()))?;
        Ok(Some(path))
    }
}
